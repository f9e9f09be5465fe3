package kmeans

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// blobs returns n rows of dimension d around k means spaced far apart (means at
// 10·e_c plus N(0, 0.1²) noise), with the true component of each row.
func blobs(n, d, k int, seed uint64) ([]float32, []int) {
	r := rng.New(seed, "test/blobs")
	x := make([]float32, n*d)
	truth := make([]int, n)
	for i := 0; i < n; i++ {
		c := i % k
		truth[i] = c
		for j := 0; j < d; j++ {
			v := 0.1 * r.NormFloat64()
			if j == c%d {
				v += 10 * float64(1+c/d)
			}
			x[i*d+j] = float32(v)
		}
	}
	return x, truth
}

func TestRecoversSeparatedBlobs(t *testing.T) {
	const n, d, k = 3000, 8, 5
	x, truth := blobs(n, d, k, 1)
	for _, init := range []Init{Random, PlusPlus} {
		// One random start can put two centroids in one blob (a local optimum);
		// the best of 10 restarts finds the separated solution.
		res, err := Fit(x, n, d, Options{K: k, Init: init, Seed: 3, Iters: 30, Redo: 10})
		if err != nil {
			t.Fatal(err)
		}
		// The partition must match the truth up to renaming the clusters.
		m := map[int]int{}
		for i, y := range res.Labels {
			if c, ok := m[y]; ok && c != truth[i] {
				t.Fatalf("%s: cluster %d mixes components %d and %d", init, y, c, truth[i])
			}
			m[y] = truth[i]
		}
		if len(m) != k {
			t.Errorf("%s: %d clusters used, want %d", init, len(m), k)
		}
		// Every row is within noise of its centroid: inertia ≈ d·0.1² = 0.08.
		if res.Inertia > 0.1 {
			t.Errorf("%s: inertia %v, want ≈ 0.08", init, res.Inertia)
		}
	}
}

func TestObjectiveDecreases(t *testing.T) {
	const n, d, k = 2000, 6, 12
	x, _ := blobs(n, d, 4, 2) // fewer components than clusters: a real optimisation
	res, err := Fit(x, n, d, Options{K: k, Seed: 5, Iters: 15})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(res.Objective); i++ {
		// Lloyd never increases the objective (up to float32 distance rounding).
		if res.Objective[i] > res.Objective[i-1]*(1+1e-5) {
			t.Errorf("objective rose at iteration %d: %v → %v", i, res.Objective[i-1], res.Objective[i])
		}
	}
	if res.Iterations != 15 || len(res.Objective) != 15 {
		t.Errorf("ran %d iterations (%d objectives), want 15", res.Iterations, len(res.Objective))
	}
}

func TestAssignMatchesBruteForce(t *testing.T) {
	const n, d, k = 1100, 7, 9 // n spans more than two blocks, the last one partial
	x, _ := blobs(n, d, 3, 4)
	cent := initRandom(x, n, d, k, rng.New(9, "test"))
	labels, inertia, err := Assign(x, n, d, cent, k)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for i := 0; i < n; i++ {
		best, bestD := -1, math.Inf(1)
		for c := 0; c < k; c++ {
			if v := sqDist(x[i*d:(i+1)*d], cent[c*d:(c+1)*d]); v < bestD {
				best, bestD = c, v
			}
		}
		got := sqDist(x[i*d:(i+1)*d], cent[labels[i]*d:(labels[i]+1)*d])
		// The GEMM expansion may pick a different centroid only on a near tie.
		if labels[i] != best && got-bestD > 1e-4*(1+bestD) {
			t.Fatalf("row %d: label %d at %v, brute force %d at %v", i, labels[i], got, best, bestD)
		}
		total += bestD
	}
	if math.Abs(inertia-total/n) > 1e-4*total/n {
		t.Errorf("inertia %v, brute force %v", inertia, total/n)
	}
}

func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	const n, d, k = 2500, 10, 20
	x, _ := blobs(n, d, 6, 7)
	run := func(procs int) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := Fit(x, n, d, Options{K: k, Init: PlusPlus, Seed: 11, Iters: 10})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(1), run(4)
	for i := range a.Centroids {
		if math.Float32bits(a.Centroids[i]) != math.Float32bits(b.Centroids[i]) {
			t.Fatalf("centroid value %d differs: %v vs %v", i, a.Centroids[i], b.Centroids[i])
		}
	}
	for i := range a.Labels {
		if a.Labels[i] != b.Labels[i] {
			t.Fatalf("label %d differs", i)
		}
	}
	if a.Inertia != b.Inertia {
		t.Errorf("inertia %v vs %v", a.Inertia, b.Inertia)
	}
}

func TestEmptyClustersAreSplit(t *testing.T) {
	// 40 rows but only 2 distinct points: random init picks duplicates, so most of the
	// 8 clusters start empty and must be split from donors without crashing.
	const n, d, k = 40, 3, 8
	x := make([]float32, n*d)
	for i := 0; i < n; i++ {
		if i%2 == 1 {
			x[i*d], x[i*d+1], x[i*d+2] = 1, 2, 3
		}
	}
	res, err := Fit(x, n, d, Options{K: k, Seed: 1, Iters: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Splits == 0 {
		t.Error("no empty cluster was split")
	}
	if res.Inertia > 1e-4 {
		t.Errorf("inertia %v: two distinct points should be fit exactly", res.Inertia)
	}
	sizes := res.Sizes()
	total := 0
	for _, s := range sizes {
		total += s
	}
	if total != n {
		t.Errorf("sizes %v sum to %d, want %d", sizes, total, n)
	}
	empty := 0
	for _, s := range sizes {
		if s == 0 {
			empty++
		}
	}
	if empty != res.Empty || empty < k-2 {
		// Only two distinct points: at most two clusters can hold rows at the end.
		t.Errorf("Empty = %d, sizes %v have %d empty (want ≥ %d)", res.Empty, sizes, empty, k-2)
	}
}

func TestErrors(t *testing.T) {
	nan := []float32{0, 1, 2, float32(math.NaN()), 4, 5}
	for i, test := range []struct {
		x    []float32
		n, d int
		opt  Options
		want string
	}{
		{make([]float32, 6), 3, 2, Options{K: 0}, "invalid option K: must be ≥ 1, got 0"},
		{make([]float32, 6), 3, 2, Options{K: 4}, "invalid option K: 4 exceeds the number of rows N = 3"},
		{make([]float32, 5), 3, 2, Options{K: 2}, "data has 5 values"},
		{nil, 0, 2, Options{K: 1}, "at least one row"},
		{nan, 3, 2, Options{K: 2}, "row 1, column 1 is NaN"},
		{make([]float32, 6), 3, 2, Options{K: 2, Init: "kmeans||"}, `invalid option Init: unknown "kmeans||"`},
		{make([]float32, 6), 3, 2, Options{K: 2, Iters: -1}, "invalid option Iters: must be ≥ 0"},
		{make([]float32, 6), 3, 2, Options{K: 2, Redo: -1}, "invalid option Redo: must be ≥ 0"},
		{make([]float32, 6), 3, 2, Options{K: 2, MaxPointsPerCentroid: -1}, "invalid option MaxPointsPerCentroid: must be ≥ 0"},
		{[]float32{0, 0, 1, float32(math.Inf(-1))}, 2, 2, Options{K: 1}, "row 1, column 1 is -Inf"},
	} {
		_, err := Fit(test.x, test.n, test.d, test.opt)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("case %d: err = %v, want it to mention %q", i, err, test.want)
		}
		// Option errors, and only they, are ErrOption.
		if isOpt := strings.Contains(test.want, "invalid option"); errors.Is(err, ErrOption) != isOpt {
			t.Errorf("case %d: errors.Is(%v, ErrOption) = %v, want %v", i, err, !isOpt, isOpt)
		}
	}
}

func ExampleFit() {
	// Six points on a line, in two obvious groups.
	x := []float32{0, 0.1, 0.2, 10, 10.1, 10.2}
	res, err := Fit(x, 6, 1, Options{K: 2, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Labels[0] == res.Labels[2], res.Labels[2] != res.Labels[3], res.Sizes())
	// Output: true true [3 3]
}

func TestSphericalCentroidsHaveUnitNorm(t *testing.T) {
	const n, d, k = 1500, 5, 7
	x, _ := blobs(n, d, 5, 8)
	res, err := Fit(x, n, d, Options{K: k, Seed: 2, Iters: 8, Spherical: true})
	if err != nil {
		t.Fatal(err)
	}
	for c := 0; c < k; c++ {
		s := 0.0
		for _, v := range res.Centroids[c*d : (c+1)*d] {
			s += float64(v) * float64(v)
		}
		if math.Abs(s-1) > 1e-5 {
			t.Errorf("centroid %d has squared norm %v, want 1", c, s)
		}
	}
	// With unit centroids the label is the centroid of largest inner product.
	for i := 0; i < n; i += 37 {
		row, best, bestDot := x[i*d:(i+1)*d], -1, math.Inf(-1)
		for c := 0; c < k; c++ {
			dot := 0.0
			for j, v := range row {
				dot += float64(v) * float64(res.Centroids[c*d+j])
			}
			if dot > bestDot {
				best, bestDot = c, dot
			}
		}
		if best != res.Labels[i] {
			t.Errorf("row %d: label %d, largest inner product with %d", i, res.Labels[i], best)
		}
	}
}

func TestSubsamplingSemantics(t *testing.T) {
	const n, d, k, maxppc = 1000, 4, 5, 20
	x, _ := blobs(n, d, 5, 9)
	opt := Options{K: k, Seed: 4, Iters: 6, MaxPointsPerCentroid: maxppc}
	res, err := Fit(x, n, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainRows != k*maxppc || len(res.Labels) != n {
		t.Fatalf("trained on %d rows with %d labels, want %d and %d", res.TrainRows, len(res.Labels), k*maxppc, n)
	}
	// The centroids are those of an unlimited Fit on the first K·maxppc rows of the
	// seeded permutation (faiss's subsample_training_set) ...
	perm := rng.New(opt.Seed, "kmeans/subsample").Perm(n)[:k*maxppc]
	sub := make([]float32, 0, k*maxppc*d)
	for _, p := range perm {
		sub = append(sub, x[p*d:(p+1)*d]...)
	}
	ref, err := Fit(sub, k*maxppc, d, Options{K: k, Seed: 4, Iters: 6})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ref.Centroids {
		if ref.Centroids[i] != res.Centroids[i] {
			t.Fatalf("centroid value %d: %v, fit on the subsample gives %v", i, res.Centroids[i], ref.Centroids[i])
		}
	}
	// ... and every one of the N rows is labelled by its nearest final centroid.
	labels, inertia, _ := Assign(x, n, d, res.Centroids, k)
	for i := range labels {
		if labels[i] != res.Labels[i] {
			t.Fatalf("row %d: label %d, nearest centroid %d", i, res.Labels[i], labels[i])
		}
	}
	if inertia != res.Inertia {
		t.Errorf("inertia %v, over all rows %v", res.Inertia, inertia)
	}
	// A cap at or above N/K changes nothing.
	for _, m := range []int{n / k, 1 << 40} {
		a, _ := Fit(x, n, d, Options{K: k, Seed: 4, Iters: 6, MaxPointsPerCentroid: m})
		b, _ := Fit(x, n, d, Options{K: k, Seed: 4, Iters: 6})
		if a.TrainRows != n || a.Inertia != b.Inertia {
			t.Errorf("maxppc %d: trained on %d rows, inertia %v vs unlimited %v", m, a.TrainRows, a.Inertia, b.Inertia)
		}
	}
}

func TestDeterministicOptionsAcrossGOMAXPROCS(t *testing.T) {
	const n, d, k = 2000, 6, 9
	x, _ := blobs(n, d, 4, 12)
	opt := Options{K: k, Seed: 1, Iters: 5, Redo: 2, Spherical: true, MaxPointsPerCentroid: 150}
	run := func(procs int) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := Fit(x, n, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(1), run(3)
	if a.Inertia != b.Inertia || fmt.Sprint(a.Labels) != fmt.Sprint(b.Labels) || fmt.Sprint(a.Centroids) != fmt.Sprint(b.Centroids) {
		t.Errorf("GOMAXPROCS 1 and 3 differ: inertia %v vs %v", a.Inertia, b.Inertia)
	}
}
