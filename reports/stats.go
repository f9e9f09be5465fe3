package reports

import (
	"cmp"
	"math"
	"slices"

	"github.com/selabench/selabench/internal/rng"
)

// SignedRank is the exact two-sided Wilcoxon signed-rank test of the paired
// differences d against a distribution symmetric about zero. It returns the
// p-value and n, the number of differences it used.
//
// Zero differences are dropped first (Wilcoxon's own convention, SciPy's
// zero_method="wilcox"). The rest are ranked by absolute value, ties getting
// their average rank. The statistic is the sum R+ of the ranks of the positive
// differences. Its null distribution is exact: each of the 2^n sign patterns is
// equally likely, counted by dynamic programming over the doubled ranks, which
// are integers even with ties. The p-value is min(1, 2·min(P(R+ ≤ r), P(R+ ≥ r))).
//
// Without ties this is scipy.stats.wilcoxon(d[d != 0], mode="exact"). With ties
// SciPy's exact mode truncates R+ to an integer and reads the no-ties
// distribution; SignedRank instead uses the exact distribution given the ties,
// the value scipy.stats.permutation_test gives with permutation_type="samples".
// With no non-zero difference the p-value is 1.
func SignedRank(d []float64) (p float64, n int) {
	var nz []float64
	for _, v := range d {
		if v != 0 {
			nz = append(nz, v)
		}
	}
	n = len(nz)
	if n == 0 {
		return 1, 0
	}
	slices.SortFunc(nz, func(a, b float64) int { return cmp.Compare(math.Abs(a), math.Abs(b)) })
	// rank2[i] is twice the average rank of nz[i]: ranks i+1 … j of a run of
	// equal absolute values average to (i+1+j)/2.
	rank2 := make([]int, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && math.Abs(nz[j]) == math.Abs(nz[i]) {
			j++
		}
		for t := i; t < j; t++ {
			rank2[t] = i + 1 + j
		}
		i = j
	}
	r := 0
	for i, v := range nz {
		if v > 0 {
			r += rank2[i]
		}
	}
	// prob[s] is the null probability that the doubled ranks of the positive
	// signs sum to s; each rank joins with probability 1/2.
	total := n * (n + 1)
	prob := make([]float64, total+1)
	prob[0] = 1
	top := 0
	for _, w := range rank2 {
		for s := top; s >= 0; s-- {
			prob[s+w] = (prob[s+w] + prob[s]) / 2
		}
		for s := 0; s < w; s++ {
			prob[s] /= 2
		}
		top += w
	}
	var below, above float64 // P(R+ ≤ r), P(R+ ≥ r), summed in index order
	for s := 0; s <= r; s++ {
		below += prob[s]
	}
	for s := r; s <= total; s++ {
		above += prob[s]
	}
	return min(1, 2*min(below, above)), n
}

// SignedRankMinP is the smallest two-sided p-value [SignedRank] can give with n
// non-zero differences, 2/2^n capped at 1 (all signs equal): 0.0625 for 5
// seeds, 0.031 for 6, 0.0039 for 9, 0.002 for 10.
func SignedRankMinP(n int) float64 {
	if n < 1 {
		return 1
	}
	return min(1, math.Ldexp(2, -n))
}

// Holm adjusts the p-values of a family of tests for multiple comparisons by
// Holm's step-down method, controlling the family-wise error rate: sorted
// ascending, the i-th smallest (0-based) of m becomes max over j ≤ i of
// min(1, (m−j)·p_(j)). NaN entries are not tests: they stay NaN and do not count
// in m. The result is in the input's order.
func Holm(p []float64) []float64 {
	adj := make([]float64, len(p))
	var idx []int
	for i, v := range p {
		adj[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	// A stable sort keeps equal p-values in input order, so the result does not
	// depend on the sort's internals.
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	m := len(idx)
	run := 0.0
	for j, i := range idx {
		run = max(run, min(1, float64(m-j)*p[i]))
		adj[i] = run
	}
	return adj
}

// BootstrapResamples is the number of resamples behind every bootstrap interval.
const BootstrapResamples = 10000

// bootstrapMean is the percentile bootstrap interval at level conf of the mean of
// x: the (1−conf)/2 and (1+conf)/2 quantiles (linear interpolation between order
// statistics, NumPy's default) of the means of BootstrapResamples resamples of x
// with replacement. The resamples come from the fixed stream
// rng.New(0, "reports/bootstrap"), so the interval depends on x alone. With fewer
// than two values there is no interval: (−Inf, +Inf).
func bootstrapMean(x []float64, conf float64) (lo, hi float64) {
	n := len(x)
	if n < 2 {
		return math.Inf(-1), math.Inf(1)
	}
	r := rng.New(0, "reports/bootstrap")
	means := make([]float64, BootstrapResamples)
	for b := range means {
		var s float64
		for range n {
			s += x[r.IntN(n)]
		}
		means[b] = s / float64(n)
	}
	slices.Sort(means)
	return quantile(means, (1-conf)/2), quantile(means, (1+conf)/2)
}

// quantile is the q-quantile of sorted by linear interpolation between the order
// statistics at positions q·(len−1) (NumPy's "linear" method).
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + f*(sorted[i+1]-sorted[i])
}
