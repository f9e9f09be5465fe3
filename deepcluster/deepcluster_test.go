package deepcluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// features returns n rows of dimension d: k well-separated Gaussian blobs (means
// 8·e_c, noise N(0, 0.3²)) in the first k columns, pure noise in the rest, and the
// component of each row.
func features(n, d, k int, seed uint64) ([]float32, []int) {
	r := rng.New(seed, "test/features")
	x := make([]float32, n*d)
	truth := make([]int, n)
	for i := 0; i < n; i++ {
		c := i % k
		truth[i] = c
		for j := 0; j < d; j++ {
			v := 0.3 * r.NormFloat64()
			if j == c {
				v += 8
			}
			x[i*d+j] = float32(v)
		}
	}
	return x, truth
}

func TestLabelRecoversClustersAndTracksNMI(t *testing.T) {
	const n, d, k = 600, 12, 4
	x, truth := features(n, d, k, 1)
	orig := slices.Clone(x)
	// The signal spans k−1 = 3 centred directions: PCA to 3, whitened, normalised.
	l, err := NewLabeler(Options{K: k, PCADims: 3, Seed: 7, Redo: 5})
	if err != nil {
		t.Fatal(err)
	}
	first, err := l.Label(x, n, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x, orig) {
		t.Fatal("Label modified the caller's features")
	}
	if first.Dims != 3 || first.NonEmpty != k || first.KMeans.Iterations != 20 {
		t.Errorf("first call: dims %d, non-empty %d, iterations %d", first.Dims, first.NonEmpty, first.KMeans.Iterations)
	}
	m := map[int]int{}
	for i, y := range first.Labels {
		if c, ok := m[y]; ok && c != truth[i] {
			t.Fatalf("cluster %d mixes components %d and %d", y, c, truth[i])
		}
		m[y] = truth[i]
	}
	// Epoch 1 draws another k-means seed, and finds the same partition.
	second, err := l.Label(x, n, d, 1)
	if err != nil {
		t.Fatal(err)
	}
	if second.KMeansSeed == first.KMeansSeed {
		t.Error("epochs 0 and 1 drew the same k-means seed")
	}
	for i, y := range second.Labels {
		if c, ok := m[first.Labels[i]]; ok && second.Labels[slices.Index(first.Labels, first.Labels[i])] != y {
			t.Fatalf("sample %d (component %d): epoch 1 splits what epoch 0 kept together", i, c)
		}
	}
}

func TestLabelDefaultsAndOptions(t *testing.T) {
	const n, d = 300, 5
	x, _ := features(n, d, 3, 2)
	for _, test := range []struct {
		opt  Options
		dims int
	}{
		{Options{K: 3}, 5},              // min(256, D) = D
		{Options{K: 3, PCADims: 2}, 2},  // explicit
		{Options{K: 3, PCADims: -1}, 5}, // no PCA
		{Options{K: 3, NoWhiten: true, NoL2: true}, 5},
	} {
		l, err := NewLabeler(test.opt)
		if err != nil {
			t.Fatal(err)
		}
		res, err := l.Label(x, n, d, 0)
		if err != nil {
			t.Fatalf("%+v: %v", test.opt, err)
		}
		if res.Dims != test.dims || len(res.KMeans.Centroids) != 3*test.dims {
			t.Errorf("%+v: ran in %d dimensions, want %d", test.opt, res.Dims, test.dims)
		}
		if !test.opt.NoL2 {
			// Inputs to k-means had unit norm, so every centroid has norm ≤ 1.
			for c := 0; c < 3; c++ {
				s := 0.0
				for _, v := range res.KMeans.Centroids[c*res.Dims : (c+1)*res.Dims] {
					s += float64(v) * float64(v)
				}
				if s > 1+1e-5 {
					t.Errorf("%+v: centroid %d has squared norm %v > 1", test.opt, c, s)
				}
			}
		}
	}
}

func TestLabelErrors(t *testing.T) {
	x, _ := features(20, 4, 2, 3)
	bad := slices.Clone(x)
	bad[13*4+1] = float32(math.NaN())
	for i, test := range []struct {
		opt  Options
		x    []float32
		n, d int
		want string
	}{
		{Options{K: 0}, x, 20, 4, "invalid option K: must be ≥ 1, got 0"},
		{Options{K: 2, Iters: -1}, x, 20, 4, "invalid option Iters: must be ≥ 0"},
		{Options{K: 2, Init: "x"}, x, 20, 4, `invalid option Init: unknown "x"`},
		{Options{K: 2, MaxPointsPerCentroid: -3}, x, 20, 4, "invalid option MaxPointsPerCentroid"},
		{Options{K: 21}, x, 20, 4, "K = 21 exceeds the number of samples N = 20"},
		{Options{K: 2, PCADims: 5}, x, 20, 4, "PCA to 5 dimensions from 4"},
		{Options{K: 2}, bad, 20, 4, "row 13, column 1 is NaN"},
		{Options{K: 2, PCADims: -1}, bad, 20, 4, "row 13, column 1 is NaN"},
		{Options{K: 2}, x, 20, 3, "80 feature values for 20×3"},
	} {
		l, err := NewLabeler(test.opt)
		if err == nil {
			_, err = l.Label(test.x, test.n, test.d, 0)
		}
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("case %d: err = %v, want it to mention %q", i, err, test.want)
		}
	}
}

func TestUniformSampler(t *testing.T) {
	// Sizes 5, 0, 1, 14 (N = 20, K = 4, three non-empty clusters): each non-empty
	// cluster contributes ⌊20/3⌋+1 = 7 draws, 21 in all, cut to 20 after shuffling.
	// Cluster 0 (5 ≤ 7) and cluster 2 (1 ≤ 7) are drawn with replacement, cluster 3
	// (14 > 7) without: 7 distinct indices.
	sizes := []int{5, 0, 1, 14}
	var labels []int
	for c, s := range sizes {
		for range s {
			labels = append(labels, c)
		}
	}
	r := rng.New(1, "test/sampler")
	slices.Reverse(labels) // members need not be contiguous or sorted
	for trial := 0; trial < 50; trial++ {
		idx, err := UniformSampler(labels, 4, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(idx) != 20 {
			t.Fatalf("%d indices, want 20", len(idx))
		}
		count := make([]int, 4)
		seen := map[int]int{}
		for _, i := range idx {
			count[labels[i]]++
			seen[i]++
		}
		if count[1] != 0 || count[0]+count[2]+count[3] != 20 {
			t.Fatalf("per-cluster counts %v", count)
		}
		for _, c := range []int{0, 2, 3} {
			if count[c] != 6 && count[c] != 7 { // 7 each, one cut
				t.Fatalf("cluster %d drawn %d times, want 6 or 7 (counts %v)", c, count[c], count)
			}
		}
		for i, s := range seen {
			if labels[i] == 3 && s != 1 {
				t.Fatalf("sample %d of the large cluster drawn %d times", i, s)
			}
		}
	}
	// Same stream state ⇒ same order.
	a, _ := UniformSampler(labels, 4, rng.New(5, "x"))
	b, _ := UniformSampler(labels, 4, rng.New(5, "x"))
	if !slices.Equal(a, b) {
		t.Error("same seed gave different orders")
	}
	// Degenerate and bad input.
	if idx, err := UniformSampler(nil, 3, r); err != nil || len(idx) != 0 {
		t.Errorf("no samples: %v, %v", idx, err)
	}
	if idx, _ := UniformSampler([]int{2, 2, 2}, 5, r); len(idx) != 3 {
		t.Errorf("one non-empty cluster of five: %v", idx)
	}
	if _, err := UniformSampler([]int{0, 3}, 3, r); err == nil || !strings.Contains(err.Error(), "label of sample 1 is 3") {
		t.Errorf("label out of range: err = %v", err)
	}
}

func ExampleLabeler() {
	// Two obvious groups of 2-D features.
	x := []float32{0, 0, 0, 1, 1, 0, 9, 9, 9, 10, 10, 9}
	l, err := NewLabeler(Options{K: 2, PCADims: -1, NoL2: true, Seed: 1})
	if err != nil {
		panic(err)
	}
	res, err := l.Label(x, 6, 2, 0)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Sizes, res.Labels[0] == res.Labels[2], res.Labels[2] != res.Labels[3])
	// Output: [3 3] true true
}

func ExampleUniformSampler() {
	labels := []int{0, 0, 0, 0, 0, 0, 0, 1, 3, 3} // cluster 2 empty
	idx, err := UniformSampler(labels, 4, rng.New(1, "example"))
	if err != nil {
		panic(err)
	}
	count := make([]int, 4)
	for _, i := range idx {
		count[labels[i]]++
	}
	// ⌊10/3⌋+1 = 4 draws per non-empty cluster, 12 cut to 10.
	fmt.Println(len(idx), count[2], count[0]+count[1]+count[3])
	// Output: 10 0 10
}

// resetRecorder is a Trainer that records its calls and draws one number from r,
// as a real head re-initialisation draws its weights.
type resetRecorder struct{ heads []int }

func (t *resetRecorder) ResetHead(h int, r *rand.Rand) {
	t.heads = append(t.heads, h)
	r.Uint64()
}

// TestBeginEpoch: the head is re-initialised first, then the order drawn from the
// same stream, exactly as UniformSampler draws it after the head's draws.
func TestBeginEpoch(t *testing.T) {
	labels := []int{0, 0, 0, 1, 2, 2}
	var tr resetRecorder
	got, err := BeginEpoch(&tr, labels, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Uint64()
	want, _ := UniformSampler(labels, 3, r)
	if !slices.Equal(tr.heads, []int{0}) || !slices.Equal(got, want) {
		t.Errorf("resets %v, order %v; want [0], %v", tr.heads, got, want)
	}
	if _, err := BeginEpoch(&tr, []int{5}, 3, r); err == nil {
		t.Errorf("a label outside [0, k) was accepted")
	}
}

func TestPreprocess(t *testing.T) {
	const n, d = 200, 6
	x, _ := features(n, d, 3, 4)
	orig := slices.Clone(x)
	for _, test := range []struct {
		dims     int
		l2       bool
		wantDims int
	}{{0, true, d}, {0, false, d}, {3, true, 3}, {3, false, 3}} {
		f, err := Preprocess(x, n, d, test.dims, true, test.l2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(x, orig) || f.Dims != test.wantDims || len(f.X) != n*test.wantDims {
			t.Errorf("dims %d, l2 %v: modified the input %v, dims %d, %d values", test.dims, test.l2, !slices.Equal(x, orig), f.Dims, len(f.X))
		}
		for i := range n {
			s := 0.0
			for _, v := range f.X[i*f.Dims : (i+1)*f.Dims] {
				s += float64(v) * float64(v)
			}
			if test.l2 && math.Abs(s-1) > 1e-5 {
				t.Fatalf("dims %d: row %d has squared norm %v after L2", test.dims, i, s)
			}
		}
	}
	if _, err := Preprocess(x, n, d, d+1, true, true); err == nil {
		t.Error("PCA to more dimensions than the features have: no error")
	}
}
