package baselines

import (
	"slices"

	"github.com/selabench/selabench/internal/rng"
)

// Warm start parameters: the subsampling factor between levels, the least
// number of samples per cluster a level keeps, and the auction's ε range on a
// level (relative, like ExactOptions.Epsilon).
const (
	warmFactor     = 4
	warmPerCluster = 2
	warmEps0       = 0.05 // least first relative ε of a level's auction
	warmEps        = 1e-6 // final relative ε of a level's auction
)

// warmStart sets s.warm to the prices of the same problem on a random quarter
// of the samples (with sizes scaled to match), solved the same way, recursively,
// down to about warmPerCluster samples per cluster, where the plain centred
// start is used. This is the coarse-to-fine idea of multiscale transport
// solvers (Mérigot, "A multiscale approach to optimal transport", Computer
// Graphics Forum 30 (2011); Schmitzer, "A sparse multiscale algorithm for dense
// optimal transport", JMIV 56 (2016)): with K ≪ N the dual is K prices, which a
// subsample estimates well, and an auction started from good prices has little
// left to do. solveExact uses it only when a cold start overruns its work
// budget, which in practice means inputs made of groups of near-identical rows,
// whose samples otherwise move between clusters together in ε-steps.
//
// Levels are only warm starts: their auctions run from a coarser ε to a coarser
// ε (a coarse start shortens those moves) and are not repaired. The subsample
// is drawn from a fixed stream, so results stay deterministic.
func (s *exactSolver[F]) warmStart(eps0, eps, theta float64) error {
	n, k := s.n, s.k
	if !canWarmStart(n, k) {
		return nil
	}
	m := n / warmFactor
	rows := rng.New(uint64(n), "baselines/exact/warm").Perm(n)[:m]
	slices.Sort(rows)
	sub := make([]F, m*k)
	for j, i := range rows {
		copy(sub[j*k:(j+1)*k], s.row(i))
	}
	t := newExactSolver(sub, m, k, scaleSizes(s.sizes, n, m), s.stepCap/(n+k))
	if err := t.warmStart(eps0, eps, theta); err != nil {
		return err
	}
	if err := t.start(); err != nil {
		return err
	}
	t.auction(max(eps0, warmEps0), max(eps, warmEps), theta)
	s.warm = t.p
	s.steps += t.steps
	s.refreshes += t.refreshes
	return nil
}

// canWarmStart reports whether a subsample of n/warmFactor rows keeps
// warmPerCluster samples per cluster.
func canWarmStart(n, k int) bool { return n/warmFactor >= warmPerCluster*k }

// scaleSizes returns sizes·m/n rounded to integers summing to m by largest
// remainders (ties to the lower index); zero sizes stay zero.
func scaleSizes(sizes []int, n, m int) []int {
	out := make([]int, len(sizes))
	rem := make([]int, len(sizes))
	left := m
	for y, v := range sizes {
		out[y] = v * m / n
		rem[y] = v * m % n
		left -= out[y]
	}
	order := make([]int, len(sizes))
	for y := range order {
		order[y] = y
	}
	slices.SortStableFunc(order, func(a, b int) int { return rem[b] - rem[a] })
	for _, y := range order[:left] {
		out[y]++
	}
	return out
}
