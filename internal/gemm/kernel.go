package gemm

import "unsafe"

// A kernel is a register-blocked micro-kernel with its tile geometry.
//
// fn(kc, a, b, c, ldc, alpha, beta) reads an mr×kc panel of A packed column
// by column (mr values per k step) at a and a kc×nr panel of B packed row by
// row (nr values per k step) at b, forms acc = Σ_p a[:,p]·b[p,:] in
// increasing p, and writes the mr×nr tile of row-major C at c (row stride
// ldc elements) as C = alpha*acc if beta == 0 (C unread) and
// C = beta*C + alpha*acc otherwise. kc ≥ 1.
//
// transpose, if not nil, is an assembly helper for packing op(B) = Bᵀ (see
// transposeAVX in kernel_amd64.s); nil means the portable Go loops.
//
// mcMax is the largest m block (rows of packed A kept in L2) for this kernel.
type kernel struct {
	name      string
	mr, nr    int
	mcMax     int
	fn        func(kc int, a, b, c *float32, ldc int, alpha, beta float32)
	transpose func(dst *float32, ldd int, src *float32, lds int, cols, kc int)
	// copyRows, if not nil, sets dst[p*width+j] = src[p*lds+j] for p < rows
	// and j < width, called with width = nr: packB's copy of a full panel of
	// an untransposed B. copyRowsAVX handles widths 16 and 32 only, the nr of
	// the kernels that set it.
	copyRows func(dst *float32, src *float32, lds int, rows, width int)
}

// goKernel is the portable fallback, used when no assembly kernel fits the CPU.
var goKernel = &kernel{name: "go 4x4", mr: 4, nr: 4, mcMax: 128, fn: kernGo4x4}

// defaultKernel is the fastest kernel this CPU supports, chosen at start-up.
var defaultKernel = pickKernel()

func pickKernel() *kernel {
	if k := asmKernel(); k != nil {
		return k
	}
	return goKernel
}

// kernGo4x4 is the portable 4×4 micro-kernel; see [kernel] for the contract.
func kernGo4x4(kc int, a, b, c *float32, ldc int, alpha, beta float32) {
	as := unsafe.Slice(a, 4*kc)
	bs := unsafe.Slice(b, 4*kc)
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < kc; p++ {
		ap := as[4*p : 4*p+4 : 4*p+4]
		bp := bs[4*p : 4*p+4 : 4*p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	acc := [4][4]float32{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	for i := range 4 {
		row := cs[i*ldc : i*ldc+4 : i*ldc+4]
		for j := range 4 {
			if beta == 0 {
				row[j] = alpha * acc[i][j]
			} else {
				row[j] = beta*row[j] + alpha*acc[i][j]
			}
		}
	}
}
