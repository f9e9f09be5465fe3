package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/selabench/selabench/baselines"
	"github.com/selabench/selabench/deepcluster"
	"github.com/selabench/selabench/internal/rng"
	sela "github.com/selabench/selabench/selA"
)

// LabelInput is what a label step hands a labeler: the training set seen by the
// current network.
type LabelInput struct {
	// Epoch is the epoch the step happens in (0-based).
	Epoch int
	// N samples; Features is the N×D trunk output in evaluation mode.
	N, D     int
	Features []float32
	// LogProbs[h] is head h's N×K matrix of log-probabilities (or their average
	// over augmented views).
	K        int
	LogProbs [][]float32
}

// LabelStats describes one head's solve in a label step.
type LabelStats struct {
	Seconds    float64 `json:"seconds"`
	Iterations int     `json:"iterations,omitempty"`
	Converged  bool    `json:"converged"`
	// Objective is the mean −log P of the chosen labels (transport methods).
	Objective float64 `json:"objective,omitempty"`
	// Note carries a solver's remark: why it stopped without converging, or a fallback.
	Note string `json:"note,omitempty"`
}

// A Labeler turns the network's view of the training set into pseudo-labels, one
// set per head: the one place where the compared methods differ.
type Labeler interface {
	// Label returns labels[h][i] ∈ [0, K) for every head and sample.
	Label(in *LabelInput) (labels [][]int, stats []LabelStats, err error)
	// Needs says which inputs the labeler reads, so the harness computes only those.
	Needs() (features, logProbs bool)
}

// newLabeler returns the labeler of c.Method, or nil for methods whose labels never
// change (supervised, random-labels) or that do not train.
func newLabeler(c *Config, heads int) (Labeler, error) {
	switch c.Method {
	case MethodSeLa:
		return &selaLabeler{opt: sela.Options{Lambda: c.Lambda}, ws: make([]sela.Workspace, heads)}, nil
	case MethodSeLaExact:
		return exactLabeler{}, nil
	case MethodNaive:
		return naiveLabeler{}, nil
	case MethodDeepCluster:
		l, err := deepcluster.NewLabeler(deepcluster.Options{K: c.K, Seed: c.Seed})
		if err != nil {
			return nil, err
		}
		return &deepclusterLabeler{l: l}, nil
	}
	return nil, nil
}

// selaLabeler solves SeLa's transport problem with Sinkhorn-Knopp (selA) for every
// head, with the official stopping rule.
type selaLabeler struct {
	opt sela.Options
	ws  []sela.Workspace
}

func (s *selaLabeler) Needs() (bool, bool) { return false, true }

func (s *selaLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	labels := make([][]int, len(in.LogProbs))
	stats := make([]LabelStats, len(in.LogProbs))
	for h, lp := range in.LogProbs {
		res, err := s.ws[h].Solve(lp, in.N, in.K, s.opt)
		fallback := ""
		if errors.Is(err, sela.ErrNumerical) {
			// The float32 kernel exp(λ(L − max L)) underflowed a whole column
			// (large λ on confident outputs): the log-domain solver handles it.
			opt := s.opt
			opt.Variant = sela.SinkhornLog
			res, err = s.ws[h].Solve(lp, in.N, in.K, opt)
			fallback = "the float32 kernel broke down; solved by sinkhorn-log"
		}
		if err != nil {
			return nil, nil, fmt.Errorf("sela: head %d: %w", h, err)
		}
		labels[h] = widen(res.Labels)
		stats[h] = LabelStats{Seconds: res.Duration.Seconds(), Iterations: res.Iterations,
			Converged: res.Converged, Objective: res.Objective}
		if !res.Converged {
			stats[h].Note = res.Reason
		}
		if fallback != "" {
			stats[h].Note = strings.TrimPrefix(stats[h].Note+"; "+fallback, "; ")
		}
	}
	return labels, stats, nil
}

// exactLabeler solves the same problem exactly: integral, equal cluster sizes.
type exactLabeler struct{}

func (exactLabeler) Needs() (bool, bool) { return false, true }

func (exactLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	labels := make([][]int, len(in.LogProbs))
	stats := make([]LabelStats, len(in.LogProbs))
	for h, lp := range in.LogProbs {
		res, err := baselines.Exact(lp, in.N, in.K, baselines.ExactOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("sela-exact: head %d: %w", h, err)
		}
		labels[h] = res.Labels
		stats[h] = LabelStats{Seconds: res.Seconds, Iterations: res.Phases, Converged: res.Optimal,
			Objective: -res.Primal / float64(in.N)}
		if !res.Optimal {
			stats[h].Note = fmt.Sprintf("duality gap %.3g not certified optimal", res.Gap)
		}
	}
	return labels, stats, nil
}

// naiveLabeler takes the argmax of each head's own predictions: self-labelling
// without the equipartition constraint, which collapses.
type naiveLabeler struct{}

func (naiveLabeler) Needs() (bool, bool) { return false, true }

func (naiveLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	labels := make([][]int, len(in.LogProbs))
	stats := make([]LabelStats, len(in.LogProbs))
	for h, lp := range in.LogProbs {
		t := time.Now()
		labels[h] = argmaxRows(lp, in.N, in.K)
		stats[h] = LabelStats{Seconds: time.Since(t).Seconds(), Converged: true}
	}
	return labels, stats, nil
}

// deepclusterLabeler clusters the PCA-whitened, L2-normalised features with k-means.
type deepclusterLabeler struct{ l *deepcluster.Labeler }

func (d *deepclusterLabeler) Needs() (bool, bool) { return true, false }

func (d *deepclusterLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	res, err := d.l.Label(in.Features, in.N, in.D, in.Epoch)
	if err != nil {
		return nil, nil, err
	}
	st := LabelStats{Seconds: res.Seconds, Converged: true}
	if res.KMeans != nil {
		st.Iterations = res.KMeans.Iterations
		st.Objective = res.KMeans.Inertia
	}
	return [][]int{res.Labels}, []LabelStats{st}, nil
}

// argmaxRows returns the first maximum of each row of the n×k matrix x.
func argmaxRows(x []float32, n, k int) []int {
	out := make([]int, n)
	for i := range n {
		row := x[i*k : (i+1)*k]
		best := 0
		for y, v := range row {
			if v > row[best] {
				best = y
			}
		}
		out[i] = best
	}
	return out
}

// randomEquipartition returns n labels in [0, k) with cluster sizes ⌊n/k⌋ or
// ⌈n/k⌉, in random order: SeLa's initial labels (i mod K, permuted).
func randomEquipartition(n, k int, r *rand.Rand) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i % k
	}
	r.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// initialLabels returns the labels training starts from: the truth for supervised
// training, else one random equipartition per head, each from its own stream.
func initialLabels(c *Config, truth []int, heads, k int) [][]int {
	if c.Method == MethodSupervised {
		return [][]int{truth}
	}
	out := make([][]int, heads)
	for h := range out {
		out[h] = randomEquipartition(len(truth), k, rng.New(c.Seed, fmt.Sprintf("bench/labels/init/head%d", h)))
	}
	return out
}

func widen(x []int32) []int {
	out := make([]int, len(x))
	for i, v := range x {
		out[i] = int(v)
	}
	return out
}
