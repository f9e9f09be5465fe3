//go:build amd64 && !purego

#include "textflag.h"

// Routines of the truncated kernel (see sparse.go for the canonical Go definitions
// that they reproduce bit for bit). They need AVX2 and FMA only.

// func sparseRowsFMA(off *int32, val *float32, col *uint16, rows int, a *float64, c float64, b *float64, s *float64)
//
// For each row i: d = (acc0+acc1) + (acc2+acc3), entry j of the row fused into
// acc[j mod 4]; b[i] = c/d; then s[col_j] = fma(val_j, b[i], s[col_j]) in order.
TEXT ·sparseRowsFMA(SB), NOSPLIT, $0-64
	MOVQ off+0(FP), SI
	MOVQ val+8(FP), R8
	MOVQ col+16(FP), R9
	MOVQ rows+24(FP), R10
	MOVQ a+32(FP), DI
	VMOVSD c+40(FP), X15
	MOVQ b+48(FP), DX
	MOVQ s+56(FP), R11
	VXORPD X9, X9, X9     // never written: the merge source of VCVTSS2SD, so that
	                      // conversions do not depend on the register's last value

sr_row:
	TESTQ R10, R10
	JZ sr_done
	MOVLQSX (SI), AX      // lo
	MOVLQSX 4(SI), BX     // hi
	ADDQ $4, SI
	VXORPD X0, X0, X0
	VXORPD X1, X1, X1
	VXORPD X2, X2, X2
	VXORPD X3, X3, X3
	LEAQ (R8)(AX*4), CX   // &val[lo]
	LEAQ (R9)(AX*2), R14  // &col[lo]
	MOVQ BX, R12
	SUBQ AX, R12          // row length
	MOVQ R12, R15
	SHRQ $2, R15          // blocks of four
	JZ sr_tail

sr_dot4:
	MOVWQZX (R14), R13
	VCVTSS2SD (CX), X9, X4
	VFMADD231SD (DI)(R13*8), X4, X0
	MOVWQZX 2(R14), R13
	VCVTSS2SD 4(CX), X9, X5
	VFMADD231SD (DI)(R13*8), X5, X1
	MOVWQZX 4(R14), R13
	VCVTSS2SD 8(CX), X9, X6
	VFMADD231SD (DI)(R13*8), X6, X2
	MOVWQZX 6(R14), R13
	VCVTSS2SD 12(CX), X9, X7
	VFMADD231SD (DI)(R13*8), X7, X3
	ADDQ $16, CX
	ADDQ $8, R14
	DECQ R15
	JNZ sr_dot4

sr_tail:
	ANDQ $3, R12
	JZ sr_tree
	MOVWQZX (R14), R13
	VCVTSS2SD (CX), X9, X4
	VFMADD231SD (DI)(R13*8), X4, X0
	DECQ R12
	JZ sr_tree
	MOVWQZX 2(R14), R13
	VCVTSS2SD 4(CX), X9, X5
	VFMADD231SD (DI)(R13*8), X5, X1
	DECQ R12
	JZ sr_tree
	MOVWQZX 4(R14), R13
	VCVTSS2SD 8(CX), X9, X6
	VFMADD231SD (DI)(R13*8), X6, X2

sr_tree:
	VADDSD X1, X0, X0
	VADDSD X3, X2, X2
	VADDSD X2, X0, X0
	VDIVSD X0, X15, X14   // b = c / d
	VMOVSD X14, (DX)
	ADDQ $8, DX
	LEAQ (R8)(AX*4), CX   // &val[lo]
	LEAQ (R9)(AX*2), R14  // &col[lo]
	MOVQ BX, R12
	SUBQ AX, R12
	MOVQ R12, R15
	SHRQ $1, R15          // pairs
	JZ sr_odd

sr_scatter2:
	MOVWQZX (R14), R13
	MOVWQZX 2(R14), AX
	VCVTSS2SD (CX), X9, X4
	VCVTSS2SD 4(CX), X9, X5
	VFMADD213SD (R11)(R13*8), X14, X4
	VMOVSD X4, (R11)(R13*8)
	VFMADD213SD (R11)(AX*8), X14, X5
	VMOVSD X5, (R11)(AX*8)
	ADDQ $8, CX
	ADDQ $4, R14
	DECQ R15
	JNZ sr_scatter2

sr_odd:
	TESTQ $1, R12
	JZ sr_next
	MOVWQZX (R14), R13
	VCVTSS2SD (CX), X9, X4
	VFMADD213SD (R11)(R13*8), X14, X4
	VMOVSD X4, (R11)(R13*8)

sr_next:
	DECQ R10
	JMP sr_row

sr_done:
	RET

// func extractRowsAVX2(gp *float32, k int, rows int, a *float64, c float64, theta float64, b *float64, val *float32, col *uint16, off *int32, n int) int
//
// For each row i: t = theta*(c/b[i]); append (g_iy, y) to val/col at n for every y
// with float64(g_iy)*a[y] >= t, in increasing y; off[i] = n after the row. Returns
// the final n. The caller has made room for rows*k entries.
TEXT ·extractRowsAVX2(SB), NOSPLIT, $0-96
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	VMOVSD c+32(FP), X13
	VMOVSD theta+40(FP), X12
	MOVQ b+48(FP), DX
	MOVQ val+56(FP), R10
	MOVQ col+64(FP), R11
	MOVQ off+72(FP), R14
	MOVQ n+80(FP), R15
	MOVQ R8, R12
	ANDQ $-4, R12         // blocks of four end here
	VXORPD X9, X9, X9     // merge source of VCVTSS2SD

ex_row:
	TESTQ R9, R9
	JZ ex_done
	VMOVSD (DX), X0
	VDIVSD X0, X13, X0    // c / b[i]
	VMULSD X12, X0, X15   // t = theta * (c / b[i])
	VBROADCASTSD X15, Y15
	XORQ CX, CX

ex_block:
	CMPQ CX, R12
	JGE ex_tail
	VCVTPS2PD (SI)(CX*4), Y0
	VMULPD (DI)(CX*8), Y0, Y0
	VCMPPD $0x1d, Y15, Y0, Y1 // GE_OQ: g*a >= t (false for NaN)
	VMOVMSKPD Y1, AX
	TESTL AX, AX
	JNZ ex_emit
	ADDQ $4, CX
	JMP ex_block

ex_emit:
	BSFL AX, BX
	ADDQ CX, BX           // column y
	MOVL (SI)(BX*4), R13
	MOVL R13, (R10)(R15*4)
	MOVW BX, (R11)(R15*2)
	INCQ R15
	LEAL -1(AX), R13
	ANDL R13, AX
	JNZ ex_emit
	ADDQ $4, CX
	JMP ex_block

ex_tail:
	CMPQ CX, R8
	JGE ex_next
	VCVTSS2SD (SI)(CX*4), X9, X0
	VMULSD (DI)(CX*8), X0, X0
	VUCOMISD X15, X0
	JCS ex_skip           // below t, or unordered
	MOVL (SI)(CX*4), R13
	MOVL R13, (R10)(R15*4)
	MOVW CX, (R11)(R15*2)
	INCQ R15

ex_skip:
	INCQ CX
	JMP ex_tail

ex_next:
	MOVL R15, (R14)
	ADDQ $4, R14
	ADDQ $8, DX
	LEAQ (SI)(R8*4), SI
	DECQ R9
	JMP ex_row

ex_done:
	MOVQ R15, ret+88(FP)
	VZEROUPPER
	RET

DATA iota32<>+0(SB)/4, $0
DATA iota32<>+4(SB)/4, $1
DATA iota32<>+8(SB)/4, $2
DATA iota32<>+12(SB)/4, $3
DATA iota32<>+16(SB)/4, $4
DATA iota32<>+20(SB)/4, $5
DATA iota32<>+24(SB)/4, $6
DATA iota32<>+28(SB)/4, $7
GLOBL iota32<>(SB), RODATA|NOPTR, $32

DATA eight32<>+0(SB)/4, $8
DATA eight32<>+4(SB)/4, $8
DATA eight32<>+8(SB)/4, $8
DATA eight32<>+12(SB)/4, $8
DATA eight32<>+16(SB)/4, $8
DATA eight32<>+20(SB)/4, $8
DATA eight32<>+24(SB)/4, $8
DATA eight32<>+28(SB)/4, $8
GLOBL eight32<>(SB), RODATA|NOPTR, $32

// func extractRowsAVX512(gp *float32, k int, rows int, a *float64, c float64, theta float64, b *float64, val *float32, col *uint16, off *int32, n int) int
//
// extractRowsAVX2 without branches: each block of eight is compared into a mask,
// its values and column numbers are compressed and stored whole at n (up to seven
// entries past the new n are overwritten: the caller leaves room for eight), and n
// advances by the mask's population count.
TEXT ·extractRowsAVX512(SB), NOSPLIT, $0-96
	MOVQ gp+0(FP), SI
	MOVQ k+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ a+24(FP), DI
	VMOVSD c+32(FP), X13
	VMOVSD theta+40(FP), X12
	MOVQ b+48(FP), DX
	MOVQ val+56(FP), R10
	MOVQ col+64(FP), R11
	MOVQ off+72(FP), R14
	MOVQ n+80(FP), R15
	MOVQ R8, R12
	ANDQ $-8, R12         // blocks of eight end here
	MOVQ R8, CX
	ANDQ $7, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2          // lanes of the partial block
	VMOVDQU iota32<>(SB), Y9
	VMOVDQU eight32<>(SB), Y11

x5_row:
	TESTQ R9, R9
	JZ x5_done
	VMOVSD (DX), X0
	VDIVSD X0, X13, X0    // c / b[i]
	VMULSD X12, X0, X15   // t = theta * (c / b[i])
	VBROADCASTSD X15, Z15
	VMOVDQA Y9, Y10       // column numbers of the block
	XORQ CX, CX

x5_block:
	CMPQ CX, R12
	JGE x5_tail
	VMOVUPS (SI)(CX*4), Y1
	VCVTPS2PD Y1, Z0
	VMULPD (DI)(CX*8), Z0, Z0
	VCMPPD $0x1d, Z15, Z0, K1 // GE_OQ
	VCOMPRESSPS Y1, K1, Y2
	VMOVUPS Y2, (R10)(R15*4)
	VPCOMPRESSD Y10, K1, Y3
	VPMOVDW Y3, X3
	VMOVDQU X3, (R11)(R15*2)
	KMOVW K1, AX
	POPCNTL AX, AX
	ADDQ AX, R15
	VPADDD Y11, Y10, Y10
	ADDQ $8, CX
	JMP x5_block

x5_tail:
	CMPQ CX, R8
	JGE x5_next
	VMOVUPS.Z (SI)(CX*4), K2, Y1
	VCVTPS2PD Y1, Z0
	VMOVUPD.Z (DI)(CX*8), K2, Z4
	VMULPD Z4, Z0, Z0
	VCMPPD $0x1d, Z15, Z0, K2, K1
	VCOMPRESSPS Y1, K1, Y2
	VMOVUPS Y2, (R10)(R15*4)
	VPCOMPRESSD Y10, K1, Y3
	VPMOVDW Y3, X3
	VMOVDQU X3, (R11)(R15*2)
	KMOVW K1, AX
	POPCNTL AX, AX
	ADDQ AX, R15

x5_next:
	MOVL R15, (R14)
	ADDQ $4, R14
	ADDQ $8, DX
	LEAQ (SI)(R8*4), SI
	DECQ R9
	JMP x5_row

x5_done:
	MOVQ R15, ret+88(FP)
	VZEROUPPER
	RET
