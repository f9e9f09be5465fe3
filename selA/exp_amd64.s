//go:build amd64 && !purego

#include "textflag.h"
#include "avx512.h"

// Vectorised expKernel and axpyRow (see fexp.go and kernel.go for the canonical scalar definition, which these
// routines reproduce bit for bit): dst[j] = expKernel(src[j] − shift) for
// j < n, n a multiple of 8 (AVX-512) or 4 (AVX2).

// Constants, each repeated four times for 256-bit memory operands.
#define CONST4(off, bits) \
	DATA expc<>+(off+0)(SB)/8, $bits \
	DATA expc<>+(off+8)(SB)/8, $bits \
	DATA expc<>+(off+16)(SB)/8, $bits \
	DATA expc<>+(off+24)(SB)/8, $bits

CONST4(0, 0x3ff71547652b82fe)   // log2e
CONST4(32, 0x3fe0000000000000)  // 0.5
CONST4(64, 0x3fe62e4000000000)  // ln2Hi = 0.693145751953125
CONST4(96, 0x3eb7f7d1cf79abca)  // ln2Lo = 1.42860682030941723212e-6
CONST4(128, 0x3f2a01a01a01a01a) // 1/5040
CONST4(160, 0x3f56c16c16c16c17) // 1/720
CONST4(192, 0x3f81111111111111) // 1/120
CONST4(224, 0x3fa5555555555555) // 1/24
CONST4(256, 0x3fc5555555555555) // 1/6
CONST4(288, 0x3fe0000000000000) // 1/2
CONST4(320, 0x3ff0000000000000) // 1
CONST4(352, 0x4338000000000000) // 1.5·2^52, integer-extraction magic
CONST4(384, 0xc055d589f2fe5107) // logMinNormal32 = ln 2^-126
CONST4(416, 0x0080000000800000) // minNormal32 = 2^-126 as two float32s
GLOBL expc<>(SB), RODATA|NOPTR, $448

// func expRowAVX512(dst *float32, src *float64, n int, shift float64)
TEXT ·expRowAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD shift+24(FP), Z16
	VBROADCASTSD expc<>+0(SB), Z17   // log2e
	VBROADCASTSD expc<>+32(SB), Z18  // 0.5
	VBROADCASTSD expc<>+64(SB), Z19  // ln2Hi
	VBROADCASTSD expc<>+96(SB), Z20  // ln2Lo
	VBROADCASTSD expc<>+128(SB), Z21 // c7
	VBROADCASTSD expc<>+160(SB), Z22 // c6
	VBROADCASTSD expc<>+192(SB), Z23 // c5
	VBROADCASTSD expc<>+224(SB), Z24 // c4
	VBROADCASTSD expc<>+256(SB), Z25 // c3
	VBROADCASTSD expc<>+288(SB), Z26 // c2
	VBROADCASTSD expc<>+320(SB), Z27 // c1 = c0 = 1
	VBROADCASTSD expc<>+352(SB), Z28 // magic
	VBROADCASTSD expc<>+384(SB), Z29 // threshold
	VBROADCASTSS expc<>+416(SB), Y30 // min normal float32

z_loop:
	CMPQ CX, $8
	JL z_done
	VMOVUPD (SI), Z0
	VSUBPD Z16, Z0, Z0              // t = src − shift
	VCMPPD $0x1D, Z29, Z0, K1       // K1: t >= threshold (GE_OQ)
	VMOVAPD Z18, Z1
	VFMADD231PD Z17, Z0, Z1         // t·log2e + 0.5
	VRNDSCALEPD $0x09, Z1, Z1       // kf = floor(·)
	VFNMADD231PD Z19, Z1, Z0        // r = t − kf·ln2Hi
	VFNMADD231PD Z20, Z1, Z0        // r = r − kf·ln2Lo
	VMOVAPD Z21, Z2                 // p = c7
	VFMADD213PD Z22, Z0, Z2         // p = p·r + c6
	VFMADD213PD Z23, Z0, Z2
	VFMADD213PD Z24, Z0, Z2
	VFMADD213PD Z25, Z0, Z2
	VFMADD213PD Z26, Z0, Z2
	VFMADD213PD Z27, Z0, Z2
	VFMADD213PD Z27, Z0, Z2         // p·r + c0
	VADDPD Z28, Z1, Z1              // kf + magic: integer in the low bits
	VPSUBQ Z28, Z1, Z1              // int64(kf)
	VPSLLQ $52, Z1, Z1
	VPADDQ Z1, Z2, Z2               // p·2^kf
	VMOVAPD.Z Z2, K1, Z2            // 0 where t < threshold
	VCVTPD2PS Z2, Y3
	VCMPPS $0x1D, Y30, Y3, K2       // K2: f >= min normal
	VMOVAPS.Z Y3, K2, Y3
	VMOVUPS Y3, (DI)
	ADDQ $64, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP z_loop

z_done:
	VZEROUPPER
	RET

// func expRowAVX2(dst *float32, src *float64, n int, shift float64)
TEXT ·expRowAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD shift+24(FP), Y8
	VBROADCASTSD expc<>+0(SB), Y9    // log2e
	VBROADCASTSD expc<>+32(SB), Y10  // 0.5
	VBROADCASTSD expc<>+64(SB), Y11  // ln2Hi
	VBROADCASTSD expc<>+96(SB), Y12  // ln2Lo
	VBROADCASTSD expc<>+352(SB), Y13 // magic
	VBROADCASTSD expc<>+384(SB), Y14 // threshold
	VBROADCASTSS expc<>+416(SB), X15 // min normal float32

y_loop:
	CMPQ CX, $4
	JL y_done
	VMOVUPD (SI), Y0
	VSUBPD Y8, Y0, Y0               // t
	VCMPPD $0x1D, Y14, Y0, Y4       // mask: t >= threshold
	VMOVAPD Y10, Y1
	VFMADD231PD Y9, Y0, Y1
	VROUNDPD $0x09, Y1, Y1          // kf
	VFNMADD231PD Y11, Y1, Y0
	VFNMADD231PD Y12, Y1, Y0        // r
	VMOVUPD expc<>+128(SB), Y2      // p = c7
	VFMADD213PD expc<>+160(SB), Y0, Y2
	VFMADD213PD expc<>+192(SB), Y0, Y2
	VFMADD213PD expc<>+224(SB), Y0, Y2
	VFMADD213PD expc<>+256(SB), Y0, Y2
	VFMADD213PD expc<>+288(SB), Y0, Y2
	VFMADD213PD expc<>+320(SB), Y0, Y2
	VFMADD213PD expc<>+320(SB), Y0, Y2
	VADDPD Y13, Y1, Y1
	VPSUBQ Y13, Y1, Y1
	VPSLLQ $52, Y1, Y1
	VPADDQ Y1, Y2, Y2
	VANDPD Y4, Y2, Y2               // 0 where t < threshold
	VCVTPD2PSY Y2, X3
	VCMPPS $0x1D, X15, X3, X5       // f >= min normal
	VANDPS X5, X3, X3
	VMOVUPS X3, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $4, CX
	JMP y_loop

y_done:
	VZEROUPPER
	RET

// func axpyRowAVX512(s *float64, gp *float32, n int, b float64)
// s[j] = fma(g[j], b, s[j]) for j < n, n a multiple of 8.
TEXT ·axpyRowAVX512(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), DI
	MOVQ gp+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD b+24(FP), Z9

za_loop:
	CMPQ CX, $8
	JL za_done
	VCVTPS2PD (SI), Z0
	VFMADD213PD (DI), Z9, Z0
	VMOVUPD Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JMP za_loop

za_done:
	VZEROUPPER
	RET

// func axpyRowAVX2(s *float64, gp *float32, n int, b float64)
// s[j] = fma(g[j], b, s[j]) for j < n, n a multiple of 4.
TEXT ·axpyRowAVX2(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), DI
	MOVQ gp+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD b+24(FP), Y9

ya_loop:
	CMPQ CX, $4
	JL ya_done
	VCVTPS2PD (SI), Y0
	VFMADD213PD (DI), Y9, Y0
	VMOVUPD Y0, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP ya_loop

ya_done:
	VZEROUPPER
	RET

// func diffRowsAVX512(v *float64, x *float32, xmax *float64, rows int, k int, lam float64)
// v[i·k+y] = lam·(float64(x[i·k+y]) − xmax[i]) for rows rows of k values: the
// same conversion, subtraction and product as diffRowsGo, eight entries at a time
// and a masked tail per row.
TEXT ·diffRowsAVX512(SB), NOSPLIT, $0-48
	MOVQ v+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ xmax+16(FP), DX
	MOVQ rows+24(FP), R9
	MOVQ k+32(FP), R8
	VBROADCASTSD lam+40(FP), Z31
	ROW_GEOMETRY8

d_row:
	TESTQ R9, R9
	JZ d_done
	VBROADCASTSD (DX), Z30
	XORQ CX, CX

d_loop8:
	CMPQ CX, R12
	JGE d_tail
	VCVTPS2PD (SI)(CX*4), Z0
	VSUBPD Z30, Z0, Z0             // x − xmax
	VMULPD Z31, Z0, Z0             // ·lam
	VMOVUPD Z0, (DI)(CX*8)
	ADDQ $8, CX
	JMP d_loop8

d_tail:
	CMPQ CX, R8
	JGE d_next
	VCVTPS2PD.Z (SI)(CX*4), K2, Z0
	VSUBPD Z30, Z0, Z0
	VMULPD Z31, Z0, Z0
	VMOVUPD Z0, K2, (DI)(CX*8)

d_next:
	LEAQ (SI)(R8*4), SI
	LEAQ (DI)(R8*8), DI
	ADDQ $8, DX
	DECQ R9
	JMP d_row

d_done:
	VZEROUPPER
	RET
