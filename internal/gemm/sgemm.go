package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Panic messages, identical to gonum's so callers see the same behaviour
// whichever blas.Float32 is installed. Like every BLAS, Sgemm treats bad
// arguments as programmer errors and panics.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// Implementation is a complete gonum blas.Float32 (and blas.Float64): every
// routine is gonum's pure-Go one except Sgemm, which is this package's.
// Install it with blas32.Use(gemm.Implementation{}).
type Implementation struct {
	gonum.Implementation
}

var (
	_ blas.Float32Level3 = Implementation{}
	_ blas.Float32       = Implementation{}
)

// Sgemm computes C = alpha * op(A) * op(B) + beta * C; see [Sgemm].
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm performs one of the matrix-matrix operations
//
//	C = alpha * A * B + beta * C
//	C = alpha * Aᵀ * B + beta * C
//	C = alpha * A * Bᵀ + beta * C
//	C = alpha * Aᵀ * Bᵀ + beta * C
//
// on row-major matrices, with the semantics of gonum's
// blas.Float32Level3.Sgemm: op(A) is m×k (A is m×k, or k×m if tA is
// blas.Trans or blas.ConjTrans), op(B) is k×n, C is m×n; lda, ldb and ldc
// are the row strides. As in the reference BLAS, C is not read when
// beta == 0 (NaNs in C are overwritten) and A and B are not read when
// alpha == 0 or k == 0. Invalid arguments panic with gonum's messages.
//
// Without the openblas build tag the work runs on up to GOMAXPROCS
// goroutines and the result does not depend on their number.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !checkArgs(tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		return
	}
	sgemmBackend(isTrans(tA), isTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func isTrans(t blas.Transpose) bool { return t == blas.Trans || t == blas.ConjTrans }

// checkArgs panics on invalid arguments exactly where gonum's Sgemm does and
// reports whether there is anything to compute (m > 0 and n > 0).
func checkArgs(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) bool {
	switch tA {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	switch tB {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	aTrans, bTrans := isTrans(tA), isTrans(tB)
	if aTrans {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else if lda < max(1, k) {
		panic(badLdA)
	}
	if bTrans {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else if ldb < max(1, n) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return false
	}
	if aTrans {
		if len(a) < (k-1)*lda+m {
			panic(shortA)
		}
	} else if len(a) < (m-1)*lda+k {
		panic(shortA)
	}
	if bTrans {
		if len(b) < (n-1)*ldb+k {
			panic(shortB)
		}
	} else if len(b) < (k-1)*ldb+n {
		panic(shortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}
	return true
}

// scaleC sets C = beta*C on the m×n matrix c (row stride ldc), writing zeros
// without reading C when beta == 0.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
