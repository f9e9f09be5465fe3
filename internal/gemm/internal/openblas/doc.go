// Package openblas exposes the few OpenBLAS control functions package gemm
// needs besides cblas_sgemm (which it reaches through gonum.org/v1/netlib):
// the thread count and the name of the core type OpenBLAS picked. It holds
// code only under the openblas build tag (cgo, Debian's libopenblas-dev); it
// is separate from package gemm because a cgo package cannot hold Go
// assembly.
package openblas
