//go:build amd64 && !purego

#include "textflag.h"
#include "avx512.h"

// The final labelling sweep's dense pass: the fused routines of kernel_amd64.s with
// b given instead of computed (see sweepRowsGo in fast.go).

// func sweepRowsAVX2(gp *float32, k int, rows int, a *float64, b *float64, d *float64, s *float64, mask *int32)
//
// As fusedRowsAVX2, except that b is given: d[i] = dot32(g_i, a) and
// s[y] = fma(g_iy, b[i], s[y]).
TEXT ·sweepRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ b+32(FP), R14
	MOVQ d+40(FP), DX
	MOVQ s+48(FP), R10
	MOVQ mask+56(FP), R15
	MOVQ R8, R11
	SHLQ $2, R11          // row stride in bytes
	MOVQ R8, R12
	ANDQ $-32, R12        // full blocks end here

avx2s_row:
	TESTQ R9, R9
	JZ avx2s_done
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	MOVQ SI, AX
	MOVQ DI, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE avx2s_reduce

avx2s_dot32:
	VCVTPS2PD (AX), Y8
	VCVTPS2PD 16(AX), Y9
	VCVTPS2PD 32(AX), Y10
	VCVTPS2PD 48(AX), Y11
	VFMADD231PD (BX), Y8, Y0
	VFMADD231PD 32(BX), Y9, Y1
	VFMADD231PD 64(BX), Y10, Y2
	VFMADD231PD 96(BX), Y11, Y3
	VCVTPS2PD 64(AX), Y8
	VCVTPS2PD 80(AX), Y9
	VCVTPS2PD 96(AX), Y10
	VCVTPS2PD 112(AX), Y11
	VFMADD231PD 128(BX), Y8, Y4
	VFMADD231PD 160(BX), Y9, Y5
	VFMADD231PD 192(BX), Y10, Y6
	VFMADD231PD 224(BX), Y11, Y7
	ADDQ $128, AX
	ADDQ $256, BX
	ADDQ $32, CX
	CMPQ CX, R12
	JL avx2s_dot32

avx2s_reduce:
	CMPQ CX, R8
	JGE avx2s_tree
	// partial block: g through the mask, a from its zero padding
	VMOVDQU (R15), X12
	VMASKMOVPS (AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD (BX), Y8, Y0
	VMOVDQU 16(R15), X12
	VMASKMOVPS 16(AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD 32(BX), Y8, Y1
	VMOVDQU 32(R15), X12
	VMASKMOVPS 32(AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD 64(BX), Y8, Y2
	VMOVDQU 48(R15), X12
	VMASKMOVPS 48(AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD 96(BX), Y8, Y3
	VMOVDQU 64(R15), X12
	VMASKMOVPS 64(AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD 128(BX), Y8, Y4
	VMOVDQU 80(R15), X12
	VMASKMOVPS 80(AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD 160(BX), Y8, Y5
	VMOVDQU 96(R15), X12
	VMASKMOVPS 96(AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD 192(BX), Y8, Y6
	VMOVDQU 112(R15), X12
	VMASKMOVPS 112(AX), X12, X8
	VCVTPS2PD X8, Y8
	VFMADD231PD 224(BX), Y8, Y7

avx2s_tree:
	VADDPD Y2, Y0, Y0     // lanes 0-3:  acc[l] + acc[8+l]
	VADDPD Y3, Y1, Y1     // lanes 4-7
	VADDPD Y6, Y4, Y4     // lanes 0-3:  acc[16+l] + acc[24+l]
	VADDPD Y7, Y5, Y5     // lanes 4-7
	VADDPD Y4, Y0, Y0     // u[0:4]
	VADDPD Y5, Y1, Y1     // u[4:8]
	VADDPD Y1, Y0, Y0     // v
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0     // w
	VUNPCKHPD X0, X0, X1
	VADDSD X1, X0, X0     // d

avx2s_divide:
	VMOVSD X0, (DX)       // d
	ADDQ $8, DX
	VMOVSD (R14), X14     // the given b
	ADDQ $8, R14
	VBROADCASTSD X14, Y14
	MOVQ SI, AX
	MOVQ R10, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE avx2s_axpy4

avx2s_axpy32:
	VCVTPS2PD (AX), Y0
	VCVTPS2PD 16(AX), Y1
	VCVTPS2PD 32(AX), Y2
	VCVTPS2PD 48(AX), Y3
	VCVTPS2PD 64(AX), Y4
	VCVTPS2PD 80(AX), Y5
	VCVTPS2PD 96(AX), Y6
	VCVTPS2PD 112(AX), Y7
	VFMADD213PD (BX), Y14, Y0
	VFMADD213PD 32(BX), Y14, Y1
	VFMADD213PD 64(BX), Y14, Y2
	VFMADD213PD 96(BX), Y14, Y3
	VFMADD213PD 128(BX), Y14, Y4
	VFMADD213PD 160(BX), Y14, Y5
	VFMADD213PD 192(BX), Y14, Y6
	VFMADD213PD 224(BX), Y14, Y7
	VMOVUPD Y0, (BX)
	VMOVUPD Y1, 32(BX)
	VMOVUPD Y2, 64(BX)
	VMOVUPD Y3, 96(BX)
	VMOVUPD Y4, 128(BX)
	VMOVUPD Y5, 160(BX)
	VMOVUPD Y6, 192(BX)
	VMOVUPD Y7, 224(BX)
	ADDQ $128, AX
	ADDQ $256, BX
	ADDQ $32, CX
	CMPQ CX, R12
	JL avx2s_axpy32

avx2s_axpy4:
	MOVQ R8, R13
	SUBQ CX, R13
	CMPQ R13, $4
	JL avx2s_axpy1
	VCVTPS2PD (AX), Y0
	VFMADD213PD (BX), Y14, Y0
	VMOVUPD Y0, (BX)
	ADDQ $16, AX
	ADDQ $32, BX
	ADDQ $4, CX
	JMP avx2s_axpy4

avx2s_axpy1:
	CMPQ CX, R8
	JGE avx2s_next
	VCVTSS2SD (AX), X8, X8
	VFMADD213SD (BX), X14, X8
	VMOVSD X8, (BX)
	ADDQ $4, AX
	ADDQ $8, BX
	INCQ CX
	JMP avx2s_axpy1

avx2s_next:
	ADDQ R11, SI
	DECQ R9
	JMP avx2s_row

avx2s_done:
	VZEROUPPER
	RET

// func sweepRowsAVX512(gp *float32, k int, rows int, a *float64, b *float64, d *float64, s *float64)
//
// As fusedRowsAVX512, except that b is given: d[i] = dot32(g_i, a) and
// s[y] = fma(g_iy, b[i], s[y]).
TEXT ·sweepRowsAVX512(SB), NOSPLIT, $0-56
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ b+32(FP), R15
	MOVQ d+40(FP), DX
	MOVQ s+48(FP), R10
	ROW_GEOMETRY

zs_row:
	TESTQ R9, R9
	JZ zs_done
	VXORPD Y0, Y0, Y0     // VEX zeroing clears the whole zmm register
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ DI, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE zs_reduce

zs_dot32:
	PREFETCHT0 1024(AX)
	VCVTPS2PD (AX), Z4
	VCVTPS2PD 32(AX), Z5
	VCVTPS2PD 64(AX), Z6
	VCVTPS2PD 96(AX), Z7
	VFMADD231PD (BX), Z4, Z0
	VFMADD231PD 64(BX), Z5, Z1
	VFMADD231PD 128(BX), Z6, Z2
	VFMADD231PD 192(BX), Z7, Z3
	ADDQ $128, AX
	ADDQ $256, BX
	ADDQ $32, CX
	CMPQ CX, R12
	JL zs_dot32

zs_reduce:
	CMPQ CX, R8
	JGE zs_tree
	// partial block: g through the masks, a from its zero padding
	VCVTPS2PD.Z (AX), K1, Z4
	VCVTPS2PD.Z 32(AX), K2, Z5
	VCVTPS2PD.Z 64(AX), K3, Z6
	VCVTPS2PD.Z 96(AX), K4, Z7
	VFMADD231PD (BX), Z4, Z0
	VFMADD231PD 64(BX), Z5, Z1
	VFMADD231PD 128(BX), Z6, Z2
	VFMADD231PD 192(BX), Z7, Z3

zs_tree:
	DOT_TREE

zs_divide:
	VMOVSD X0, (DX)      // d
	ADDQ $8, DX
	VMOVSD (R15), X14    // the given b
	ADDQ $8, R15
	VBROADCASTSD X14, Z14
	MOVQ SI, AX
	MOVQ R10, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE zs_axpy8

zs_axpy32:
	AXPY32(AX, BX)
	ADDQ $128, AX
	ADDQ $256, BX
	ADDQ $32, CX
	CMPQ CX, R12
	JL zs_axpy32

zs_axpy8:
	MOVQ R8, R13
	SUBQ CX, R13
	CMPQ R13, $8
	JL zs_axpy1
	VCVTPS2PD (AX), Z4
	VFMADD213PD (BX), Z14, Z4
	VMOVUPD Z4, (BX)
	ADDQ $32, AX
	ADDQ $64, BX
	ADDQ $8, CX
	JMP zs_axpy8

zs_axpy1:
	CMPQ CX, R8
	JGE zs_next
	VCVTSS2SD (AX), X4, X4
	VFMADD213SD (BX), X14, X4
	VMOVSD X4, (BX)
	ADDQ $4, AX
	ADDQ $8, BX
	INCQ CX
	JMP zs_axpy1

zs_next:
	ADDQ R11, SI
	DECQ R9
	JMP zs_row

zs_done:
	VZEROUPPER
	RET

// func argmaxRowsAVX512(gp *float32, k int, rows int, a *float64, labels *int32)
//
// labels[i] = the first y maximising a[y]·float64(g_iy) (see argmaxScaled): the
// maximum M of the products, eight lanes at a time, then the first y whose product
// equals M. The products are non-negative, so a zero start and zeroed tail lanes
// leave M unchanged.
TEXT ·argmaxRowsAVX512(SB), NOSPLIT, $0-40
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ labels+32(FP), R10
	MOVQ R8, R11
	SHLQ $2, R11          // row stride in bytes
	ROW_GEOMETRY8

am_row:
	TESTQ R9, R9
	JZ am_done
	VXORPD Z0, Z0, Z0
	XORQ CX, CX

am_max8:
	CMPQ CX, R12
	JGE am_maxtail
	VCVTPS2PD (SI)(CX*4), Z1
	VMULPD (DI)(CX*8), Z1, Z1
	VMAXPD Z1, Z0, Z0
	ADDQ $8, CX
	JMP am_max8

am_maxtail:
	CMPQ CX, R8
	JGE am_reduce
	VCVTPS2PD.Z (SI)(CX*4), K2, Z1
	VMOVUPD.Z (DI)(CX*8), K2, Z2
	VMULPD Z2, Z1, Z1
	VMAXPD Z1, Z0, Z0

am_reduce:
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD X1, X0, X0
	VUNPCKHPD X0, X0, X1
	VMAXSD X1, X0, X0
	VBROADCASTSD X0, Z0
	XORQ CX, CX

am_find8:
	CMPQ CX, R12
	JGE am_findtail
	VCVTPS2PD (SI)(CX*4), Z1
	VMULPD (DI)(CX*8), Z1, Z1
	VCMPPD $0, Z0, Z1, K1 // EQ_OQ
	KMOVW K1, AX
	TESTL AX, AX
	JNZ am_found
	ADDQ $8, CX
	JMP am_find8

am_findtail:
	XORL AX, AX
	CMPQ CX, R8
	JGE am_found
	VCVTPS2PD.Z (SI)(CX*4), K2, Z1
	VMOVUPD.Z (DI)(CX*8), K2, Z2
	VMULPD Z2, Z1, Z1
	VCMPPD $0, Z0, Z1, K2, K1
	KMOVW K1, AX

am_found:
	XORL BX, BX
	TESTL AX, AX
	JZ am_store           // not reached for finite products; label 0 then
	BSFL AX, BX
	ADDL CX, BX

am_store:
	MOVL BX, (R10)
	ADDQ $4, R10
	ADDQ R11, SI
	DECQ R9
	JMP am_row

am_done:
	VZEROUPPER
	RET

DATA neginf32<>+0(SB)/4, $0xff800000
GLOBL neginf32<>(SB), RODATA|NOPTR, $4

// func scanRowsAVX2(x *float32, k int, rows int, xmax *float64) int
//
// The input check of newInput for float32 rows: xmax[i] = max_y x_iy for each row
// until the first row holding a NaN or ±Inf, whose index it returns (-1 if none).
// Non-finite entries are found as in rowMax: v − v is NaN for them, 0 otherwise.
TEXT ·scanRowsAVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ xmax+24(FP), DX
	MOVQ R8, R12
	ANDQ $-16, R12        // blocks of sixteen end here
	VBROADCASTSS neginf32<>(SB), Y8
	XORQ R10, R10         // row index

sc_row:
	CMPQ R10, R9
	JGE sc_allok
	VMOVAPS Y8, Y0        // running maxima
	VMOVAPS Y8, Y1
	VXORPS Y2, Y2, Y2     // sums of v − v
	VXORPS Y3, Y3, Y3
	VMOVAPS X8, X9        // maximum of the tail (a VEX scalar op on X0 would clear
	VXORPS X10, X10, X10  // Y0's upper lanes); sum of its v − v
	XORQ CX, CX

sc_block:
	CMPQ CX, R12
	JGE sc_tail
	VMOVUPS (SI)(CX*4), Y4
	VMOVUPS 32(SI)(CX*4), Y5
	VMAXPS Y4, Y0, Y0
	VMAXPS Y5, Y1, Y1
	VSUBPS Y4, Y4, Y6
	VSUBPS Y5, Y5, Y7
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	ADDQ $16, CX
	JMP sc_block

sc_tail:
	CMPQ CX, R8
	JGE sc_reduce
	VMOVSS (SI)(CX*4), X4
	VMAXSS X4, X9, X9
	VSUBSS X4, X4, X6
	VADDSS X6, X10, X10
	INCQ CX
	JMP sc_tail

sc_reduce:
	VADDPS Y3, Y2, Y2
	VADDPS Y10, Y2, Y2    // Y10's upper lanes are zero
	VCMPPS $3, Y2, Y2, Y2 // unordered: some v − v was NaN
	VMOVMSKPS Y2, AX
	TESTL AX, AX
	JNZ sc_bad
	VMAXPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	VMAXSS X9, X0, X0
	VCVTSS2SD X0, X0, X0
	VMOVSD X0, (DX)(R10*8)
	LEAQ (SI)(R8*4), SI
	INCQ R10
	JMP sc_row

sc_bad:
	MOVQ R10, ret+32(FP)
	VZEROUPPER
	RET

sc_allok:
	MOVQ $-1, ret+32(FP)
	VZEROUPPER
	RET
