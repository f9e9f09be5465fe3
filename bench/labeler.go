package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/selabench/selabench/baselines"
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
	// LogProbs[h] is head h's N×K matrix of log-probabilities (or their
	// average over augmented views) — N×HeadK[h] when HeadK is not nil: every
	// head's clusters, K or Config.OverK for the over-clustering heads, which
	// come last.
	K        int
	HeadK    []int
	LogProbs [][]float32
	// ClassSizes[c] is the number of training samples of class c, from the true
	// labels: set only for a method with Needs.ClassSizes (an oracle), nil otherwise.
	ClassSizes []int
}

// LabelStats describes one head's solve in a label step.
type LabelStats struct {
	Seconds    float64 `json:"seconds"`
	Iterations int     `json:"iterations,omitempty"`
	Converged  bool    `json:"converged"`
	// Objective is the transport cost of the labels, the mean over samples of
	// −log P of the chosen cluster (⟨Q, −log P⟩/N for the hard plan; lower is
	// better), the same for every transport solver; 0 for other methods.
	Objective float64 `json:"objective,omitempty"`
	// Inertia is the k-means objective, the mean squared distance of the
	// samples to their centroids (DeepCluster); 0 for other methods.
	Inertia float64 `json:"inertia,omitempty"`
	// Note carries a solver's remark: why it stopped without converging, or a fallback.
	Note string `json:"note,omitempty"`
}

// SinkhornStats summarises a Sinkhorn solve (selA) as LabelStats: its time,
// iterations, convergence and objective, with the solver's reason as the Note
// when it did not converge. Labelers and the command line's solve share it.
func SinkhornStats(r *sela.Result) LabelStats {
	st := LabelStats{Seconds: r.Duration.Seconds(), Iterations: r.Iterations, Converged: r.Converged, Objective: r.Objective}
	if !r.Converged {
		st.Note = r.Reason
	}
	return st
}

// ExactStats summarises an exact solve of n samples (baselines.Exact) as
// LabelStats: its time, ε-scaling phases as iterations, whether its duality gap
// certifies the optimum, and the objective Primal/N.
func ExactStats(r *baselines.ExactResult, n int) LabelStats {
	st := LabelStats{Seconds: r.Seconds, Iterations: r.Phases, Converged: r.Optimal, Objective: r.Primal / float64(n)}
	if !r.Optimal {
		st.Note = fmt.Sprintf("duality gap %.3g not certified optimal", r.Gap)
	}
	return st
}

// A Labeler turns the network's view of the training set into pseudo-labels, one
// set per head: the one place where most compared methods differ. Its
// [Method.Needs] says which inputs the harness computes for it; a labeler lives for
// one run and may keep state between label steps.
type Labeler interface {
	// Label returns labels[h][i] ∈ [0, K) for every head and sample.
	Label(in *LabelInput) (labels [][]int, stats []LabelStats, err error)
}

// eachHead labels every head of in with one (given the head, its clusters and
// its log-probabilities) and collects the labels and stats: the loop of the
// labelers that solve each head on its own.
func eachHead(in *LabelInput, one func(h, k int, lp []float32) ([]int, LabelStats, error)) ([][]int, []LabelStats, error) {
	labels := make([][]int, len(in.LogProbs))
	stats := make([]LabelStats, len(in.LogProbs))
	for h, lp := range in.LogProbs {
		var err error
		k := in.K
		if in.HeadK != nil {
			k = in.HeadK[h]
		}
		if labels[h], stats[h], err = one(h, k, lp); err != nil {
			return nil, nil, err
		}
	}
	return labels, stats, nil
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

// equipartitions returns one random equipartition of the truth's len(truth)
// samples per head into ks[h] clusters, each from its own stream: the initial
// labels of a method without [Method.InitialLabels].
func equipartitions(c *Config, truth []int, ks []int) [][]int {
	out := make([][]int, len(ks))
	for h, k := range ks {
		out[h] = randomEquipartition(len(truth), k, rng.New(c.Seed, fmt.Sprintf("bench/labels/init/head%d", h)))
	}
	return out
}
