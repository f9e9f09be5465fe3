//go:build openblas

package gemm

import (
	"strconv"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/selabench/selabench/internal/gemm/internal/openblas"
)

// sgemmBackend routes to OpenBLAS's cblas_sgemm through gonum's netlib
// bindings (openblas build tag; needs cgo and libopenblas-dev).
func sgemmBackend(aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	netlib.Implementation{}.Sgemm(transpose(aTrans), transpose(bTrans), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// Kernel names the routine that [Sgemm] runs on: under the openblas build
// tag, "openblas" with the core type OpenBLAS picked (it honours the
// OPENBLAS_CORETYPE environment variable) and its thread count.
func Kernel() string {
	return "openblas " + openblas.CoreName() + " threads=" + strconv.Itoa(openblas.Threads())
}

// setOpenBLASThreads sets OpenBLAS's thread count and returns the previous one.
func setOpenBLASThreads(n int) (prev int) { return openblas.SetThreads(n) }
