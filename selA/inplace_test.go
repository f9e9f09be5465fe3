package sela

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/selabench/selabench/internal/logits"
)

// inPlaceTol is the documented bound on |Objective(SolveInPlace) − Objective(Solve)|
// and on every recovered log-probability: 1.3e-7/λ (see SolveInPlace), plus float64
// rounding.
func inPlaceTol(lam float64) float64 { return 1.3e-7/lam + 1e-12 }

// sameInPlace checks that an in-place result equals the out-of-place one in every
// field but Objective (within inPlaceTol) and the timings.
func sameInPlace(t *testing.T, what string, out, in *Result) {
	t.Helper()
	sameBits(t, what, out, in)
	if math.Float64bits(out.RowMarginalErr) != math.Float64bits(in.RowMarginalErr) ||
		out.MinSize != in.MinSize || out.MaxSize != in.MaxSize || out.Passes != in.Passes ||
		out.Kernel != in.Kernel || out.SparsePasses != in.SparsePasses || out.Extractions != in.Extractions ||
		math.Float64bits(out.Density) != math.Float64bits(in.Density) || out.StreamedBytes != in.StreamedBytes ||
		out.Reason != in.Reason {
		t.Errorf("%s: statistics differ:\n  out-of-place %+v\n  in place     %+v", what, *out, *in)
	}
	if d := math.Abs(out.Objective - in.Objective); d > inPlaceTol(out.Lambda) {
		t.Errorf("%s: objective %v in place, %v out of place (|Δ| = %g > %g)", what, in.Objective, out.Objective, d, inPlaceTol(out.Lambda))
	}
}

// checkClobbered checks what SolveInPlace documents L holds afterwards: bit for bit
// expKernel(λ·(x_iy − max_y x_iy)) for the original input x (raw logits or
// log-probabilities alike), every row's maximum exactly 1. It returns the number of
// zero (underflowed) entries and the largest error of the recovery
// max x + log(G)/λ − x over the non-zero ones.
func checkClobbered(t *testing.T, what string, x, g []float32, n, k int, lam float64) (zeros int, maxErr float64) {
	t.Helper()
	for i := range n {
		row, grow := x[i*k:(i+1)*k], g[i*k:(i+1)*k]
		xm := float64(slices.Max(row))
		if m := slices.Max(grow); m != 1 {
			t.Errorf("%s: row %d of the clobbered input has maximum %v, want 1", what, i, m)
			return
		}
		for y, v := range row {
			want := expKernel(lam * (float64(v) - xm))
			if grow[y] != want {
				t.Errorf("%s: L[%d,%d] = %v after the solve, want the kernel entry %v", what, i, y, grow[y], want)
				return
			}
			if want == 0 {
				zeros++
				continue
			}
			maxErr = max(maxErr, math.Abs(xm+math.Log(float64(want))/lam-float64(v)))
		}
	}
	return zeros, maxErr
}

// TestInPlaceMatchesSolve: SolveInPlace gives Solve's results on every input kind,
// several λ, the dense and the truncated kernel, log-probabilities and raw logits;
// the input then holds the kernel, from which every log-probability is recovered
// within the documented 1.3e-7/λ (the objective's bound). At λ ≥ 50 many kernel
// entries underflow to 0; the objective still matches, since labels never sit on one.
func TestInPlaceMatchesSolve(t *testing.T) {
	type tc struct {
		kind   logits.Kind
		scale  float64
		n, k   int
		lambda float64
		kernel KernelMode
		logits bool
	}
	var cases []tc
	for _, kind := range logits.Kinds {
		scale := 4.0
		lambdas := []float64{10, 25, 50} // network at λ = 50 breaks down: both must say so
		switch kind {
		case logits.Gaussian:
			scale = 1
			lambdas = append(lambdas, 100)
		case logits.Peaked:
			lambdas = lambdas[:2] // thousands of iterations beyond
		}
		for _, lam := range lambdas {
			for _, m := range []KernelMode{KernelDense, KernelSparse} {
				cases = append(cases, tc{kind, scale, 3000, 50, lam, m, lam == 25})
			}
		}
	}
	if !testing.Short() {
		// Medium problems: 24 MB, above sparseMinBytes, so KernelAuto truncates.
		cases = append(cases,
			tc{logits.Network, 4, 60000, 100, 25, KernelAuto, false},
			tc{logits.Gaussian, 1, 60000, 100, 25, KernelDense, true},
			tc{logits.Network, 4, 60000, 100, 10, KernelDense, false},
		)
	}
	zeros, solved := 0, 0
	for _, c := range cases {
		name := fmt.Sprintf("%v/n=%d/k=%d/λ=%v/kernel=%v/logits=%v", c.kind, c.n, c.k, c.lambda, c.kernel, c.logits)
		x, err := logits.Generate(logits.Spec{N: c.n, K: c.k, Kind: c.kind, Scale: c.scale, Seed: 31})
		if err != nil {
			t.Fatal(err)
		}
		if !c.logits {
			logits.LogSoftmax(x, c.n, c.k)
		}
		opt := Options{Lambda: c.lambda, Kernel: c.kernel, Logits: c.logits}
		out, errOut := Solve(x, c.n, c.k, opt)
		g := slices.Clone(x)
		in, errIn := SolveInPlace(g, c.n, c.k, opt)
		if errOut != nil || errIn != nil {
			if !errors.Is(errOut, ErrNumerical) || errIn == nil || errIn.Error() != errOut.Error() {
				t.Errorf("%s: errors differ: out of place %v, in place %v", name, errOut, errIn)
			}
			continue
		}
		solved++
		sameInPlace(t, name, out, in)
		z, maxErr := checkClobbered(t, name, x, g, c.n, c.k, c.lambda)
		if maxErr > inPlaceTol(c.lambda) {
			t.Errorf("%s: a log-probability recovered from the kernel is off by %g > %g", name, maxErr, inPlaceTol(c.lambda))
		}
		zeros += z
		t.Logf("%s: %d iterations (%d sparse), objective %.9g vs %.9g, %d zero kernel entries, recovery error ≤ %.2g (%.2f of the bound)",
			name, in.Iterations, in.SparsePasses, in.Objective, out.Objective, z, maxErr, maxErr/inPlaceTol(c.lambda))
	}
	if zeros == 0 || solved < len(cases)/2 {
		t.Errorf("%d of %d cases solved, %d underflowed kernel entries: the cases do not cover underflow", solved, len(cases), zeros)
	}
}

// TestInPlaceDeterminism: in-place solves give the same bits (Objective included)
// for any GOMAXPROCS and Workers, dense and truncated, equal to Solve's.
func TestInPlaceDeterminism(t *testing.T) {
	const n, k = 24000, 100 // 5 chunks
	L := logProbs(t, n, k, logits.Network, 4, 5)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, m := range []KernelMode{KernelDense, KernelSparse} {
		opt := Options{Kernel: m, MaxIter: 200}
		out := mustSolve(t, L, n, k, opt)
		var first *Result
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			for _, workers := range []int{0, 3} {
				o := opt
				o.Workers = workers
				res, err := SolveInPlace(slices.Clone(L), n, k, o)
				if err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("kernel %v, GOMAXPROCS %d, workers %d", m, procs, workers)
				sameInPlace(t, what, out, res)
				if first == nil {
					first = res
				} else if math.Float64bits(res.Objective) != math.Float64bits(first.Objective) {
					t.Errorf("%s: objective %v, first run %v", what, res.Objective, first.Objective)
				}
			}
		}
		if m == KernelSparse && first.SparsePasses == 0 {
			t.Errorf("kernel sparse: no sparse passes")
		}
	}
}

// TestInPlaceErrors: what SolveInPlace refuses, it refuses before touching L.
func TestInPlaceErrors(t *testing.T) {
	const n, k = 40, 4
	L := logProbs(t, n, k, logits.Gaussian, 1, 3)
	nan := slices.Clone(L)
	nan[37] = float32(math.NaN())
	for _, c := range []struct {
		name string
		x    []float32
		n, k int
		opt  Options
	}{
		{"sinkhorn-ref", L, n, k, Options{Variant: SinkhornRef}},
		{"sinkhorn-log", L, n, k, Options{Variant: SinkhornLog}},
		{"shape", L, n, k + 1, Options{}},
		{"lambda", L, n, k, Options{Lambda: -1}},
		{"masses", L, n, k, Options{Masses: []float64{1}}},
		{"NaN", nan, n, k, Options{}},
	} {
		x := slices.Clone(c.x)
		_, err := SolveInPlace(x, c.n, c.k, c.opt)
		if !errors.Is(err, ErrInput) {
			t.Errorf("%s: err %v, want ErrInput", c.name, err)
		}
		if !slices.Equal(bitsOf32(x), bitsOf32(c.x)) {
			t.Errorf("%s: the input was modified by a refused solve", c.name)
		}
	}
}

// TestInPlaceWorkspace: a Workspace serves in-place and ordinary solves in any
// order with the same bits as fresh solves, and never keeps the caller's matrix as
// its kernel (a later ordinary solve must not write into it).
func TestInPlaceWorkspace(t *testing.T) {
	var w Workspace
	const n, k = 3000, 30
	A := logProbs(t, n, k, logits.Network, 3, 41)
	B := logProbs(t, n, k, logits.Gaussian, 1, 43)
	opt := Options{Kernel: KernelSparse}
	gA := slices.Clone(A)
	resA, err := w.SolveInPlace(gA, n, k, opt)
	if err != nil {
		t.Fatal(err)
	}
	sameInPlace(t, "in place, first", mustSolve(t, A, n, k, opt), resA)
	kernelA := slices.Clone(gA)
	resB, err := w.Solve(B, n, k, opt)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "ordinary after in place", mustSolve(t, B, n, k, opt), resB)
	if !slices.Equal(bitsOf32(gA), bitsOf32(kernelA)) {
		t.Errorf("an ordinary solve wrote into the matrix of an earlier in-place solve")
	}
	resA2, err := w.SolveInPlace(slices.Clone(A), n, k, opt)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "in place, again", resA, resA2)
	if resA2.Objective != resA.Objective {
		t.Errorf("objective %v, first in-place solve %v", resA2.Objective, resA.Objective)
	}
}
