package metrics

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// closeTo reports |a − b| ≤ tol·max(1, |b|).
func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*max(1, math.Abs(b))
}

// TestKnownValues checks tables worked by hand, and edge cases whose NMI and ARI
// were produced by scikit-learn 1.2.1:
//
//	/usr/bin/python3 -c 'from sklearn.metrics import normalized_mutual_info_score as nmi,
//	    adjusted_rand_score as ari; t, p = [...], [...]; print(repr(nmi(t, p)), repr(ari(t, p)))'
func TestKnownValues(t *testing.T) {
	for _, test := range []struct {
		name          string
		truth, pred   []int
		nmi, ari, acc float64
	}{
		// By hand: classes {0,0,0},{1,1,1}; cells n = [[2 1 0] [0 1 2]], a = (3,3),
		// b = (2,2,2). MI = 2·(1/3)·ln 2 (the two cells of 1 add 0), H(t) = ln 2,
		// H(p) = ln 3, NMI = (2/3 ln 2)/((ln 2 + ln 3)/2) = 4 ln 2 / (3 ln 6).
		// ARI: ΣC(n,2) = 2, ΣC(a,2) = 6, ΣC(b,2) = 3, C(6,2) = 15, expected 6·3/15 = 1.2,
		// max (6+3)/2 = 4.5: (2 − 1.2)/(4.5 − 1.2) = 8/33. ACC: cells 2 + 2 of 6.
		// scikit-learn: 0.5158037429793888 0.24242424242424243.
		{"hand 2x3", []int{0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2},
			4 * math.Ln2 / (3 * math.Log(6)), 8.0 / 33, 4.0 / 6},
		// By hand: independent labellings; MI = 0 exactly, ARI = (0 − 2/3)/(2 − 2/3)
		// = −0.5 (scikit-learn's docstring example), ACC 2 of 4.
		{"independent", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, 0, -0.5, 0.5},
		// Same partition, other names: every score 1.
		{"renamed", []int{0, 0, 1, 1, 2}, []int{7, 7, -3, -3, 1 << 40}, 1, 1, 1},
		// Edge cases; NMI and ARI from scikit-learn (see above).
		{"both constant", []int{0, 0, 0, 0}, []int{5, 5, 5, 5}, 1, 1, 1},
		{"truth constant", []int{0, 0, 0, 0}, []int{0, 1, 1, 2}, 0, 0, 0.5},
		{"pred constant", []int{0, 1, 1, 2}, []int{3, 3, 3, 3}, 0, 0, 0.5},
		{"truth constant, pred distinct", []int{1, 1, 1, 1}, []int{0, 1, 2, 3}, 0, 0, 0.25},
		{"all distinct", []int{0, 1, 2, 3}, []int{7, 4, 9, 1}, 1, 1, 1},
		{"one sample", []int{3}, []int{8}, 1, 1, 1},
		{"two samples, truth constant", []int{0, 0}, []int{0, 1}, 0, 0, 0.5},
		// Negative and huge labels (hash-map path). ACC by hand: −5→2 (2 samples),
		// 3→−1 (1), 1e9→7 (1): 4 of 5.
		{"negative and huge", []int{-5, -5, 3, 3, 1e9}, []int{2, 2, -1, 7, 7},
			0.737175493807016, 0.375, 0.8},
	} {
		c, err := NewContingency(test.truth, test.pred)
		if err != nil {
			t.Fatalf("%s: %v", test.name, err)
		}
		if got := c.NMI(); !closeTo(got, test.nmi, 1e-15) {
			t.Errorf("%s: NMI = %.17g, want %.17g", test.name, got, test.nmi)
		}
		if got := c.ARI(); !closeTo(got, test.ari, 1e-15) {
			t.Errorf("%s: ARI = %.17g, want %.17g", test.name, got, test.ari)
		}
		if got := c.ACC(); got != test.acc {
			t.Errorf("%s: ACC = %v, want %v", test.name, got, test.acc)
		}
		// The one-shot functions agree with the methods.
		for _, f := range []struct {
			name string
			fn   func(t, p []int) (float64, error)
			want float64
		}{{"NMI", NMI, c.NMI()}, {"ARI", ARI, c.ARI()}, {"ACC", ACC, c.ACC()}} {
			if got, err := f.fn(test.truth, test.pred); err != nil || got != f.want {
				t.Errorf("%s: %s() = %v, %v; method gives %v", test.name, f.name, got, err, f.want)
			}
		}
	}
}

func TestContingencyTable(t *testing.T) {
	truth := []int{10, 10, 10, 20, 20, -1, -1, -1}
	pred := []int{5, 6, 5, 6, 6, 5, 7, 7}
	c, err := NewContingency(truth, pred)
	if err != nil {
		t.Fatal(err)
	}
	// Rows −1, 10, 20; columns 5, 6, 7; counted by hand.
	want := []int64{
		1, 0, 2,
		2, 1, 0,
		0, 2, 0,
	}
	if got := c.Dense(); !slices.Equal(got, want) {
		t.Errorf("Dense = %v, want %v", got, want)
	}
	if !slices.Equal(c.Classes, []int{-1, 10, 20}) || !slices.Equal(c.Clusters, []int{5, 6, 7}) {
		t.Errorf("Classes %v, Clusters %v", c.Classes, c.Clusters)
	}
	if !slices.Equal(c.ClassSizes, []int64{3, 3, 2}) || !slices.Equal(c.ClusterSizes, []int64{3, 3, 2}) {
		t.Errorf("ClassSizes %v, ClusterSizes %v", c.ClassSizes, c.ClusterSizes)
	}
	if c.NonZero() != 5 {
		t.Errorf("NonZero = %d, want 5", c.NonZero())
	}
	var row []int64
	c.Row(1, func(j int, n int64) { row = append(row, int64(j), n) })
	if !slices.Equal(row, []int64{0, 2, 1, 1}) {
		t.Errorf("Row(1) gave (j, count) pairs %v, want [0 2 1 1]", row)
	}
	classOf, matched := c.Match()
	// Best: 7→−1 (2), 5→10 (2), 6→20 (2).
	if matched != 6 || !slices.Equal(classOf, []int{1, 2, 0}) {
		t.Errorf("Match = %v, %d; want [1 2 0], 6", classOf, matched)
	}
}

// TestCountingPaths checks that the dense-table and sorting paths of NewContingency,
// and the lookup-table and hash-map label paths, build the same table.
func TestCountingPaths(t *testing.T) {
	r := rng.New(1, "metrics/test/paths")
	for _, sz := range []struct{ n, c, k int }{{50, 3, 4}, {200, 40, 60}, {1000, 7, 300}, {300, 300, 300}} {
		truth := make([]int, sz.n)
		pred := make([]int, sz.n)
		for i := range truth {
			truth[i] = r.IntN(sz.c)
			pred[i] = r.IntN(sz.k)
		}
		ri, classes := denseLabels(truth)
		ci, clusters := denseLabels(pred)
		mk := func() *Contingency {
			return &Contingency{N: sz.n, Classes: classes, Clusters: clusters, rowStart: make([]int, len(classes)+1)}
		}
		a, b := mk(), mk()
		a.countDense(ri, ci)
		b.countSorted(ri, ci)
		if !slices.Equal(a.rowStart, b.rowStart) || !slices.Equal(a.cols, b.cols) || !slices.Equal(a.counts, b.counts) {
			t.Errorf("n=%d c=%d k=%d: dense and sorted counting differ", sz.n, sz.c, sz.k)
		}
		// Spread labels far apart to force the hash-map path; same indices expected.
		far := make([]int, sz.n)
		for i, l := range pred {
			far[i] = l*1_000_003 - 1<<40
		}
		fi, fv := denseLabels(far)
		if !slices.Equal(fi, ci) || len(fv) != len(clusters) {
			t.Errorf("n=%d: hash-map label path gives other indices", sz.n)
		}
	}
}

func TestErrors(t *testing.T) {
	_, err := NewContingency([]int{1, 2, 3}, []int{1, 2})
	if !errors.Is(err, ErrLength) || !strings.Contains(err.Error(), "3") || !strings.Contains(err.Error(), "2") {
		t.Errorf("length mismatch: err = %v", err)
	}
	for _, f := range []func(a, b []int) (float64, error){NMI, ARI, ACC} {
		if _, err := f(nil, nil); !errors.Is(err, ErrEmpty) {
			t.Errorf("empty input: err = %v, want ErrEmpty", err)
		}
		if _, err := f([]int{1}, []int{1, 1}); !errors.Is(err, ErrLength) {
			t.Errorf("length mismatch: err = %v, want ErrLength", err)
		}
	}
	if _, err := Score([]int{0}, []int{0, 1}, 0); !errors.Is(err, ErrLength) {
		t.Errorf("Score length mismatch: err = %v", err)
	}
	if _, err := Score([]int{0, 1}, []int{0, -1}, 0); !errors.Is(err, ErrLabel) {
		t.Errorf("Score negative cluster: err = %v", err)
	}
	for _, test := range []struct {
		pred []int
		k    int
		want error
	}{
		{nil, 0, ErrEmpty},
		{[]int{0, -1}, 0, ErrLabel},
		{[]int{0, 3}, 3, ErrLabel},
		{[]int{0, 1}, -1, ErrLabel},
		{[]int{0, 1 << 40}, 0, ErrLabel},
	} {
		if _, err := DegeneracyOf(test.pred, test.k); !errors.Is(err, test.want) {
			t.Errorf("DegeneracyOf(%v, %d): err = %v, want %v", test.pred, test.k, err, test.want)
		}
	}
}

// relabel returns labels renamed by a random injective map into a wide range.
func relabel(labels []int, seed uint64) []int {
	r := rng.New(seed, "metrics/test/relabel")
	names := map[int]int{}
	used := map[int]bool{}
	out := make([]int, len(labels))
	for i, l := range labels {
		v, ok := names[l]
		for !ok {
			v = r.IntN(1<<20) - 1<<19
			if r.IntN(4) == 0 {
				v *= 1 << 30 // sometimes huge, to mix both label paths
			}
			ok = !used[v]
			used[v] = true
		}
		names[l] = v
		out[i] = v
	}
	return out
}

// TestInvariances checks, on random labellings, that renaming classes or clusters
// leaves NMI, ARI and ACC unchanged, that NMI and ARI are symmetric, and the bounds
// of each score.
func TestInvariances(t *testing.T) {
	for seed := range uint64(12) {
		n, c, k := 300, 2+int(seed%5), 2+int(seed*7%11)
		truth, pred := lcgLabels(seed+100, n, c, k, int(seed*9))
		base, err := Score(truth, pred, 0)
		if err != nil {
			t.Fatal(err)
		}
		rt, rp := relabel(truth, seed), relabel(pred, seed+1000)
		for _, v := range []struct {
			name string
			t, p []int
		}{{"renamed classes", rt, pred}, {"renamed clusters", truth, rp}, {"both renamed", rt, rp}} {
			cc, err := NewContingency(v.t, v.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := cc.NMI(); !closeTo(got, base.NMI, 1e-14) {
				t.Errorf("seed %d, %s: NMI %v, was %v", seed, v.name, got, base.NMI)
			}
			if got := cc.ARI(); got != base.ARI {
				t.Errorf("seed %d, %s: ARI %v, was %v", seed, v.name, got, base.ARI)
			}
			if got := cc.ACC(); got != base.ACC {
				t.Errorf("seed %d, %s: ACC %v, was %v", seed, v.name, got, base.ACC)
			}
		}
		sw, err := NewContingency(pred, truth)
		if err != nil {
			t.Fatal(err)
		}
		if got := sw.NMI(); !closeTo(got, base.NMI, 1e-14) {
			t.Errorf("seed %d: NMI(pred, truth) = %v, NMI(truth, pred) = %v", seed, got, base.NMI)
		}
		if got := sw.ARI(); got != base.ARI {
			t.Errorf("seed %d: ARI(pred, truth) = %v, ARI(truth, pred) = %v", seed, got, base.ARI)
		}
		if got := sw.ACC(); got != base.ACC {
			t.Errorf("seed %d: ACC(pred, truth) = %v, ACC(truth, pred) = %v", seed, got, base.ACC)
		}
		// Bounds: NMI ∈ [0, 1], ARI ≤ 1, ACC ≤ 1 and ACC ≥ the largest cell / N; also
		// ACC ≥ 1/max(K, C), since the max(K, C) cyclic diagonals cover all cells.
		c0, _ := NewContingency(truth, pred)
		var largest int64
		for _, v := range c0.counts {
			largest = max(largest, v)
		}
		kc := max(len(c0.Classes), len(c0.Clusters))
		if h := entropy(c0.ClusterSizes, n); base.Entropy != h {
			t.Errorf("seed %d: Degeneracy.Entropy %v differs from the NMI's H(pred) %v", seed, base.Entropy, h)
		}
		if base.NMI < 0 || base.NMI > 1+1e-15 || base.ARI > 1 || base.ACC > 1 ||
			base.ACC < float64(largest)/float64(n) || base.ACC < 1/float64(kc) {
			t.Errorf("seed %d: out of bounds: %+v (largest cell %d)", seed, base, largest)
		}
	}
}

// TestPerfectPermuted: a clustering equal to the truth up to a permutation of ids
// scores 1 everywhere, at sizes that take both matching solvers.
func TestPerfectPermuted(t *testing.T) {
	for _, sz := range []struct{ n, c int }{{100, 5}, {5000, 1000}} {
		r := rng.New(uint64(sz.c), "metrics/test/perfect")
		perm := r.Perm(sz.c)
		truth := make([]int, sz.n)
		pred := make([]int, sz.n)
		for i := range truth {
			truth[i] = r.IntN(sz.c)
			pred[i] = perm[truth[i]]
		}
		s, err := Score(truth, pred, sz.c)
		if err != nil {
			t.Fatal(err)
		}
		if s.NMI != 1 && !closeTo(s.NMI, 1, 1e-15) || s.ARI != 1 || s.ACC != 1 {
			t.Errorf("c=%d: perfect labelling scored %+v", sz.c, s)
		}
	}
}

func TestDegeneracy(t *testing.T) {
	for _, test := range []struct {
		pred []int
		k    int
		want Degeneracy
	}{
		// All in one cluster out of 4: H = 0, exp(H) = 1.
		{[]int{2, 2, 2}, 4, Degeneracy{Sizes: []int{0, 0, 3, 0}, K: 4, NonEmpty: 1, Empty: 3,
			LargestFraction: 1, Entropy: 0, EffectiveClusters: 1}},
		// Two equal clusters, k from the labels: H = ln 2, exp(H) = 2.
		{[]int{0, 1, 1, 0}, 0, Degeneracy{Sizes: []int{2, 2}, K: 2, NonEmpty: 2,
			LargestFraction: 0.5, Entropy: math.Ln2, EffectiveClusters: 2}},
		// Sizes 2, 1, 1 of 4 plus 2 empty: H = ½ ln 2 + 2·¼ ln 4 = 1.5 ln 2,
		// exp(H) = 2^1.5.
		{[]int{0, 0, 1, 3}, 5, Degeneracy{Sizes: []int{2, 1, 0, 1, 0}, K: 5, NonEmpty: 3, Empty: 2,
			LargestFraction: 0.5, Entropy: 1.5 * math.Ln2, EffectiveClusters: math.Pow(2, 1.5)}},
	} {
		got, err := DegeneracyOf(test.pred, test.k)
		if err != nil {
			t.Fatal(err)
		}
		w := test.want
		if !slices.Equal(got.Sizes, w.Sizes) || got.K != w.K || got.NonEmpty != w.NonEmpty ||
			got.Empty != w.Empty || got.LargestFraction != w.LargestFraction ||
			!closeTo(got.Entropy, w.Entropy, 1e-15) || !closeTo(got.EffectiveClusters, w.EffectiveClusters, 1e-15) {
			t.Errorf("DegeneracyOf(%v, %d) = %+v, want %+v", test.pred, test.k, got, w)
		}
	}
}

func TestScoresJSON(t *testing.T) {
	s, err := Score([]int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n":4,"nmi":1,"ari":1,"acc":1,"k":3,"clusters":2,"empty":1,` +
		`"largest_fraction":0.5,"entropy":0.6931471805599453,"effective_clusters":2}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}
