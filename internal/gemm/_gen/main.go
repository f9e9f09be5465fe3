// Command _gen writes kernel_amd64.s, the register-blocked single-precision
// GEMM micro-kernels of package gemm, in Go (Plan 9) assembly.
//
// It is a separate module (the leading "_" keeps the main module from seeing
// it) with no dependencies; run it through `go generate` in package gemm:
//
//	cd internal/gemm && go generate
//
// Every kernel has the same contract (see kernel.go in package gemm):
//
//	func name(kc int, a, b, c *float32, ldc int, alpha, beta float32)
//
// a points at an mr×kc panel of A packed column by column (mr values per
// step p), b at a kc×nr panel of B packed row by row (nr values per step p),
// c at the top-left element of an mr×nr tile of row-major C with row stride
// ldc (in elements). The kernel accumulates acc = Σ_p a[:,p] b[p,:] with one
// fused multiply-add per term in increasing p, then stores
//
//	C = alpha*acc            if beta == 0 (C is not read, so NaNs in C vanish)
//	C = fma(beta, C, alpha*acc) otherwise.
//
// All kernels perform exactly these rounding steps per element, so they give
// bit-identical results whatever the vector width.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// kernel describes one register-blocked micro-kernel.
type kernel struct {
	name  string // Go function name
	reg   string // "Y" (AVX2, 8 lanes) or "Z" (AVX-512, 16 lanes)
	lanes int    // float32 lanes per vector register
	mr    int    // rows of the C tile
	nv    int    // vectors per row of the C tile (nr = nv*lanes)
	nregs int    // architectural vector registers available
	bcst  bool   // use EVEX embedded broadcast for A (AVX-512 only)
	unrl  int    // unroll factor of the k loop
	pfA   int    // prefetch distance for packed A in bytes (0: none)
}

func (k kernel) nr() int { return k.nv * k.lanes }

type writer struct{ bytes.Buffer }

func (w *writer) f(format string, args ...any) { fmt.Fprintf(&w.Buffer, format+"\n", args...) }

func (k kernel) emit(w *writer) {
	acc := func(r, v int) string { return fmt.Sprintf("%s%d", k.reg, r*k.nv+v) }
	nacc := k.mr * k.nv
	breg := func(v int) string { return fmt.Sprintf("%s%d", k.reg, nacc+v) }
	areg := func(i int) string { return fmt.Sprintf("%s%d", k.reg, nacc+k.nv+i%2) }
	need := nacc + k.nv
	if !k.bcst {
		need += 2
	}
	if need > k.nregs {
		log.Fatalf("%s: needs %d vector registers, has %d", k.name, need, k.nregs)
	}
	vb := k.lanes * 4 // bytes per vector
	aStep, bStep := 4*k.mr, 4*k.nr()

	w.f("// func %s(kc int, a, b, c *float32, ldc int, alpha, beta float32)", k.name)
	w.f("// %d×%d tile, %d-lane %s registers.", k.mr, k.nr(), k.lanes, k.reg)
	w.f("TEXT ·%s(SB), NOSPLIT, $0-48", k.name)
	w.f("\tMOVQ kc+0(FP), CX")
	w.f("\tMOVQ a+8(FP), AX")
	w.f("\tMOVQ b+16(FP), BX")
	w.f("\tMOVQ c+24(FP), DI")
	w.f("\tMOVQ ldc+32(FP), DX")
	w.f("\tSHLQ $2, DX")
	// Zero the accumulators (VPXORD: VXORPS on Z registers needs AVX512DQ).
	xor := "VXORPS"
	if k.reg == "Z" {
		xor = "VPXORD"
	}
	for i := 0; i < nacc; i++ {
		r := fmt.Sprintf("%s%d", k.reg, i)
		w.f("\t%s %s, %s, %s", xor, r, r, r)
	}
	// Prefetch the C tile: first and last byte of each row.
	w.f("\tMOVQ DI, R8")
	for r := 0; r < k.mr; r++ {
		w.f("\tPREFETCHT0 (R8)")
		w.f("\tPREFETCHT0 %d(R8)", 4*k.nr()-4)
		if r < k.mr-1 {
			w.f("\tADDQ DX, R8")
		}
	}
	step := func(p int) {
		for v := 0; v < k.nv; v++ {
			w.f("\tVMOVUPS %d(BX), %s", p*bStep+v*vb, breg(v))
		}
		for r := 0; r < k.mr; r++ {
			off := p*aStep + 4*r
			if k.bcst {
				for v := 0; v < k.nv; v++ {
					w.f("\tVFMADD231PS.BCST %d(AX), %s, %s", off, breg(v), acc(r, v))
				}
				continue
			}
			w.f("\tVBROADCASTSS %d(AX), %s", off, areg(r))
			for v := 0; v < k.nv; v++ {
				w.f("\tVFMADD231PS %s, %s, %s", breg(v), areg(r), acc(r, v))
			}
		}
	}
	w.f("\tMOVQ CX, R9")
	w.f("\tSHRQ $%d, R9", log2(k.unrl))
	w.f("\tJZ %s_tail", k.name)
	w.f("%s_loop:", k.name)
	if k.pfA > 0 {
		w.f("\tPREFETCHT0 %d(AX)", k.pfA)
	}
	for p := 0; p < k.unrl; p++ {
		step(p)
	}
	w.f("\tADDQ $%d, AX", k.unrl*aStep)
	w.f("\tADDQ $%d, BX", k.unrl*bStep)
	w.f("\tDECQ R9")
	w.f("\tJNZ %s_loop", k.name)
	w.f("%s_tail:", k.name)
	w.f("\tANDQ $%d, CX", k.unrl-1)
	w.f("\tJZ %s_store", k.name)
	w.f("%s_loop1:", k.name)
	step(0)
	w.f("\tADDQ $%d, AX", aStep)
	w.f("\tADDQ $%d, BX", bStep)
	w.f("\tDECQ CX")
	w.f("\tJNZ %s_loop1", k.name)

	// Epilogue. The B registers are free now: alpha in breg(0), beta in breg(1) or a spare.
	alpha, beta := breg(0), fmt.Sprintf("%s%d", k.reg, nacc+1)
	w.f("%s_store:", k.name)
	w.f("\tVBROADCASTSS alpha+40(FP), %s", alpha)
	w.f("\tVBROADCASTSS beta+44(FP), %s", beta)
	for i := 0; i < nacc; i++ {
		r := fmt.Sprintf("%s%d", k.reg, i)
		w.f("\tVMULPS %s, %s, %s", alpha, r, r)
	}
	// beta == 0 (either sign; NaN is not zero) <=> no bit but the sign set.
	w.f("\tMOVL beta+44(FP), R10")
	w.f("\tANDL $0x7fffffff, R10")
	w.f("\tJNZ %s_beta", k.name)
	for r := 0; r < k.mr; r++ {
		for v := 0; v < k.nv; v++ {
			w.f("\tVMOVUPS %s, %d(DI)", acc(r, v), v*vb)
		}
		if r < k.mr-1 {
			w.f("\tADDQ DX, DI")
		}
	}
	w.f("\tVZEROUPPER")
	w.f("\tRET")
	w.f("%s_beta:", k.name)
	for r := 0; r < k.mr; r++ {
		for v := 0; v < k.nv; v++ {
			w.f("\tVFMADD231PS %d(DI), %s, %s", v*vb, beta, acc(r, v))
			w.f("\tVMOVUPS %s, %d(DI)", acc(r, v), v*vb)
		}
		if r < k.mr-1 {
			w.f("\tADDQ DX, DI")
		}
	}
	w.f("\tVZEROUPPER")
	w.f("\tRET")
	w.f("")
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	if 1<<l != n {
		log.Fatalf("unroll %d is not a power of two", n)
	}
	return l
}

func main() {
	out := flag.String("out", "kernel_amd64.s", "output file")
	flag.Parse()
	kernels := []kernel{
		// 12 accumulators + 2 B vectors + 2 broadcast registers = 16.
		{name: "kernAVX2", reg: "Y", lanes: 8, mr: 6, nv: 2, nregs: 16, unrl: 4},
		// 24 accumulators + 2 + 2 = 28 of 32. 12×32 was as fast as 14×32,
		// 8×48 and 6×64 when each was generated and timed with
		// BenchmarkSgemm, and wastes less on the network's shapes; explicit
		// broadcasts timed faster than EVEX embedded ones.
		{name: "kernAVX512", reg: "Z", lanes: 16, mr: 12, nv: 2, nregs: 32, unrl: 4},
	}
	var w writer
	w.f("// Code generated by internal/gemm/_gen; DO NOT EDIT.")
	w.f("")
	w.f("//go:build !purego")
	w.f("")
	w.f("#include \"textflag.h\"")
	w.f("")
	for _, k := range kernels {
		k.emit(&w)
	}
	emitTranspose(&w)
	emitCopyRows(&w)
	if err := os.WriteFile(*out, w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// emitTranspose writes
//
//	func transposeAVX(dst *float32, ldd int, src *float32, lds int, cols, kc int)
//
// which, for g < cols/8 and p < kc/8 (cols and kc multiples of 8), transposes
// the 8×8 block src[(8g+r)*lds + 8p + i] into dst[(8p+i)*ldd + 8g + r]: it
// packs rows of a stored matrix as columns of a packed panel. The 8×8
// transpose is the usual unpack/shuffle/permute sequence (Intel 64 and IA-32
// Architectures Optimization Reference Manual, "8x8 matrix transpose").
func emitTranspose(w *writer) {
	w.f("// func transposeAVX(dst *float32, ldd int, src *float32, lds int, cols, kc int)")
	w.f("TEXT ·transposeAVX(SB), NOSPLIT, $0-48")
	w.f("\tMOVQ dst+0(FP), DI")
	w.f("\tMOVQ ldd+8(FP), DX")
	w.f("\tSHLQ $2, DX")
	w.f("\tMOVQ src+16(FP), SI")
	w.f("\tMOVQ lds+24(FP), BX")
	w.f("\tSHLQ $2, BX")
	w.f("\tMOVQ cols+32(FP), R8")
	w.f("\tSHRQ $3, R8")
	w.f("\tJZ transposeAVX_done")
	w.f("\tLEAQ (BX)(BX*2), R12") // 3*lds
	w.f("transposeAVX_group:")
	w.f("\tMOVQ kc+40(FP), R9")
	w.f("\tSHRQ $3, R9")
	w.f("\tJZ transposeAVX_next")
	w.f("\tMOVQ SI, R10") // source rows 0..3 at R10, 4..7 at R11
	w.f("\tLEAQ (SI)(BX*4), R11")
	w.f("\tMOVQ DI, R13") // destination
	w.f("transposeAVX_block:")
	for r := 0; r < 8; r++ {
		base := "R10"
		if r >= 4 {
			base = "R11"
		}
		idx := []string{"", "(BX*1)", "(BX*2)", "(R12*1)"}[r%4]
		w.f("\tVMOVUPS (%s)%s, Y%d", base, idx, r)
	}
	for i := 0; i < 4; i++ {
		w.f("\tVUNPCKLPS Y%d, Y%d, Y%d", 2*i+1, 2*i, 8+2*i)
		w.f("\tVUNPCKHPS Y%d, Y%d, Y%d", 2*i+1, 2*i, 9+2*i)
	}
	// s0..s7 into Y0..Y7
	w.f("\tVSHUFPS $0x44, Y10, Y8, Y0")
	w.f("\tVSHUFPS $0xEE, Y10, Y8, Y1")
	w.f("\tVSHUFPS $0x44, Y11, Y9, Y2")
	w.f("\tVSHUFPS $0xEE, Y11, Y9, Y3")
	w.f("\tVSHUFPS $0x44, Y14, Y12, Y4")
	w.f("\tVSHUFPS $0xEE, Y14, Y12, Y5")
	w.f("\tVSHUFPS $0x44, Y15, Y13, Y6")
	w.f("\tVSHUFPS $0xEE, Y15, Y13, Y7")
	for i := 0; i < 4; i++ {
		w.f("\tVPERM2F128 $0x20, Y%d, Y%d, Y%d", 4+i, i, 8+i)
		w.f("\tVPERM2F128 $0x31, Y%d, Y%d, Y%d", 4+i, i, 12+i)
	}
	w.f("\tMOVQ R13, R14")
	for i := 0; i < 8; i++ {
		w.f("\tVMOVUPS Y%d, (R14)", 8+i)
		if i < 7 {
			w.f("\tADDQ DX, R14")
		}
	}
	w.f("\tADDQ $32, R10")
	w.f("\tADDQ $32, R11")
	w.f("\tLEAQ (R14)(DX*1), R13")
	w.f("\tDECQ R9")
	w.f("\tJNZ transposeAVX_block")
	w.f("transposeAVX_next:")
	w.f("\tLEAQ (SI)(BX*8), SI")
	w.f("\tADDQ $32, DI")
	w.f("\tDECQ R8")
	w.f("\tJNZ transposeAVX_group")
	w.f("transposeAVX_done:")
	w.f("\tVZEROUPPER")
	w.f("\tRET")
	w.f("")
}

// emitCopyRows writes
//
//	func copyRowsAVX(dst *float32, src *float32, lds int, rows, width int)
//
// which sets dst[p*width + j] = src[p*lds + j] for p < rows and j < width,
// width 16 or 32: it packs a panel of B whose columns are contiguous in
// memory, with the copy in registers instead of one runtime.memmove call per
// row.
func emitCopyRows(w *writer) {
	w.f("// func copyRowsAVX(dst *float32, src *float32, lds int, rows, width int)")
	w.f("TEXT ·copyRowsAVX(SB), NOSPLIT, $0-40")
	w.f("\tMOVQ dst+0(FP), DI")
	w.f("\tMOVQ src+8(FP), SI")
	w.f("\tMOVQ lds+16(FP), BX")
	w.f("\tSHLQ $2, BX")
	w.f("\tMOVQ rows+24(FP), CX")
	w.f("\tTESTQ CX, CX")
	w.f("\tJZ copyRowsAVX_done")
	w.f("\tCMPQ width+32(FP), $32")
	w.f("\tJEQ copyRowsAVX_32")
	for _, nv := range []int{2, 4} {
		if nv == 4 {
			w.f("copyRowsAVX_32:")
		} else {
			w.f("copyRowsAVX_16:")
		}
		for v := 0; v < nv; v++ {
			w.f("\tVMOVUPS %d(SI), Y%d", 32*v, v)
		}
		for v := 0; v < nv; v++ {
			w.f("\tVMOVUPS Y%d, %d(DI)", v, 32*v)
		}
		w.f("\tADDQ BX, SI")
		w.f("\tADDQ $%d, DI", 32*nv)
		w.f("\tDECQ CX")
		if nv == 4 {
			w.f("\tJNZ copyRowsAVX_32")
		} else {
			w.f("\tJNZ copyRowsAVX_16")
			w.f("\tJMP copyRowsAVX_done")
		}
	}
	w.f("copyRowsAVX_done:")
	w.f("\tVZEROUPPER")
	w.f("\tRET")
	w.f("")
}
