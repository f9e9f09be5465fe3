package eval

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// bruteKNN is the classifier written directly from its definition, in float64: all
// cosine similarities, a full sort by (similarity desc, index asc), the k first,
// weights exp((s − s₁)/τ) added in that order, first class of largest score. It also
// returns, per test row, the gap between the k-th and (k+1)-th similarity and the
// relative gap between the two best class scores.
func bruteKNN(train, test Set, k int, tau float64) (pred []int, simGap, scoreGap []float64) {
	classes := slices.Max(train.Y) + 1
	norm := func(s Set, i int) []float64 {
		row := make([]float64, s.D)
		var ss float64
		for j := range row {
			row[j] = float64(s.X[i*s.D+j])
			ss += row[j] * row[j]
		}
		if ss > 0 {
			for j := range row {
				row[j] /= math.Sqrt(ss)
			}
		}
		return row
	}
	trn := make([][]float64, train.N)
	for i := range trn {
		trn[i] = norm(train, i)
	}
	k = min(k, train.N)
	type nb struct {
		s float64
		i int
	}
	all := make([]nb, train.N)
	for q := range test.N {
		x := norm(test, q)
		for i, t := range trn {
			var s float64
			for j := range x {
				s += x[j] * t[j]
			}
			all[i] = nb{s, i}
		}
		slices.SortFunc(all, func(a, b nb) int {
			if c := cmp.Compare(b.s, a.s); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		scores := make([]float64, classes)
		for _, e := range all[:k] {
			scores[train.Y[e.i]] += math.Exp((e.s - all[0].s) / tau)
		}
		best := 0
		for c, v := range scores {
			if v > scores[best] {
				best = c
			}
		}
		pred = append(pred, best)
		gap := math.Inf(1)
		if k < train.N {
			gap = all[k-1].s - all[k].s
		}
		simGap = append(simGap, gap)
		sorted := slices.Clone(scores)
		slices.Sort(sorted)
		sg := math.Inf(1)
		if classes > 1 {
			sg = (sorted[classes-1] - sorted[classes-2]) / sorted[classes-1]
		}
		scoreGap = append(scoreGap, sg)
	}
	return pred, simGap, scoreGap
}

// signSet draws n rows of d = 16 features ±c (one random scale c ∈ [0.5, 2) per row)
// and labels in [0, classes). After L2 normalisation every feature is ±1/4 exactly,
// so every cosine similarity is a multiple of 1/16 computed exactly in float32 as in
// float64, and similarities tie a lot: a strict test of selection and tie-breaking.
func signSet(n, classes int, seed uint64, purpose string) Set {
	const d = 16
	r := rng.New(seed, purpose)
	s := Set{X: make([]float32, n*d), N: n, D: d, Y: make([]int, n)}
	for i := range n {
		s.Y[i] = r.IntN(classes)
		c := 0.5 + 1.5*r.Float64()
		for j := range d {
			v := c
			if r.IntN(2) == 0 {
				v = -c
			}
			s.X[i*d+j] = float32(v)
		}
	}
	return s
}

// TestKNNHand: four training points in the plane, worked by hand.
//
//	t0 = (1, 0) class 0, t1 = (0, 1) class 1, t2 = (1, 1) class 1, t3 = (−1, 0) class 0.
//
// For q = (1, 0.1): cosines 0.99504 (t0), 0.09950 (t1), 0.77395 (t2), −0.99504 (t3).
// k = 3, τ = 0.1: class 0 scores exp(0) = 1, class 1 exp(−2.2109) + exp(−8.9554) =
// 0.1097: class 0. τ = 10: class 1 scores exp(−0.022109) + exp(−0.089554) = 1.892 > 1:
// class 1. k = 1: class 0 whatever τ. k = 4, τ = 10: class 0 gains exp(−0.19901) =
// 0.8195, 1.8195 < 1.892: class 1.
// For q = (2, 1): cosines 0.8944, 0.4472, 0.9487, −0.8944; k = 2, τ = 0.1: t2 and t0,
// class 1 (exp(0) against exp(−0.5425)).
func TestKNNHand(t *testing.T) {
	train := Set{X: []float32{1, 0, 0, 1, 1, 1, -1, 0}, N: 4, D: 2, Y: []int{0, 1, 1, 0}}
	for _, tc := range []struct {
		q    []float32
		k    int
		tau  float64
		want int
	}{
		{[]float32{1, 0.1}, 3, 0.1, 0},
		{[]float32{1, 0.1}, 3, 10, 1},
		{[]float32{1, 0.1}, 1, 10, 0},
		{[]float32{1, 0.1}, 4, 10, 1},
		{[]float32{1, 0.1}, 200, 10, 1}, // k > N: all four
		{[]float32{2, 1}, 2, 0.1, 1},
	} {
		test := Set{X: tc.q, N: 1, D: 2, Y: []int{tc.want}}
		res, err := KNN(train, test, KNNOptions{K: tc.k, Tau: tc.tau})
		if err != nil {
			t.Fatal(err)
		}
		if res.Pred[0] != tc.want || res.Accuracy != 1 || res.K != min(tc.k, 4) {
			t.Errorf("q = %v, k = %d, τ = %g: predicted %d (K %d), want %d", tc.q, tc.k, tc.tau, res.Pred[0], res.K, tc.want)
		}
	}
	// Ties. Two identical training rows of classes 1 and 0: with k = 1 the lower index
	// (class 1) is nearer; with k = 2 the votes tie and the smaller class wins.
	dup := Set{X: []float32{1, 0, 1, 0, 0, 1}, N: 3, D: 2, Y: []int{1, 0, 2}}
	q := Set{X: []float32{3, 0}, N: 1, D: 2, Y: []int{0}}
	for k, want := range map[int]int{1: 1, 2: 0} {
		res, err := KNN(dup, q, KNNOptions{K: k})
		if err != nil {
			t.Fatal(err)
		}
		if res.Pred[0] != want {
			t.Errorf("ties, k = %d: predicted %d, want %d", k, res.Pred[0], want)
		}
	}
}

// TestKNNBrute compares KNN with bruteKNN on sign vectors (exact similarities, many
// ties), with more training rows than one tile and more test rows than one block.
func TestKNNBrute(t *testing.T) {
	n, m := knnTile+904, knnBlock+44
	if testing.Short() {
		n, m = 1500, 60
	}
	train := signSet(n, 7, 1, "eval/test/train")
	test := signSet(m, 7, 1, "eval/test/test")
	for _, tc := range []struct {
		k   int
		tau float64
	}{{1, 0.1}, {5, 0.1}, {200, 0.1}, {200, 0.02}, {1000, 1}, {n + 10, 0.1}} {
		want, _, _ := bruteKNN(train, test, tc.k, tc.tau)
		res, err := KNN(train, test, KNNOptions{K: tc.k, Tau: tc.tau})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Pred, want) {
			bad := 0
			for i := range want {
				if res.Pred[i] != want[i] {
					bad++
				}
			}
			t.Errorf("k = %d, τ = %g: %d of %d predictions differ from the brute force", tc.k, tc.tau, bad, m)
		}
	}
}

// TestKNNGaussian compares KNN with the float64 brute force on Gaussian data. float32
// similarities may reorder neighbours whose similarities differ by ~1e-7, so rows are
// checked only where the k-th and (k+1)-th similarities differ by more than 1e-5 and
// the two best class scores by more than 1e-4 relatively (nearly all of them).
func TestKNNGaussian(t *testing.T) {
	train := mixture(3000, 32, 5, 0.3, 2, "eval/test/train")
	test := mixture(300, 32, 5, 0.3, 2, "eval/test/test")
	const k, tau = 50, 0.1
	want, simGap, scoreGap := bruteKNN(train, test, k, tau)
	res, err := KNN(train, test, KNNOptions{K: k, Tau: tau})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i := range want {
		if simGap[i] < 1e-5 || scoreGap[i] < 1e-4 {
			continue
		}
		checked++
		if res.Pred[i] != want[i] {
			t.Errorf("row %d: predicted %d, brute force %d", i, res.Pred[i], want[i])
		}
	}
	if checked < 270 {
		t.Errorf("only %d of 300 rows checkable", checked)
	}
	if _, err := json.Marshal(res); err != nil { // results go into JSON run records
		t.Error(err)
	}
}

// TestNeighbourKey: the packed key orders by similarity, then by lower index, and
// gives the similarity and index back.
func TestNeighbourKey(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	sims := []float32{float32(math.Inf(-1)), -1, -0.5, -1e-30, negZero, 0, 1e-30, 0.25, 1, math.MaxFloat32}
	var prev neighbour
	for k, s := range sims {
		for _, i := range []int{math.MaxInt32, 7, 0} {
			e := newNeighbour(s, i)
			if e.sim() != s || e.index() != i {
				t.Errorf("key of (%g, %d) gives (%g, %d)", s, i, e.sim(), e.index())
			}
			if k > 0 && e <= prev && !(s == 0 && sims[k-1] == 0 && i == math.MaxInt32) {
				t.Errorf("key of (%g, %d) not above the previous one", s, i)
			}
			prev = e
		}
	}
	if newNeighbour(negZero, 3) != newNeighbour(0, 3) {
		t.Error("−0 and +0 get different keys")
	}
}

// TestSelect feeds quantised similarities (many ties) to offer in tiles of varying
// size and checks that selectBest then holds exactly the k first of a full sort.
func TestSelect(t *testing.T) {
	r := rng.New(3, "eval/test/select")
	for _, tc := range []struct{ n, k, tile int }{
		{1, 1, 1}, {10, 3, 4}, {1000, 1, 100}, {1000, 7, 33}, {5000, 200, 4096}, {500, 500, 64}, {300, 1000, 128},
	} {
		sims := make([]float32, tc.n)
		for i := range sims {
			sims[i] = float32(r.IntN(20)) / 8
		}
		k := min(tc.k, tc.n)
		buf := make([]neighbour, 2*k)
		n, thr := 0, float32(math.Inf(-1))
		for j0 := 0; j0 < tc.n; j0 += tc.tile {
			n, thr = offer(buf, n, thr, k, sims[j0:min(j0+tc.tile, tc.n)], j0)
		}
		type pair struct {
			s float32
			i int
		}
		var got []pair
		selectBest(buf[:n], k)
		for _, e := range buf[:k] {
			got = append(got, pair{e.sim(), e.index()})
		}
		slices.SortFunc(got, func(a, b pair) int { return cmp.Compare(a.i, b.i) })
		want := make([]pair, tc.n)
		for i, s := range sims {
			want[i] = pair{s, i}
		}
		slices.SortStableFunc(want, func(a, b pair) int { return cmp.Compare(b.s, a.s) })
		want = want[:k]
		slices.SortFunc(want, func(a, b pair) int { return cmp.Compare(a.i, b.i) })
		if !slices.Equal(got, want) {
			t.Errorf("n = %d, k = %d, tile %d: selected %v, want %v", tc.n, tc.k, tc.tile, got, want)
		}
	}
}

// TestKNNZeroRow: a zero test row is similar (0) to every training row, so its
// neighbours are the first k training rows with equal weights.
func TestKNNZeroRow(t *testing.T) {
	train := Set{X: []float32{1, 0, 0, 1, 1, 1, 5, 5, 2, 0}, N: 5, D: 2, Y: []int{2, 1, 1, 0, 2}}
	test := Set{X: []float32{0, 0}, N: 1, D: 2, Y: []int{1}}
	for k, want := range map[int]int{1: 2, 3: 1, 4: 1, 5: 1} { // k = 4: 2, 1, 1, 0; k = 5 ties 1 and 2
		res, err := KNN(train, test, KNNOptions{K: k})
		if err != nil {
			t.Fatal(err)
		}
		if res.Pred[0] != want {
			t.Errorf("k = %d: predicted %d, want %d", k, res.Pred[0], want)
		}
	}
}

func TestKNNDeterminism(t *testing.T) {
	train := mixture(5000, 24, 6, 0.3, 3, "eval/test/train")
	test := mixture(700, 24, 6, 0.3, 3, "eval/test/test")
	ref, err := KNN(train, test, KNNOptions{K: 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 3, 8} {
		got, err := KNN(train, test, KNNOptions{K: 30, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Pred, ref.Pred) {
			t.Errorf("Workers = %d changes the predictions", w)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	got, err := KNN(train, test, KNNOptions{K: 30})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Pred, ref.Pred) || got.Correct != ref.Correct {
		t.Error("GOMAXPROCS = 1 changes the predictions")
	}
}

func TestKNNErrors(t *testing.T) {
	good := func() Set { return Set{X: []float32{0, 1, 2, 3, 4, 5}, N: 3, D: 2, Y: []int{0, 1, 0}} }
	nan := good()
	nan.X[3] = float32(math.NaN())
	big := good()
	big.Y[0] = 5
	for _, tc := range []struct {
		name        string
		train, test Set
		opt         KNNOptions
		want        error
		msg         string
	}{
		{"empty test", good(), Set{D: 2}, KNNOptions{}, ErrEmpty, "test set: N = 0"},
		{"short X", good(), Set{X: make([]float32, 3), N: 2, D: 2, Y: []int{0, 0}}, KNNOptions{}, ErrShape, "len(X) = 3"},
		{"NaN", nan, good(), KNNOptions{}, ErrNonFinite, "train set: row 1, column 1: feature is NaN"},
		{"test label", good(), big, KNNOptions{}, ErrLabel, "row 0: label 5"},
		{"K", good(), good(), KNNOptions{K: -1}, ErrOption, "K = -1"},
		{"Tau negative", good(), good(), KNNOptions{Tau: -0.1}, ErrOption, "Tau = -0.1"},
		{"Tau NaN", good(), good(), KNNOptions{Tau: math.NaN()}, ErrOption, "Tau = NaN"},
		{"Tau Inf", good(), good(), KNNOptions{Tau: math.Inf(1)}, ErrOption, "Tau = +Inf"},
		{"Workers", good(), good(), KNNOptions{Workers: -1}, ErrOption, "Workers = -1"},
	} {
		res, err := KNN(tc.train, tc.test, tc.opt)
		if !errors.Is(err, tc.want) || res != nil {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.msg)
		}
	}
}
