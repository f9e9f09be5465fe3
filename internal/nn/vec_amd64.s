//go:build amd64 && !purego

#include "textflag.h"

// func sumDot4x4AVX(gp, hp *float32, n4, stride int, acc *float64)
//
// For the four planes gp[p·stride:], hp[p·stride:] (p < 4) and their first 4·n4
// values, acc[8p+j] = Σ_m g[4m+j] and acc[8p+4+j] = Σ_m g[4m+j]·h[4m+j] in
// float64, m in order: the four interleaved accumulators of sumDot4 as the
// lanes of one register, so the sums round as sumDot4's do. The four planes
// run side by side, eight independent chains of additions.
TEXT ·sumDot4x4AVX(SB), NOSPLIT, $0-40
	MOVQ gp+0(FP), SI
	MOVQ hp+8(FP), DI
	MOVQ n4+16(FP), CX
	MOVQ stride+24(FP), DX
	MOVQ acc+32(FP), R8
	SHLQ $2, DX
	LEAQ (SI)(DX*1), R10
	LEAQ (R10)(DX*1), R11
	LEAQ (R11)(DX*1), R12
	LEAQ (DI)(DX*1), R13
	LEAQ (R13)(DX*1), R9
	LEAQ (R9)(DX*1), BX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ AX, AX
	TESTQ CX, CX
	JZ   done

loop:
	VCVTPS2PD (SI)(AX*1), Y8
	VCVTPS2PD (DI)(AX*1), Y9
	VADDPD    Y8, Y0, Y0
	VMULPD    Y9, Y8, Y9
	VADDPD    Y9, Y1, Y1
	VCVTPS2PD (R10)(AX*1), Y10
	VCVTPS2PD (R13)(AX*1), Y11
	VADDPD    Y10, Y2, Y2
	VMULPD    Y11, Y10, Y11
	VADDPD    Y11, Y3, Y3
	VCVTPS2PD (R11)(AX*1), Y12
	VCVTPS2PD (R9)(AX*1), Y13
	VADDPD    Y12, Y4, Y4
	VMULPD    Y13, Y12, Y13
	VADDPD    Y13, Y5, Y5
	VCVTPS2PD (R12)(AX*1), Y14
	VCVTPS2PD (BX)(AX*1), Y15
	VADDPD    Y14, Y6, Y6
	VMULPD    Y15, Y14, Y15
	VADDPD    Y15, Y7, Y7
	ADDQ      $16, AX
	DECQ      CX
	JNZ       loop

done:
	VMOVUPD Y0, 0(R8)
	VMOVUPD Y1, 32(R8)
	VMOVUPD Y2, 64(R8)
	VMOVUPD Y3, 96(R8)
	VMOVUPD Y4, 128(R8)
	VMOVUPD Y5, 160(R8)
	VMOVUPD Y6, 192(R8)
	VMOVUPD Y7, 224(R8)
	VZEROUPPER
	RET

// func scaleShiftAVX(dst, src *float32, n int, sc, sh float32)
//
// dst[k] = src[k]·sc + sh for k < n: a float32 product, rounded, then a
// float32 sum, rounded (no fused multiply-add), as Go computes it, eight at a
// time.
TEXT ·scaleShiftAVX(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS sc+24(FP), Y1
	VBROADCASTSS sh+28(FP), Y2
	XORQ         AX, AX
	MOVQ         CX, BX
	SUBQ         $8, BX

scaleShiftVec:
	CMPQ    AX, BX
	JGT     scaleShiftTail
	VMOVUPS (SI)(AX*4), Y0
	VMULPS  Y1, Y0, Y0
	VADDPS  Y2, Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     scaleShiftVec

scaleShiftTail:
	CMPQ   AX, CX
	JGE    scaleShiftDone
	VMOVSS (SI)(AX*4), X0
	VMULSS X1, X0, X0
	VADDSS X2, X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    scaleShiftTail

scaleShiftDone:
	VZEROUPPER
	RET

// KEYS8(y) maps the eight float32 lanes of y to their order keys in place, as
// floatKey: b ^ ((b >> 31) & 0x7fffffff), with Y15 holding 0x7fffffff in every
// lane. The map is its own inverse (keyFloat). Clobbers Y14.
#define KEYS8(y) VPSRAD $31, y, Y14; VPAND Y15, Y14, Y14; VPXOR Y14, y, y

// func pool2MaxAVX2(out, r0, r1 *float32, n int)
//
// out[j] = keyFloat(max of the keys of r0[2j], r0[2j+1], r1[2j], r1[2j+1]) for
// j < n (n a multiple of 8): pool2Max's windows along one pair of rows, eight
// at a time. The largest key does not depend on the order of the comparisons.
TEXT ·pool2MaxAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), DX
	MOVQ n+24(FP), CX
	MOVL $0x7fffffff, AX
	MOVD AX, X15
	VPBROADCASTD X15, Y15

pool2Loop:
	CMPQ CX, $8
	JL   pool2Done
	VMOVDQU (SI), Y0       // r0[2j .. 2j+7]
	VMOVDQU 32(SI), Y1     // r0[2j+8 .. 2j+15]
	VMOVDQU (DX), Y2
	VMOVDQU 32(DX), Y3
	KEYS8(Y0)
	KEYS8(Y1)
	KEYS8(Y2)
	KEYS8(Y3)
	VPMAXSD Y2, Y0, Y0     // row maxima, lanes 2j' and 2j'+1
	VPMAXSD Y3, Y1, Y1
	VPSHUFD $0xB1, Y0, Y2  // swap the lanes of each pair
	VPSHUFD $0xB1, Y1, Y3
	VPMAXSD Y2, Y0, Y0     // window maxima in the even lanes
	VPMAXSD Y3, Y1, Y1
	VSHUFPS $0x88, Y1, Y0, Y0 // per 128-bit half: Y0 even lanes, then Y1's
	VPERMQ  $0xD8, Y0, Y0     // halves in order: windows j .. j+7
	KEYS8(Y0)
	VMOVDQU Y0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  pool2Loop

pool2Done:
	VZEROUPPER
	RET
