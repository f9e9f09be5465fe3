package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/selabench/selabench/baselines"
	"github.com/selabench/selabench/internal/logits"
	sela "github.com/selabench/selabench/selA"
)

// TransportSolvers names the solvers [SolveTransport] runs, in the order tables
// show them: the official Sinkhorn-Knopp scheme, the accelerated one, its
// log-domain variant, and the exact LP.
var TransportSolvers = []string{"sinkhorn-ref", "sinkhorn", "sinkhorn-log", "exact"}

// A Scores matrix is the input of one transport solve: N samples × K clusters,
// row-major, in float32 or float64 (exactly one of F32, F64 is set).
type Scores struct {
	N, K int
	F32  []float32
	F64  []float64
	// LogProbs says the scores are log-probabilities; otherwise they are raw
	// logits, which the solvers log-softmax first.
	LogProbs bool
}

// TransportOptions choose the solver of [SolveTransport] and its settings.
type TransportOptions struct {
	// Solver is one of [TransportSolvers].
	Solver string
	// Lambda, Tol, MaxIter, Kernel and Accel are selA's Options of the Sinkhorn
	// solvers (Accel for sinkhorn only); the exact solver ignores them.
	Lambda  float64
	Tol     float64
	MaxIter int
	Kernel  sela.KernelMode
	Accel   sela.Acceleration
	// Sizes, if not nil, are the exact solver's integer cluster capacities
	// (summing to N); Masses, if not nil, the Sinkhorn solvers' cluster masses
	// (summing to 1). nil means equal clusters.
	Sizes  []int
	Masses []float64
	// InPlace lets sinkhorn overwrite a float32 matrix with its kernel
	// (selA's SolveInPlace): half the memory, for a matrix used once.
	InPlace bool
}

// TransportResult is one solve's outcome, as `selabench solve --json` prints it.
type TransportResult struct {
	Solver string   `json:"solver"`
	N      int      `json:"n"`
	K      int      `json:"k"`
	Lambda *float64 `json:"lambda,omitempty"` // absent for exact
	// Iterations, Seconds, Objective, Converged and Reason are the solve's
	// [LabelStats] (SinkhornStats or ExactStats; Reason also names a
	// converged solve's fallback from acceleration).
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`
	Objective  float64 `json:"objective"`
	// MarginalError is Σ_y |count_y/N − r_y| of the hard labels against the
	// target masses r; MinSize and MaxSize their smallest and largest cluster.
	MarginalError float64 `json:"marginal_error"`
	MinSize       int     `json:"min_size"`
	MaxSize       int     `json:"max_size"`
	Converged     bool    `json:"converged"`
	Reason        string  `json:"reason,omitempty"`
	// Primal, Dual and Gap are the exact solver's certificate.
	Primal *float64 `json:"primal,omitempty"`
	Dual   *float64 `json:"dual,omitempty"`
	Gap    *float64 `json:"gap,omitempty"`
	// AccelSteps and AccelRestarts count sinkhorn's accepted and rejected
	// Anderson extrapolations.
	AccelSteps    int `json:"accel_steps,omitempty"`
	AccelRestarts int `json:"accel_restarts,omitempty"`
	// Labels are the hard labels, one per sample.
	Labels []int `json:"-"`
}

// SolveTransport solves SeLa's label assignment on s with the solver o names.
// Errors name the row and column of a non-finite score, or the option at fault.
func SolveTransport(s Scores, o TransportOptions) (*TransportResult, error) {
	if (s.F32 == nil) == (s.F64 == nil) {
		return nil, errors.New("bench: transport: give exactly one of float32 and float64 scores")
	}
	r := &TransportResult{Solver: o.Solver, N: s.N, K: s.K}
	if o.Solver == "exact" {
		return r, solveExact(s, o, r)
	}
	variant, err := sela.ParseVariant(o.Solver)
	if err != nil {
		return nil, err
	}
	opt := sela.Options{Variant: variant, Lambda: o.Lambda, Masses: o.Masses, Logits: !s.LogProbs, Tol: o.Tol, MaxIter: o.MaxIter, Kernel: o.Kernel}
	if variant == sela.Sinkhorn {
		opt.Accel = o.Accel
	}
	var res *sela.Result
	switch {
	case s.F32 != nil && o.InPlace && variant == sela.Sinkhorn:
		res, err = sela.SolveInPlace(s.F32, s.N, s.K, opt)
	case s.F32 != nil:
		res, err = sela.Solve(s.F32, s.N, s.K, opt)
	default:
		res, err = sela.Solve64(s.F64, s.N, s.K, opt)
	}
	if err != nil {
		return nil, err
	}
	st := SinkhornStats(res)
	r.Lambda = &res.Lambda
	r.Iterations, r.Seconds, r.Objective, r.Converged, r.Reason = st.Iterations, st.Seconds, st.Objective, st.Converged, st.Note
	r.MarginalError, r.MinSize, r.MaxSize = res.MarginalErr, res.MinSize, res.MaxSize
	r.AccelSteps, r.AccelRestarts = res.AccelSteps, res.AccelRestarts
	if res.AccelFallback && r.Reason == "" {
		r.Reason = res.Reason // converged, but by the plain iteration after the fallback
	}
	r.Labels = widen(res.Labels)
	return r, nil
}

func solveExact(s Scores, o TransportOptions, r *TransportResult) error {
	if o.Sizes == nil && o.Masses != nil {
		return errors.New("the exact solver needs integer sizes summing to N, not masses")
	}
	// A non-finite logit would turn its whole row to NaN under log-softmax:
	// name it before normalising.
	if err := checkScores(s); err != nil {
		return err
	}
	var res *baselines.ExactResult
	var err error
	start := time.Now()
	// Exact takes log-probabilities: normalise a copy of raw logits first.
	if s.F32 != nil {
		l := s.F32
		if !s.LogProbs {
			l = slices.Clone(l)
			logits.LogSoftmax(l, s.N, s.K)
		}
		res, err = baselines.Exact(l, s.N, s.K, baselines.ExactOptions{Sizes: o.Sizes})
	} else {
		l := s.F64
		if !s.LogProbs {
			l = slices.Clone(l)
			logits.LogSoftmax(l, s.N, s.K)
		}
		res, err = baselines.Exact(l, s.N, s.K, baselines.ExactOptions{Sizes: o.Sizes})
	}
	r.Seconds = time.Since(start).Seconds()
	if err != nil {
		return err
	}
	st := ExactStats(res, s.N)
	r.Labels, r.Iterations, r.Objective, r.Converged, r.Reason = res.Labels, st.Iterations, st.Objective, st.Converged, st.Note
	r.Primal, r.Dual, r.Gap = &res.Primal, &res.Dual, &res.Gap
	target := make([]float64, s.K)
	for y, c := range res.Sizes {
		target[y] = float64(c) / float64(s.N)
	}
	r.MarginalError, r.MinSize, r.MaxSize = labelMarginal(r.Labels, target)
	return nil
}

// checkScores returns an error naming the first NaN or ±Inf score.
func checkScores(s Scores) error {
	bad := func(j int, v float64) error {
		return fmt.Errorf("row %d, column %d is %v", j/s.K, j%s.K, v)
	}
	for j, v := range s.F32 {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return bad(j, f)
		}
	}
	for j, v := range s.F64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad(j, v)
		}
	}
	return nil
}

// labelMarginal returns Σ_y |count_y/N − target_y| of hard labels and the
// smallest and largest cluster sizes.
func labelMarginal(labels []int, target []float64) (float64, int, int) {
	counts := make([]int, len(target))
	for _, y := range labels {
		counts[y]++
	}
	e := 0.0
	for y, c := range counts {
		e += math.Abs(float64(c)/float64(len(labels)) - target[y])
	}
	return e, slices.Min(counts), slices.Max(counts)
}

// A LambdaPoint is one Sinkhorn solve of a λ sweep beside the exact optimum.
type LambdaPoint struct {
	Lambda float64
	Solver string
	// Result is the solve's outcome; nil when Err says why it failed.
	Result *TransportResult
	Err    error
	// Gap is Result.Objective minus the exact optimum's (negative when the hard
	// labels break the exact sizes); Agreement the percentage of samples whose
	// label equals the exact solver's.
	Gap, Agreement float64
}

// LambdaSweep solves s exactly once, as the reference, and then with each
// Sinkhorn solver at each λ (solvers and λ in the order given, o giving the
// other settings; o.Solver and o.Lambda are ignored), and compares each solve
// with the exact optimum: how much of the objective entropic regularisation
// gives away, and how many labels change, as λ grows. A failed Sinkhorn solve
// is a point with Err set, not an error of the sweep; an exact solve that fails
// is.
func LambdaSweep(s Scores, lambdas []float64, solvers []string, o TransportOptions) (exact *TransportResult, points []LambdaPoint, err error) {
	for _, l := range lambdas {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, nil, fmt.Errorf("bench: λ sweep: λ must be positive and finite, got %v", l)
		}
	}
	for _, v := range solvers {
		if v == "exact" || !slices.Contains(TransportSolvers, v) {
			return nil, nil, fmt.Errorf("bench: λ sweep: unknown Sinkhorn solver %q (want sinkhorn-ref, sinkhorn or sinkhorn-log)", v)
		}
	}
	eo := o
	eo.Solver, eo.InPlace = "exact", false
	if exact, err = SolveTransport(s, eo); err != nil {
		return nil, nil, fmt.Errorf("exact solver: %w", err)
	}
	for _, l := range lambdas {
		for _, v := range solvers {
			so := o
			so.Solver, so.Lambda, so.InPlace = v, l, false
			p := LambdaPoint{Lambda: l, Solver: v}
			if p.Result, p.Err = SolveTransport(s, so); p.Err == nil {
				agree := 0
				for i, y := range p.Result.Labels {
					if y == exact.Labels[i] {
						agree++
					}
				}
				p.Gap = p.Result.Objective - exact.Objective
				p.Agreement = 100 * float64(agree) / float64(s.N)
			}
			points = append(points, p)
		}
	}
	return exact, points, nil
}
