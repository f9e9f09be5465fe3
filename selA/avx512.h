// Shared pieces of the AVX-512 row routines (kernel_amd64.s, sweep_amd64.s,
// exp_amd64.s).

// ROW_GEOMETRY sets, from k in R8: R11 = 4k (the byte stride of a float32 row),
// R12 = k rounded down to 32, and K1..K4 to the masks of the partial block of 32
// (bit e of K(j+1) set for element 8j+e < k mod 32). Clobbers AX and CX.
#define ROW_GEOMETRY \
	MOVQ R8, R11; SHLQ $2, R11; \
	MOVQ R8, R12; ANDQ $-32, R12; \
	MOVQ R8, CX; ANDQ $31, CX; MOVL $1, AX; SHLL CX, AX; DECL AX; \
	KMOVW AX, K1; SHRL $8, AX; KMOVW AX, K2; SHRL $8, AX; KMOVW AX, K3; SHRL $8, AX; KMOVW AX, K4

// ROW_GEOMETRY8 sets, from k in R8: R12 = k rounded down to 8 and K2 to the mask
// of the partial block of 8 (bit e set for element e < k mod 8). Clobbers AX and
// CX.
#define ROW_GEOMETRY8 \
	MOVQ R8, R12; ANDQ $-8, R12; \
	MOVQ R8, CX; ANDQ $7, CX; MOVL $1, AX; SHLL CX, AX; DECL AX; \
	KMOVW AX, K2

// DOT_TREE_R adds the 32 lanes of z0..z3 into x0 as the canonical tree:
// u[l] = (acc[l]+acc[8+l]) + (acc[16+l]+acc[24+l]), v[l] = u[l]+u[4+l],
// w[l] = v[l]+v[2+l], d = w[0]+w[1]. y0, x0 (y1, x1) name the low halves of z0
// (z1). Clobbers z1 and z2.
#define DOT_TREE_R(z0, z1, z2, z3, y0, y1, x0, x1) \
	VADDPD z1, z0, z0; VADDPD z3, z2, z2; VADDPD z2, z0, z0; \
	VEXTRACTF64X4 $1, z0, y1; VADDPD y1, y0, y0; \
	VEXTRACTF128 $1, y0, x1; VADDPD x1, x0, x0; \
	VUNPCKHPD x0, x0, x1; VADDSD x1, x0, x0

// DOT_TREE is DOT_TREE_R on Z0..Z3, into X0.
#define DOT_TREE DOT_TREE_R(Z0, Z1, Z2, Z3, Y0, Y1, X0, X1)

// AXPY32(g, s) does s[0:32] = fma(g[0:32], Z14, s[0:32]) for float32 g and
// float64 s (registers holding the addresses). Clobbers Z4..Z7.
#define AXPY32(g, s) \
	VCVTPS2PD (g), Z4; VCVTPS2PD 32(g), Z5; VCVTPS2PD 64(g), Z6; VCVTPS2PD 96(g), Z7; \
	VFMADD213PD (s), Z14, Z4; VFMADD213PD 64(s), Z14, Z5; VFMADD213PD 128(s), Z14, Z6; VFMADD213PD 192(s), Z14, Z7; \
	VMOVUPD Z4, (s); VMOVUPD Z5, 64(s); VMOVUPD Z6, 128(s); VMOVUPD Z7, 192(s)

// LOAD_S_SMALL loads the column sums s[0:k] of a row of k ≤ 16 (address in R10,
// masks K1 and K2 from ROW_GEOMETRY) into Z28 and Z29, zero past the row;
// STORE_S_SMALL stores them back, masked, so nothing after s is written.
#define LOAD_S_SMALL \
	VMOVUPD.Z (R10), K1, Z28; VMOVUPD.Z 64(R10), K2, Z29
#define STORE_S_SMALL \
	VMOVUPD Z28, K1, (R10); VMOVUPD Z29, K2, 64(R10)
