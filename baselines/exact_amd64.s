//go:build amd64 && !purego

#include "textflag.h"

// TAIL_MASK sets K2 to the low CX (< 8) lanes: a row's last, partial block.
#define TAIL_MASK \
	MOVL $1, AX; SHLL CX, AX; DECL AX; KMOVW AX, K2

// func minMovesAVX512(row *float32, k int, lu float64, gv *float64, av *int32, i int32)
// For v < k: d = lu − row[v]; where d < gv[v] (ordered), gv[v] = d and av[v] = i.
TEXT ·minMovesAVX512(SB), NOSPLIT, $0-44
	MOVQ row+0(FP), SI
	MOVQ k+8(FP), CX
	VBROADCASTSD lu+16(FP), Z1
	MOVQ gv+24(FP), DI
	MOVQ av+32(FP), DX
	MOVL i+40(FP), AX
	VPBROADCASTD AX, Z2

mm_loop:
	CMPQ CX, $8
	JL mm_tail
	VCVTPS2PD (SI), Z0
	VSUBPD Z0, Z1, Z0
	VCMPPD $0x11, (DI), Z0, K1  // d < g, false for NaN
	VMOVUPD Z0, K1, (DI)
	VMOVDQU32 Z2, K1, (DX)      // K1 has 8 bits: lanes 0..7 only
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP mm_loop

mm_tail:
	TESTQ CX, CX
	JZ mm_done
	TAIL_MASK
	VCVTPS2PD.Z (SI), K2, Z0
	VMOVUPD.Z (DI), K2, Z3
	VSUBPD Z0, Z1, Z0
	VCMPPD $0x11, Z3, Z0, K2, K1
	VMOVUPD Z0, K1, (DI)
	VMOVDQU32 Z2, K1, (DX)

mm_done:
	VZEROUPPER
	RET

// func addRowAVX512(acc *float64, row *float32, k int)
// acc[z] += float64(row[z]) for z < k.
TEXT ·addRowAVX512(SB), NOSPLIT, $0-24
	MOVQ acc+0(FP), DI
	MOVQ row+8(FP), SI
	MOVQ k+16(FP), CX

ar_loop:
	CMPQ CX, $8
	JL ar_tail
	VCVTPS2PD (SI), Z0
	VADDPD (DI), Z0, Z0
	VMOVUPD Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JMP ar_loop

ar_tail:
	TESTQ CX, CX
	JZ ar_done
	TAIL_MASK
	VCVTPS2PD.Z (SI), K2, Z0
	VMOVUPD.Z (DI), K2, Z1
	VADDPD Z1, Z0, Z0
	VMOVUPD Z0, K2, (DI)

ar_done:
	VZEROUPPER
	RET

// func rowArgmaxAVX512(row *float32, p *float64, k int) int
// k ≥ 1: the first z maximising float64(row[z]) + p[z] (ordered compares). Every
// lane keeps its own first maximum (a strict >), then the smallest index among the
// lanes that hold the overall maximum wins, which is the first maximum of the row.
TEXT ·rowArgmaxAVX512(SB), NOSPLIT, $0-32
	MOVQ row+0(FP), SI
	MOVQ p+8(FP), DI
	MOVQ k+16(FP), CX
	MOVQ $0xFFF0000000000000, AX  // −Inf
	VPBROADCASTQ AX, Z1           // per-lane best value
	VPXORQ Z2, Z2, Z2             // per-lane best index
	MOVQ $0x0706050403020100, AX
	VMOVQ AX, X3
	VPMOVZXBQ X3, Z3              // the lanes' current indices
	MOVQ $8, AX
	VPBROADCASTQ AX, Z5

ra_loop:
	CMPQ CX, $8
	JL ra_tail
	VCVTPS2PD (SI), Z0
	VADDPD (DI), Z0, Z0
	VCMPPD $0x1E, Z1, Z0, K1  // v > best
	VMOVAPD Z0, K1, Z1
	VMOVDQA64 Z3, K1, Z2
	VPADDQ Z5, Z3, Z3
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JMP ra_loop

ra_tail:
	TESTQ CX, CX
	JZ ra_reduce
	TAIL_MASK
	VCVTPS2PD.Z (SI), K2, Z0
	VMOVUPD.Z (DI), K2, Z6
	VADDPD Z6, Z0, Z0
	VCMPPD $0x1E, Z1, Z0, K2, K1  // live lanes only
	VMOVAPD Z0, K1, Z1
	VMOVDQA64 Z3, K1, Z2

ra_reduce:
	VSHUFF64X2 $0x4E, Z1, Z1, Z6  // the overall maximum, in every lane
	VMAXPD Z6, Z1, Z6
	VSHUFF64X2 $0xB1, Z6, Z6, Z7
	VMAXPD Z7, Z6, Z6
	VPERMILPD $0x55, Z6, Z7
	VMAXPD Z7, Z6, Z6
	VCMPPD $0x00, Z6, Z1, K1      // lanes holding it
	MOVQ $0x7FFFFFFFFFFFFFFF, AX
	VPBROADCASTQ AX, Z6
	VMOVDQA64 Z2, K1, Z6          // their indices, the others MaxInt64
	VSHUFI64X2 $0x4E, Z6, Z6, Z7
	VPMINSQ Z7, Z6, Z6
	VSHUFI64X2 $0xB1, Z6, Z6, Z7
	VPMINSQ Z7, Z6, Z6
	VPSHUFD $0x4E, Z6, Z7
	VPMINSQ Z7, Z6, Z6
	VMOVQ X6, AX
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET
