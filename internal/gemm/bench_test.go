package gemm

import (
	"fmt"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/selabench/selabench/internal/rng"
)

// benchShape is one benchmarked product: C (m×n) = op(A)·op(B), k inner.
type benchShape struct {
	m, n, k int
	tA, tB  blas.Transpose
}

// benchShapes are 1024³ and the shapes of the suite's 784→512→512 network on
// batches of 256: forward Y = X·W, weight gradient dW = Xᵀ·dY and input
// gradient dX = dY·Wᵀ.
var benchShapes = []benchShape{
	{1024, 1024, 1024, blas.NoTrans, blas.NoTrans},
	{256, 512, 784, blas.NoTrans, blas.NoTrans}, // forward, layer 1
	{784, 512, 256, blas.Trans, blas.NoTrans},   // dW, layer 1
	{256, 784, 512, blas.NoTrans, blas.Trans},   // dX, layer 1
	{256, 512, 512, blas.NoTrans, blas.NoTrans}, // forward, layer 2
	{512, 512, 256, blas.Trans, blas.NoTrans},   // dW, layer 2
	{256, 512, 512, blas.NoTrans, blas.Trans},   // dX, layer 2
}

type sgemmFunc func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// benchImpl is one implementation measured by BenchmarkSgemm.
type benchImpl struct {
	name string
	f    sgemmFunc
	// setup, if not nil, runs before the sub-benchmark and returns the
	// function that undoes it.
	setup func() (undo func())
}

// benchImpls are the implementations measured: this package's path on the
// default kernel, on the AVX2 kernel if that is not the default, gonum's
// pure-Go Sgemm, and (openblas build tag, see openblas_test.go) OpenBLAS.
var benchImpls = []benchImpl{{"go", goWith(defaultKernel), nil}}

func init() {
	for _, k := range asmKernels() {
		if k == avx2Kernel && k != defaultKernel {
			benchImpls = append(benchImpls, benchImpl{"go-avx2", goWith(k), nil})
		}
	}
	benchImpls = append(benchImpls, benchImpl{"gonum", gonum.Implementation{}.Sgemm, nil})
}

// goWith is this package's Sgemm on the given kernel with GOMAXPROCS
// goroutines.
func goWith(kern *kernel) sgemmFunc {
	return func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		if checkArgs(tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
			sgemmWith(kern, runtime.GOMAXPROCS(0), isTrans(tA), isTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}
	}
}

// BenchmarkSgemm reports GFLOP/s (2mnk per call) of each implementation on
// each shape. impl=go is this package's pure-Go/assembly path on the default
// kernel with GOMAXPROCS goroutines; impl=gonum is gonum's pure-Go Sgemm;
// impl=openblas and impl=openblas-1thread (openblas tag) are OpenBLAS with its
// default thread count and with one thread.
func BenchmarkSgemm(b *testing.B) {
	for _, impl := range benchImpls {
		for _, s := range benchShapes {
			name := fmt.Sprintf("impl=%s/m=%d/n=%d/k=%d/op=%c%c", impl.name, s.m, s.n, s.k, s.tA, s.tB)
			b.Run(name, func(b *testing.B) {
				if impl.setup != nil {
					defer impl.setup()()
				}
				benchSgemm(b, impl.f, s)
			})
		}
	}
}

func benchSgemm(b *testing.B, f sgemmFunc, s benchShape) {
	r := rng.New(1, "gemm/bench")
	rand := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		return x
	}
	a, bb, c := rand(s.m*s.k), rand(s.k*s.n), make([]float32, s.m*s.n)
	lda, ldb := s.k, s.n
	if s.tA != blas.NoTrans {
		lda = s.m
	}
	if s.tB != blas.NoTrans {
		ldb = s.k
	}
	for b.Loop() {
		f(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkKernels measures each assembly kernel this CPU can run, one and
// GOMAXPROCS goroutines, to compare kernels and tune the blocking.
func BenchmarkKernels(b *testing.B) {
	for _, kern := range testKernels() {
		for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
			for _, s := range benchShapes {
				name := fmt.Sprintf("kernel=%s/workers=%d/m=%d/n=%d/k=%d/op=%c%c", kern.name, w, s.m, s.n, s.k, s.tA, s.tB)
				b.Run(name, func(b *testing.B) {
					benchSgemm(b, func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
						sgemmWith(kern, w, isTrans(tA), isTrans(tB), m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc)
					}, s)
				})
			}
		}
	}
}
