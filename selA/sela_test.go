package sela

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/logits"
)

// logProbs returns seeded synthetic log-probabilities (internal/logits, then
// log-softmax).
func logProbs(t testing.TB, n, k int, kind logits.Kind, scale float64, seed uint64) []float32 {
	t.Helper()
	x, err := logits.Generate(logits.Spec{N: n, K: k, Kind: kind, Scale: scale, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	logits.LogSoftmax(x, n, k)
	return x
}

// planOf returns Q_iy = exp(λ·L_iy + LogA_y + LogB_i) from a result.
func planOf[T float32 | float64](res *Result, L []T) [][]float64 {
	q := make([][]float64, res.N)
	logB := res.LogB()
	for i := range q {
		q[i] = make([]float64, res.K)
		for y := range q[i] {
			q[i][y] = math.Exp(res.Lambda*float64(L[i*res.K+y]) + res.LogA[y] + logB[i])
		}
	}
	return q
}

func mustSolve(t testing.TB, L []float32, n, k int, opt Options) *Result {
	t.Helper()
	res, err := Solve(L, n, k, opt)
	if err != nil {
		t.Fatalf("%v: %v", opt.Variant, err)
	}
	return res
}

// tight asks every variant for a (nearly) exact fixed point.
func tight(v Variant) Options {
	if v == SinkhornRef {
		return Options{Variant: v, Tol: 1e-13, CheckEvery: 1}
	}
	return Options{Variant: v, Tol: -1, MarginalTol: 1e-14, CheckEvery: 1}
}

// TestTwoByTwo checks a plan worked by hand. For L = log [[p, 1−p], [1−p, p]] and
// uniform marginals, symmetry gives Q = [[x, ½−x], [½−x, x]], and the cross ratio
// Q11·Q22/(Q12·Q21) = (G11·G22)/(G12·G21) = (p/(1−p))^(2λ) fixes
// x = ρ/(2(1+ρ)) with ρ = (p/(1−p))^λ. With p = 0.6: λ = 1 gives ρ = 1.5 and
// x = 0.3; λ = 3 gives ρ = 3.375 and x = 3.375/8.75.
func TestTwoByTwo(t *testing.T) {
	for _, tc := range []struct {
		lambda, want float64
	}{
		{1, 0.3},
		{3, 3.375 / 8.75},
	} {
		L := []float32{float32(math.Log(0.6)), float32(math.Log(0.4)), float32(math.Log(0.4)), float32(math.Log(0.6))}
		for _, v := range Variants {
			opt := tight(v)
			opt.Lambda = tc.lambda
			res := mustSolve(t, L, 2, 2, opt)
			q := planOf(res, L)
			// L is rounded to float32, so compare to 1e-7.
			for i, want := range [][]float64{{tc.want, 0.5 - tc.want}, {0.5 - tc.want, tc.want}} {
				for y := range want {
					if math.Abs(q[i][y]-want[y]) > 1e-7 {
						t.Errorf("%v λ=%v: Q[%d][%d] = %.12f, want %.12f", v, tc.lambda, i, y, q[i][y], want[y])
					}
				}
			}
			if !slices.Equal(res.Labels, []int32{0, 1}) {
				t.Errorf("%v λ=%v: labels %v, want [0 1]", v, tc.lambda, res.Labels)
			}
		}
	}
}

// potInput is a 6×3 matrix of logits; TestAgainstPOT compares plans with POT.
var potInput = []float64{
	2.0, 0.5, -1.0,
	1.5, 1.0, 0.0,
	0.0, 2.5, 0.3,
	-0.5, 0.2, 1.8,
	0.7, 0.7, 0.7,
	3.0, -2.0, 0.1,
}

// TestAgainstPOT compares the plan with POT 0.8.2: with L = log-softmax(potInput),
//
//	ot.sinkhorn(np.ones(6)/6, r, -L, 1/2, numItermax=1000000, stopThr=1e-15)
//
// (λ = 2, entropic regulariser 1/λ), for uniform r and r = [0.5, 0.3, 0.2]. The
// values below were printed by /usr/bin/python3 with repr.
func TestAgainstPOT(t *testing.T) {
	for _, tc := range []struct {
		masses []float64
		want   [][]float64
	}{
		{nil, [][]float64{
			{0.12503359327548294, 0.03660636787053004, 0.0050267055206536645},
			{0.04197300361176627, 0.09080064634108823, 0.03389301671381217},
			{0.00018450973082937783, 0.16102935670370092, 0.005452800232136381},
			{0.00010172644042588418, 0.002425825158874667, 0.16413911506736611},
			{0.00721517237485571, 0.04242873506650089, 0.11702275922531011},
			{0.1588253278999734, 4.2402192638614565e-05, 0.007798936574054687},
		}},
		{[]float64{0.5, 0.3, 0.2}, [][]float64{
			{0.15738366566558587, 0.009014947830279214, 0.00026805317080156086},
			{0.11435458725942321, 0.04840008406580282, 0.003911995341440629},
			{0.0009633828275125007, 0.16449712702775057, 0.0012061568114035445},
			{0.0022515682263191047, 0.010504717877401995, 0.15391038056294556},
			{0.058734790534105, 0.06757443627943213, 0.04035743985312954},
			{0.16631200548705413, 8.686919333245528e-06, 0.00034597426027931365},
		}},
	} {
		for _, v := range Variants {
			opt := tight(v)
			opt.Lambda = 2
			opt.Masses = tc.masses
			opt.Logits = true
			res, err := Solve64(potInput, 6, 3, opt)
			if err != nil {
				t.Fatal(err)
			}
			// L as the solver saw it: log-softmax in float64.
			L := make([]float64, len(potInput))
			for i := range 6 {
				row := potInput[i*3 : i*3+3]
				lse := math.Log(math.Exp(row[0]) + math.Exp(row[1]) + math.Exp(row[2]))
				for y, x := range row {
					L[i*3+y] = x - lse
				}
			}
			q := planOf(res, L)
			for i := range tc.want {
				for y, want := range tc.want[i] {
					// The float32 kernel of Sinkhorn/SinkhornLog (6e-8 per entry) bounds
					// the agreement; SinkhornRef agrees to ~1e-14.
					tol := 2e-7
					if v == SinkhornRef {
						tol = 1e-12
					}
					if math.Abs(q[i][y]-want) > tol*want {
						t.Errorf("%v masses=%v: Q[%d][%d] = %.17g, POT %.17g", v, tc.masses, i, y, q[i][y], want)
					}
				}
			}
		}
	}
}

// TestReferenceMatchesNumPy runs the official loop (cifar.py/sinkhornknopp.py
// optimize_L_sk, λ = 25, tolerance 0.1) in NumPy float64 on
// x_iy = 3·sin(0.7i + 1.3y) + cos(i·y), P = softmax(x), N = 60, K = 5, and compares:
// 191 iterations, final error 0.07180260814785122, the labels, and the final
// scalings r (column) and c (row) — printed by /usr/bin/python3, NumPy with OpenBLAS.
func TestReferenceMatchesNumPy(t *testing.T) {
	const n, k = 60, 5
	x := make([]float64, n*k)
	for i := range n {
		for y := range k {
			x[i*k+y] = 3*math.Sin(0.7*float64(i)+1.3*float64(y)) + math.Cos(float64(i*y))
		}
	}
	res, err := Solve64(x, n, k, Options{Variant: SinkhornRef, Logits: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations != 191 || !res.Converged {
		t.Errorf("iterations %d (converged %v), NumPy 191", res.Iterations, res.Converged)
	}
	if math.Abs(res.StopErr-0.07180260814785122) > 1e-9 {
		t.Errorf("stopping error %.17g, NumPy 0.07180260814785122", res.StopErr)
	}
	wantLabels := []int32{1, 1, 0, 4, 4, 4, 3, 2, 2, 2, 1, 0, 0, 4, 4, 3, 2, 2, 1, 1, 0, 0, 4, 3, 3, 2, 2, 1, 0, 0, 4, 4, 3, 3, 2, 2, 1, 1, 0, 4, 3, 4, 3, 2, 2, 1, 1, 0, 0, 4, 3, 3, 2, 2, 1, 1, 0, 0, 4, 3}
	if !slices.Equal(res.Labels, wantLabels) {
		t.Errorf("labels\n%v, NumPy\n%v", res.Labels, wantLabels)
	}
	// The official scalings: r = a (column), c = b (row), in the P^λ gauge. Our
	// gauge fixes max LogA = 0, so compare ratios to the first entry.
	wantR := []float64{4.28988498535634e-07, 411221.7896771188, 19772.652310575966, 3133.776061248501, 10579.210796226462}
	wantC := []float64{4.805897963513715e-05, 0.040508973146559914, 356793.5249111978}
	for y := 1; y < k; y++ {
		got := math.Exp(res.LogA[y] - res.LogA[0])
		if want := wantR[y] / wantR[0]; math.Abs(got-want) > 1e-9*want {
			t.Errorf("r[%d]/r[0] = %.15g, NumPy %.15g", y, got, want)
		}
	}
	logB := res.LogB()
	for i := 1; i < 3; i++ {
		got := math.Exp(logB[i] - logB[0])
		if want := wantC[i] / wantC[0]; math.Abs(got-want) > 1e-9*want {
			t.Errorf("c[%d]/c[0] = %.15g, NumPy %.15g", i, got, want)
		}
	}
}

// TestMarginals: at convergence to a tight marginal tolerance the final plan,
// recomputed after the loop, has the requested marginals.
func TestMarginals(t *testing.T) {
	for _, kind := range logits.Kinds {
		L := logProbs(t, 3000, 30, kind, 3, 7)
		masses := make([]float64, 30)
		for y := range masses {
			masses[y] = float64(1+y%3) / 60 // 1/60, 2/60, 3/60 repeating: sums to 1
		}
		for _, v := range []Variant{Sinkhorn, SinkhornLog} {
			for _, r := range [][]float64{nil, masses} {
				res := mustSolve(t, L, 3000, 30, Options{Variant: v, Masses: r, Tol: -1, MarginalTol: 1e-9})
				if !res.Converged || res.MarginalErr > 2e-9 || res.RowMarginalErr > 1e-12 {
					t.Errorf("%v %v masses=%v: converged %v, marginal errors %g (cols), %g (rows)",
						kind, v, r != nil, res.Converged, res.MarginalErr, res.RowMarginalErr)
				}
			}
		}
		// The official rule: Σ|Δb/b| ≤ 1e-6 leaves column errors of the same order.
		res := mustSolve(t, L, 3000, 30, Options{Variant: SinkhornRef, Tol: 1e-6})
		if !res.Converged || res.MarginalErr > 1e-6 || res.RowMarginalErr > 1e-12 {
			t.Errorf("%v ref: converged %v, marginal errors %g, %g", kind, res.Converged, res.MarginalErr, res.RowMarginalErr)
		}
	}
}

// TestVariantsAgree: on a well-conditioned problem the three variants (Sinkhorn
// without acceleration) take the same iterations and give the same labels and
// scalings; Sinkhorn and SinkhornLog give
// the same bits while SinkhornLog does not absorb, and close values when it does.
func TestVariantsAgree(t *testing.T) {
	L := logProbs(t, 4000, 40, logits.Peaked, 4, 3)
	opt := Options{Lambda: 10}
	ref := mustSolve(t, L, 4000, 40, Options{Variant: SinkhornRef, Lambda: 10})
	fast := mustSolve(t, L, 4000, 40, Options{Variant: Sinkhorn, Lambda: 10, Accel: Plain})
	logd := mustSolve(t, L, 4000, 40, Options{Variant: SinkhornLog, Lambda: 10})
	if logd.Rebuilds != 1 {
		t.Fatalf("sinkhorn-log rebuilt the kernel %d times; the bitwise comparison needs none", logd.Rebuilds)
	}
	sameBits(t, "sinkhorn vs sinkhorn-log", fast, logd)
	if ref.Iterations != fast.Iterations {
		t.Errorf("iterations: ref %d, sinkhorn %d", ref.Iterations, fast.Iterations)
	}
	if !slices.Equal(ref.Labels, fast.Labels) {
		t.Errorf("labels differ between ref and sinkhorn")
	}
	closeScalings(t, "ref vs sinkhorn", ref, fast, 1e-6)

	// Forced absorptions (every |log a| > 0.01) and λ-scaling from 2.5: same fixed
	// point to the tolerance.
	opt = Options{Variant: SinkhornLog, Lambda: 10, AbsorbAt: 0.01, LambdaStart: 2.5, Tol: -1, MarginalTol: 1e-12}
	absorbed := mustSolve(t, L, 4000, 40, opt)
	opt.Variant, opt.AbsorbAt, opt.LambdaStart, opt.Accel = Sinkhorn, 0, 0, Plain
	exact := mustSolve(t, L, 4000, 40, opt)
	if absorbed.Rebuilds < 10 {
		t.Errorf("AbsorbAt = 0.01 rebuilt only %d times", absorbed.Rebuilds)
	}
	if !slices.Equal(absorbed.Labels, exact.Labels) {
		t.Errorf("labels differ after absorptions")
	}
	// Each rebuild rounds a differently scaled kernel to float32 (6e-8 per entry),
	// which moves the fixed point by about that much.
	closeScalings(t, "absorbed vs plain", absorbed, exact, 1e-7)
}

func sameBits(t *testing.T, what string, a, b *Result) {
	t.Helper()
	if a.Iterations != b.Iterations || math.Float64bits(a.StopErr) != math.Float64bits(b.StopErr) ||
		math.Float64bits(a.MarginalErr) != math.Float64bits(b.MarginalErr) || a.Converged != b.Converged {
		t.Errorf("%s: iterations %d/%d, stop error %v/%v, marginal error %v/%v",
			what, a.Iterations, b.Iterations, a.StopErr, b.StopErr, a.MarginalErr, b.MarginalErr)
	}
	if !slices.Equal(a.Labels, b.Labels) {
		t.Errorf("%s: labels differ", what)
	}
	for _, pair := range [][2][]float64{{a.LogA, b.LogA}, {a.LogB(), b.LogB()}} {
		for j := range pair[0] {
			if math.Float64bits(pair[0][j]) != math.Float64bits(pair[1][j]) {
				t.Errorf("%s: log scaling %d: %v vs %v", what, j, pair[0][j], pair[1][j])
				return
			}
		}
	}
}

// closeScalings compares log scalings after removing the gauge (the mean of LogA).
func closeScalings(t *testing.T, what string, a, b *Result, tol float64) {
	t.Helper()
	mean := func(v []float64) float64 {
		s := 0.0
		for _, e := range v {
			s += e
		}
		return s / float64(len(v))
	}
	ma, mb := mean(a.LogA), mean(b.LogA)
	for y := range a.LogA {
		if d := math.Abs((a.LogA[y] - ma) - (b.LogA[y] - mb)); d > tol {
			t.Errorf("%s: LogA[%d] differs by %g", what, y, d)
			return
		}
	}
	la, lb := a.LogB(), b.LogB()
	for i := range la {
		if d := math.Abs((la[i] + ma) - (lb[i] + mb)); d > tol {
			t.Errorf("%s: LogB[%d] differs by %g", what, i, d)
			return
		}
	}
}

// TestEquipartition: on the "network" input (Zipf-like class popularity) the
// argmax labels are far from balanced, while SeLa's labels are within a few
// percent of N/K = 200. Bounds: argmax makes the largest cluster over 3× N/K and
// the smallest under 2/3 of it (observed 120..816); the transport labels stay
// within ±10% of N/K.
func TestEquipartition(t *testing.T) {
	const n, k = 6000, 30
	L := logProbs(t, n, k, logits.Network, 4, 11)
	counts := make([]int, k)
	for i := range n {
		row := L[i*k : (i+1)*k]
		counts[argmax(row)]++
	}
	amin, amax := slices.Min(counts), slices.Max(counts)
	if amax < 3*n/k || amin > n/k*2/3 {
		t.Fatalf("argmax labels not imbalanced enough for the test: sizes %d..%d", amin, amax)
	}
	for _, v := range Variants {
		res := mustSolve(t, L, n, k, Options{Variant: v})
		if res.MinSize < n/k*9/10 || res.MaxSize > n/k*11/10 {
			t.Errorf("%v: cluster sizes %d..%d, want within 10%% of %d (argmax: %d..%d)", v, res.MinSize, res.MaxSize, n/k, amin, amax)
		}
		t.Logf("%v: sizes %d..%d (argmax %d..%d), %d iterations", v, res.MinSize, res.MaxSize, amin, amax, res.Iterations)
	}
}

func argmax(row []float32) int {
	best := 0
	for y, v := range row {
		if v > row[best] {
			best = y
		}
	}
	return best
}

// TestDeterminism: the same input gives the same bits for any GOMAXPROCS and any
// Workers; the problem spans many chunks.
func TestDeterminism(t *testing.T) {
	const n, k = 24000, 100 // 16 chunks of 1500 rows
	if p := newPlan(n, k, 4); p.chunks < 4 {
		t.Fatalf("only %d chunks", p.chunks)
	}
	L := logProbs(t, n, k, logits.Network, 4, 5)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, opt := range []Options{
		{Variant: Sinkhorn, MaxIter: 200},
		{Variant: SinkhornLog, Lambda: 50, AbsorbAt: 2, MaxIter: 200},
	} {
		var first *Result
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			for _, workers := range []int{0, 3} {
				o := opt
				o.Workers = workers
				res := mustSolve(t, L, n, k, o)
				if first == nil {
					first = res
					continue
				}
				sameBits(t, opt.Variant.String(), first, res)
			}
		}
	}
}

// TestIterationCap: hitting MaxIter is reported, not an error.
func TestIterationCap(t *testing.T) {
	L := logProbs(t, 500, 10, logits.Gaussian, 3, 1)
	for _, v := range Variants {
		res := mustSolve(t, L, 500, 10, Options{Variant: v, MaxIter: 5, Tol: 1e-12})
		if res.Converged || res.Iterations != 5 || !strings.Contains(res.Reason, "cap") {
			t.Errorf("%v: converged %v after %d iterations (%s), want false after 5", v, res.Converged, res.Iterations, res.Reason)
		}
		if len(res.Labels) != 500 || res.MinSize+res.MaxSize == 0 {
			t.Errorf("%v: no labels after the cap", v)
		}
	}
}

// TestLargeLambda: at λ = 1000 the official scheme's P^λ underflows and the float32
// kernel loses whole clusters, while SinkhornLog converges to a balanced plan.
func TestLargeLambda(t *testing.T) {
	const n, k = 2000, 20
	L := logProbs(t, n, k, logits.Network, 3, 1)
	for _, v := range []Variant{SinkhornRef, Sinkhorn} {
		res, err := Solve(L, n, k, Options{Variant: v, Lambda: 1000})
		if !errors.Is(err, ErrNumerical) && (err != nil || res.Converged) {
			t.Errorf("%v at λ = 1000: err %v, want ErrNumerical or no convergence", v, err)
		}
	}
	res := mustSolve(t, L, n, k, Options{Variant: SinkhornLog, Lambda: 1000})
	if !res.Converged || res.MarginalErr > 1e-4 || res.MinSize < n/k*95/100 || res.MaxSize > n/k*105/100 {
		t.Errorf("sinkhorn-log at λ = 1000: converged %v, marginal error %g, sizes %d..%d",
			res.Converged, res.MarginalErr, res.MinSize, res.MaxSize)
	}
	// Larger λ moves the plan towards the hard assignment: the objective cannot
	// rise much above the λ = 25 one.
	soft := mustSolve(t, L, n, k, Options{Variant: SinkhornLog})
	if res.Objective > soft.Objective+1e-3 {
		t.Errorf("objective at λ = 1000 (%v) above λ = 25 (%v)", res.Objective, soft.Objective)
	}
}

// TestRescue: a cluster whose log-probability is −100 for every sample has no mass
// in the float32 kernel at λ = 25 (exp(−2500) = 0): Sinkhorn and SinkhornRef report
// it, SinkhornLog rescues it with an exact log-domain update and still balances.
func TestRescue(t *testing.T) {
	const n, k = 400, 4
	L := logProbs(t, n, k, logits.Gaussian, 1, 2)
	for i := range n {
		L[i*k+3] = -100
	}
	for _, v := range []Variant{SinkhornRef, Sinkhorn} {
		_, err := Solve(L, n, k, Options{Variant: v})
		if !errors.Is(err, ErrNumerical) || !strings.Contains(err.Error(), "3") {
			t.Errorf("%v: err %v, want ErrNumerical naming cluster 3", v, err)
		}
	}
	res := mustSolve(t, L, n, k, Options{Variant: SinkhornLog, Tol: -1, MarginalTol: 1e-8})
	if !res.Converged || res.MinSize < 95 || res.MaxSize > 105 {
		t.Errorf("sinkhorn-log: converged %v, sizes %d..%d, marginal error %g", res.Converged, res.MinSize, res.MaxSize, res.MarginalErr)
	}
}

// TestUnbalanced checks the relaxed marginal against its optimality condition,
// derived independently of the iteration: for
// min ⟨Q,−L⟩ + (1/λ)KL(Q‖rcᵀ) + τ·KL(Qᵀ1‖r) with Q1 = c, stationarity gives
// Q_iy = r_y c_i P_iy^λ e^{−λ f_i} (q_y/r_y)^{−λτ}, q = Qᵀ1, so
// LogA_y − log r_y + λτ·log(q_y/r_y) is the same for every cluster.
func TestUnbalanced(t *testing.T) {
	const n, k = 3000, 12
	L := logProbs(t, n, k, logits.Network, 3, 9)
	masses := make([]float64, k)
	for y := range masses {
		masses[y] = float64(2+y%2) / 30 // 2/30, 3/30 alternating: sums to 1
	}
	balanced := mustSolve(t, L, n, k, Options{Masses: masses})
	prevErr := 0.0
	for _, tau := range []float64{0.01, 0.1, 1} {
		for _, v := range []Variant{Sinkhorn, SinkhornLog} {
			res := mustSolve(t, L, n, k, Options{Variant: v, Masses: masses, Tau: tau, Tol: 1e-9, CheckEvery: 1})
			q := make([]float64, k)
			for _, row := range planOf(res, L) {
				for y, e := range row {
					q[y] += e
				}
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for y := range q {
				g := res.LogA[y] - math.Log(masses[y]) + res.Lambda*tau*math.Log(q[y]/masses[y])
				lo, hi = math.Min(lo, g), math.Max(hi, g)
			}
			if hi-lo > 1e-6 {
				t.Errorf("τ = %v %v: optimality condition spread %g", tau, v, hi-lo)
			}
			if res.MarginalErr <= balanced.MarginalErr {
				t.Errorf("τ = %v %v: relaxed marginal error %g not above the balanced %g", tau, v, res.MarginalErr, balanced.MarginalErr)
			}
			if res.Objective > balanced.Objective {
				t.Errorf("τ = %v %v: objective %v above the balanced %v", tau, v, res.Objective, balanced.Objective)
			}
			if v == Sinkhorn {
				// Weaker relaxation (larger τ) stays closer to r.
				if prevErr != 0 && res.MarginalErr >= prevErr {
					t.Errorf("τ = %v: marginal error %g did not fall (previous %g)", tau, res.MarginalErr, prevErr)
				}
				prevErr = res.MarginalErr
			}
		}
	}
	// τ = +Inf and τ = 0 are the balanced problem, bit for bit.
	inf := mustSolve(t, L, n, k, Options{Masses: masses, Tau: math.Inf(1)})
	sameBits(t, "τ = +Inf vs balanced", balanced, inf)
}

// TestInputs: Solve64 on the same values and Solve with Logits on raw scores give
// the same result as Solve on float32 log-probabilities, and the caller's slice is
// not modified.
func TestInputs(t *testing.T) {
	const n, k = 1000, 16
	x, err := logits.Generate(logits.Spec{N: n, K: k, Kind: logits.Peaked, Scale: 3, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	raw := slices.Clone(x)
	for _, v := range Variants {
		viaLogits := mustSolve(t, x, n, k, Options{Variant: v, Logits: true})
		if !slices.Equal(x, raw) {
			t.Fatalf("%v modified the input", v)
		}
		L := slices.Clone(x)
		logits.LogSoftmax(L, n, k)
		direct := mustSolve(t, L, n, k, Options{Variant: v})
		if !slices.Equal(viaLogits.Labels, direct.Labels) {
			t.Errorf("%v: labels differ between Logits and log-softmaxed input", v)
		}
		closeScalings(t, v.String()+" logits", viaLogits, direct, 1e-4)
		L64 := make([]float64, len(L))
		for j, e := range L {
			L64[j] = float64(e)
		}
		wide, err := Solve64(L64, n, k, Options{Variant: v})
		if err != nil {
			t.Fatal(err)
		}
		sameBits(t, v.String()+" Solve64", direct, wide)
	}
}

// TestErrors covers every input check and the numerical failures.
func TestErrors(t *testing.T) {
	good := logProbs(t, 10, 3, logits.Gaussian, 1, 1)
	with := func(j int, v float32) []float32 {
		L := slices.Clone(good)
		L[j] = v
		return L
	}
	for _, tc := range []struct {
		name    string
		L       []float32
		n, k    int
		opt     Options
		want    error
		message string
	}{
		{"N = 0", nil, 0, 3, Options{}, ErrInput, "N = 0"},
		{"K = 0", nil, 10, 0, Options{}, ErrInput, "K = 0"},
		{"K > N", make([]float32, 12), 3, 4, Options{}, ErrInput, "exceed"},
		{"short L", good[:29], 10, 3, Options{}, ErrInput, "len(L) = 29"},
		{"NaN", with(7, float32(math.NaN())), 10, 3, Options{}, ErrInput, "row 2, column 1 is NaN"},
		{"+Inf", with(29, float32(math.Inf(1))), 10, 3, Options{}, ErrInput, "row 9, column 2 is +Inf"},
		{"-Inf", with(0, float32(math.Inf(-1))), 10, 3, Options{}, ErrInput, "row 0, column 0 is -Inf"},
		{"negative λ", good, 10, 3, Options{Lambda: -1}, ErrInput, "lambda"},
		{"NaN λ", good, 10, 3, Options{Lambda: math.NaN()}, ErrInput, "lambda"},
		{"Inf λ", good, 10, 3, Options{Lambda: math.Inf(1)}, ErrInput, "lambda"},
		{"masses length", good, 10, 3, Options{Masses: []float64{0.5, 0.5}}, ErrInput, "length 2"},
		{"masses zero", good, 10, 3, Options{Masses: []float64{0.5, 0.5, 0}}, ErrInput, "masses[2] = 0"},
		{"masses negative", good, 10, 3, Options{Masses: []float64{0.6, 0.6, -0.2}}, ErrInput, "masses[2]"},
		{"masses NaN", good, 10, 3, Options{Masses: []float64{math.NaN(), 0.5, 0.5}}, ErrInput, "masses[0]"},
		{"masses sum", good, 10, 3, Options{Masses: []float64{0.3, 0.3, 0.3}}, ErrInput, "sum to"},
		{"variant", good, 10, 3, Options{Variant: Variant(7)}, ErrInput, "variant"},
		{"NaN tol", good, 10, 3, Options{Tol: math.NaN()}, ErrInput, "tol"},
		{"check every", good, 10, 3, Options{CheckEvery: -1}, ErrInput, "check-every"},
		{"max iter", good, 10, 3, Options{MaxIter: -1}, ErrInput, "max-iter"},
		{"marginal tol", good, 10, 3, Options{MarginalTol: -1}, ErrInput, "marginal-tol"},
		{"no rule", good, 10, 3, Options{Tol: -1}, ErrInput, "no stopping rule"},
		{"tau", good, 10, 3, Options{Tau: -1}, ErrInput, "tau"},
		{"tau with marginal tol", good, 10, 3, Options{Tau: 1, MarginalTol: 1e-6}, ErrInput, "balanced"},
		{"ref tau", good, 10, 3, Options{Variant: SinkhornRef, Tau: 1}, ErrInput, "tau"},
		{"ref marginal tol", good, 10, 3, Options{Variant: SinkhornRef, MarginalTol: 1e-6}, ErrInput, "marginal-tol"},
		{"lambda start", good, 10, 3, Options{Variant: SinkhornLog, LambdaStart: -1}, ErrInput, "lambda-start"},
		{"lambda start not log", good, 10, 3, Options{LambdaStart: 5}, ErrInput, "sinkhorn-log only"},
		{"absorb at", good, 10, 3, Options{Variant: SinkhornLog, AbsorbAt: math.NaN()}, ErrInput, "absorb-at"},
		{"workers", good, 10, 3, Options{Workers: -2}, ErrInput, "workers"},
		{"ref underflow", good, 10, 3, Options{Variant: SinkhornRef, Lambda: 1e5}, ErrNumerical, "row 0 of P^λ"},
		{"kernel column", good, 10, 3, Options{Lambda: 1e5}, ErrNumerical, "cluster"},
	} {
		_, err := Solve(tc.L, tc.n, tc.k, tc.opt)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("%s: err = %v, want %v containing %q", tc.name, err, tc.want, tc.message)
		}
	}
	if _, err := ParseVariant("sinkhorn-fast"); !errors.Is(err, ErrInput) {
		t.Errorf("ParseVariant: err = %v", err)
	}
	for _, v := range Variants {
		if got, err := ParseVariant(v.String()); err != nil || got != v {
			t.Errorf("ParseVariant(%q) = %v, %v", v.String(), got, err)
		}
	}
}

// TestStreamSum: the ceiling loop really reads (and sums) every entry.
func TestStreamSum(t *testing.T) {
	const n, k = 5001, 77
	x := make([]float32, n*k)
	for j := range x {
		x[j] = float32(j%5) * 0.5 // sums exactly in float32 per chunk
	}
	want := 0.0
	for _, v := range x {
		want += float64(v)
	}
	for _, w := range []int{1, 2, 0} {
		if got := StreamSum(x, n, k, w); got != want {
			t.Errorf("workers %d: %v, want %v", w, got, want)
		}
	}
	// Every length, around the vector blocks of 64 and 32 and the tail of 8.
	for m := range 300 {
		v := x[7 : 7+m]
		want := 0.0
		for _, e := range v {
			want += float64(e)
		}
		if got := sum32(v); float64(got) != want {
			t.Errorf("sum32 of %d values: %v, want %v", m, got, want)
		}
	}
}

// TestWorkspace: a reused Workspace (stale buffers, larger then smaller problems,
// switching variants) gives the same bits as fresh solves.
func TestWorkspace(t *testing.T) {
	var w Workspace
	for _, c := range []struct {
		n, k int
		v    Variant
	}{{3000, 30, Sinkhorn}, {500, 10, SinkhornLog}, {3000, 30, SinkhornRef}, {800, 20, Sinkhorn}, {3000, 30, SinkhornLog}} {
		L := logProbs(t, c.n, c.k, logits.Network, 3, uint64(c.n))
		opt := Options{Variant: c.v, Logits: c.n == 800}
		got, err := w.Solve(L, c.n, c.k, opt)
		if err != nil {
			t.Fatal(err)
		}
		sameBits(t, fmt.Sprintf("%v %d×%d", c.v, c.n, c.k), mustSolve(t, L, c.n, c.k, opt), got)
	}
}
