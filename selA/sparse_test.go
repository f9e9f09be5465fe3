package sela

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/rng"
)

// TestSparseRoutinesMatchGo: the machine's extraction, sparse pass, sweep and
// argmax routines (assembly on amd64) give exactly the bits of the portable
// definitions, for row lengths around the vector widths and thresholds that keep
// none, some or all entries.
func TestSparseRoutinesMatchGo(t *testing.T) {
	t.Logf("kernel: %s", kernelName)
	for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 33, 64, 100, 1000, 1003} {
		const rows = 9
		g, a := kernelCase(rows, k, uint64(7000+k))
		b := make([]float64, rows)
		fusedRowsGo(g, k, a, 1.0/3, b, make([]float64, k))
		for _, theta := range []float64{0, 1e-12, 1e-3, 0.2, 10} {
			var want, got sparseChunk
			for _, sc := range []*sparseChunk{&want, &got} {
				sc.off = append(sc.off[:0], 0)
				sc.reserve(rows*k + 8)
			}
			extractRowsGo(&want, g, k, a, 1.0/3, theta, b)
			extractRows(&got, g, k, a, 1.0/3, theta, b)
			if !slices.Equal(want.off, got.off) || !slices.Equal(want.col, got.col) ||
				!slices.Equal(bitsOf32(want.val), bitsOf32(got.val)) {
				t.Fatalf("k=%d θ=%g: extraction differs: offsets %v vs %v", k, theta, want.off, got.off)
			}
			// Every kept entry passes the criterion and every dropped one fails it.
			kept := 0
			for i := range rows {
				th := theta * (1.0 / 3 / b[i])
				for y := range k {
					if float64(g[i*k+y])*a[y] >= th {
						kept++
					}
				}
			}
			if kept != len(want.val) {
				t.Fatalf("k=%d θ=%g: kept %d entries, the criterion keeps %d", k, theta, len(want.val), kept)
			}
			if len(want.val) == 0 {
				continue
			}
			b1, b2 := make([]float64, rows), make([]float64, rows)
			s1, s2 := make([]float64, k), make([]float64, k)
			for y := range s1 {
				s1[y] = float64(y) * 0.5
				s2[y] = s1[y]
			}
			sparseRowsGo(&want, a, 0.25, b1, s1)
			sparseRows(&want, a, 0.25, b2, s2)
			if !slices.Equal(bitsOf(b1), bitsOf(b2)) || !slices.Equal(bitsOf(s1), bitsOf(s2)) {
				t.Fatalf("k=%d θ=%g: sparse pass differs from Go: b %v vs %v", k, theta, b1, b2)
			}
			// and computes the dot product over the kept entries (plain float64 sum).
			for i := range rows {
				d := 0.0
				for j := want.off[i]; j < want.off[i+1]; j++ {
					d += float64(want.val[j]) * a[want.col[j]]
				}
				if d > 0 && math.Abs(0.25/d-b1[i]) > 1e-13*b1[i] {
					t.Fatalf("k=%d θ=%g: row %d: b = %v, plain sum gives %v", k, theta, i, b1[i], 0.25/d)
				}
			}
		}
		d1, d2 := make([]float64, rows), make([]float64, rows)
		s1, s2 := make([]float64, k), make([]float64, k)
		sweepRowsGo(g, k, a, b, d1, s1)
		sweepRows(g, k, a, b, d2, s2)
		if !slices.Equal(bitsOf(d1), bitsOf(d2)) || !slices.Equal(bitsOf(s1), bitsOf(s2)) {
			t.Fatalf("k=%d: sweep differs from Go", k)
		}
		l1, l2 := make([]int32, rows), make([]int32, rows)
		argmaxRowsGo(g, k, a, l1)
		argmaxRows(g, k, a, l2)
		if !slices.Equal(l1, l2) {
			t.Fatalf("k=%d: argmax %v, Go %v", k, l2, l1)
		}
	}
	// Ties: the first maximum wins, also when it sits in the partial block.
	g := []float32{0.5, 1, 0.25, 1, 1, 0, 0, 0, 0, 1, 0.5}
	a := []float64{1, 0.5, 2, 0.5, 0.5, 1, 1, 1, 1, 0.5, 1}
	lab := make([]int32, 1)
	argmaxRows(g, len(g), a, lab)
	if lab[0] != 0 { // products 0.5, 0.5, 0.5, 0.5, 0.5, 0, ..., 0.5, 0.5
		t.Errorf("tie: label %d, want 0", lab[0])
	}
	g[0] = 0.25 // now the largest product, 0.5, is first reached at y = 1
	argmaxRows(g, len(g), a, lab)
	if lab[0] != 1 {
		t.Errorf("tie: label %d, want 1", lab[0])
	}
	clear(g) // a row without mass: every product is 0, the first is y = 0
	argmaxRows(g, len(g), a, lab)
	if lab[0] != 0 {
		t.Errorf("zero row: label %d, want 0", lab[0])
	}
}

func bitsOf(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = math.Float64bits(x)
	}
	return out
}

func bitsOf32(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = math.Float32bits(x)
	}
	return out
}

// sparseSetup builds Sinkhorn's kernel for L and runs iters dense iterations.
func sparseSetup(t *testing.T, L []float32, n, k int, opt Options, iters int) (*kernel, *loop, *config, *sparseKernel) {
	t.Helper()
	w := new(Workspace)
	cfg, err := newConfig(n, k, opt)
	if err != nil {
		t.Fatal(err)
	}
	in, err := newInput(w, L, n, k, cfg.workers)
	if err != nil {
		t.Fatal(err)
	}
	kn := newKernel(w, n, k, cfg.workers, nil)
	l := newLoop(w, cfg, n, k)
	b0 := initialB(w, in, cfg.lambda, kn.p)
	build(kn, in, cfg.lambda, nil, b0, l.s)
	updateA(l.a, cfg.r, l.s, cfg.phi)
	l.restart(b0)
	for it := 1; it <= iters; it++ {
		if _, err := l.step(kn.pass, it, Sinkhorn); err != nil {
			t.Fatal(err)
		}
		updateA(l.a, cfg.r, l.s, cfg.phi)
	}
	return kn, l, cfg, newSparse(w, kn, cfg)
}

// TestSparseBound: the bound a sparse pass is held to is a true bound. A truncated
// kernel is extracted at some a; then, for scalings drifted from it by factors up
// to κ, the sparse pass's b and s are compared with the dense pass's from the same
// a. The "edge" input puts K−1 entries of every row just below the threshold, so
// that the dropped mass nearly reaches the bound.
func TestSparseBound(t *testing.T) {
	const n, k = 600, 40
	edge := make([]float32, n*k)
	for i := range n {
		for y := range k {
			edge[i*k+y] = -1.4 // exp(25·(−1.4)) = 6.3e-16 relative to the peak
		}
		edge[i*k+i%k] = 0
	}
	for _, tc := range []struct {
		name string
		L    []float32
	}{
		{"network", logProbs(t, n, k, logits.Network, 4, 21)},
		{"edge", edge},
	} {
		kn, l, _, sp := sparseSetup(t, tc.L, n, k, Options{Kernel: KernelSparse}, 30)
		c := 1 / float64(n)
		bRef := make([]float64, n)
		if _, bad := sp.extract(l.a, c, bRef, nil, l.s); bad >= 0 || !sp.valid {
			t.Fatalf("%s: extraction failed (bad row %d)", tc.name, bad)
		}
		t.Logf("%s: θ = %.3g, density %.4f, ρ_row %.3g, ρ_col %.3g", tc.name, sp.theta, sp.density, sp.rhoRow, sp.rhoCol)
		src := rng.New(3, "sela/sparse-bound")
		prevBound := 0.0
		for _, kappa := range []float64{1, 10, 1e3, 1e5, 1e7} {
			a := make([]float64, k)
			for y := range a {
				a[y] = sp.aRef[y] * math.Pow(kappa, src.Float64())
			}
			bound := sp.bound(a)
			bs, bd := make([]float64, n), make([]float64, n)
			ss, sd := make([]float64, k), make([]float64, k)
			sp.pass(a, c, bs, nil, ss)
			kn.pass(a, c, bd, nil, sd)
			worst := 0.0
			for i := range bs {
				worst = max(worst, math.Abs(bs[i]/bd[i]-1))
			}
			for y := range ss {
				worst = max(worst, math.Abs(ss[y]/sd[y]-1))
			}
			// The bound holds in exact arithmetic; the two passes also sum in different
			// orders (relative 1e-15 for these row lengths).
			if worst > bound+1e-14 {
				t.Errorf("%s κ=%g: sparse and dense passes differ by %.3g, bound %.3g", tc.name, kappa, worst, bound)
			}
			if bound < prevBound {
				t.Errorf("%s κ=%g: bound %.3g fell (previous %.3g)", tc.name, kappa, bound, prevBound)
			}
			prevBound = bound
			t.Logf("%s κ=%g: difference %.3g, bound %.3g", tc.name, kappa, worst, bound)
			if tc.name == "edge" && kappa == 10 && worst < bound/1000 {
				t.Errorf("edge κ=10: difference %.3g is far below the bound %.3g: the input is not hostile", worst, bound)
			}
		}
		// Past the headroom the bound exceeds sparseEps, and the driver refuses the
		// truncated kernel.
		if prevBound <= sparseEps {
			t.Errorf("%s: bound %.3g at κ = 1e7 does not exceed %g", tc.name, prevBound, sparseEps)
		}
		a := make([]float64, k)
		copy(a, sp.aRef)
		a[0] *= 1e7
		sp.havePrev = false
		if sp.choose(a); sp.last == sparsePass {
			t.Errorf("%s: choose returned the sparse pass at bound %.3g", tc.name, sp.bound(a))
		}
	}
}

// TestSparseMatchesDense: with the truncated kernel (forced, whatever the size),
// Sinkhorn takes the same iterations and gives the same labels as with the dense
// kernel, and its scalings and marginal errors agree to 1e-6 — on every input kind
// and several λ, plain and accelerated (whose last stopping error, a small
// difference of nearly equal scalings, agrees to 1e-5 relative rather than 1e-6). Iterations could differ only if a checked stopping error came
// within ~N·1e-9 (the accumulated truncation bound) of the tolerance; none does here.
func TestSparseMatchesDense(t *testing.T) {
	const n, k = 3000, 50
	for _, kind := range logits.Kinds {
		scale := 1.0
		if kind != logits.Gaussian {
			scale = 4
		}
		L := logProbs(t, n, k, kind, scale, 17)
		for _, c := range []struct {
			lam   float64
			accel Acceleration
		}{{10, Plain}, {25, Plain}, {50, Plain}, {100, Plain}, {10, Anderson}, {25, Anderson}, {50, Anderson}, {100, Anderson}} {
			lam := c.lam
			name := fmt.Sprintf("%v/λ=%v/%v", kind, lam, c.accel)
			dense, errD := Solve(L, n, k, Options{Lambda: lam, Kernel: KernelDense, Accel: c.accel})
			sparse, errS := Solve(L, n, k, Options{Lambda: lam, Kernel: KernelSparse, Accel: c.accel})
			if errD != nil || errS != nil {
				if !errors.Is(errD, ErrNumerical) || !errors.Is(errS, ErrNumerical) {
					t.Errorf("%s: errors differ: dense %v, sparse %v", name, errD, errS)
				}
				continue
			}
			if sparse.Kernel != KernelSparse || sparse.SparsePasses == 0 || sparse.TruncationBound > sparseEps {
				t.Errorf("%s: kernel %v, %d sparse passes, bound %g", name, sparse.Kernel, sparse.SparsePasses, sparse.TruncationBound)
			}
			if dense.Kernel != KernelDense || dense.SparsePasses != 0 {
				t.Errorf("%s: dense solve used the sparse kernel", name)
			}
			if sparse.Iterations != dense.Iterations || sparse.Converged != dense.Converged {
				t.Errorf("%s: iterations %d (converged %v), dense %d (%v)", name, sparse.Iterations, sparse.Converged, dense.Iterations, dense.Converged)
			}
			if !slices.Equal(sparse.Labels, dense.Labels) {
				t.Errorf("%s: labels differ", name)
			}
			stopTol := 1e-6
			if c.accel == Anderson {
				stopTol = 1e-5 // the extrapolation amplifies the 1e-9 differences a little
			}
			if d := math.Abs(sparse.StopErr - dense.StopErr); d > stopTol*dense.StopErr {
				t.Errorf("%s: stop error %v, dense %v", name, sparse.StopErr, dense.StopErr)
			}
			if d := math.Abs(sparse.MarginalErr - dense.MarginalErr); d > 1e-6 {
				t.Errorf("%s: marginal error %v, dense %v", name, sparse.MarginalErr, dense.MarginalErr)
			}
			closeScalings(t, name, sparse, dense, 1e-6)
			t.Logf("%s: %d iterations (%d sparse, %d extractions, density %.3f), marginal error %.3g vs %.3g",
				name, sparse.Iterations, sparse.SparsePasses, sparse.Extractions, sparse.Density, sparse.MarginalErr, dense.MarginalErr)
		}
	}
}

// TestSparseHostile: scalings that span 29 orders of magnitude and keep drifting
// for dozens of iterations (λ = 50 on the imbalanced network input) invalidate
// each truncated kernel after a few iterations: the bound check must refuse it,
// re-extract, and still reproduce the dense result.
func TestSparseHostile(t *testing.T) {
	const n, k = 3000, 50
	L := logProbs(t, n, k, logits.Network, 3, 23)
	opt := Options{Lambda: 50, Tol: -1, MarginalTol: 1e-8}
	dense := mustSolve(t, L, n, k, opt)
	opt.Kernel = KernelSparse
	sparse := mustSolve(t, L, n, k, opt)
	lo, hi := slices.Min(dense.LogA), slices.Max(dense.LogA)
	if hi-lo < 25*math.Ln10 {
		t.Fatalf("log scalings span only %.3g: the input is not hostile", (hi-lo)/math.Ln10)
	}
	if sparse.Extractions < 3 {
		t.Errorf("only %d extractions: the bound never refused a drifted kernel", sparse.Extractions)
	}
	if sparse.Iterations != dense.Iterations || !slices.Equal(sparse.Labels, dense.Labels) {
		t.Errorf("iterations %d vs %d, labels equal %v", sparse.Iterations, dense.Iterations, slices.Equal(sparse.Labels, dense.Labels))
	}
	if math.Abs(sparse.MarginalErr-dense.MarginalErr) > 1e-9 {
		t.Errorf("marginal error %v, dense %v", sparse.MarginalErr, dense.MarginalErr)
	}
	closeScalings(t, "hostile", sparse, dense, 1e-6)
	t.Logf("scalings span 1e%.0f; %d iterations: %d sparse, %d extractions, %d plain dense",
		(hi-lo)/math.Ln10, sparse.Iterations, sparse.SparsePasses, sparse.Extractions, sparse.Iterations-sparse.SparsePasses-sparse.Extractions)
}

// TestSparseAuto: KernelAuto keeps small kernels dense, uses the truncated one
// above sparseMinBytes, and gives it up (bit for bit the dense result) when an
// extraction keeps too many entries (λ = 1: the kernel is nearly flat).
func TestSparseAuto(t *testing.T) {
	const n, k = 2000, 1000 // at λ = 25 about 5 % of the entries are kept
	L := logProbs(t, n, k, logits.Gaussian, 1, 29)
	small := mustSolve(t, L, n, k, Options{})
	if small.Kernel != KernelDense || small.Extractions != 0 {
		t.Errorf("%d-byte kernel: %v with %d extractions, want dense", small.KernelBytes, small.Kernel, small.Extractions)
	}
	defer func(old int64) { sparseMinBytes = old }(sparseMinBytes)
	sparseMinBytes = 0
	auto := mustSolve(t, L, n, k, Options{})
	if auto.Kernel != KernelSparse || auto.Density > sparseMaxDensity {
		t.Errorf("auto: %v, density %v", auto.Kernel, auto.Density)
	}
	flat := mustSolve(t, L, n, k, Options{Lambda: 1})
	if flat.Kernel != KernelDense || flat.Extractions != 1 || flat.SparsePasses != 0 {
		t.Errorf("λ = 1: %v, %d extractions, %d sparse passes; want one extraction, then dense", flat.Kernel, flat.Extractions, flat.SparsePasses)
	}
	sameBits(t, "auto at λ = 1 vs dense", flat, mustSolve(t, L, n, k, Options{Lambda: 1, Kernel: KernelDense}))
}

// TestSparseDeterminism: the truncated kernel gives the same bits for any
// GOMAXPROCS and Workers, and in a reused Workspace.
func TestSparseDeterminism(t *testing.T) {
	const n, k = 24000, 100
	L := logProbs(t, n, k, logits.Network, 4, 5)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first *Result
	var w Workspace
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, workers := range []int{0, 3} {
			res, err := w.Solve(L, n, k, Options{Kernel: KernelSparse, Workers: workers, MaxIter: 200})
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = res
				if res.SparsePasses == 0 {
					t.Fatal("no sparse passes")
				}
				continue
			}
			sameBits(t, fmt.Sprintf("GOMAXPROCS %d, workers %d", procs, workers), first, res)
		}
	}
}

// TestKernelModeErrors: the truncated kernel is Sinkhorn's only.
func TestKernelModeErrors(t *testing.T) {
	L := logProbs(t, 10, 3, logits.Gaussian, 1, 1)
	for _, opt := range []Options{
		{Variant: SinkhornLog, Kernel: KernelSparse},
		{Variant: SinkhornRef, Kernel: KernelSparse},
		{Kernel: KernelMode(9)},
	} {
		if _, err := Solve(L, 10, 3, opt); !errors.Is(err, ErrInput) {
			t.Errorf("%v kernel %v: err %v, want ErrInput", opt.Variant, opt.Kernel, err)
		}
	}
	for _, m := range []KernelMode{KernelAuto, KernelDense, KernelSparse} {
		if got, err := ParseKernelMode(m.String()); err != nil || got != m {
			t.Errorf("ParseKernelMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseKernelMode("csr"); !errors.Is(err, ErrInput) {
		t.Errorf("ParseKernelMode(csr): err %v", err)
	}
}
