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

// The four-row pass: four rows' dot products share each load of a, and their four
// column updates share each load and store of s (s[y] gets row 0's FMA, then row
// 1's, ..., so the bits are those of one row at a time). The next four rows are
// prefetched meanwhile in address order, 256 bytes per block of 32 columns in both
// loops: the first half during the dot products, the second during the updates;
// what the loops leave (rows shorter than 32: all of it) is prefetched after the
// group. The prefetches run one group or 4 KB ahead, whichever is more: for short
// rows one group is too close to hide the memory latency (the distances were chosen
// by timing the alternatives with BenchmarkPass).
//
// Registers: Z0..Z15 the accumulators (row r in Z4r..Z4r+3), Z16..Z19 a block of a
// (in the dot products) or of s (in the updates), Z20..Z23 converted g, Z24..Z27
// the rows' b, Z28..Z31 the last, partial block of s, held in registers for the
// whole call (stored with masks after each group, it was reloaded before the store
// retired: at K = 100 that stall made the pass three times slower). Rows 0..3 of
// the group at (AX), (AX)(R11*1), (BX), (BX)(R11*1); R14 walks ahead of them.

// CVT4 converts 32 float32s (four 256-bit operands) into Z20..Z23; CVT4Z loads
// them through the partial block's masks K1..K4.
#define CVT4(m0, m1, m2, m3) VCVTPS2PD m0, Z20; VCVTPS2PD m1, Z21; VCVTPS2PD m2, Z22; VCVTPS2PD m3, Z23
#define CVT4Z(m0, m1, m2, m3) VCVTPS2PD.Z m0, K1, Z20; VCVTPS2PD.Z m1, K2, Z21; VCVTPS2PD.Z m2, K3, Z22; VCVTPS2PD.Z m3, K4, Z23

// ACC4 adds Z20..Z23 times a's block Z16..Z19 into accumulators za..zd.
#define ACC4(za, zb, zc, zd) VFMADD231PD Z16, Z20, za; VFMADD231PD Z17, Z21, zb; VFMADD231PD Z18, Z22, zc; VFMADD231PD Z19, Z23, zd

// UPD4 adds Z20..Z23 times the broadcast zb into a block of s in s0..s3.
#define UPD4(zb, s0, s1, s2, s3) VFMADD231PD zb, Z20, s0; VFMADD231PD zb, Z21, s1; VFMADD231PD zb, Z22, s2; VFMADD231PD zb, Z23, s3

// LOAD_A loads a's block at R15 into Z16..Z19.
#define LOAD_A VMOVUPD (R15), Z16; VMOVUPD 64(R15), Z17; VMOVUPD 128(R15), Z18; VMOVUPD 192(R15), Z19

// PREFETCH_NEXT fetches the 256 bytes at R14 into L1 and advances R14.
#define PREFETCH_NEXT PREFETCHT0 (R14); PREFETCHT0 64(R14); PREFETCHT0 128(R14); PREFETCHT0 192(R14); ADDQ $256, R14

// PREFETCH_AHEAD sets R13 to the address the prefetches should have reached for
// the group at SI: SI plus one group (4 rows) or 4096 bytes, whichever is more.
#define PREFETCH_AHEAD MOVQ R11, R13; SHLQ $2, R13; MOVQ $4096, BX; CMPQ R13, BX; CMOVQLT BX, R13; ADDQ SI, R13

// func fusedRows4AVX512(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)
// rows must be a multiple of 4.
TEXT ·fusedRows4AVX512(SB), NOSPLIT, $0-56
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ b+40(FP), DX
	MOVQ s+48(FP), R10
	ROW_GEOMETRY
	LEAQ (R10)(R12*8), R13  // s's partial block
	VMOVUPD.Z (R13), K1, Z28
	VMOVUPD.Z 64(R13), K2, Z29
	VMOVUPD.Z 128(R13), K3, Z30
	VMOVUPD.Z 192(R13), K4, Z31
	PREFETCH_AHEAD
	MOVQ R13, R14

q_group:
	TESTQ R9, R9
	JZ q_done
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
	MOVQ SI, AX
	LEAQ (SI)(R11*2), BX
	MOVQ DI, R15
	XORQ CX, CX
	CMPQ CX, R12
	JGE q_dot_tail

q_dot32:
	PREFETCH_NEXT
	LOAD_A
	CVT4((AX), 32(AX), 64(AX), 96(AX))
	ACC4(Z0, Z1, Z2, Z3)
	CVT4((AX)(R11*1), 32(AX)(R11*1), 64(AX)(R11*1), 96(AX)(R11*1))
	ACC4(Z4, Z5, Z6, Z7)
	CVT4((BX), 32(BX), 64(BX), 96(BX))
	ACC4(Z8, Z9, Z10, Z11)
	CVT4((BX)(R11*1), 32(BX)(R11*1), 64(BX)(R11*1), 96(BX)(R11*1))
	ACC4(Z12, Z13, Z14, Z15)
	ADDQ $128, AX
	ADDQ $128, BX
	ADDQ $256, R15
	ADDQ $32, CX
	CMPQ CX, R12
	JL q_dot32

q_dot_tail:
	CMPQ CX, R8
	JGE q_trees
	// partial block: g through the masks, a from its zero padding
	LOAD_A
	CVT4Z((AX), 32(AX), 64(AX), 96(AX))
	ACC4(Z0, Z1, Z2, Z3)
	CVT4Z((AX)(R11*1), 32(AX)(R11*1), 64(AX)(R11*1), 96(AX)(R11*1))
	ACC4(Z4, Z5, Z6, Z7)
	CVT4Z((BX), 32(BX), 64(BX), 96(BX))
	ACC4(Z8, Z9, Z10, Z11)
	CVT4Z((BX)(R11*1), 32(BX)(R11*1), 64(BX)(R11*1), 96(BX)(R11*1))
	ACC4(Z12, Z13, Z14, Z15)

q_trees:
	DOT_TREE_R(Z0, Z1, Z2, Z3, Y0, Y1, X0, X1)
	DOT_TREE_R(Z4, Z5, Z6, Z7, Y4, Y5, X4, X5)
	DOT_TREE_R(Z8, Z9, Z10, Z11, Y8, Y9, X8, X9)
	DOT_TREE_R(Z12, Z13, Z14, Z15, Y12, Y13, X12, X13)
	VMOVSD c+32(FP), X20
	VDIVSD X0, X20, X24   // b = c / d for each row
	VDIVSD X4, X20, X25
	VDIVSD X8, X20, X26
	VDIVSD X12, X20, X27
	VMOVSD X24, (DX)
	VMOVSD X25, 8(DX)
	VMOVSD X26, 16(DX)
	VMOVSD X27, 24(DX)
	ADDQ $32, DX
	VBROADCASTSD X24, Z24
	VBROADCASTSD X25, Z25
	VBROADCASTSD X26, Z26
	VBROADCASTSD X27, Z27
	MOVQ SI, AX
	LEAQ (SI)(R11*2), BX
	MOVQ R10, R15
	XORQ CX, CX
	CMPQ CX, R12
	JGE q_upd_tail

q_upd32:
	PREFETCH_NEXT
	VMOVUPD (R15), Z16
	VMOVUPD 64(R15), Z17
	VMOVUPD 128(R15), Z18
	VMOVUPD 192(R15), Z19
	CVT4((AX), 32(AX), 64(AX), 96(AX))
	UPD4(Z24, Z16, Z17, Z18, Z19)
	CVT4((AX)(R11*1), 32(AX)(R11*1), 64(AX)(R11*1), 96(AX)(R11*1))
	UPD4(Z25, Z16, Z17, Z18, Z19)
	CVT4((BX), 32(BX), 64(BX), 96(BX))
	UPD4(Z26, Z16, Z17, Z18, Z19)
	CVT4((BX)(R11*1), 32(BX)(R11*1), 64(BX)(R11*1), 96(BX)(R11*1))
	UPD4(Z27, Z16, Z17, Z18, Z19)
	VMOVUPD Z16, (R15)
	VMOVUPD Z17, 64(R15)
	VMOVUPD Z18, 128(R15)
	VMOVUPD Z19, 192(R15)
	ADDQ $128, AX
	ADDQ $128, BX
	ADDQ $256, R15
	ADDQ $32, CX
	CMPQ CX, R12
	JL q_upd32

q_upd_tail:
	CMPQ CX, R8
	JGE q_next
	// partial block: g through the masks, s in Z28..Z31
	CVT4Z((AX), 32(AX), 64(AX), 96(AX))
	UPD4(Z24, Z28, Z29, Z30, Z31)
	CVT4Z((AX)(R11*1), 32(AX)(R11*1), 64(AX)(R11*1), 96(AX)(R11*1))
	UPD4(Z25, Z28, Z29, Z30, Z31)
	CVT4Z((BX), 32(BX), 64(BX), 96(BX))
	UPD4(Z26, Z28, Z29, Z30, Z31)
	CVT4Z((BX)(R11*1), 32(BX)(R11*1), 64(BX)(R11*1), 96(BX)(R11*1))
	UPD4(Z27, Z28, Z29, Z30, Z31)

q_next:
	LEAQ (SI)(R11*4), SI
	// Prefetch what the loops did not (all of it for rows shorter than 32).
	PREFETCH_AHEAD

q_prefetch_rest:
	CMPQ R14, R13
	JAE q_prefetch_done
	PREFETCHT0 (R14)
	ADDQ $64, R14
	JMP q_prefetch_rest

q_prefetch_done:
	SUBQ $4, R9
	JMP q_group

q_done:
	LEAQ (R10)(R12*8), R13
	VMOVUPD Z28, K1, (R13)  // masks past the row: nothing after s is written
	VMOVUPD Z29, K2, 64(R13)
	VMOVUPD Z30, K3, 128(R13)
	VMOVUPD Z31, K4, 192(R13)
	VZEROUPPER
	RET

// The streaming-read ceiling's inner loops (StreamSum): sums of n float32s in four
// independent vector accumulators, n a multiple of 64 (AVX-512) or 32 (AVX2).

// SUM_YMM0 adds Y0's eight float32s into X0.
#define SUM_YMM0 VEXTRACTF128 $1, Y0, X1; VADDPS X1, X0, X0; VHADDPS X0, X0, X0; VHADDPS X0, X0, X0

// func sumAVX512(x *float32, n int) float32
TEXT ·sumAVX512(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3

sum512_loop:
	VADDPS (SI), Z0, Z0
	VADDPS 64(SI), Z1, Z1
	VADDPS 128(SI), Z2, Z2
	VADDPS 192(SI), Z3, Z3
	ADDQ $256, SI
	SUBQ $64, CX
	JG sum512_loop
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	VEXTRACTF32X8 $1, Z0, Y1
	VADDPS Y1, Y0, Y0
	SUM_YMM0
	VZEROUPPER
	MOVSS X0, ret+16(FP)
	RET

// func sumAVX2(x *float32, n int) float32
TEXT ·sumAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

sum256_loop:
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	ADDQ $128, SI
	SUBQ $32, CX
	JG sum256_loop
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	SUM_YMM0
	VZEROUPPER
	MOVSS X0, ret+16(FP)
	RET

// func fusedRows4SmallAVX512(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)
// k ≤ 16 and rows a multiple of 4: fusedRows4AVX512 with two vectors per row
// instead of four, a and s held in registers for the whole call. A product
// fma(g, a, 0) is the rounded g·a, which VMULPD computes. The four rows' dot
// products are reduced together, each step adding the same pairs of lanes as
// DOT_TREE_R does for one row (lanes 16..31 are zero for rows this short, and
// (acc[l]+acc[8+l]) + (0+0) is acc[l]+acc[8+l] exactly, the products being ≥ +0):
// the rows' halves are gathered into shared vectors by lane shuffles, so that one
// add serves two or four rows, and one division gives the four b.
TEXT ·fusedRows4SmallAVX512(SB), NOSPLIT, $0-56
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ b+40(FP), DX
	MOVQ s+48(FP), R10
	ROW_GEOMETRY
	VMOVUPD (DI), Z16     // a[0:16] with its zero padding
	VMOVUPD 64(DI), Z17
	LOAD_S_SMALL
	VBROADCASTSD c+32(FP), Z30
	MOVQ $0x0604020006040200, AX  // lane indices 0, 2, 4, 6 (twice)
	VMOVQ AX, X21
	VPMOVZXBQ X21, Z21

s_group:
	TESTQ R9, R9
	JZ s_done
	LEAQ (SI)(R11*2), BX
	VCVTPS2PD.Z (SI), K1, Z0
	VCVTPS2PD.Z 32(SI), K2, Z1
	VCVTPS2PD.Z (SI)(R11*1), K1, Z2
	VCVTPS2PD.Z 32(SI)(R11*1), K2, Z3
	VCVTPS2PD.Z (BX), K1, Z4
	VCVTPS2PD.Z 32(BX), K2, Z5
	VCVTPS2PD.Z (BX)(R11*1), K1, Z6
	VCVTPS2PD.Z 32(BX)(R11*1), K2, Z7
	VMULPD Z16, Z0, Z8
	VMULPD Z17, Z1, Z9
	VMULPD Z16, Z2, Z10
	VMULPD Z17, Z3, Z11
	VMULPD Z16, Z4, Z12
	VMULPD Z17, Z5, Z13
	VMULPD Z16, Z6, Z14
	VMULPD Z17, Z7, Z15
	// acc[l] + acc[8+l] per row: rows A..D in Z8, Z10, Z12, Z14
	VADDPD Z9, Z8, Z8
	VADDPD Z11, Z10, Z10
	VADDPD Z13, Z12, Z12
	VADDPD Z15, Z14, Z14
	// u[l] + u[4+l]: Z9 = [A, B], Z13 = [C, D], four lanes each
	VINSERTF64X4 $1, Y10, Z8, Z9
	VSHUFF64X2 $0xEE, Z10, Z8, Z11
	VADDPD Z11, Z9, Z9
	VINSERTF64X4 $1, Y14, Z12, Z13
	VSHUFF64X2 $0xEE, Z14, Z12, Z15
	VADDPD Z15, Z13, Z13
	// v[l] + v[2+l]: Z10 = [A, B, C, D], two lanes each
	VSHUFF64X2 $0x88, Z13, Z9, Z10
	VSHUFF64X2 $0xDD, Z13, Z9, Z11
	VADDPD Z11, Z10, Z10
	// w[0] + w[1]: the four dot products in lanes 0, 2, 4, 6
	VPERMILPD $0x55, Z10, Z11
	VADDPD Z11, Z10, Z10
	VDIVPD Z10, Z30, Z10  // b = c / d for each row
	VPERMPD Z10, Z21, Z11
	VMOVUPD Y11, (DX)
	VBROADCASTSD (DX), Z24
	VBROADCASTSD 8(DX), Z25
	VBROADCASTSD 16(DX), Z26
	VBROADCASTSD 24(DX), Z27
	ADDQ $32, DX
	// s = fma(g, b, s), row after row as the canonical order
	VFMADD231PD Z24, Z0, Z28
	VFMADD231PD Z24, Z1, Z29
	VFMADD231PD Z25, Z2, Z28
	VFMADD231PD Z25, Z3, Z29
	VFMADD231PD Z26, Z4, Z28
	VFMADD231PD Z26, Z5, Z29
	VFMADD231PD Z27, Z6, Z28
	VFMADD231PD Z27, Z7, Z29
	LEAQ (SI)(R11*4), SI
	SUBQ $4, R9
	JMP s_group

s_done:
	STORE_S_SMALL
	VZEROUPPER
	RET

// func axpyRowsSmallAVX512(gp *float32, k int, rows int, b *float64, s *float64)
// k ≤ 16: s[y] = fma(g[i,y], b[i], s[y]) for the rows i in order, s held in
// registers for the whole call (axpyRow row after row gives the same bits).
TEXT ·axpyRowsSmallAVX512(SB), NOSPLIT, $0-40
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ b+24(FP), DX
	MOVQ s+32(FP), R10
	ROW_GEOMETRY
	LOAD_S_SMALL

ar_row:
	TESTQ R9, R9
	JZ ar_done
	VBROADCASTSD (DX), Z24
	VCVTPS2PD.Z (SI), K1, Z0
	VCVTPS2PD.Z 32(SI), K2, Z1
	VFMADD231PD Z24, Z0, Z28
	VFMADD231PD Z24, Z1, Z29
	ADDQ R11, SI
	ADDQ $8, DX
	DECQ R9
	JMP ar_row

ar_done:
	STORE_S_SMALL
	VZEROUPPER
	RET

// func firstBadAVX512(b *float64, n int) int
// n a multiple of 8: the index of the first b[i] that is not finite and positive
// (as bits, b[i]−1 ≥ 0x7FEFFFFFFFFFFFFF unsigned: ±0, negatives, +Inf, NaN), or -1.
TEXT ·firstBadAVX512(SB), NOSPLIT, $0-24
	MOVQ b+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	MOVQ $1, DX
	VPBROADCASTQ DX, Z1
	MOVQ $0x7FEFFFFFFFFFFFFF, DX
	VPBROADCASTQ DX, Z2

fb_loop:
	CMPQ AX, CX
	JGE fb_none
	VMOVDQU64 (SI)(AX*8), Z0
	VPSUBQ Z1, Z0, Z0
	VPCMPUQ $5, Z2, Z0, K1  // not less than: bad
	KORTESTW K1, K1
	JNZ fb_found
	ADDQ $8, AX
	JMP fb_loop

fb_found:
	KMOVW K1, DX
	BSFL DX, DX
	ADDQ DX, AX
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET

fb_none:
	MOVQ $-1, ret+16(FP)
	VZEROUPPER
	RET

// GROW_AVX2 loads row AX of a k ≤ 16 kernel as four float64 vectors Y0..Y3
// (elements 0-3, 4-7, 8-11, 12-15) through the float32 lane masks X8..X11: zeros
// beyond the row, and no read past it.
#define GROW_AVX2 \
	VMASKMOVPS (AX), X8, X0 \
	VCVTPS2PD X0, Y0 \
	VMASKMOVPS 16(AX), X9, X1 \
	VCVTPS2PD X1, Y1 \
	VMASKMOVPS 32(AX), X10, X2 \
	VCVTPS2PD X2, Y2 \
	VMASKMOVPS 48(AX), X11, X3 \
	VCVTPS2PD X3, Y3

// GDOT_AVX2 leaves in Yv the row's lanes v[l] = u[l]+u[4+l] of the canonical tree,
// u[l] = acc[l]+acc[8+l] (lanes 16..31 are zero for rows this short, and adding
// them changes nothing, the products being ≥ +0).
#define GDOT_AVX2(Yv) \
	GROW_AVX2 \
	VMULPD (DI), Y0, Y0 \
	VMULPD 32(DI), Y1, Y1 \
	VMULPD 64(DI), Y2, Y2 \
	VMULPD 96(DI), Y3, Y3 \
	VADDPD Y2, Y0, Y0 \
	VADDPD Y3, Y1, Y1 \
	VADDPD Y1, Y0, Yv

// GAXPY_AVX2 adds row AX times the broadcast b in Y4 to s in Y12..Y15.
#define GAXPY_AVX2 \
	GROW_AVX2 \
	VFMADD231PD Y4, Y0, Y12 \
	VFMADD231PD Y4, Y1, Y13 \
	VFMADD231PD Y4, Y2, Y14 \
	VFMADD231PD Y4, Y3, Y15

// LOAD_S_AVX2 loads s[0:16] at R10 into Y12..Y15 through float64 masks made from
// the tailMask at R15 (s has only k entries), and the float32 lane masks into
// X8..X11; STORE_S_AVX2 stores Y12..Y15 back through the same masks.
#define LOAD_S_AVX2 \
	VPMOVSXDQ (R15), Y0; VMASKMOVPD (R10), Y0, Y12; \
	VPMOVSXDQ 16(R15), Y0; VMASKMOVPD 32(R10), Y0, Y13; \
	VPMOVSXDQ 32(R15), Y0; VMASKMOVPD 64(R10), Y0, Y14; \
	VPMOVSXDQ 48(R15), Y0; VMASKMOVPD 96(R10), Y0, Y15; \
	VMOVDQU (R15), X8; VMOVDQU 16(R15), X9; VMOVDQU 32(R15), X10; VMOVDQU 48(R15), X11

#define STORE_S_AVX2 \
	VPMOVSXDQ (R15), Y0; VMASKMOVPD Y12, Y0, (R10); \
	VPMOVSXDQ 16(R15), Y0; VMASKMOVPD Y13, Y0, 32(R10); \
	VPMOVSXDQ 32(R15), Y0; VMASKMOVPD Y14, Y0, 64(R10); \
	VPMOVSXDQ 48(R15), Y0; VMASKMOVPD Y15, Y0, 96(R10)

// GROW3_AVX2, GDOT3_AVX2 and GAXPY3_AVX2 are GROW_AVX2, GDOT_AVX2 and GAXPY_AVX2
// for rows of k ≤ 12: three vectors (elements 0-11). u[4+l] = acc[4+l] then, and
// v = u[0:4] + u[4:8] as before.
#define GROW3_AVX2 \
	VMASKMOVPS (AX), X8, X0 \
	VCVTPS2PD X0, Y0 \
	VMASKMOVPS 16(AX), X9, X1 \
	VCVTPS2PD X1, Y1 \
	VMASKMOVPS 32(AX), X10, X2 \
	VCVTPS2PD X2, Y2

#define GDOT3_AVX2(Yv) \
	GROW3_AVX2 \
	VMULPD (DI), Y0, Y0 \
	VMULPD 32(DI), Y1, Y1 \
	VMULPD 64(DI), Y2, Y2 \
	VADDPD Y2, Y0, Y0 \
	VADDPD Y1, Y0, Yv

#define GAXPY3_AVX2 \
	GROW3_AVX2 \
	VFMADD231PD Y4, Y0, Y12 \
	VFMADD231PD Y4, Y1, Y13 \
	VFMADD231PD Y4, Y2, Y14

// FR4_GROUP is one group of four rows of the k ≤ 16 pass at SI (b at DX): DOT
// forms a row's lanes v, AXPY adds a row times the broadcast b in Y4 to s. The
// rows' v = [v0 v1 v2 v3] are gathered by 128-bit shuffles so that one add serves
// two rows, a horizontal add gives d = (v0+v2) + (v1+v3) for the four rows, and
// one division of c (in R12) gives their b; the rows then go into s in row order,
// the canonical order.
#define FR4_GROUP(DOT, AXPY) \
	MOVQ SI, AX \
	DOT(Y4) \
	ADDQ R11, AX \
	DOT(Y5) \
	ADDQ R11, AX \
	DOT(Y6) \
	ADDQ R11, AX \
	DOT(Y7) \
	VPERM2F128 $0x20, Y5, Y4, Y0 \
	VPERM2F128 $0x31, Y5, Y4, Y1 \
	VADDPD Y1, Y0, Y0 \
	VPERM2F128 $0x20, Y7, Y6, Y2 \
	VPERM2F128 $0x31, Y7, Y6, Y3 \
	VADDPD Y3, Y2, Y2 \
	VHADDPD Y2, Y0, Y0 \
	VPERMPD $0xD8, Y0, Y0 \
	VMOVQ R12, X1 \
	VBROADCASTSD X1, Y1 \
	VDIVPD Y0, Y1, Y1 \
	VMOVUPD Y1, (DX) \
	MOVQ SI, AX \
	VBROADCASTSD (DX), Y4 \
	AXPY \
	ADDQ R11, AX \
	VBROADCASTSD 8(DX), Y4 \
	AXPY \
	ADDQ R11, AX \
	VBROADCASTSD 16(DX), Y4 \
	AXPY \
	ADDQ R11, AX \
	VBROADCASTSD 24(DX), Y4 \
	AXPY

// func fusedRows4SmallAVX2(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64, mask *int32)
// fusedRowsAVX2 for k ≤ 16, four rows at a time (rows a multiple of 4; same bits):
// s stays in registers, the four rows' dot products are reduced together by lane
// shuffles, and one division gives the four b; rows of k ≤ 12 take three vectors
// instead of four. mask is tailMask(k).
TEXT ·fusedRows4SmallAVX2(SB), NOSPLIT, $0-64
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ b+40(FP), DX
	MOVQ s+48(FP), R10
	MOVQ mask+56(FP), R15
	MOVQ c+32(FP), R12
	MOVQ R8, R11
	SHLQ $2, R11          // row stride in bytes
	LOAD_S_AVX2
	CMPQ R8, $12
	JLE s3_group

s2_group:
	TESTQ R9, R9
	JZ s2_done
	FR4_GROUP(GDOT_AVX2, GAXPY_AVX2)
	ADDQ $32, DX
	LEAQ (SI)(R11*4), SI
	SUBQ $4, R9
	JMP s2_group

s3_group:                     // k ≤ 12: three vectors a row
	TESTQ R9, R9
	JZ s2_done
	FR4_GROUP(GDOT3_AVX2, GAXPY3_AVX2)
	ADDQ $32, DX
	LEAQ (SI)(R11*4), SI
	SUBQ $4, R9
	JMP s3_group

s2_done:
	STORE_S_AVX2
	VZEROUPPER
	RET


// func argmaxRowsSmallAVX2(gp *float32, k int, rows int, a *float64, labels *int32, mask *int32)
// argmaxRowsAVX512 for AVX2 and k ≤ 16 (mask is tailMask(k)): the products of a
// row in four vectors, their maximum M broadcast to every lane, and the first lane
// whose product equals M. The products are ≥ +0 and the lanes past the row are
// +0, so they change neither M nor the first match (on a row of zeros, lane 0).
TEXT ·argmaxRowsSmallAVX2(SB), NOSPLIT, $0-48
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	MOVQ labels+32(FP), R10
	MOVQ mask+40(FP), R15
	MOVQ R8, R11
	SHLQ $2, R11          // row stride in bytes
	VMOVDQU (R15), X8
	VMOVDQU 16(R15), X9
	VMOVDQU 32(R15), X10
	VMOVDQU 48(R15), X11
	XORL R13, R13

am2_row:
	TESTQ R9, R9
	JZ am2_done
	MOVQ SI, AX
	GROW_AVX2
	VMULPD (DI), Y0, Y0
	VMULPD 32(DI), Y1, Y1
	VMULPD 64(DI), Y2, Y2
	VMULPD 96(DI), Y3, Y3
	VMAXPD Y1, Y0, Y4
	VMAXPD Y3, Y2, Y5
	VMAXPD Y5, Y4, Y4
	VPERM2F128 $0x01, Y4, Y4, Y5
	VMAXPD Y5, Y4, Y4
	VPERMILPD $0x5, Y4, Y5
	VMAXPD Y5, Y4, Y4     // M in every lane
	VCMPPD $0, Y4, Y0, Y0
	VCMPPD $0, Y4, Y1, Y1
	VCMPPD $0, Y4, Y2, Y2
	VCMPPD $0, Y4, Y3, Y3
	VMOVMSKPD Y0, AX
	VMOVMSKPD Y1, BX
	SHLL $4, BX
	ORL BX, AX
	VMOVMSKPD Y2, BX
	SHLL $8, BX
	ORL BX, AX
	VMOVMSKPD Y3, BX
	SHLL $12, BX
	ORL BX, AX
	ORL $0x10000, AX      // no match (a NaN product): lane 16, then 0 below
	BSFL AX, AX
	CMPL AX, $16
	CMOVLEQ R13, AX
	MOVL AX, (R10)
	ADDQ $4, R10
	ADDQ R11, SI
	DECQ R9
	JMP am2_row

am2_done:
	VZEROUPPER
	RET

// func axpyRowsSmallAVX2(gp *float32, k int, rows int, b *float64, s *float64, mask *int32)
// axpyRowsSmallAVX512 for AVX2 (mask is tailMask(k)): s[y] = fma(g[i,y], b[i], s[y])
// for the rows i in order, s held in registers for the whole call.
TEXT ·axpyRowsSmallAVX2(SB), NOSPLIT, $0-48
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ b+24(FP), DX
	MOVQ s+32(FP), R10
	MOVQ mask+40(FP), R15
	SHLQ $2, R8           // row stride in bytes
	LOAD_S_AVX2

ax2_row:
	TESTQ R9, R9
	JZ ax2_done
	MOVQ SI, AX
	VBROADCASTSD (DX), Y4
	GAXPY_AVX2
	ADDQ $8, DX
	ADDQ R8, SI
	DECQ R9
	JMP ax2_row

ax2_done:
	STORE_S_AVX2
	VZEROUPPER
	RET

// func firstBadAVX2(b *float64, n int) int
// firstBadAVX512 for AVX2 (n a multiple of 4): b[i] is good when its bits, as a
// signed integer, lie in [1, 0x7FEFFFFFFFFFFFFF] (the positive finite numbers,
// subnormals included), which two signed compares decide.
TEXT ·firstBadAVX2(SB), NOSPLIT, $0-24
	MOVQ b+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	VPXOR Y1, Y1, Y1
	MOVQ $0x7FEFFFFFFFFFFFFF, DX
	MOVQ DX, X2
	VPBROADCASTQ X2, Y2

fb2_loop:
	CMPQ AX, CX
	JGE fb2_none
	VMOVDQU (SI)(AX*8), Y0
	VPCMPGTQ Y1, Y0, Y3     // bits > 0
	VPCMPGTQ Y2, Y0, Y4     // bits > the largest finite
	VPANDN Y3, Y4, Y3       // good: > 0 and not > the largest
	VMOVMSKPD Y3, DX
	CMPL DX, $15
	JNE fb2_found
	ADDQ $4, AX
	JMP fb2_loop

fb2_found:
	NOTL DX
	ANDL $15, DX
	BSFL DX, DX
	ADDQ DX, AX
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET

fb2_none:
	MOVQ $-1, ret+16(FP)
	VZEROUPPER
	RET
