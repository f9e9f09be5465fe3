//go:build !openblas

package gemm

// sgemmBackend is the pure-Go (plus assembly kernel) path; see backend_openblas.go
// for the openblas build tag.
func sgemmBackend(aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmGo(aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Kernel names the routine that [Sgemm] runs on: the micro-kernel chosen for
// this CPU (for example "avx2+fma 6x16" or "go 4x4"), or "openblas" under
// the openblas build tag.
func Kernel() string { return defaultKernel.name }
