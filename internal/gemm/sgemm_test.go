package gemm

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/selabench/selabench/internal/rng"
)

// testKernels are the kernels the driver is tested on: the portable Go kernel
// (the fallback a CPU without AVX2/FMA gets, forced here) and every assembly
// kernel this CPU can run.
func testKernels() []*kernel { return append([]*kernel{goKernel}, asmKernels()...) }

// problem is one Sgemm call with strides possibly larger than the minimum.
type problem struct {
	tA, tB      blas.Transpose
	m, n, k     int
	alpha, beta float32
	padA        int // lda - minimum
	padB        int
	padC        int
}

func (p problem) String() string {
	return fmt.Sprintf("tA=%c/tB=%c/m=%d/n=%d/k=%d/alpha=%g/beta=%g/pad=%d,%d,%d",
		p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.beta, p.padA, p.padB, p.padC)
}

// operands returns random A, B, C for p with their strides. Elements of the
// padding hold the sentinel value pad so that stray reads show up as NaN and
// stray writes are detected.
func (p problem) operands(seed uint64, pad float32) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	r := rng.New(seed, "gemm/test/"+p.String())
	ra, ca := p.m, p.k
	if p.tA != blas.NoTrans {
		ra, ca = p.k, p.m
	}
	rb, cb := p.k, p.n
	if p.tB != blas.NoTrans {
		rb, cb = p.n, p.k
	}
	fill := func(rows, cols, ld int) []float32 {
		s := make([]float32, max(0, rows*ld))
		for i := range s {
			if i%ld < cols {
				s[i] = float32(r.NormFloat64())
			} else {
				s[i] = pad
			}
		}
		return s
	}
	lda, ldb, ldc = max(1, ca)+p.padA, max(1, cb)+p.padB, max(1, p.n)+p.padC
	return fill(ra, ca, lda), lda, fill(rb, cb, ldb), ldb, fill(p.m, p.n, ldc), ldc
}

// naive returns alpha*op(A)*op(B) + beta*C in float64 by the triple loop,
// together with the error scale |alpha|·Σ_p|op(A)_ip op(B)_pj| + |beta C_ij|
// of each element, and treats beta == 0 as "C not read".
func naive(p problem, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) (ref, scale []float64) {
	opA := func(i, l int) float64 {
		if p.tA == blas.NoTrans {
			return float64(a[i*lda+l])
		}
		return float64(a[l*lda+i])
	}
	opB := func(l, j int) float64 {
		if p.tB == blas.NoTrans {
			return float64(b[l*ldb+j])
		}
		return float64(b[j*ldb+l])
	}
	ref = make([]float64, p.m*p.n)
	scale = make([]float64, p.m*p.n)
	for i := range p.m {
		for j := range p.n {
			var s, sa float64
			for l := range p.k {
				s += opA(i, l) * opB(l, j)
				sa += math.Abs(opA(i, l) * opB(l, j))
			}
			v := float64(p.alpha) * s
			sc := math.Abs(float64(p.alpha)) * sa
			if p.beta != 0 {
				v += float64(p.beta) * float64(c[i*ldc+j])
				sc += math.Abs(float64(p.beta) * float64(c[i*ldc+j]))
			}
			ref[i*p.n+j], scale[i*p.n+j] = v, sc
		}
	}
	return ref, scale
}

// checkResult compares got (stride ldc) with ref element-wise under the
// standard floating-point bound for a length-k dot product: |err| ≤
// (k+2)·u·scale with u = 2⁻²⁴ the float32 unit round-off (Higham, Accuracy
// and Stability of Numerical Algorithms, 2nd ed., §3.1; +2 for the alpha and
// beta roundings), doubled for slack. It also checks that the padding of C
// still holds the sentinel.
func checkResult(t *testing.T, p problem, got []float32, ldc int, ref, scale []float64, pad float32) {
	t.Helper()
	tol := 2 * float64(p.k+2) * 0x1p-24
	bad := 0
	for i := range p.m {
		for j := range ldc {
			g := got[i*ldc+j]
			if j >= p.n {
				if math.Float32bits(g) != math.Float32bits(pad) {
					t.Fatalf("%v: padding C[%d,%d] changed to %g", p, i, j, g)
				}
				continue
			}
			want, sc := ref[i*p.n+j], scale[i*p.n+j]
			if math.IsNaN(float64(g)) || math.Abs(float64(g)-want) > tol*sc+1e-30 {
				if bad++; bad <= 3 {
					t.Errorf("%v: C[%d,%d] = %g, want %g (scale %g)", p, i, j, g, want, sc)
				}
			}
		}
	}
}

func transposes() [][2]blas.Transpose {
	return [][2]blas.Transpose{
		{blas.NoTrans, blas.NoTrans}, {blas.Trans, blas.NoTrans},
		{blas.NoTrans, blas.Trans}, {blas.ConjTrans, blas.ConjTrans},
	}
}

// TestSgemmMatchesNaive checks every kernel and all four transpose pairs on
// odd sizes around the tile and block sizes, with alpha/beta variants and
// leading dimensions larger than the minimum, against a float64 triple loop.
func TestSgemmMatchesNaive(t *testing.T) {
	shapes := [][3]int{ // m, n, k
		{1, 1, 1}, {3, 17, 1}, {17, 3, 63}, {63, 65, 17}, {65, 63, 257},
		{1, 257, 3}, {257, 1, 5}, {6, 16, 4}, {12, 32, 400}, {7, 33, 800},
		{150, 40, 9}, {29, 70, 385}, {5, 4100, 3}, {21, 40, 30}, {131, 50, 20},
	}
	if !testing.Short() {
		shapes = append(shapes, [3]int{257, 129, 65}, [3]int{300, 97, 777})
	}
	scalars := [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {2, -1}}
	for _, kern := range testKernels() {
		for ti, tr := range transposes() {
			for si, sh := range shapes {
				ab := scalars[(ti+si)%len(scalars)]
				p := problem{tA: tr[0], tB: tr[1], m: sh[0], n: sh[1], k: sh[2],
					alpha: ab[0], beta: ab[1], padA: si % 3, padB: (si + 1) % 3, padC: (si + 2) % 3}
				t.Run(kern.name+"/"+p.String(), func(t *testing.T) {
					const pad = -7.25
					a, lda, b, ldb, c, ldc := p.operands(1, pad)
					ref, scale := naive(p, a, lda, b, ldb, c, ldc)
					sgemmWith(kern, 2, p.tA != blas.NoTrans, p.tB != blas.NoTrans, p.m, p.n, p.k,
						p.alpha, a, lda, b, ldb, p.beta, c, ldc)
					checkResult(t, p, c, ldc, ref, scale, pad)
				})
			}
		}
	}
}

// TestSgemmSpecialScalars covers the BLAS rules that do not follow from the
// arithmetic: beta == 0 ignores NaN in C; alpha == 0 and k == 0 do not read
// A and B (filled with NaN here) and give beta*C.
func TestSgemmSpecialScalars(t *testing.T) {
	nan := float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	for _, kern := range testKernels() {
		for _, tc := range []struct {
			name        string
			k           int
			alpha, beta float32
			nanC, nanAB bool
		}{
			{"beta=0 overwrites NaN C", 70, 1.5, 0, true, false},
			{"beta=-0 overwrites NaN C", 70, 1.5, negZero, true, false},
			{"alpha=0 skips NaN A,B", 70, 0, 3, false, true},
			{"alpha=0 beta=0 zeroes NaN C", 70, 0, 0, true, true},
			{"k=0 scales C", 0, 1, -2, false, false},
			{"k=0 beta=0 zeroes NaN C", 0, 1, 0, true, false},
		} {
			t.Run(kern.name+"/"+tc.name, func(t *testing.T) {
				p := problem{tA: blas.NoTrans, tB: blas.Trans, m: 19, n: 37, k: tc.k,
					alpha: tc.alpha, beta: tc.beta, padC: 1}
				a, lda, b, ldb, c, ldc := p.operands(2, 0)
				c0 := slices.Clone(c)
				if tc.nanAB {
					for i := range a {
						a[i] = nan
					}
					for i := range b {
						b[i] = nan
					}
				}
				if tc.nanC {
					for i := range c {
						if i%ldc < p.n {
							c[i] = nan
						}
					}
				}
				sgemmWith(kern, 2, false, true, p.m, p.n, p.k, p.alpha, a, lda, b, ldb, p.beta, c, ldc)
				for i := range p.m {
					for j := range p.n {
						var want float32
						switch {
						case tc.alpha != 0 && tc.k > 0:
							// only case with a product: check finiteness here,
							// the value is covered by TestSgemmMatchesNaive.
							if g := c[i*ldc+j]; math.IsNaN(float64(g)) || math.IsInf(float64(g), 0) {
								t.Fatalf("C[%d,%d] = %g", i, j, g)
							}
							continue
						case tc.beta != 0:
							want = tc.beta * c0[i*ldc+j]
						}
						if got := c[i*ldc+j]; got != want {
							t.Fatalf("C[%d,%d] = %g, want %g", i, j, got, want)
						}
					}
				}
			})
		}
	}
}

// TestSgemmDeterministic checks that C is bit-identical whatever the number
// of goroutines (1, 2, 3 and, through the public entry point, GOMAXPROCS 1
// and 2), and that all assembly kernels agree bit for bit (they perform the
// same roundings by construction).
func TestSgemmDeterministic(t *testing.T) {
	for _, sh := range [][3]int{{256, 512, 100}, {131, 67, 900}, {784, 40, 64}} {
		for _, tr := range transposes() {
			p := problem{tA: tr[0], tB: tr[1], m: sh[0], n: sh[1], k: sh[2], alpha: 0.75, beta: 0.5}
			a, lda, b, ldb, c0, ldc := p.operands(3, 0)
			run := func(kern *kernel, workers int) []float32 {
				c := slices.Clone(c0)
				sgemmWith(kern, workers, p.tA != blas.NoTrans, p.tB != blas.NoTrans, p.m, p.n, p.k,
					p.alpha, a, lda, b, ldb, p.beta, c, ldc)
				return c
			}
			var first []float32
			for _, kern := range testKernels() {
				ref := run(kern, 1)
				for _, w := range []int{2, 3} {
					if got := run(kern, w); !bitsEqual(got, ref) {
						t.Errorf("%s %v: %d workers differ from 1", kern.name, p, w)
					}
				}
				if kern == goKernel {
					continue
				}
				if first == nil {
					first = ref
				} else if !bitsEqual(ref, first) {
					t.Errorf("%s %v: differs from %s", kern.name, p, asmKernels()[0].name)
				}
			}
			prev := runtime.GOMAXPROCS(1)
			c1 := slices.Clone(c0)
			Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, a, lda, b, ldb, p.beta, c1, ldc)
			runtime.GOMAXPROCS(2)
			c2 := slices.Clone(c0)
			Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, a, lda, b, ldb, p.beta, c2, ldc)
			runtime.GOMAXPROCS(prev)
			if !bitsEqual(c1, c2) {
				t.Errorf("Sgemm %v: GOMAXPROCS 1 and 2 differ", p)
			}
		}
	}
}

func bitsEqual(x, y []float32) bool {
	return slices.EqualFunc(x, y, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
}

// TestSgemmPanics checks that bad arguments panic with the same message as
// gonum's Sgemm.
func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 12)
	type args struct {
		tA, tB  blas.Transpose
		m, n, k int
		a       []float32
		lda     int
		b       []float32
		ldb     int
		c       []float32
		ldc     int
	}
	ok := args{blas.NoTrans, blas.NoTrans, 3, 4, 2, s, 2, s, 4, s, 4}
	for _, tc := range []struct {
		name string
		mod  func(*args)
		want string
	}{
		{"tA", func(a *args) { a.tA = 'X' }, badTranspose},
		{"tB", func(a *args) { a.tB = 0 }, badTranspose},
		{"m", func(a *args) { a.m = -1 }, mLT0},
		{"n", func(a *args) { a.n = -1 }, nLT0},
		{"k", func(a *args) { a.k = -1 }, kLT0},
		{"lda", func(a *args) { a.lda = 1 }, badLdA},
		{"lda trans", func(a *args) { a.tA, a.lda = blas.Trans, 2 }, badLdA},
		{"ldb", func(a *args) { a.ldb = 3 }, badLdB},
		{"ldb trans", func(a *args) { a.tB, a.ldb = blas.Trans, 1 }, badLdB},
		{"ldc", func(a *args) { a.ldc = 3 }, badLdC},
		{"short a", func(a *args) { a.a = s[:5] }, shortA},
		{"short b", func(a *args) { a.b = s[:7] }, shortB},
		{"short c", func(a *args) { a.c = s[:11] }, shortC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ok
			tc.mod(&a)
			catch := func(f func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)) (msg any) {
				defer func() { msg = recover() }()
				f(a.tA, a.tB, a.m, a.n, a.k, 1, a.a, a.lda, a.b, a.ldb, 0, a.c, a.ldc)
				return nil
			}
			if got := catch(Sgemm); got != tc.want {
				t.Errorf("Sgemm panicked with %v, want %q", got, tc.want)
			}
			if got := catch(gonum.Implementation{}.Sgemm); got != tc.want {
				t.Errorf("gonum panicked with %v, want %q (test table out of date)", got, tc.want)
			}
		})
	}
	// m == 0 returns before the length checks, as in gonum.
	Sgemm(blas.NoTrans, blas.NoTrans, 0, 4, 2, 1, nil, 2, nil, 4, 0, nil, 4)
}

// TestImplementationBlas32 routes gonum's blas32.Gemm through Implementation.
func TestImplementationBlas32(t *testing.T) {
	prev := blas32.Implementation()
	blas32.Use(Implementation{})
	defer blas32.Use(prev)
	// [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50], worked by hand.
	a := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: []float32{1, 2, 3, 4}}
	b := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: []float32{5, 6, 7, 8}}
	c := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
	if want := []float32{19, 22, 43, 50}; !slices.Equal(c.Data, want) {
		t.Errorf("blas32.Gemm = %v, want %v", c.Data, want)
	}
	// A level-1 routine still comes from gonum: dot([1 2 3 4],[1 2 3 4]) = 30.
	x := blas32.Vector{N: 4, Inc: 1, Data: a.Data}
	if got := blas32.Dot(x, x); got != 30 {
		t.Errorf("blas32.Dot = %g, want 30", got)
	}
}

// TestSgemmConcurrent runs independent calls from several goroutines at once
// (they share the workspace pool) and checks each against the same call made
// alone.
func TestSgemmConcurrent(t *testing.T) {
	probs := []problem{
		{tA: blas.NoTrans, tB: blas.NoTrans, m: 130, n: 70, k: 300, alpha: 1, beta: 0},
		{tA: blas.Trans, tB: blas.NoTrans, m: 40, n: 200, k: 90, alpha: 2, beta: 1},
		{tA: blas.NoTrans, tB: blas.Trans, m: 7, n: 9, k: 5, alpha: 1, beta: 0.5},
		{tA: blas.Trans, tB: blas.Trans, m: 90, n: 33, k: 600, alpha: -1, beta: 0},
	}
	type operands struct {
		a, b, c0, want []float32
		lda, ldb, ldc  int
	}
	ops := make([]operands, len(probs))
	for i, p := range probs {
		o := &ops[i]
		o.a, o.lda, o.b, o.ldb, o.c0, o.ldc = p.operands(5, 0)
		o.want = slices.Clone(o.c0)
		Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, o.a, o.lda, o.b, o.ldb, p.beta, o.want, o.ldc)
	}
	var wg sync.WaitGroup
	errs := make([]int, 4*len(probs))
	for g := range errs {
		wg.Go(func() {
			p, o := probs[g%len(probs)], ops[g%len(probs)]
			for range 20 {
				c := slices.Clone(o.c0)
				Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, o.a, o.lda, o.b, o.ldb, p.beta, c, o.ldc)
				if !bitsEqual(c, o.want) {
					errs[g]++
				}
			}
		})
	}
	wg.Wait()
	for g, e := range errs {
		if e > 0 {
			t.Errorf("goroutine %d (%v): %d of 20 results differ", g, probs[g%len(probs)], e)
		}
	}
}
