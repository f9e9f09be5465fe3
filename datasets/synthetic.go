package datasets

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/selabench/selabench/internal/rng"
)

// SyntheticSpec describes a Gaussian mixture for [Synthetic]. Zero values mean the
// documented defaults.
type SyntheticSpec struct {
	// N is the number of training samples (default 10000).
	N int
	// TestN is the number of test samples (default N/5; negative: no test samples).
	TestN int
	// K is the number of classes (default 10).
	K int
	// D is the number of dimensions (default 32).
	D int
	// Separation is the distance between the two closest class means in units of
	// the noise standard deviation (default 4). Each pair of classes at distance Δ
	// would be confused by the Bayes classifier of that pair with probability
	// Φ(−Δ/2): 2.3 % at Δ = 4, 0.13 % at Δ = 6, 31 % at Δ = 1.
	Separation float64
	// Imbalance is the ratio of the largest to the smallest training class size
	// (default 1, balanced). Class sizes fall geometrically with the class index:
	// n_k ∝ Imbalance^(−k/(K−1)), so class 0 is the largest.
	Imbalance float64
	// Seed selects the draw; the same spec gives the same dataset on any machine.
	Seed uint64
}

func (s SyntheticSpec) withDefaults() SyntheticSpec {
	if s.N == 0 {
		s.N = 10000
	}
	if s.K == 0 {
		s.K = 10
	}
	if s.D == 0 {
		s.D = 32
	}
	if s.Separation == 0 {
		s.Separation = 4
	}
	if s.Imbalance == 0 {
		s.Imbalance = 1
	}
	if s.TestN == 0 {
		s.TestN = s.N / 5
	}
	if s.TestN < 0 {
		s.TestN = 0
	}
	return s
}

// Synthetic draws a labelled Gaussian mixture:
//
//  1. Class means: 10·K candidate points are drawn from N(0, I_D); K of them are
//     picked by greedy farthest-point selection (the first candidate, then always the
//     candidate farthest from those already picked), so that no two means nearly
//     coincide; they are then scaled so that the two closest means lie exactly
//     Separation apart. With K = 1 the mean is the origin.
//  2. Class sizes: training sizes follow the geometric profile of
//     SyntheticSpec.Imbalance, apportioned to sum to N by largest remainders (ties to
//     the lower class); the test split is balanced (sizes differ by at most one), as
//     in SeLa's imbalance experiments, where only the training set is imbalanced.
//  3. Samples: x = μ_y + ε with ε ~ N(0, I_D), in a random order (classes are
//     interleaved).
//  4. Scaling: one affine map x ↦ (x − lo)/(hi − lo), with lo and hi the smallest and
//     largest value over both splits and all coordinates, puts every value in
//     [0, 1] like image data. Being the same for all coordinates it keeps the
//     geometry: distances between means are still Separation noise standard
//     deviations (now (hi − lo)⁻¹ each).
//
// The name is "synthetic", the classes "0" … "K−1", Shape is 1×1×D. Every random
// draw comes from internal/rng streams of Seed ("datasets/synthetic/…"), so the
// result depends only on the spec.
func Synthetic(spec SyntheticSpec) (*Dataset, error) {
	s := spec.withDefaults()
	switch {
	case s.N < 0 || s.K < 0 || s.D < 0:
		return nil, fmt.Errorf("datasets: synthetic: N = %d, K = %d, D = %d must not be negative", s.N, s.K, s.D)
	case s.N < s.K:
		return nil, fmt.Errorf("datasets: synthetic: N = %d is fewer than K = %d classes", s.N, s.K)
	case !(s.Separation > 0) || math.IsInf(s.Separation, 0):
		return nil, fmt.Errorf("datasets: synthetic: Separation = %v must be positive and finite", s.Separation)
	case !(s.Imbalance >= 1) || math.IsInf(s.Imbalance, 0):
		return nil, fmt.Errorf("datasets: synthetic: Imbalance = %v must be ≥ 1 and finite (the largest-to-smallest class size ratio)", s.Imbalance)
	case int64(s.N+s.TestN)*int64(s.D) > 1<<31:
		return nil, fmt.Errorf("datasets: synthetic: %d samples of %d dimensions are too many", s.N+s.TestN, s.D)
	}
	means, err := syntheticMeans(s)
	if err != nil {
		return nil, err
	}
	trainSizes, err := GeometricSizes(s.N, s.K, s.Imbalance)
	if err != nil {
		return nil, fmt.Errorf("datasets: synthetic: %w", err)
	}
	testSizes := make([]int, s.K)
	for k := range testSizes {
		testSizes[k] = s.TestN / s.K
		if k < s.TestN%s.K {
			testSizes[k]++
		}
	}
	train, trainX := drawMixture(s, means, trainSizes, "train")
	test, testX := drawMixture(s, means, testSizes, "test")

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xs := range [][]float64{trainX, testX} {
		for _, v := range xs {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	inv := 0.0
	if hi > lo {
		inv = 1 / (hi - lo)
	}
	for _, p := range []struct {
		dst []float32
		src []float64
	}{{train.X, trainX}, {test.X, testX}} {
		for i, v := range p.src {
			p.dst[i] = float32(min(1, (v-lo)*inv))
		}
	}
	return &Dataset{
		Name:    "synthetic",
		Train:   train,
		Test:    test,
		Shape:   Shape{C: 1, H: 1, W: s.D},
		Classes: numberNames(s.K),
	}, nil
}

// syntheticMeans picks K well-spread means and scales them to the separation.
func syntheticMeans(s SyntheticSpec) ([]float64, error) {
	means := make([]float64, s.K*s.D)
	if s.K == 1 {
		return means, nil
	}
	r := rng.New(s.Seed, "datasets/synthetic/means")
	m := 10 * s.K
	cand := make([]float64, m*s.D)
	for i := range cand {
		cand[i] = r.NormFloat64()
	}
	dist2 := func(a, b []float64) float64 {
		var d float64
		for j := range a {
			t := a[j] - b[j]
			d += t * t
		}
		return d
	}
	row := func(x []float64, i int) []float64 { return x[i*s.D : (i+1)*s.D] }
	// nearest[c] is the squared distance from candidate c to the picked set.
	nearest := make([]float64, m)
	for c := range nearest {
		nearest[c] = math.Inf(1)
	}
	pick := 0
	for k := 0; k < s.K; k++ {
		copy(row(means, k), row(cand, pick))
		best, bestD := -1, -1.0
		for c := 0; c < m; c++ {
			nearest[c] = min(nearest[c], dist2(row(cand, c), row(cand, pick)))
			if nearest[c] > bestD {
				best, bestD = c, nearest[c]
			}
		}
		pick = best
	}
	minD := math.Inf(1)
	for a := 0; a < s.K; a++ {
		for b := a + 1; b < s.K; b++ {
			minD = min(minD, dist2(row(means, a), row(means, b)))
		}
	}
	if !(minD > 0) {
		return nil, errors.New("datasets: synthetic: two class means coincide; use D ≥ 1")
	}
	f := s.Separation / math.Sqrt(minD)
	for i := range means {
		means[i] *= f
	}
	return means, nil
}

// drawMixture draws sizes[k] samples of each class in a random order and returns
// the split (X allocated, not filled) and the unscaled values.
func drawMixture(s SyntheticSpec, means []float64, sizes []int, part string) (Split, []float64) {
	n := 0
	for _, c := range sizes {
		n += c
	}
	y := make([]int, 0, n)
	for k, c := range sizes {
		for range c {
			y = append(y, k)
		}
	}
	order := rng.New(s.Seed, "datasets/synthetic/"+part+"/order")
	order.Shuffle(n, func(i, j int) { y[i], y[j] = y[j], y[i] })
	noise := rng.New(s.Seed, "datasets/synthetic/"+part+"/noise")
	x := make([]float64, n*s.D)
	for i, c := range y {
		mu := means[c*s.D : (c+1)*s.D]
		for j := range s.D {
			x[i*s.D+j] = mu[j] + noise.NormFloat64()
		}
	}
	return Split{X: make([]float32, n*s.D), Y: y, N: n, D: s.D}, x
}

// GeometricSizes splits n samples into k classes whose sizes fall geometrically from
// class 0 to class k−1 with largest/smallest ratio about ratio (exactly, before
// rounding): n_c ∝ ratio^(−c/(k−1)). Rounding is by largest remainder (Hamilton's
// method, ties to the lower class), so the sizes sum to n. ratio = 1 gives balanced
// sizes. It fails if a class would be empty.
func GeometricSizes(n, k int, ratio float64) ([]int, error) {
	if k <= 0 || n < 0 {
		return nil, fmt.Errorf("cannot split %d samples into %d classes", n, k)
	}
	if !(ratio >= 1) || math.IsInf(ratio, 0) {
		return nil, fmt.Errorf("imbalance ratio %v must be ≥ 1 and finite", ratio)
	}
	w := make([]float64, k)
	var sum float64
	for c := range w {
		w[c] = 1
		if k > 1 {
			w[c] = math.Pow(ratio, -float64(c)/float64(k-1))
		}
		sum += w[c]
	}
	sizes := make([]int, k)
	rem := make([]float64, k)
	left := n
	for c := range w {
		q := float64(n) * w[c] / sum
		sizes[c] = int(math.Floor(q))
		rem[c] = q - float64(sizes[c])
		left -= sizes[c]
	}
	idx := make([]int, k)
	for c := range idx {
		idx[c] = c
	}
	sort.SliceStable(idx, func(a, b int) bool { return rem[idx[a]] > rem[idx[b]] })
	for i := 0; i < left; i++ {
		sizes[idx[i%k]]++
	}
	for c, sz := range sizes {
		if sz == 0 {
			return nil, fmt.Errorf("class %d of %d would be empty with %d samples at imbalance ratio %v", c, k, n, ratio)
		}
	}
	return sizes, nil
}
