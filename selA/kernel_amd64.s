//go:build amd64 && !purego

#include "textflag.h"
#include "avx512.h"

// The fused Sinkhorn pass over rows of a float32 kernel (see kernel.go for the
// canonical definition that these routines reproduce bit for bit):
//
//	for each row i:  d = dot32(g_i, a)          // 32 float64 lanes, fixed reduction tree
//	                 b[i] = c / d
//	                 s[y] = fma(g_iy, b[i], s[y]) for every y
//
// Lanes: element y goes to lane y mod 32 (acc = fma(g, a, acc)); the last, partial
// block of 32 is loaded with a mask (zeros beyond the row, no read past it) and
// multiplied by a's zero padding, which leaves the missing lanes unchanged. The
// caller guarantees a[k : k32+32] exists and is zero (k32 = k rounded up to 32).
// Lanes are reduced as u[l] = (acc[l]+acc[8+l]) + (acc[16+l]+acc[24+l]) (l < 8),
// v[l] = u[l]+u[4+l], w[l] = v[l]+v[2+l], d = w[0]+w[1].

// func fusedRowsAVX2(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64, mask *int32)
// mask[e] = -1 for e < k mod 32, else 0 (the partial block's load mask).
TEXT ·fusedRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	VMOVSD c+32(FP), X13
	MOVQ b+40(FP), DX
	MOVQ s+48(FP), R10
	MOVQ mask+56(FP), R15
	MOVQ R8, R11
	SHLQ $2, R11          // row stride in bytes
	MOVQ R8, R12
	ANDQ $-32, R12        // full blocks end here

avx2_row:
	TESTQ R9, R9
	JZ avx2_done
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
	JGE avx2_reduce

avx2_dot32:
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
	JL avx2_dot32

avx2_reduce:
	CMPQ CX, R8
	JGE avx2_tree
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

avx2_tree:
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

avx2_divide:
	VDIVSD X0, X13, X14   // b = c / d
	VMOVSD X14, (DX)
	ADDQ $8, DX
	VBROADCASTSD X14, Y14
	MOVQ SI, AX
	MOVQ R10, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE avx2_axpy4

avx2_axpy32:
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
	JL avx2_axpy32

avx2_axpy4:
	MOVQ R8, R13
	SUBQ CX, R13
	CMPQ R13, $4
	JL avx2_axpy1
	VCVTPS2PD (AX), Y0
	VFMADD213PD (BX), Y14, Y0
	VMOVUPD Y0, (BX)
	ADDQ $16, AX
	ADDQ $32, BX
	ADDQ $4, CX
	JMP avx2_axpy4

avx2_axpy1:
	CMPQ CX, R8
	JGE avx2_next
	VCVTSS2SD (AX), X8, X8
	VFMADD213SD (BX), X14, X8
	VMOVSD X8, (BX)
	ADDQ $4, AX
	ADDQ $8, BX
	INCQ CX
	JMP avx2_axpy1

avx2_next:
	ADDQ R11, SI
	DECQ R9
	JMP avx2_row

avx2_done:
	VZEROUPPER
	RET

// func fusedRowsAVX512(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)
TEXT ·fusedRowsAVX512(SB), NOSPLIT, $0-56
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	VMOVSD c+32(FP), X13
	MOVQ b+40(FP), DX
	MOVQ s+48(FP), R10
	ROW_GEOMETRY

z_row:
	TESTQ R9, R9
	JZ z_done
	VXORPD Y0, Y0, Y0     // VEX zeroing clears the whole zmm register
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ DI, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE z_reduce

z_dot32:
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
	JL z_dot32

z_reduce:
	CMPQ CX, R8
	JGE z_tree
	// partial block: g through the masks, a from its zero padding
	VCVTPS2PD.Z (AX), K1, Z4
	VCVTPS2PD.Z 32(AX), K2, Z5
	VCVTPS2PD.Z 64(AX), K3, Z6
	VCVTPS2PD.Z 96(AX), K4, Z7
	VFMADD231PD (BX), Z4, Z0
	VFMADD231PD 64(BX), Z5, Z1
	VFMADD231PD 128(BX), Z6, Z2
	VFMADD231PD 192(BX), Z7, Z3

z_tree:
	DOT_TREE

z_divide:
	VDIVSD X0, X13, X14
	VMOVSD X14, (DX)
	ADDQ $8, DX
	VBROADCASTSD X14, Z14
	MOVQ SI, AX
	MOVQ R10, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE z_axpy8

z_axpy32:
	AXPY32(AX, BX)
	ADDQ $128, AX
	ADDQ $256, BX
	ADDQ $32, CX
	CMPQ CX, R12
	JL z_axpy32

z_axpy8:
	MOVQ R8, R13
	SUBQ CX, R13
	CMPQ R13, $8
	JL z_axpy1
	VCVTPS2PD (AX), Z4
	VFMADD213PD (BX), Z14, Z4
	VMOVUPD Z4, (BX)
	ADDQ $32, AX
	ADDQ $64, BX
	ADDQ $8, CX
	JMP z_axpy8

z_axpy1:
	CMPQ CX, R8
	JGE z_next
	VCVTSS2SD (AX), X4, X4
	VFMADD213SD (BX), X14, X4
	VMOVSD X4, (BX)
	ADDQ $4, AX
	ADDQ $8, BX
	INCQ CX
	JMP z_axpy1

z_next:
	ADDQ R11, SI
	DECQ R9
	JMP z_row

z_done:
	VZEROUPPER
	RET

// func fusedRowsAVX512P(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)
TEXT ·fusedRowsAVX512P(SB), NOSPLIT, $0-56
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	VMOVSD c+32(FP), X13
	MOVQ b+40(FP), DX
	MOVQ s+48(FP), R10
	ROW_GEOMETRY

	// Software pipeline: row i+1's dot product runs in the loop of row i's column
	// update (independent registers, so one row's reduction tree and division
	// overlap the other's loads); every accumulator and every s[y] still sees its
	// additions in the canonical order, so the bits are fusedRowsAVX512's.
	TESTQ R9, R9
	JZ p_done
	// Prologue: row 0's dot product.
	VXORPD Y0, Y0, Y0     // VEX zeroing clears the whole zmm register
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ SI, R13
	MOVQ DI, BX
	XORQ CX, CX
	CMPQ CX, R12
	JGE p_dot_tail

p_dot32:
	VCVTPS2PD (R13), Z4
	VCVTPS2PD 32(R13), Z5
	VCVTPS2PD 64(R13), Z6
	VCVTPS2PD 96(R13), Z7
	VFMADD231PD (BX), Z4, Z0
	VFMADD231PD 64(BX), Z5, Z1
	VFMADD231PD 128(BX), Z6, Z2
	VFMADD231PD 192(BX), Z7, Z3
	ADDQ $128, R13
	ADDQ $256, BX
	ADDQ $32, CX
	CMPQ CX, R12
	JL p_dot32
	JMP p_dot_tail

p_row:
	// Row i (at SI) has its b in Z14; R9 rows remain, row i included.
	CMPQ R9, $1
	JLE p_last
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ SI, AX           // row i
	LEAQ (SI)(R11*1), R13 // row i+1
	MOVQ DI, BX           // a
	MOVQ R10, R15         // s
	XORQ CX, CX
	CMPQ CX, R12
	JGE p_both_tail

p_both32:
	PREFETCHT0 1024(R13)
	VCVTPS2PD (R13), Z4
	VCVTPS2PD 32(R13), Z5
	VCVTPS2PD 64(R13), Z6
	VCVTPS2PD 96(R13), Z7
	VCVTPS2PD (AX), Z8
	VCVTPS2PD 32(AX), Z9
	VCVTPS2PD 64(AX), Z10
	VCVTPS2PD 96(AX), Z11
	VFMADD231PD (BX), Z4, Z0
	VFMADD231PD 64(BX), Z5, Z1
	VFMADD231PD 128(BX), Z6, Z2
	VFMADD231PD 192(BX), Z7, Z3
	VFMADD213PD (R15), Z14, Z8
	VFMADD213PD 64(R15), Z14, Z9
	VFMADD213PD 128(R15), Z14, Z10
	VFMADD213PD 192(R15), Z14, Z11
	VMOVUPD Z8, (R15)
	VMOVUPD Z9, 64(R15)
	VMOVUPD Z10, 128(R15)
	VMOVUPD Z11, 192(R15)
	ADDQ $128, R13
	ADDQ $128, AX
	ADDQ $256, BX
	ADDQ $256, R15
	ADDQ $32, CX
	CMPQ CX, R12
	JL p_both32

p_both_tail:
	// Row i's last k mod 32 columns (AX, R15 and CX point there), then row i+1's
	// partial block.
pb_axpy8:
	MOVQ R8, BX
	SUBQ CX, BX
	CMPQ BX, $8
	JL pb_axpy1
	VCVTPS2PD (AX), Z4
	VFMADD213PD (R15), Z14, Z4
	VMOVUPD Z4, (R15)
	ADDQ $32, AX
	ADDQ $64, R15
	ADDQ $8, CX
	JMP pb_axpy8

pb_axpy1:
	CMPQ CX, R8
	JGE pb_axpy_done
	VCVTSS2SD (AX), X4, X4
	VFMADD213SD (R15), X14, X4
	VMOVSD X4, (R15)
	ADDQ $4, AX
	ADDQ $8, R15
	INCQ CX
	JMP pb_axpy1

pb_axpy_done:
	TESTQ R13, R13
	JZ p_done
	MOVQ R12, CX          // row i+1's partial block starts at column R12
	LEAQ (SI)(R11*1), SI  // row i+1 becomes row i
	DECQ R9
	MOVQ R12, BX          // a at column R12
	SHLQ $3, BX
	ADDQ DI, BX

p_dot_tail:
	CMPQ CX, R8
	JGE p_tree
	VCVTPS2PD.Z (R13), K1, Z4
	VCVTPS2PD.Z 32(R13), K2, Z5
	VCVTPS2PD.Z 64(R13), K3, Z6
	VCVTPS2PD.Z 96(R13), K4, Z7
	VFMADD231PD (BX), Z4, Z0
	VFMADD231PD 64(BX), Z5, Z1
	VFMADD231PD 128(BX), Z6, Z2
	VFMADD231PD 192(BX), Z7, Z3

p_tree:
	DOT_TREE
	VDIVSD X0, X13, X14
	VMOVSD X14, (DX)
	ADDQ $8, DX
	VBROADCASTSD X14, Z14
	JMP p_row

p_last:
	// The last row's update alone; R13 = 0 tells the shared tail to finish.
	XORQ R13, R13
	MOVQ SI, AX
	MOVQ R10, R15
	XORQ CX, CX
	CMPQ CX, R12
	JGE pb_axpy8

p_axpy32:
	AXPY32(AX, R15)
	ADDQ $128, AX
	ADDQ $256, R15
	ADDQ $32, CX
	CMPQ CX, R12
	JL p_axpy32

	JMP pb_axpy8

p_done:
	VZEROUPPER
	RET
