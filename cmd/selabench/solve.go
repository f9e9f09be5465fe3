package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/selabench/selabench/baselines"
	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/npy"
	"github.com/selabench/selabench/reports"
	sela "github.com/selabench/selabench/selA"
)

func init() {
	register(&command{
		name:    "solve",
		summary: "solve one self-labelling transport problem from a .npy score matrix",
		run:     runSolve,
	})
}

// solverNames lists the transport solvers in the order tables show them.
var solverNames = []string{"sinkhorn-ref", "sinkhorn", "sinkhorn-log", "exact"}

// scoreMatrix is an N×K matrix of scores read from a .npy file, in the file's precision.
type scoreMatrix struct {
	n, k int
	f32  []float32 // one of f32, f64 is set
	f64  []float64
}

// transportOut is one solve's outcome, as `selabench solve --json` prints it.
type transportOut struct {
	Solver        string   `json:"solver"`
	N             int      `json:"n"`
	K             int      `json:"k"`
	Lambda        *float64 `json:"lambda,omitempty"` // absent for exact
	Iterations    int      `json:"iterations"`
	Seconds       float64  `json:"seconds"`
	Objective     float64  `json:"objective"`
	MarginalError float64  `json:"marginal_error"`
	MinSize       int      `json:"min_size"`
	MaxSize       int      `json:"max_size"`
	Converged     bool     `json:"converged"`
	Reason        string   `json:"reason,omitempty"`
	Primal        *float64 `json:"primal,omitempty"`
	Dual          *float64 `json:"dual,omitempty"`
	Gap           *float64 `json:"gap,omitempty"`
	AccelSteps    int      `json:"accel_steps,omitempty"`
	AccelRestarts int      `json:"accel_restarts,omitempty"`
	labels        []int
}

// solveConfig holds what a solve needs besides the matrix.
type solveConfig struct {
	solver     string
	lambda     float64
	tol        float64
	maxIter    int
	sizes      []int     // exact capacities, or nil
	masses     []float64 // Sinkhorn masses, or nil
	isLogProbs bool
	kernel     sela.KernelMode
	accel      sela.Acceleration
	// inPlace lets the sinkhorn solver overwrite a float32 matrix with its
	// kernel (sela.SolveInPlace): half the memory, for a matrix used once.
	inPlace bool
}

func runSolve(args []string, out, errOut io.Writer) error {
	fs := newFlags("solve", "selabench solve --logits L.npy [--log-probs] [--solver sinkhorn] [--lambda 25] [--sizes S.npy] [--tol 0.1] [--max-iter N] [--out labels.npy] [--json]", errOut)
	in := fs.String("logits", "", "N×K score matrix: a 2-D float32 or float64 .npy `file` of raw logits (log-softmax is applied), or log-probabilities with --log-probs")
	logProbs := fs.Bool("log-probs", false, "the --logits file already holds log-probabilities (rows sum to 1 in probability)")
	solver := fs.String("solver", "sinkhorn", "solver: "+strings.Join(solverNames, ", "))
	lambda := fs.Float64("lambda", sela.DefaultLambda, "λ, the inverse entropic regularisation of the Sinkhorn solvers (> 0)")
	sizesPath := fs.String("sizes", "", "cluster sizes: a 1-D .npy `file` of K integers summing to N (the exact solver's capacities, and masses sizes/N for Sinkhorn), or K floats summing to 1 (Sinkhorn masses)\ndefault: equal sizes")
	sinkhornConfig := sinkhornFlags(fs)
	outPath := fs.String("out", "", "write the hard labels to this .npy `file` (int32, length N)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.parse(args, out); err != nil {
		return err
	}
	if *in == "" {
		return usagef("--logits is required")
	}
	if !slices.Contains(solverNames, *solver) {
		return usagef("--solver must be one of %s, got %q", strings.Join(solverNames, ", "), *solver)
	}
	if !(*lambda > 0) || math.IsInf(*lambda, 0) {
		return usagef("--lambda must be positive and finite, got %v", *lambda)
	}
	cfg, err := sinkhornConfig()
	if err != nil {
		return err
	}
	m, err := readScores(*in)
	if err != nil {
		return err
	}
	cfg.solver, cfg.lambda, cfg.isLogProbs = *solver, *lambda, *logProbs
	cfg.inPlace = true // m is read once
	if *sizesPath != "" {
		if cfg.sizes, cfg.masses, err = readSizes(*sizesPath, m.n, m.k); err != nil {
			return err
		}
	}
	res, err := solveOnce(m, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	if *outPath != "" {
		labels := make([]int32, len(res.labels))
		for i, y := range res.labels {
			labels[i] = int32(y)
		}
		if err := npy.WriteFile(*outPath, []int{len(labels)}, labels); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(res)
	}
	return transportTable(out, []transportOut{res})
}

// sinkhornFlags defines the flags every Sinkhorn solve shares (--tol, --max-iter,
// --kernel); the returned function validates them, after parsing, into a config.
func sinkhornFlags(fs *flagSet) func() (solveConfig, error) {
	tol := fs.Float64("tol", sela.DefaultTol, "tolerance of the official stopping rule Σ|b/b_new − 1| (Sinkhorn solvers)")
	maxIter := fs.Int("max-iter", 0, "iteration cap of the Sinkhorn solvers; reaching it reports converged=false (0: the solver's default)")
	kernel := fs.String("kernel", "auto", "kernel of the sinkhorn solver: auto (truncated sparse kernel when large and safe), dense or sparse")
	accel := fs.String("accel", "anderson", "acceleration of the sinkhorn solver between checked iterations: anderson or plain (the official iteration); the stopping rule is the same")
	return func() (solveConfig, error) {
		if !(*tol > 0) {
			return solveConfig{}, usagef("--tol must be positive, got %v", *tol)
		}
		if *maxIter < 0 {
			return solveConfig{}, usagef("--max-iter must be ≥ 0, got %d", *maxIter)
		}
		mode, err := sela.ParseKernelMode(*kernel)
		if err != nil {
			return solveConfig{}, usagef("--kernel: %v", err)
		}
		acc, err := sela.ParseAcceleration(*accel)
		if err != nil {
			return solveConfig{}, usagef("--accel: %v", err)
		}
		return solveConfig{tol: *tol, maxIter: *maxIter, kernel: mode, accel: acc}, nil
	}
}

// readScores reads a 2-D float .npy matrix.
func readScores(path string) (scoreMatrix, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return scoreMatrix{}, err
	}
	if len(a.Shape) != 2 {
		return scoreMatrix{}, fmt.Errorf("%s: want a 2-D N×K matrix, got shape %v", path, a.Shape)
	}
	m := scoreMatrix{n: a.Shape[0], k: a.Shape[1]}
	switch d := a.Data.(type) {
	case []float32:
		m.f32 = d
	case []float64:
		m.f64 = d
	default:
		return scoreMatrix{}, fmt.Errorf("%s: want float32 or float64 scores, got dtype %s", path, a.DType)
	}
	return m, nil
}

// readSizes reads cluster sizes (integers summing to n) or masses (floats), length k.
func readSizes(path string, n, k int) ([]int, []float64, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(a.Shape) != 1 || a.Shape[0] != k {
		return nil, nil, fmt.Errorf("%s: want %d cluster sizes (the K of the scores), got shape %v", path, k, a.Shape)
	}
	if a.DType == npy.Float32 || a.DType == npy.Float64 {
		masses, err := a.Float64s() // validated (positive, summing to 1) by the solver
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, masses, nil
	}
	sizes, err := a.Ints()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	total := 0
	for y, s := range sizes {
		if s < 0 {
			return nil, nil, fmt.Errorf("%s: size of cluster %d is negative (%d)", path, y, s)
		}
		total += s
	}
	if total != n {
		return nil, nil, fmt.Errorf("%s: sizes sum to %d, want N = %d", path, total, n)
	}
	masses := make([]float64, k)
	for y, s := range sizes {
		masses[y] = float64(s) / float64(n)
	}
	return sizes, masses, nil
}

// solveOnce runs one solver on m. Seconds covers the solve only.
func solveOnce(m scoreMatrix, cfg solveConfig) (transportOut, error) {
	o := transportOut{Solver: cfg.solver, N: m.n, K: m.k}
	if cfg.solver == "exact" {
		if cfg.sizes == nil && cfg.masses != nil {
			return o, fmt.Errorf("the exact solver needs integer sizes summing to N, not masses")
		}
		// A non-finite logit would turn its whole row to NaN under log-softmax:
		// name it before normalising.
		if err := checkFinite(m); err != nil {
			return o, err
		}
		var r *baselines.ExactResult
		var err error
		start := time.Now()
		// Exact takes log-probabilities: normalise a copy of raw logits first.
		if m.f32 != nil {
			l := m.f32
			if !cfg.isLogProbs {
				l = slices.Clone(l)
				logits.LogSoftmax(l, m.n, m.k)
			}
			r, err = baselines.Exact(l, m.n, m.k, baselines.ExactOptions{Sizes: cfg.sizes})
		} else {
			l := m.f64
			if !cfg.isLogProbs {
				l = slices.Clone(l)
				logits.LogSoftmax(l, m.n, m.k)
			}
			r, err = baselines.Exact(l, m.n, m.k, baselines.ExactOptions{Sizes: cfg.sizes})
		}
		o.Seconds = time.Since(start).Seconds()
		if err != nil {
			return o, err
		}
		st := bench.ExactStats(r, m.n)
		o.labels, o.Iterations, o.Objective, o.Converged, o.Reason = r.Labels, st.Iterations, st.Objective, st.Converged, st.Note
		o.Primal, o.Dual, o.Gap = &r.Primal, &r.Dual, &r.Gap
		target := make([]float64, m.k)
		for y, s := range r.Sizes {
			target[y] = float64(s) / float64(m.n)
		}
		o.MarginalError, o.MinSize, o.MaxSize = labelMarginal(o.labels, target)
		return o, nil
	}
	variant, err := sela.ParseVariant(cfg.solver)
	if err != nil {
		return o, err
	}
	opt := sela.Options{Variant: variant, Lambda: cfg.lambda, Masses: cfg.masses, Logits: !cfg.isLogProbs, Tol: cfg.tol, MaxIter: cfg.maxIter, Kernel: cfg.kernel}
	if variant == sela.Sinkhorn {
		opt.Accel = cfg.accel
	}
	var r *sela.Result
	switch {
	case m.f32 != nil && cfg.inPlace && variant == sela.Sinkhorn:
		r, err = sela.SolveInPlace(m.f32, m.n, m.k, opt)
	case m.f32 != nil:
		r, err = sela.Solve(m.f32, m.n, m.k, opt)
	default:
		r, err = sela.Solve64(m.f64, m.n, m.k, opt)
	}
	if err != nil {
		return o, err
	}
	st := bench.SinkhornStats(r)
	o.Lambda = &r.Lambda
	o.Iterations, o.Seconds, o.Objective, o.Converged, o.Reason = st.Iterations, st.Seconds, st.Objective, st.Converged, st.Note
	o.MarginalError, o.MinSize, o.MaxSize = r.MarginalErr, r.MinSize, r.MaxSize
	o.labels = make([]int, len(r.Labels))
	o.AccelSteps, o.AccelRestarts = r.AccelSteps, r.AccelRestarts
	if r.AccelFallback && o.Reason == "" {
		o.Reason = r.Reason // converged, but by the plain iteration after the fallback
	}
	for i, y := range r.Labels {
		o.labels[i] = int(y)
	}
	return o, nil
}

// checkFinite returns an error naming the first NaN or ±Inf score of m.
func checkFinite(m scoreMatrix) error {
	bad := func(j int, v float64) error {
		return fmt.Errorf("row %d, column %d is %v", j/m.k, j%m.k, v)
	}
	for j, v := range m.f32 {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return bad(j, f)
		}
	}
	for j, v := range m.f64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad(j, v)
		}
	}
	return nil
}

// labelMarginal returns Σ_y |count_y/N − target_y| of hard labels and the smallest
// and largest cluster sizes.
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

func transportTable(w io.Writer, rows []transportOut) error {
	t := reports.Table{Header: []string{"solver", "N", "K", "λ", "iterations", "seconds", "objective", "marginal error", "min size", "max size", "converged", "gap"}}
	for _, r := range rows {
		lambda, gap := "—", "—"
		if r.Lambda != nil {
			lambda = fmt.Sprint(*r.Lambda)
		}
		if r.Gap != nil {
			gap = fmt.Sprintf("%.3g", *r.Gap)
		}
		t.Rows = append(t.Rows, []string{r.Solver, fmt.Sprint(r.N), fmt.Sprint(r.K), lambda, fmt.Sprint(r.Iterations),
			fmt.Sprintf("%.3f", r.Seconds), fmt.Sprintf("%.6f", r.Objective), fmt.Sprintf("%.3g", r.MarginalError),
			fmt.Sprint(r.MinSize), fmt.Sprint(r.MaxSize), fmt.Sprint(r.Converged), gap})
	}
	return t.Markdown(w)
}
