// Package baselines holds the labelers SeLa is compared against. Each takes plain
// row-major matrices (N samples × K clusters) and returns hard labels plus the
// statistics that say how good they are.
//
// # Exact transport (exact*.go)
//
// SeLa's label assignment is the equipartition transport problem: given
// log-probabilities L = log P (N samples × K clusters), find
//
//	min over Q of ⟨Q, −log P⟩  subject to  Q·1 = 1/N  (every sample's mass),
//	                                      Qᵀ·1 = 1/K (every cluster's mass),
//	                                      Q ≥ 0.
//
// SeLa (package sela) solves an entropy-regularised version of it by Sinkhorn-Knopp,
// whose plan is fractional, so its rounded labels equipartition the data only
// approximately. The unregularised problem is a linear program whose constraint
// matrix is totally unimodular: scaled by N, with integral cluster sizes s_y summing
// to N in place of N/K, its optimum is attained at an integral vertex, that is, at a
// hard labelling with exactly s_y samples in every cluster y.
//
// [Exact] solves that problem exactly: given scores L (log-probabilities, N×K,
// row-major) and integral cluster sizes s summing to N (by default as equal as
// possible, see [DefaultSizes]), it finds the hard assignment y(·) maximising
// Σ_i L_{i,y(i)} (that is, minimising the cost Σ_i C_{i,y(i)} with C = −L) with
// exactly s_y samples in every cluster y. By total unimodularity this is also the
// optimum over fractional transport plans, which is what POT's ot.emd computes.
//
// Data flows through these steps, which all keep K cluster prices p and never
// materialise anything N×K besides the caller's matrix:
//
//  1. Start (exact_auction.go): p_y = −mean_i L_iy, every sample on its best
//     cluster under p. Centring cancels what all rows share, so a "collapsed"
//     network whose rows are all nearly alike starts nearly balanced.
//  2. An ε-scaling auction on clusters (exact_auction.go) makes the assignment
//     balanced with every sample within ε of its best cluster under p. It runs
//     on a work budget of a few passes over the matrix; inputs made of groups
//     of near-identical rows overrun it, and the auction is then run again from
//     prices solved on a random subsample, recursively (exact_warm.go).
//  3. The exact phase (exact_repair.go) works on the K-node graph of cheapest
//     moves between clusters. Usually it only has to make the auction's prices
//     exactly feasible for that graph (a label-correcting shortest-path pass),
//     which proves the auction's assignment optimal. If the graph holds a
//     negative cycle instead, every sample moves to its exact best cluster and
//     successive shortest paths repair the sizes, keeping every sample on a best
//     cluster throughout.
//  4. The certificate (exact_cert.go) is evaluated from the input and p alone.
//
// The result carries its own proof: with p, every sample sits on a cluster
// minimising C_iy − p_y and the sizes are exactly s, so the dual value
// D(p) = Σ_i min_y (C_iy − p_y) + Σ_y s_y p_y equals the primal value up to
// rounding (weak duality gives D(p) ≤ optimum ≤ primal for any p). [ExactResult]
// reports both values, computed in float64 with compensated summation, and
// their gap.
package baselines

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrExactInput is wrapped by every error [Exact] returns for invalid input.
var ErrExactInput = errors.New("invalid input")

// ExactOptions configures [Exact]. The zero value means: equipartition sizes and
// default auction parameters.
type ExactOptions struct {
	// Sizes are the cluster capacities s_y: K non-negative integers summing to N.
	// Nil means the equipartition: the first N mod K clusters get ⌈N/K⌉ samples,
	// the others ⌊N/K⌋ (this default needs K ≤ N; explicit sizes may hold zeros).
	Sizes []int
	// Epsilon is the final ε of the auction phase, relative to the largest row
	// range of the centred scores, max_y (L_iy + p_y) − min_y (L_iy + p_y) at the
	// start. It only trades auction time against work in the exact phase: the
	// result is exact either way. 0 means 1e-9; values below 1e-12 are raised to
	// 1e-12 so that price steps stay above float64 rounding.
	Epsilon float64
	// StartEpsilon is the first ε of the auction, relative like Epsilon; each
	// phase divides ε by ScaleFactor until it reaches Epsilon. 0 means 1e-3.
	StartEpsilon float64
	// ScaleFactor is the ε-scaling factor θ > 1. 0 means 16.
	ScaleFactor float64
}

// ExactResult is an optimal assignment with its optimality certificate.
type ExactResult struct {
	// Labels[i] is the cluster of sample i; cluster y holds exactly Sizes[y] samples.
	Labels []int
	// Sizes are the capacities that were enforced (the defaults if none were given).
	Sizes []int
	// Prices are the dual cluster prices p certifying optimality, shifted so that
	// Σ_y Sizes[y]·Prices[y] ≈ 0: every sample i sits on a cluster minimising
	// C_iy − p_y = −L_iy − p_y (up to float64 rounding).
	Prices []float64
	// Primal is Σ_i C_{i,Labels[i]} = −Σ_i L_{i,Labels[i]}; Dual is D(Prices);
	// Gap = Primal − Dual ≥ 0 up to rounding. All three are float64 sums with
	// Neumaier compensation.
	Primal, Dual, Gap float64
	// Optimal reports Gap ≤ 1e-9·Scale, Scale = max(|Primal|, Σ_y Sizes[y]·|Prices[y]|):
	// the second term only matters when the primal value is (near) zero.
	Optimal bool
	// Phases counts the auction's ε-scaling phases, Steps its cluster steps
	// (one price drop of an over-full cluster each), Refreshes the row scans that
	// recomputed a sample's runner-up clusters.
	Phases, Steps, Refreshes int
	// WarmStarted reports that the auction overran its work budget from the
	// centred start (inputs made of groups of near-identical rows do) and was
	// run again from prices solved on a subsample; the counts above include
	// both runs.
	WarmStarted bool
	// Scans counts the node scans (O(K) each) of the exact phase's
	// label-correcting pass, which turns the auction's prices into exact ones.
	Scans int
	// Fallback reports that the auction's assignment was not optimal, so the
	// exact phase moved every sample to its exact best cluster (leaving an
	// imbalance of Repaired samples) and repaired the sizes with Augmentations
	// shortest augmenting paths (one Dijkstra on K nodes each).
	Fallback                bool
	Repaired, Augmentations int
	// Seconds is the wall time of the whole solve, validation and certificate included.
	Seconds float64
}

// Exact solves the equipartition transport problem exactly (see the package doc):
// it returns the assignment maximising Σ_i logProbs[i·k + Labels[i]] with exactly
// Sizes[y] samples in cluster y, together with the dual prices that prove it
// optimal. logProbs is the N×K row-major score matrix (log-probabilities or any
// finite scores; costs are C = −logProbs). float32 scores are widened to float64
// exactly; all arithmetic is float64.
//
// Algorithm: an auction on cluster prices with ε-scaling, after Bertsekas &
// Castañón, "The auction algorithm for the transportation problem", Annals of
// Operations Research 20 (1989) 67–96, and the ε-relaxation method of Bertsekas,
// "Auction algorithms for network flow problems: a tutorial introduction",
// Computational Optimization and Applications 1 (1992) 7–66. Here the over-full
// clusters lower their price just enough to push out their excess (a "reverse"
// step on the K sink nodes), each sample caching its runner-up clusters so that
// a step costs O(cluster size) rather than O(cluster size · K). The exact phase
// is Bellman–Ford–Moore label correcting and, when needed, successive shortest
// paths with Dijkstra on reduced costs (Ahuja, Magnanti & Orlin, "Network Flows"
// (1993), §5.4 and §9.7) on the K-node graph whose edge u→v is the cheapest move
// of one sample from cluster u to v.
//
// Memory: besides the input, O(N) per-sample state and the K×K move graph
// (12·K² bytes: 12 MB at K = 1000, 1.2 GB at K = 10 000).
//
// Cost: a handful of O(N·K) passes (start, exact-phase graph, certificate; the
// passes run on all cores) plus the auction, which on realistic inputs is about
// as cheap again. Known weakness: inputs made of a few groups of near-identical
// rows (a network collapsed onto a few output modes) make samples of a group
// move between clusters together in ε-steps; the subsample warm start softens
// this but such inputs can still take 10–40× longer than ordinary ones.
//
// Exact never panics on bad input: it returns an error wrapping [ErrExactInput]
// that names the offending value (row and column of a NaN or Inf, the size that
// is negative, ...).
func Exact[F float32 | float64](logProbs []F, n, k int, opt ExactOptions) (*ExactResult, error) {
	return solveExact(logProbs, n, k, opt, exactTuning{budget: exactBudget, stepCap: 64})
}

// exactTuning holds the safety nets, as data so that tests can trip them.
type exactTuning struct {
	budget  float64 // cold-start auction work budget, in passes over the matrix (0: none)
	stepCap int     // auction steps per phase, in units of N + K, before giving up
}

// exactBudget is the default cold-start work budget in passes over the N×K
// matrix (a row scan costs K, a cluster step its number of holders). Ordinary
// inputs use a small fraction of it; groups of near-identical rows overrun it.
const exactBudget = 4

func solveExact[F float32 | float64](logProbs []F, n, k int, opt ExactOptions, tune exactTuning) (*ExactResult, error) {
	start := time.Now()
	sizes, err := checkExactInput(logProbs, n, k, opt.Sizes)
	if err != nil {
		return nil, err
	}
	eps, eps0, theta, err := exactParams(opt)
	if err != nil {
		return nil, err
	}
	// A cold start first, on a work budget of a few passes over the matrix;
	// if the auction overruns it, start again from subsample prices.
	s := newExactSolver(logProbs, n, k, sizes, tune.stepCap)
	if canWarmStart(n, k) {
		s.budget = int64(tune.budget * float64(n) * float64(k))
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	s.auction(eps0, eps, theta)
	if s.overBudget {
		cold := s
		s = newExactSolver(logProbs, n, k, sizes, tune.stepCap)
		if err := s.warmStart(eps0, eps, theta); err != nil {
			return nil, err
		}
		if err := s.start(); err != nil {
			return nil, err
		}
		s.auction(eps0, eps, theta)
		s.phases += cold.phases
		s.steps += cold.steps
		s.refreshes += cold.refreshes
		s.warmStarted = true
	}
	s.toSamples()
	if err := s.repair(); err != nil {
		return nil, err
	}
	res, err := s.certificate()
	if err != nil {
		return nil, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// DefaultSizes returns the equipartition capacities for n samples and k
// clusters: the first n mod k clusters get ⌈n/k⌉, the others ⌊n/k⌋.
func DefaultSizes(n, k int) []int {
	if k <= 0 || n < 0 {
		return nil
	}
	s := make([]int, k)
	for y := range s {
		s[y] = n / k
		if y < n%k {
			s[y]++
		}
	}
	return s
}

func exactParams(opt ExactOptions) (eps, eps0, theta float64, err error) {
	eps, eps0, theta = opt.Epsilon, opt.StartEpsilon, opt.ScaleFactor
	for _, f := range []struct {
		name string
		v    float64
	}{{"Epsilon", eps}, {"StartEpsilon", eps0}, {"ScaleFactor", theta}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return 0, 0, 0, fmt.Errorf("baselines: exact: option %s = %v: %w (want a finite value ≥ 0)", f.name, f.v, ErrExactInput)
		}
	}
	if eps == 0 {
		eps = 1e-9
	}
	eps = math.Max(eps, 1e-12)
	if eps0 == 0 {
		eps0 = 1e-3
	}
	eps0 = math.Max(eps0, eps)
	if theta == 0 {
		theta = 16
	}
	if theta <= 1 {
		return 0, 0, 0, fmt.Errorf("baselines: exact: option ScaleFactor = %v: %w (want > 1)", theta, ErrExactInput)
	}
	return eps, eps0, theta, nil
}

// checkExactInput validates the problem and returns the capacities to enforce.
func checkExactInput[F float32 | float64](logProbs []F, n, k int, sizes []int) ([]int, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("baselines: exact: "+format+": %w", append(args, ErrExactInput)...)
	}
	switch {
	case n <= 0:
		return nil, bad("N = %d samples (want ≥ 1)", n)
	case k <= 0:
		return nil, bad("K = %d clusters (want ≥ 1)", k)
	case n > math.MaxInt32 || k > math.MaxInt32:
		return nil, bad("N = %d, K = %d too large (each must fit in int32)", n, k)
	case len(logProbs)/k != n || len(logProbs)%k != 0:
		return nil, bad("len(logProbs) = %d, want N·K = %d·%d", len(logProbs), n, k)
	}
	if sizes == nil {
		if k > n {
			return nil, bad("default equipartition needs K ≤ N, got K = %d > N = %d (pass explicit Sizes to allow empty clusters)", k, n)
		}
		sizes = DefaultSizes(n, k)
	} else {
		if len(sizes) != k {
			return nil, bad("len(Sizes) = %d, want K = %d", len(sizes), k)
		}
		total := 0
		for y, v := range sizes {
			if v < 0 {
				return nil, bad("Sizes[%d] = %d is negative", y, v)
			}
			if v > n {
				return nil, bad("Sizes[%d] = %d exceeds N = %d", y, v, n)
			}
			total += v
		}
		if total != n {
			return nil, bad("Sizes sum to %d, want N = %d", total, n)
		}
		sizes = append([]int(nil), sizes...)
	}
	return sizes, nil // the scores are checked for NaN and ±Inf by exactSolver.start
}
