package baselines

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/rng"
)

// checkCertificate re-derives everything the result claims from the input alone,
// without the solver's code: labels respect the sizes, Primal is the labels'
// cost, every sample sits on a cluster minimising C_iy − p_y (complementary
// slackness, up to tol), D(p) recomputed here matches Dual, and the gap is tiny.
// Weak duality (D(p) ≤ optimum for every p) then proves the labels optimal.
func checkCertificate[F float32 | float64](t *testing.T, name string, L []F, n, k int, sizes []int, r *ExactResult) {
	t.Helper()
	if len(r.Labels) != n || len(r.Prices) != k || !slices.Equal(r.Sizes, sizes) {
		t.Fatalf("%s: %d labels, %d prices, sizes %v; want %d, %d, %v", name, len(r.Labels), len(r.Prices), r.Sizes, n, k, sizes)
	}
	counts := make([]int, k)
	var primal, dual, abs neumaier
	for i, y := range r.Labels {
		if y < 0 || y >= k {
			t.Fatalf("%s: label[%d] = %d out of range", name, i, y)
		}
		counts[y]++
		primal.add(-float64(L[i*k+y]))
		abs.add(math.Abs(float64(L[i*k+y])))
		best := math.Inf(1)
		for z := 0; z < k; z++ {
			best = math.Min(best, -float64(L[i*k+z])-r.Prices[z])
		}
		dual.add(best)
		// Complementary slackness: the assigned reduced cost is the row minimum.
		own := -float64(L[i*k+y]) - r.Prices[y]
		if tol := 1e-12 * (1 + math.Abs(own)); own-best > tol {
			t.Errorf("%s: sample %d on cluster %d has reduced cost %g, row minimum %g", name, i, y, own, best)
		}
	}
	if !slices.Equal(counts, sizes) {
		t.Errorf("%s: cluster sizes %v, want %v", name, counts, sizes)
	}
	for y, v := range r.Prices {
		dual.add(float64(sizes[y]) * v)
		abs.add(float64(sizes[y]) * math.Abs(v))
	}
	tol := 1e-12 * math.Max(1, abs.value())
	if d := math.Abs(primal.value() - r.Primal); d > tol {
		t.Errorf("%s: Primal = %.17g, labels cost %.17g", name, r.Primal, primal.value())
	}
	if d := math.Abs(dual.value() - r.Dual); d > tol {
		t.Errorf("%s: Dual = %.17g, D(Prices) = %.17g", name, r.Dual, dual.value())
	}
	if gap := primal.value() - dual.value(); math.Abs(gap) > tol || math.Abs(r.Gap) > tol || !r.Optimal {
		t.Errorf("%s: gap %g (reported %g, Optimal %v), want |gap| ≤ %g", name, gap, r.Gap, r.Optimal, tol)
	}
}

// bruteForce returns the least cost Σ −L_{i,y(i)} over all assignments with the
// given sizes (exhaustive search, for n ≤ 8).
func bruteForce(L []float64, n, k int, sizes []int) float64 {
	left := slices.Clone(sizes)
	best := math.Inf(1)
	var rec func(i int, cost float64)
	rec = func(i int, cost float64) {
		if i == n {
			best = math.Min(best, cost)
			return
		}
		for y := 0; y < k; y++ {
			if left[y] > 0 {
				left[y]--
				rec(i+1, cost-L[i*k+y])
				left[y]++
			}
		}
	}
	rec(0, 0)
	return best
}

// randomSizes draws k non-negative sizes summing to n (zeros allowed).
func randomSizes(n, k int, seed uint64) []int {
	r := rng.New(seed, "baselines/test/sizes")
	s := make([]int, k)
	for range n {
		s[r.IntN(k)]++
	}
	return s
}

// testMatrix returns an n×k score matrix: "gaussian" N(0, 3²) noise, "ties"
// small integers (many exact ties), "const" all equal, "dup" two distinct rows
// repeated.
func testMatrix(n, k int, kind string, seed uint64) []float64 {
	r := rng.New(seed, "baselines/test/matrix")
	L := make([]float64, n*k)
	for i := range L {
		switch kind {
		case "gaussian":
			L[i] = 3 * r.NormFloat64()
		case "ties":
			L[i] = float64(r.IntN(3))
		case "const":
			L[i] = -math.Log(float64(k))
		case "dup":
			L[i] = float64((i/k)%2*(i%k)) - float64(i%k)*0.5
		}
	}
	return L
}

func TestExactBruteForce(t *testing.T) {
	// Every (n, k, kind, sizes) with n ≤ 8 against exhaustive search: the optimal
	// cost is unique even when the labels are not.
	for n := 1; n <= 8; n++ {
		for k := 1; k <= 3; k++ {
			for _, kind := range []string{"gaussian", "ties", "const", "dup"} {
				for trial := range 3 {
					seed := uint64(100*n + 10*k + trial)
					L := testMatrix(n, k, kind, seed)
					var sizes []int
					if trial > 0 || k > n {
						sizes = randomSizes(n, k, seed)
					}
					r, err := Exact(L, n, k, ExactOptions{Sizes: sizes})
					if err != nil {
						t.Fatalf("n=%d k=%d %s trial %d: %v", n, k, kind, trial, err)
					}
					if sizes == nil {
						sizes = DefaultSizes(n, k)
					}
					name := fmt.Sprintf("n=%d k=%d %s sizes=%v", n, k, kind, sizes)
					checkCertificate(t, name, L, n, k, sizes, r)
					if want := bruteForce(L, n, k, sizes); math.Abs(r.Primal-want) > 1e-12*math.Max(1, math.Abs(want)) {
						t.Errorf("%s: primal %.17g, brute force %.17g", name, r.Primal, want)
					}
				}
			}
		}
	}
}

// lpOptimum solves min Σ −L_iy x_iy s.t. Σ_y x_iy = 1, Σ_i x_iy = s_y, x ≥ 0 with
// gonum's dense simplex, an implementation independent of ours. The last column
// constraint is implied by the others (both sides sum to N) and is dropped so
// that A has full row rank, as lp.Simplex requires.
func lpOptimum(t *testing.T, L []float64, n, k int, sizes []int) float64 {
	t.Helper()
	rows := n + k - 1
	A := mat.NewDense(rows, n*k, nil)
	b := make([]float64, rows)
	c := make([]float64, n*k)
	for i := 0; i < n; i++ {
		for y := 0; y < k; y++ {
			c[i*k+y] = -L[i*k+y]
			A.Set(i, i*k+y, 1)
			if y < k-1 {
				A.Set(n+y, i*k+y, 1)
			}
		}
		b[i] = 1
	}
	for y := 0; y < k-1; y++ {
		b[n+y] = float64(sizes[y])
	}
	opt, _, err := lp.Simplex(c, A, b, 1e-10, nil)
	if err != nil {
		t.Fatalf("lp.Simplex: %v", err)
	}
	return opt
}

func TestExactAgainstLP(t *testing.T) {
	for _, tc := range []struct {
		n, k   int
		kind   string
		sizes  bool
		seed   uint64
		coarse bool // crude auction: the exact repair does most of the work
	}{
		{20, 3, "gaussian", false, 1, false},
		{30, 4, "gaussian", true, 2, false},
		{50, 5, "gaussian", false, 3, false},
		{50, 5, "gaussian", true, 4, true},
		{40, 5, "ties", true, 5, false},
		{40, 4, "ties", false, 6, true},
		{50, 2, "gaussian", true, 7, false},
		{45, 5, "dup", true, 8, true},
	} {
		L := testMatrix(tc.n, tc.k, tc.kind, tc.seed)
		sizes := DefaultSizes(tc.n, tc.k)
		if tc.sizes {
			sizes = randomSizes(tc.n, tc.k, tc.seed)
		}
		opt := ExactOptions{Sizes: sizes}
		if tc.coarse {
			opt.Epsilon, opt.StartEpsilon = 0.5, 0.5
		}
		r, err := Exact(L, tc.n, tc.k, opt)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%+v", tc)
		checkCertificate(t, name, L, tc.n, tc.k, sizes, r)
		want := lpOptimum(t, L, tc.n, tc.k, sizes)
		if math.Abs(r.Primal-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: primal %.15g, lp.Simplex %.15g", name, r.Primal, want)
		}
	}
}

// TestExactCertificates runs mid-sized problems, where only the certificate can
// vouch for optimality, across input kinds, sizes and auction settings that shift
// the work between the auction and the exact repair.
func TestExactCertificates(t *testing.T) {
	type tc struct {
		n, k  int
		kind  logits.Kind
		scale float64
		sizes string // "", "random", "zeros", "one"
		eps   float64
		eps0  float64
		theta float64
	}
	cases := []tc{
		{2000, 20, logits.Gaussian, 3, "", 0, 0, 0},
		{2000, 20, logits.Network, 3, "", 0, 0, 0},
		{2000, 20, logits.Peaked, 8, "", 0, 0, 0},
		{3000, 50, logits.Network, 10, "random", 0, 0, 0},
		{3000, 50, logits.Gaussian, 3, "zeros", 0, 0, 0},
		{1000, 10, logits.Network, 3, "one", 0, 0, 0},
		{2000, 40, logits.Gaussian, 3, "", 1e-2, 1e-2, 0}, // coarse auction, much repair
		{2000, 40, logits.Network, 3, "random", 1, 1, 0},  // auction all but skipped
		{2000, 40, logits.Gaussian, 3, "", 1e-12, 1, 2},   // many phases
		{500, 500, logits.Gaussian, 3, "", 0, 0, 0},       // N = K: an assignment problem
		{600, 700, logits.Network, 3, "random", 0, 0, 0},  // K > N with explicit sizes
		{3000, 30, collapsed, 0, "", 0, 0, 0},             // one shared row + 1e-3 noise
		{3000, 30, groups, 0, "", 0, 0, 0},                // 7 shared rows + 1e-3 noise
		{3000, 30, groups, 0, "random", 0, 0, 0},
	}
	if testing.Short() {
		cases = cases[:3]
	}
	for _, c := range cases {
		var L []float32
		if c.kind == collapsed || c.kind == groups {
			L = exactInput(t, c.n, c.k, c.kind)
		} else {
			var err error
			if L, err = logits.Generate(logits.Spec{N: c.n, K: c.k, Scale: c.scale, Kind: c.kind, Seed: 9}); err != nil {
				t.Fatal(err)
			}
			logits.LogSoftmax(L, c.n, c.k)
		}
		var sizes []int
		switch c.sizes {
		case "random":
			sizes = randomSizes(c.n, c.k, 9)
		case "zeros": // every third cluster empty, the rest share N
			sizes = make([]int, c.k)
			m := c.k - (c.k+2)/3
			for j, y := 0, 0; y < c.k; y++ {
				if y%3 != 0 {
					sizes[y] = c.n / m
					if j < c.n%m {
						sizes[y]++
					}
					j++
				}
			}
		case "one": // everything in the last cluster
			sizes = make([]int, c.k)
			sizes[c.k-1] = c.n
		}
		r, err := Exact(L, c.n, c.k, ExactOptions{Sizes: sizes, Epsilon: c.eps, StartEpsilon: c.eps0, ScaleFactor: c.theta})
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if sizes == nil {
			sizes = DefaultSizes(c.n, c.k)
		}
		checkCertificate(t, fmt.Sprintf("%+v", c), L, c.n, c.k, sizes, r)
	}
}

// TestExactSafetyNets trips each fallback on purpose and checks that the answer
// is still certified optimal: the warm start after a blown work budget, the
// exact phase's successive shortest paths after a crude auction, and both
// after an auction stopped by its step cap.
func TestExactSafetyNets(t *testing.T) {
	const n, k = 3000, 30
	L := exactInput(t, n, k, groups)
	for _, tc := range []struct {
		name                   string
		opt                    ExactOptions
		tune                   exactTuning
		warm, fallback, capped bool
	}{
		{"budget", ExactOptions{}, exactTuning{budget: 1e-3, stepCap: 64}, true, false, false},
		{"crude auction", ExactOptions{Epsilon: 0.5, StartEpsilon: 0.5}, exactTuning{budget: 0, stepCap: 64}, false, true, false},
		{"step cap", ExactOptions{}, exactTuning{budget: 0, stepCap: 0}, false, true, true},
	} {
		r, err := solveExact(L, n, k, tc.opt, tc.tune)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.WarmStarted != tc.warm || r.Fallback != tc.fallback {
			t.Errorf("%s: WarmStarted %v, Fallback %v; want %v, %v", tc.name, r.WarmStarted, r.Fallback, tc.warm, tc.fallback)
		}
		if tc.capped && r.Scans != 0 {
			t.Errorf("%s: the label-correcting pass ran (%d scans) after an aborted auction", tc.name, r.Scans)
		}
		checkCertificate(t, tc.name, L, n, k, DefaultSizes(n, k), r)
	}
}

func TestScaleSizes(t *testing.T) {
	// [3 3 4]·5/10 = [1.5 1.5 2]: the two remainders of 0.5 tie and the lower
	// index gets the extra sample.
	for _, tc := range []struct {
		sizes []int
		n, m  int
		want  []int
	}{
		{[]int{10, 0}, 10, 4, []int{4, 0}},
		{[]int{3, 3, 4}, 10, 5, []int{2, 1, 2}},
		{[]int{20, 20, 20}, 60, 15, []int{5, 5, 5}},
	} {
		if got := scaleSizes(tc.sizes, tc.n, tc.m); !slices.Equal(got, tc.want) {
			t.Errorf("scaleSizes(%v, %d, %d) = %v, want %v", tc.sizes, tc.n, tc.m, got, tc.want)
		}
	}
}

func TestExactDegenerate(t *testing.T) {
	// All-equal costs: every balanced assignment is optimal with cost N·log K.
	const n, k = 100, 7
	L := testMatrix(n, k, "const", 0)
	r, err := Exact(L, n, k, ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkCertificate(t, "const", L, n, k, DefaultSizes(n, k), r)
	if want := n * math.Log(k); math.Abs(r.Primal-want) > 1e-12*want {
		t.Errorf("const: primal %v, want N·log K = %v", r.Primal, want)
	}
	// Duplicated rows: 60 copies of one row, 40 of another; K = 1 and K = N.
	for _, k := range []int{1, 2, 5, 100} {
		L := make([]float32, n*k)
		for i := 0; i < n; i++ {
			for y := 0; y < k; y++ {
				if i < 60 {
					L[i*k+y] = float32(-y)
				} else {
					L[i*k+y] = float32(y % 3)
				}
			}
		}
		r, err := Exact(L, n, k, ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkCertificate(t, fmt.Sprintf("dup k=%d", k), L, n, k, DefaultSizes(n, k), r)
	}
}

func TestExactFloat64MatchesFloat32(t *testing.T) {
	L32, _ := logits.Generate(logits.Spec{N: 1500, K: 30, Scale: 3, Kind: logits.Network, Seed: 4})
	logits.LogSoftmax(L32, 1500, 30)
	L64 := make([]float64, len(L32))
	for i, v := range L32 {
		L64[i] = float64(v)
	}
	a, err := Exact(L32, 1500, 30, ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Exact(L64, 1500, 30, ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// float32 widens exactly, so the two runs do identical arithmetic.
	if !slices.Equal(a.Labels, b.Labels) || !slices.Equal(a.Prices, b.Prices) || a.Primal != b.Primal {
		t.Errorf("float32 and float64 inputs differ: primal %v vs %v", a.Primal, b.Primal)
	}
}

func TestExactDeterministic(t *testing.T) {
	L := exactInput(t, 5000, 50, logits.Network)
	G := exactInput(t, 3000, 30, groups)
	var first, firstG *ExactResult
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		g, err := solveExact(G, 3000, 30, ExactOptions{}, exactTuning{budget: 1e-3, stepCap: 64})
		if err != nil {
			runtime.GOMAXPROCS(old)
			t.Fatal(err)
		}
		if firstG == nil {
			firstG = g
		} else if !slices.Equal(g.Labels, firstG.Labels) || !slices.Equal(g.Prices, firstG.Prices) || g.Steps != firstG.Steps {
			t.Errorf("GOMAXPROCS=%d: warm-started result differs from the first run", procs)
		}
		r, err := Exact(L, 5000, 50, ExactOptions{})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
			continue
		}
		if !slices.Equal(r.Labels, first.Labels) || !slices.Equal(r.Prices, first.Prices) ||
			r.Primal != first.Primal || r.Dual != first.Dual || r.Steps != first.Steps {
			t.Errorf("GOMAXPROCS=%d: result differs from the first run", procs)
		}
	}
}

func TestExactErrors(t *testing.T) {
	good := []float32{-1, -2, -3, -4, -5, -6} // 3 samples × 2 clusters
	nan := slices.Clone(good)
	nan[3] = float32(math.NaN())
	inf := slices.Clone(good)
	inf[4] = float32(math.Inf(-1))
	// A NaN in a later row of a larger matrix poisons its column's starting price,
	// which every other row's scan reads (this once panicked).
	late := make([]float32, 20*4)
	for i := range late {
		late[i] = -float32(i%7) / 3
	}
	late[2*4+3] = float32(math.NaN())
	for _, tc := range []struct {
		name string
		L    []float32
		n, k int
		opt  ExactOptions
		want string // substring of the message
	}{
		{"NaN", nan, 3, 2, ExactOptions{}, "logProbs[1][1] = NaN"},
		{"Inf", inf, 3, 2, ExactOptions{}, "logProbs[2][0] = -Inf"},
		{"late NaN", late, 20, 4, ExactOptions{}, "logProbs[2][3] = NaN"},
		{"N=0", nil, 0, 2, ExactOptions{}, "N = 0"},
		{"K=0", nil, 3, 0, ExactOptions{}, "K = 0"},
		{"N<0", good, -3, 2, ExactOptions{}, "N = -3"},
		{"len", good[:5], 3, 2, ExactOptions{}, "len(logProbs) = 5, want N·K = 3·2"},
		{"len long", append(slices.Clone(good), 0), 3, 2, ExactOptions{}, "len(logProbs) = 7"},
		{"K>N default", good, 2, 3, ExactOptions{}, "K = 3 > N = 2"},
		{"sizes length", good, 3, 2, ExactOptions{Sizes: []int{3}}, "len(Sizes) = 1, want K = 2"},
		{"sizes negative", good, 3, 2, ExactOptions{Sizes: []int{3, -1}}, "Sizes[1] = -1 is negative"},
		{"sizes sum", good, 3, 2, ExactOptions{Sizes: []int{1, 1}}, "Sizes sum to 2, want N = 3"},
		{"sizes too big", good, 3, 2, ExactOptions{Sizes: []int{5, -2}}, "Sizes[0] = 5 exceeds N = 3"},
		{"epsilon", good, 3, 2, ExactOptions{Epsilon: -1}, "Epsilon = -1"},
		{"start epsilon", good, 3, 2, ExactOptions{StartEpsilon: math.NaN()}, "StartEpsilon = NaN"},
		{"scale factor", good, 3, 2, ExactOptions{ScaleFactor: 1}, "ScaleFactor = 1"},
	} {
		r, err := Exact(tc.L, tc.n, tc.k, tc.opt)
		if err == nil || r != nil {
			t.Errorf("%s: got result %v, err %v; want an error", tc.name, r, err)
			continue
		}
		if !errors.Is(err, ErrExactInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want ErrExactInput and %q", tc.name, err, tc.want)
		}
	}
}

func TestDefaultSizes(t *testing.T) {
	// 10 = 4 + 3 + 3: the first 10 mod 3 = 1 cluster gets the extra sample.
	if got := DefaultSizes(10, 3); !slices.Equal(got, []int{4, 3, 3}) {
		t.Errorf("DefaultSizes(10, 3) = %v", got)
	}
	if got := DefaultSizes(60000, 1000); got[0] != 60 || got[999] != 60 {
		t.Errorf("DefaultSizes(60000, 1000) = %v...", got[:3])
	}
	if got := DefaultSizes(3, 0); got != nil {
		t.Errorf("DefaultSizes(3, 0) = %v, want nil", got)
	}
}

// TestScanTopRange: the one-pass row scan of start flags exactly the rows holding
// a NaN or ±Inf score, and otherwise returns the range of the net values.
func TestScanTopRange(t *testing.T) {
	p := []float64{0.5, -1, 0, 2}
	check := func(name string, got, want bool) {
		t.Helper()
		if got != want {
			t.Errorf("%s: nonFinite = %v, want %v", name, got, want)
		}
	}
	var top topN
	top.reset(track + 2)
	lo, hi, bad := scanTopRange(&top, []float32{-3, math.MaxFloat32, 1e-45, -math.MaxFloat32}, p, 0)
	check("finite float32", bad, false)
	if lo != -math.MaxFloat32 || hi != math.MaxFloat32-1 {
		t.Errorf("finite float32: range [%v, %v]", lo, hi)
	}
	if top.z[0] != 1 {
		t.Errorf("finite float32: best cluster %d, want 1", top.z[0])
	}
	_, _, bad = scanTopRange(&top, []float64{-3, math.MaxFloat64 / 2, 5e-324, 0}, p, 0)
	check("finite float64", bad, false)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for j := range 4 {
			r32 := []float32{-1, -2, -3, -4}
			r32[j] = float32(v)
			top.reset(track + 2)
			_, _, bad = scanTopRange(&top, r32, p, 0)
			check(fmt.Sprintf("float32 %v at %d", v, j), bad, true)
			r64 := []float64{-1, -2, -3, -4}
			r64[j] = v
			_, _, bad = scanTopRange(&top, r64, p, 0)
			check(fmt.Sprintf("float64 %v at %d", v, j), bad, true)
		}
	}
}

// TestMinMovesMatchesLoop: the row fold of buildG (a vector routine for float32
// rows where the CPU has one) gives the bits and the samples of the scalar loop,
// over several rows with ties, for row lengths around the 8-lane blocks.
func TestMinMovesMatchesLoop(t *testing.T) {
	src := rand.New(rand.NewPCG(7, 8))
	for _, k := range []int{1, 3, 7, 8, 9, 16, 17, 100, 1001} {
		g1, g2 := make([]float64, k), make([]float64, k)
		a1, a2 := make([]int32, k), make([]int32, k)
		for v := range g1 {
			g1[v], a1[v] = math.Inf(1), -1
		}
		copy(g2, g1)
		copy(a2, a1)
		for i := range int32(6) {
			r := make([]float32, k)
			for v := range r {
				r[v] = -float32(src.IntN(4)) / 4 // few values: many exact ties
			}
			if k > 2 {
				r[k/2] = float32(math.NaN())
			}
			lu := float64(r[0])
			minMoves(r, lu, g2, a2, i)
			for v, l := range r {
				if d := lu - float64(l); d < g1[v] {
					g1[v], a1[v] = d, i
				}
			}
		}
		for v := range g1 {
			if math.Float64bits(g1[v]) != math.Float64bits(g2[v]) || a1[v] != a2[v] {
				t.Fatalf("k=%d: v=%d: (g, a) = (%v, %d), the loop gives (%v, %d)", k, v, g2[v], a2[v], g1[v], a1[v])
			}
		}
	}
}

// TestAddRowMatchesLoop: centre's row sums (a vector routine for float32 rows
// where the CPU has one) give the bits of the scalar loop.
func TestAddRowMatchesLoop(t *testing.T) {
	src := rand.New(rand.NewPCG(9, 10))
	for _, k := range []int{1, 7, 8, 9, 100, 1001} {
		s1, s2 := make([]float64, k), make([]float64, k)
		for range 5 {
			r := make([]float32, k)
			for z := range r {
				r[z] = float32(src.NormFloat64() * 30)
			}
			addRow(s2, r)
			for z, l := range r {
				s1[z] += float64(l)
			}
		}
		for z := range s1 {
			if math.Float64bits(s1[z]) != math.Float64bits(s2[z]) {
				t.Fatalf("k=%d: acc[%d] = %v, the loop gives %v", k, z, s2[z], s1[z])
			}
		}
	}
}

// TestRowArgmaxMatchesLoop: the first maximum of a row's net values and its bits
// (the sign of a zero included), from the vector routine where the CPU has one,
// are the scalar loop's, with many exact ties spread over the lanes.
func TestRowArgmaxMatchesLoop(t *testing.T) {
	src := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{1, 2, 7, 8, 9, 15, 16, 17, 100, 1001} {
		for trial := range 50 {
			r := make([]float32, k)
			p := make([]float64, k)
			for z := range r {
				r[z] = float32(src.IntN(3)) // few values: ties across lanes
				p[z] = -float64(src.IntN(2)) * float64(r[z])
				if trial%5 == 0 {
					r[z], p[z] = float32(math.Copysign(0, float64(src.IntN(2))-0.5)), 0 // ±0 ties
				}
			}
			want, wz := math.Inf(-1), -1
			for z, l := range r {
				if v := float64(l) + p[z]; v > want {
					want, wz = v, z
				}
			}
			got, gz := rowArgmax(r, p)
			if gz != wz || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("k=%d trial %d: (%v, %d), the loop gives (%v, %d)", k, trial, got, gz, want, wz)
			}
		}
	}
}
