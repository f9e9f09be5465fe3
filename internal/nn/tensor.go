package nn

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/tensor"

	"github.com/selabench/selabench/internal/gemm"
)

// FastBLAS is a complete gorgonia tensor.BLAS: gonum's pure-Go routines with
// Sgemm replaced by the suite's fast kernel ([gemm.Sgemm]). [UseFastBLAS]
// installs it.
type FastBLAS struct {
	gonum.Implementation
}

var _ tensor.BLAS = FastBLAS{}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C with [gemm.Sgemm].
func (FastBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// UseFastBLAS routes gorgonia tensor's linear algebra (tensor.Use) and gonum's
// blas32 (blas32.Use) through the fast GEMM. The layers of this package call
// gemm.Sgemm directly and do not need it; call it once at start-up when code
// outside the package multiplies *tensor.Dense values (MatMul, Inner, …).
// It is not called from an init function so that importing nn changes no
// global state.
func UseFastBLAS() {
	tensor.Use(FastBLAS{})
	blas32.Use(gemm.Implementation{})
}

// New returns a float32 tensor of the given shape over data (not copied);
// a nil data allocates zeros. It panics if len(data) does not match the
// shape, a programmer error.
func New(data []float32, shape ...int) *tensor.Dense {
	n := 1
	for _, s := range shape {
		n *= s
	}
	if data == nil {
		data = make([]float32, n)
	}
	if len(data) != n {
		panic(fmt.Sprintf("nn: %d values for shape %v", len(data), shape))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// Data returns the backing []float32 of a float32 tensor (like
// t.Data().([]float32) without reflection). It panics on another dtype.
func Data(t *tensor.Dense) []float32 {
	if t.Dtype() != tensor.Float32 {
		panic("nn: tensor of " + t.Dtype().String() + ", want float32")
	}
	return t.Float32s()
}

// ensure returns t if it already has the given shape, else a new zero tensor
// of that shape (reusing t's backing array when it is large enough).
func ensure(t *tensor.Dense, shape ...int) *tensor.Dense {
	if t != nil && slices.Equal([]int(t.Shape()), shape) {
		return t
	}
	n := 1
	for _, s := range shape {
		n *= s
	}
	var buf []float32
	if t != nil {
		if d := Data(t); cap(d) >= n {
			buf = d[:n]
		}
	}
	if buf == nil {
		buf = make([]float32, n)
	}
	return New(buf, shape...)
}

// rows returns the number of samples (first dimension) and the values per
// sample of t.
func rows(t *tensor.Dense) (n, d int) {
	s := t.Shape()
	n = s[0]
	d = 1
	for _, v := range s[1:] {
		d *= v
	}
	return n, d
}
