package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Errors returned for bad input; they are wrapped with context, so test with errors.Is.
var (
	// ErrEmpty reports a labelling with no samples.
	ErrEmpty = errors.New("no samples")
	// ErrLength reports truth and pred slices of different lengths.
	ErrLength = errors.New("label slices differ in length")
	// ErrLabel reports a predicted label outside [0, k) where a cluster index is needed.
	ErrLabel = errors.New("label out of range")
)

// maxSamples bounds N so that the pair counts of the ARI (up to N²) fit in an int64
// and dense label indices fit in an int32.
const maxSamples = 1<<31 - 1

// Contingency is the contingency table of two labellings of the same N samples: cell
// (i, j) counts the samples of class i (truth) that fall in cluster j (pred). Classes
// and clusters are the distinct label values in increasing order, so row i is class
// Classes[i] and column j is cluster Clusters[j]; only labels that occur have a row or
// a column. The table is stored sparsely, row by row with increasing column.
//
// A Contingency is read-only after [NewContingency] returns; its exported slices must
// not be modified. Its methods are safe for concurrent use.
type Contingency struct {
	N            int     // number of samples
	Classes      []int   // distinct truth labels, increasing: row i is class Classes[i]
	Clusters     []int   // distinct predicted labels, increasing: column j is Clusters[j]
	ClassSizes   []int64 // row sums: samples per class
	ClusterSizes []int64 // column sums: samples per cluster

	rowStart []int   // cells of row i are cols/counts[rowStart[i]:rowStart[i+1]]
	cols     []int32 // column of each non-zero cell
	counts   []int64 // count of each non-zero cell
}

// NewContingency counts the contingency table of truth (classes) against pred
// (clusters). Labels may be any int values. It returns an error wrapping [ErrEmpty]
// for empty input and [ErrLength] (naming both lengths) when the lengths differ.
//
// It runs in O(N + C + K) time: a counting pass over a dense C×K table when that table
// is small, otherwise two stable counting-sort passes (LSD radix sort on (class,
// cluster) pairs) followed by run-length counting.
func NewContingency(truth, pred []int) (*Contingency, error) {
	if len(truth) != len(pred) {
		return nil, fmt.Errorf("metrics: truth has %d labels, pred has %d: %w", len(truth), len(pred), ErrLength)
	}
	n := len(truth)
	if n == 0 {
		return nil, fmt.Errorf("metrics: %w", ErrEmpty)
	}
	if n > maxSamples {
		return nil, fmt.Errorf("metrics: %d samples, at most %d supported", n, maxSamples)
	}
	ri, classes := denseLabels(truth)
	ci, clusters := denseLabels(pred)
	c := &Contingency{
		N:            n,
		Classes:      classes,
		Clusters:     clusters,
		ClassSizes:   make([]int64, len(classes)),
		ClusterSizes: make([]int64, len(clusters)),
		rowStart:     make([]int, len(classes)+1),
	}
	nr, nc := len(classes), len(clusters)
	if nr*nc <= 4*n+1024 {
		c.countDense(ri, ci)
	} else {
		c.countSorted(ri, ci)
	}
	for i := range nr {
		for p := c.rowStart[i]; p < c.rowStart[i+1]; p++ {
			c.ClassSizes[i] += c.counts[p]
			c.ClusterSizes[c.cols[p]] += c.counts[p]
		}
	}
	return c, nil
}

// countDense fills the sparse table through a dense nr×nc array of counts.
func (c *Contingency) countDense(ri, ci []int32) {
	nr, nc := len(c.Classes), len(c.Clusters)
	tab := make([]int32, nr*nc) // counts ≤ N ≤ maxSamples fit in int32
	for k, i := range ri {
		tab[int(i)*nc+int(ci[k])]++
	}
	nnz := 0
	for _, v := range tab {
		if v != 0 {
			nnz++
		}
	}
	c.cols = make([]int32, 0, nnz)
	c.counts = make([]int64, 0, nnz)
	for i := range nr {
		c.rowStart[i] = len(c.cols)
		for j, v := range tab[i*nc : (i+1)*nc] {
			if v != 0 {
				c.cols = append(c.cols, int32(j))
				c.counts = append(c.counts, int64(v))
			}
		}
	}
	c.rowStart[nr] = len(c.cols)
}

// countSorted fills the sparse table by sorting the (class, cluster) pairs with two
// stable counting sorts (by cluster, then by class) and counting runs of equal pairs.
func (c *Contingency) countSorted(ri, ci []int32) {
	nr, nc := len(c.Classes), len(c.Clusters)
	n := len(ri)
	// Pass 1: sample indices ordered by cluster.
	byCol := make([]int32, n)
	start := make([]int, max(nr, nc)+1)
	for _, j := range ci {
		start[j+1]++
	}
	for j := range nc {
		start[j+1] += start[j]
	}
	for k, j := range ci {
		byCol[start[j]] = int32(k)
		start[j]++
	}
	// Pass 2: stable by class, giving (class, cluster) order.
	sorted := make([]int32, n)
	clear(start)
	for _, i := range ri {
		start[i+1]++
	}
	for i := range nr {
		start[i+1] += start[i]
	}
	for _, k := range byCol {
		i := ri[k]
		sorted[start[i]] = k
		start[i]++
	}
	// start[i] is now the end of row i's samples.
	c.cols = make([]int32, 0, min(n, nr*nc))
	c.counts = make([]int64, 0, min(n, nr*nc))
	s := 0
	for i := range nr {
		c.rowStart[i] = len(c.cols)
		end := start[i]
		for s < end {
			j := ci[sorted[s]]
			run := s + 1
			for run < end && ci[sorted[run]] == j {
				run++
			}
			c.cols = append(c.cols, j)
			c.counts = append(c.counts, int64(run-s))
			s = run
		}
	}
	c.rowStart[nr] = len(c.cols)
	c.cols = slices.Clip(c.cols)
	c.counts = slices.Clip(c.counts)
}

// NonZero returns the number of non-zero cells of the table.
func (c *Contingency) NonZero() int { return len(c.counts) }

// Row calls f for each non-zero cell (i, j) of row i in increasing j, with its count.
func (c *Contingency) Row(i int, f func(j int, count int64)) {
	for p := c.rowStart[i]; p < c.rowStart[i+1]; p++ {
		f(int(c.cols[p]), c.counts[p])
	}
}

// Dense returns the table as a new row-major len(Classes)×len(Clusters) slice.
// It allocates C·K int64 values; the methods of Contingency never need it.
func (c *Contingency) Dense() []int64 {
	nc := len(c.Clusters)
	w := make([]int64, len(c.Classes)*nc)
	for i := range c.Classes {
		for p := c.rowStart[i]; p < c.rowStart[i+1]; p++ {
			w[i*nc+int(c.cols[p])] = c.counts[p]
		}
	}
	return w
}

// denseLabels maps labels to indices 0..m-1 in increasing label order and returns the
// indices and the m distinct labels. When the labels span a range of at most about 2N
// values it uses a lookup table over that range, otherwise a hash map and a sort of
// the distinct values.
func denseLabels(labels []int) (idx []int32, values []int) {
	lo, hi := labels[0], labels[0]
	for _, l := range labels[1:] {
		lo = min(lo, l)
		hi = max(hi, l)
	}
	idx = make([]int32, len(labels))
	// The unsigned difference is exact even when hi-lo overflows int.
	if span := uint64(hi) - uint64(lo); span <= uint64(2*len(labels)+4096) {
		table := make([]int32, span+1)
		for _, l := range labels {
			table[l-lo] = 1
		}
		m := int32(0)
		for v, seen := range table {
			if seen != 0 {
				table[v] = m
				values = append(values, lo+v)
				m++
			}
		}
		for k, l := range labels {
			idx[k] = table[l-lo]
		}
		return idx, values
	}
	// Sparse labels: provisional ids in first-seen order, then rank them by value.
	first := make(map[int]int32)
	for k, l := range labels {
		id, ok := first[l]
		if !ok {
			id = int32(len(values))
			first[l] = id
			values = append(values, l)
		}
		idx[k] = id
	}
	order := make([]int32, len(values))
	for v := range order {
		order[v] = int32(v)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Compare(values[a], values[b])
	})
	rank := make([]int32, len(values))
	sortedValues := make([]int, len(values))
	for r, v := range order {
		rank[v] = int32(r)
		sortedValues[r] = values[v]
	}
	for k, id := range idx {
		idx[k] = rank[id]
	}
	return idx, sortedValues
}
