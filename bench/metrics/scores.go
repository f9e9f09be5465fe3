package metrics

import (
	"math"
	"math/big"
	"slices"
)

// NMI returns the normalised mutual information of truth and pred with
// arithmetic-mean normalisation, MI / ((H(truth) + H(pred)) / 2), natural logarithms,
// as scikit-learn's normalized_mutual_info_score. See [Contingency.NMI].
func NMI(truth, pred []int) (float64, error) {
	c, err := NewContingency(truth, pred)
	if err != nil {
		return 0, err
	}
	return c.NMI(), nil
}

// ARI returns the adjusted Rand index of truth and pred (Hubert & Arabie 1985), as
// scikit-learn's adjusted_rand_score. See [Contingency.ARI].
func ARI(truth, pred []int) (float64, error) {
	c, err := NewContingency(truth, pred)
	if err != nil {
		return 0, err
	}
	return c.ARI(), nil
}

// ACC returns the clustering accuracy of pred against truth: the largest fraction of
// samples correctly labelled under a one-to-one matching of clusters to classes.
// See [Contingency.ACC].
func ACC(truth, pred []int) (float64, error) {
	c, err := NewContingency(truth, pred)
	if err != nil {
		return 0, err
	}
	return c.ACC(), nil
}

// MI returns the mutual information of the two labellings in nats, computed as
// scikit-learn's mutual_info_score: 0 if either labelling has a single label;
// otherwise the sum over non-zero cells of
//
//	p_ij (log n_ij − log N) + p_ij (−log(a_i b_j) + log N + log N),  p_ij = n_ij / N,
//
// with terms smaller than machine epsilon in magnitude set to 0, summed pairwise in
// NumPy's order (see pairwiseSum), and the total clipped below at 0.
func (c *Contingency) MI() float64 {
	if len(c.Classes) == 1 || len(c.Clusters) == 1 {
		return 0
	}
	n := float64(c.N)
	logN := math.Log(n)
	terms := make([]float64, 0, len(c.counts))
	for i := range c.Classes {
		ai := c.ClassSizes[i]
		for p := c.rowStart[i]; p < c.rowStart[i+1]; p++ {
			nij := float64(c.counts[p])
			pij := nij / n
			// a_i·b_j ≤ N² < 2⁶²: exact in int64; float64 rounding as NumPy's log(int64).
			logOuter := float64(-math.Log(float64(ai*c.ClusterSizes[c.cols[p]]))+logN) + logN
			// The explicit conversions forbid fused multiply-adds, as in NumPy.
			t := float64(pij*float64(math.Log(nij)-logN)) + float64(pij*logOuter)
			if math.Abs(t) < epsilon {
				t = 0
			}
			terms = append(terms, t)
		}
	}
	return max(pairwiseSum(terms), 0)
}

// epsilon is NumPy's finfo(float64).eps = 2⁻⁵².
const epsilon = 0x1p-52

// NMI returns the normalised mutual information with arithmetic-mean normalisation,
// MI / ((H(truth) + H(pred)) / 2), as scikit-learn's normalized_mutual_info_score
// (average_method="arithmetic", its default). Edge cases follow scikit-learn: 1 when
// both labellings are constant; 0 when the MI is 0 otherwise (in particular when
// exactly one labelling is constant). The result is not clipped above (rounding can
// give 1 + 1 ulp, as in scikit-learn).
func (c *Contingency) NMI() float64 {
	if len(c.Classes) == 1 && len(c.Clusters) == 1 {
		return 1
	}
	mi := c.MI()
	if mi == 0 {
		return 0
	}
	norm := (entropy(c.ClassSizes, c.N) + entropy(c.ClusterSizes, c.N)) / 2
	return mi / norm
}

// entropy returns −Σ p_i log p_i of the size distribution, p_i = sizes_i / n, over
// non-zero sizes, computed as scikit-learn's cluster entropy (terms
// p_i (log s_i − log n), summed pairwise); 0 for a single non-zero size.
func entropy[S int | int64](sizes []S, n int) float64 {
	terms := make([]float64, 0, len(sizes))
	nf := float64(n)
	logN := math.Log(nf)
	for _, s := range sizes {
		if s > 0 {
			sf := float64(s)
			terms = append(terms, float64(sf/nf)*float64(math.Log(sf)-logN))
		}
	}
	if len(terms) <= 1 {
		return 0
	}
	return -pairwiseSum(terms)
}

// ARI returns the adjusted Rand index (Hubert & Arabie, "Comparing partitions",
// J. Classification 1985), computed as scikit-learn's adjusted_rand_score from the
// pair confusion matrix of ordered sample pairs:
//
//	tp = Σ n_ij² − N,  fp = Σ b_j² − Σ n_ij²,  fn = Σ a_i² − Σ n_ij²,
//	tn = N² − fp − fn − Σ n_ij²,
//	ARI = 2 (tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)),
//
// with the products in exact integer arithmetic and the same float64 roundings as
// scikit-learn (numerator and denominator each rounded to float64). It is 1 when
// fp = fn = 0, that is when the two labellings are the same partition (both constant
// and both all-distinct included); it can be negative.
func (c *Contingency) ARI() float64 {
	n := int64(c.N)
	var sumSq, sumA, sumB int64 // each ≤ N² < 2⁶²
	for _, v := range c.counts {
		sumSq += v * v
	}
	for _, a := range c.ClassSizes {
		sumA += a * a
	}
	for _, b := range c.ClusterSizes {
		sumB += b * b
	}
	tp := sumSq - n
	fp := sumB - sumSq
	fn := sumA - sumSq
	tn := n*n - fp - fn - sumSq
	if fn == 0 && fp == 0 {
		return 1
	}
	bi := func(v int64) *big.Int { return big.NewInt(v) }
	mul := func(a, b int64) *big.Int { return new(big.Int).Mul(bi(a), bi(b)) }
	num := new(big.Int).Sub(mul(tp, tn), mul(fn, fp))
	den := new(big.Int).Add(mul(tp+fn, fn+tn), mul(tp+fp, fp+tn))
	// Python: 2.0 * int → float(int) * 2.0, then float / int → float / float(int);
	// float(int) rounds to nearest, ties to even, as big.Float.Float64 does.
	fnum, _ := new(big.Float).SetInt(num).Float64()
	fden, _ := new(big.Float).SetInt(den).Float64()
	return 2 * fnum / fden
}

// ACC returns the clustering accuracy: the largest number of samples on the diagonal
// of a one-to-one matching of clusters to classes, divided by N. The matching is
// exact (see [MaxMatching]); with K clusters and C classes, min(K, C) pairs are
// matched and the samples of unmatched clusters count as errors. It is 1 for a
// perfect labelling under any renaming of the clusters, at least max_ij n_ij / N,
// and at least 1/max(K, C) (the max(K, C) cyclic diagonals cover every cell).
func (c *Contingency) ACC() float64 {
	_, total := c.Match()
	return float64(total) / float64(c.N)
}

// Match returns the best one-to-one matching of clusters to classes used by
// [Contingency.ACC]: classOf[j] is the row index (into Classes) matched to column j
// (cluster Clusters[j]), or −1 if cluster j is unmatched or matched to a class with
// which it shares no sample (such pairs add nothing), and matched is the number of
// samples on the matched cells. Among optimal matchings the one returned is
// deterministic but otherwise unspecified.
//
// The smaller side of the table is matched into the larger one. Tables with fewer
// than half of their cells non-zero (the usual case: K·C ≫ N, or a good clustering)
// go to a sparse shortest augmenting path solver whose time and memory follow the
// non-zero cells; fuller ones to the dense solver of [MaxMatching], which is faster
// when most cells are filled.
// Either way memory stays O(C + K + non-zero cells).
func (c *Contingency) Match() (classOf []int, matched int64) {
	nr, nc := len(c.Classes), len(c.Clusters)
	classOf = make([]int, nc)
	for j := range classOf {
		classOf[j] = -1
	}
	start, cols, counts := c.rowStart, c.cols, c.counts
	rows, other := nr, nc
	if nc < nr { // match clusters (rows of the transposed table) into classes
		start, cols, counts = c.transpose()
		rows, other = nc, nr
	}
	var assign []int
	if nnz := len(counts); nnz*2 < rows*other {
		assign, matched = sparseMaxMatching(start, cols, counts, rows, other)
	} else {
		w := make([]int64, rows*other)
		for i := range rows {
			for p := start[i]; p < start[i+1]; p++ {
				w[i*other+int(cols[p])] = counts[p]
			}
		}
		assign, matched = maxMatching(w, rows, other)
		for i, j := range assign {
			if w[i*other+j] == 0 {
				assign[i] = -1
			}
		}
	}
	for i, j := range assign {
		switch {
		case j < 0:
		case nc < nr:
			classOf[i] = j
		default:
			classOf[j] = i
		}
	}
	return classOf, matched
}

// transpose returns the table in sparse column-major form: the cells of cluster j are
// at rows[start[j]:start[j+1]], with counts, in increasing row order.
func (c *Contingency) transpose() (start []int, rows []int32, counts []int64) {
	nr, nc := len(c.Classes), len(c.Clusters)
	start = make([]int, nc+1)
	for _, j := range c.cols {
		start[j+1]++
	}
	for j := range nc {
		start[j+1] += start[j]
	}
	next := slices.Clone(start[:nc])
	rows = make([]int32, len(c.cols))
	counts = make([]int64, len(c.cols))
	for i := range nr {
		for p := c.rowStart[i]; p < c.rowStart[i+1]; p++ {
			j := c.cols[p]
			rows[next[j]] = int32(i)
			counts[next[j]] = c.counts[p]
			next[j]++
		}
	}
	return start, rows, counts
}

// pairwiseSum returns the sum of x in the order of NumPy's pairwise summation
// (numpy/_core/src/umath/loops_utils.h.src, pairwise_sum_DOUBLE): blocks of at most
// 128 values are summed with eight interleaved accumulators, larger ranges are split
// in two at a multiple of 8. Its rounding error grows as O(log n) instead of O(n).
func pairwiseSum(x []float64) float64 {
	n := len(x)
	switch {
	case n < 8:
		res := 0.0
		for _, v := range x {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], x[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for k := range r {
				r[k] += x[i+k]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += x[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(x[:n2]) + pairwiseSum(x[n2:])
	}
}
