//go:build amd64 && !purego

#include "textflag.h"
#include "avx512.h"

// The Gram matrix of the normalised plan rows, for Sinkhorn's Newton step (see
// gramRowsGo in newton.go).

// GRAM_P forms row i's p = g_i·(a·(b_i·scale)) in Z29 (columns 0..7) and Z30
// (8..15), from b_i at DX, the row at SI, a in Z24/Z25 and scale in Z31, and
// stores it at 0(SP) for the broadcasts. Clobbers Z26..Z28.
#define GRAM_P \
	VBROADCASTSD (DX), Z26; VMULPD Z31, Z26, Z26; \
	VMULPD Z26, Z24, Z27; VMULPD Z26, Z25, Z28; \
	VCVTPS2PD.Z (SI), K1, Z29; VCVTPS2PD.Z 32(SI), K2, Z30; \
	VMULPD Z27, Z29, Z29; VMULPD Z28, Z30, Z30; \
	VMOVUPD Z29, (SP); VMOVUPD Z30, 64(SP)

// func gramRowsAVX512(gp *float32, k int, rows int, a *float64, b *float64, scale float64, w *float64)
// k ≤ 16, a zero-padded to 16: with p_z = g_iz·(a_z·(b_i·scale)) for each row i,
// w[16y+z] = Σ_i fma(p_y, p_z, ·) in row order, for the upper triangle z ≥ y
// (which the registers below cover: rows 0..7 in full, rows 8..15 from column 8;
// entries below the diagonal may be written too). The sums start at zero and
// overwrite w. The products p_y·p_z and p_z·p_y are the same number, so the order
// of the operands of an fma does not matter. p goes to the stack, from where each
// fma broadcasts its p_y.
TEXT ·gramRowsAVX512(SB), NOSPLIT, $128-56
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ b+32(FP), DX
	MOVQ w+48(FP), R10
	ROW_GEOMETRY
	VMOVUPD (DI), Z24
	VMOVUPD 64(DI), Z25
	VBROADCASTSD scale+40(FP), Z31
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	CMPQ R8, $8
	JLE g8_row

g16_row:
	TESTQ R9, R9
	JZ g16_row_done
	GRAM_P
	VFMADD231PD.BCST 0(SP), Z29, Z0
	VFMADD231PD.BCST 0(SP), Z30, Z1
	VFMADD231PD.BCST 8(SP), Z29, Z2
	VFMADD231PD.BCST 8(SP), Z30, Z3
	VFMADD231PD.BCST 16(SP), Z29, Z4
	VFMADD231PD.BCST 16(SP), Z30, Z5
	VFMADD231PD.BCST 24(SP), Z29, Z6
	VFMADD231PD.BCST 24(SP), Z30, Z7
	VFMADD231PD.BCST 32(SP), Z29, Z8
	VFMADD231PD.BCST 32(SP), Z30, Z9
	VFMADD231PD.BCST 40(SP), Z29, Z10
	VFMADD231PD.BCST 40(SP), Z30, Z11
	VFMADD231PD.BCST 48(SP), Z29, Z12
	VFMADD231PD.BCST 48(SP), Z30, Z13
	VFMADD231PD.BCST 56(SP), Z29, Z14
	VFMADD231PD.BCST 56(SP), Z30, Z15
	VFMADD231PD.BCST 64(SP), Z30, Z16
	VFMADD231PD.BCST 72(SP), Z30, Z17
	VFMADD231PD.BCST 80(SP), Z30, Z18
	VFMADD231PD.BCST 88(SP), Z30, Z19
	VFMADD231PD.BCST 96(SP), Z30, Z20
	VFMADD231PD.BCST 104(SP), Z30, Z21
	VFMADD231PD.BCST 112(SP), Z30, Z22
	VFMADD231PD.BCST 120(SP), Z30, Z23
	ADDQ R11, SI
	ADDQ $8, DX
	DECQ R9
	JMP g16_row

g16_row_done:
	VMOVUPD Z0, 0(R10)
	VMOVUPD Z1, 64(R10)
	VMOVUPD Z2, 128(R10)
	VMOVUPD Z3, 192(R10)
	VMOVUPD Z4, 256(R10)
	VMOVUPD Z5, 320(R10)
	VMOVUPD Z6, 384(R10)
	VMOVUPD Z7, 448(R10)
	VMOVUPD Z8, 512(R10)
	VMOVUPD Z9, 576(R10)
	VMOVUPD Z10, 640(R10)
	VMOVUPD Z11, 704(R10)
	VMOVUPD Z12, 768(R10)
	VMOVUPD Z13, 832(R10)
	VMOVUPD Z14, 896(R10)
	VMOVUPD Z15, 960(R10)
	VMOVUPD Z16, 1088(R10)
	VMOVUPD Z17, 1216(R10)
	VMOVUPD Z18, 1344(R10)
	VMOVUPD Z19, 1472(R10)
	VMOVUPD Z20, 1600(R10)
	VMOVUPD Z21, 1728(R10)
	VMOVUPD Z22, 1856(R10)
	VMOVUPD Z23, 1984(R10)
	VZEROUPPER
	RET

// k ≤ 8: rows and columns 0..7 only.
g8_row:
	TESTQ R9, R9
	JZ g8_row_done
	GRAM_P
	VFMADD231PD.BCST 0(SP), Z29, Z0
	VFMADD231PD.BCST 8(SP), Z29, Z2
	VFMADD231PD.BCST 16(SP), Z29, Z4
	VFMADD231PD.BCST 24(SP), Z29, Z6
	VFMADD231PD.BCST 32(SP), Z29, Z8
	VFMADD231PD.BCST 40(SP), Z29, Z10
	VFMADD231PD.BCST 48(SP), Z29, Z12
	VFMADD231PD.BCST 56(SP), Z29, Z14
	ADDQ R11, SI
	ADDQ $8, DX
	DECQ R9
	JMP g8_row

g8_row_done:
	VMOVUPD Z0, 0(R10)
	VMOVUPD Z2, 128(R10)
	VMOVUPD Z4, 256(R10)
	VMOVUPD Z6, 384(R10)
	VMOVUPD Z8, 512(R10)
	VMOVUPD Z10, 640(R10)
	VMOVUPD Z12, 768(R10)
	VMOVUPD Z14, 896(R10)
	VZEROUPPER
	RET

// GRAM_P2 stores at off(SP) row AX's p = g·(a·(b·scale)) (four float64 vectors,
// columns 0..15), from b at bo(DX), the row's float32 lane masks in X8..X11 and
// scale in Y12. Clobbers Y0..Y5.
#define GRAM_P2(bo, off) \
	VBROADCASTSD bo(DX), Y4; VMULPD Y12, Y4, Y4; \
	VMULPD (DI), Y4, Y5; VMASKMOVPS (AX), X8, X0; VCVTPS2PD X0, Y0; VMULPD Y5, Y0, Y0; VMOVUPD Y0, off(SP); \
	VMULPD 32(DI), Y4, Y5; VMASKMOVPS 16(AX), X9, X1; VCVTPS2PD X1, Y1; VMULPD Y5, Y1, Y1; VMOVUPD Y1, off+32(SP); \
	VMULPD 64(DI), Y4, Y5; VMASKMOVPS 32(AX), X10, X2; VCVTPS2PD X2, Y2; VMULPD Y5, Y2, Y2; VMOVUPD Y2, off+64(SP); \
	VMULPD 96(DI), Y4, Y5; VMASKMOVPS 48(AX), X11, X3; VCVTPS2PD X3, Y3; VMULPD Y5, Y3, Y3; VMOVUPD Y3, off+96(SP)

// func gramRowsAVX2(gp *float32, k int, rows int, a *float64, b *float64, scale float64, w *float64, mask *int32)
// gramRowsAVX512 for AVX2 (same bits; mask is tailMask(k)). Sixteen registers
// cannot hold the triangle, so w accumulates in memory, four rows at a time: the
// four rows' p go to the stack (zeros for the rows missing from the last group,
// which leave the sums unchanged), and each 4-wide block of w is loaded once and
// takes the four rows' fma in row order.
TEXT ·gramRowsAVX2(SB), NOSPLIT, $512-64
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ b+32(FP), DX
	MOVQ w+48(FP), R10
	MOVQ mask+56(FP), R15
	MOVQ R8, R11
	SHLQ $2, R11          // row stride in bytes
	MOVQ R8, R12
	ADDQ $3, R12
	SHRQ $2, R12          // blocks of 4 columns
	VBROADCASTSD scale+40(FP), Y12
	VMOVDQU (R15), X8
	VMOVDQU 16(R15), X9
	VMOVDQU 32(R15), X10
	VMOVDQU 48(R15), X11
	VXORPD Y0, Y0, Y0
	MOVQ R10, BX
	MOVQ $64, CX

g2_zero:
	VMOVUPD Y0, (BX)
	ADDQ $32, BX
	DECQ CX
	JNZ g2_zero

g2_group:
	TESTQ R9, R9
	JZ g2_done
	MOVQ SI, AX
	GRAM_P2(0, 0)
	CMPQ R9, $2
	JL g2_zero1
	ADDQ R11, AX
	GRAM_P2(8, 128)
	CMPQ R9, $3
	JL g2_zero2
	ADDQ R11, AX
	GRAM_P2(16, 256)
	CMPQ R9, $4
	JL g2_zero3
	ADDQ R11, AX
	GRAM_P2(24, 384)
	JMP g2_sum

g2_zero1:
	VXORPD Y0, Y0, Y0
	VMOVUPD Y0, 128(SP)
	VMOVUPD Y0, 160(SP)
	VMOVUPD Y0, 192(SP)
	VMOVUPD Y0, 224(SP)

g2_zero2:
	VXORPD Y0, Y0, Y0
	VMOVUPD Y0, 256(SP)
	VMOVUPD Y0, 288(SP)
	VMOVUPD Y0, 320(SP)
	VMOVUPD Y0, 352(SP)

g2_zero3:
	VXORPD Y0, Y0, Y0
	VMOVUPD Y0, 384(SP)
	VMOVUPD Y0, 416(SP)
	VMOVUPD Y0, 448(SP)
	VMOVUPD Y0, 480(SP)

g2_sum:
	XORQ CX, CX           // y

g2_y:
	VBROADCASTSD (SP)(CX*8), Y4
	VBROADCASTSD 128(SP)(CX*8), Y5
	VBROADCASTSD 256(SP)(CX*8), Y6
	VBROADCASTSD 384(SP)(CX*8), Y7
	MOVQ CX, R14
	SHRQ $2, R14          // first block holding column y
	MOVQ CX, BX
	SHLQ $7, BX
	ADDQ R10, BX          // w[16y]
	LEAQ (BX)(R14*8), BX
	LEAQ (BX)(R14*8), BX
	LEAQ (BX)(R14*8), BX
	LEAQ (BX)(R14*8), BX  // w[16y + 4·block]
	MOVQ R14, R13
	SHLQ $5, R13
	LEAQ (SP)(R13*1), R13 // p of the first row at that block
	NEGQ R14
	ADDQ R12, R14         // blocks left

g2_block:
	VMOVUPD (BX), Y0
	VFMADD231PD (R13), Y4, Y0
	VFMADD231PD 128(R13), Y5, Y0
	VFMADD231PD 256(R13), Y6, Y0
	VFMADD231PD 384(R13), Y7, Y0
	VMOVUPD Y0, (BX)
	ADDQ $32, BX
	ADDQ $32, R13
	DECQ R14
	JNZ g2_block
	INCQ CX
	CMPQ CX, R8
	JL g2_y
	LEAQ (SI)(R11*4), SI
	ADDQ $32, DX
	SUBQ $4, R9
	JG g2_group

g2_done:
	VZEROUPPER
	RET
