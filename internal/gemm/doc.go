// Package gemm is the single-precision matrix-multiply (SGEMM) backend of the
// suite: every method's training step and k-means' distance step reduce to
//
//	C = alpha * op(A) * op(B) + beta * C,   op(X) = X or Xᵀ,
//
// on row-major float32 matrices, with the exact argument conventions of
// gonum's BLAS (gonum.org/v1/gonum/blas): [Sgemm] is a drop-in for
// blas.Float32Level3.Sgemm, and [Implementation] is a complete blas.Float32
// (gonum's pure-Go routines with Sgemm replaced), so
//
//	blas32.Use(gemm.Implementation{})
//
// routes gonum's mat/blas32 (and anything built on them) through this package.
//
// # How a call flows
//
// The algorithm is the GotoBLAS/BLIS layering (Goto & van de Geijn, "Anatomy
// of high-performance matrix multiplication", ACM TOMS 34(3), 2008; Van Zee &
// van de Geijn, "BLIS: A framework for rapidly instantiating BLAS
// functionality", ACM TOMS 41(3), 2015):
//
//  1. C is split into column blocks of at most ncMax = 4096 columns (loop jc)
//     and the k dimension into equal blocks of at most kcMax = 512 (loop pc).
//  2. For each (jc, pc) the kc×nc block of op(B) is packed into row panels
//     nr wide (nr values per k step, zero-padded), shared by all workers.
//  3. The m rows are cut into mc-row blocks; the worker that takes a block
//     packs the mc×kc block of op(A) into column panels mr tall (its own
//     buffer, sized for the L2 cache) and sweeps the register-blocked
//     micro-kernel over the mr×nr tiles of C (loops jr, ir).
//  4. The micro-kernel keeps an mr×nr tile of C in vector registers, adds one
//     fused multiply-add per k step, and writes C = alpha*acc + beta*C once
//     per tile and k block (beta on the first block only; later blocks add
//     with beta = 1). Partial tiles at the edges go through a scratch tile,
//     so every element of C sees the same operations.
//
// Transposes are absorbed by the packing routines, so all four op
// combinations run the same kernel.
//
// # Parallelism
//
// Calls with at least 2 MFLOP of work use up to GOMAXPROCS goroutines. Each
// (jc, pc) step is shared: goroutines claim chunks of B panels to pack, then
// work units (an m block × a range of column panels) from per-goroutine
// ranges, helping with the others' ranges when their own is done. Nobody
// waits for a goroutine to start, only for claimed work to finish (by brief
// spinning). The helper goroutines persist and poll for the next call for
// 1 ms before parking, since waking a parked thread is slow on virtual
// machines, next to a training step's products.
//
// # Kernels
//
// On amd64 the micro-kernel is a generated assembly routine
// (kernel_amd64.s, written by the nested generator module in _gen), chosen
// at run time through golang.org/x/sys/cpu: a 12×32 AVX-512 kernel where
// AVX512F is present, else a 6×16 AVX2+FMA kernel. Other CPUs, other
// architectures and builds with the purego tag use a portable 4×4 Go kernel
// (correct but slow, a few GFLOP/s); the driver, packing and blocking are the
// same. [Kernel] names the kernel in use.
//
// # Determinism
//
// Work is divided among goroutines by output tiles only, never along k, and
// the k blocking depends on k alone. Each element of C is therefore computed
// by one goroutine with the same sequence of roundings whatever GOMAXPROCS
// is: results are bit-identical for any number of goroutines. The two
// assembly kernels perform the same roundings too, so AVX-512 and AVX2
// machines agree bit for bit; the Go kernel (no fused multiply-add) does not.
//
// # OpenBLAS
//
// Built with the opt-in tag openblas (cgo, Debian's libopenblas-dev), [Sgemm]
// and [Implementation] call OpenBLAS's cblas_sgemm through
// gonum.org/v1/netlib instead; the benchmarks then also measure OpenBLAS as
// the yardstick. Its determinism is OpenBLAS's, not this package's.
package gemm
