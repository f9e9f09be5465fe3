//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// The vector loops of vec_amd64.s.

// sumDot4x4AVX is the vector loop of sumDot4x4.
//
//go:noescape
func sumDot4x4AVX(gp, hp *float32, n4, stride int, acc *float64)

// scaleShiftAVX is the vector loop of scaleShift.
//
//go:noescape
func scaleShiftAVX(dst, src *float32, n int, sc, sh float32)

// pool2MaxAVX2 is the vector loop of pool2Max along one pair of rows.
//
//go:noescape
func pool2MaxAVX2(out, r0, r1 *float32, n int)

var (
	hasAVX  = cpu.X86.HasAVX
	hasAVX2 = cpu.X86.HasAVX2
)

// pool2MaxRow sets the windows out[j] of pool2Max on the rows r0 and r1 with
// AVX2, eight at a time, and returns how many it set: all of them when there are
// at least eight (the last block then overlaps the one before, recomputing the
// same values), else none.
func pool2MaxRow(out, r0, r1 []float32) int {
	n := len(out)
	if !hasAVX2 || n < 8 {
		return 0
	}
	_, _ = r0[2*n-1], r1[2*n-1]
	m := n &^ 7
	pool2MaxAVX2(&out[0], &r0[0], &r1[0], m)
	if m < n {
		pool2MaxAVX2(&out[n-8], &r0[2*(n-8)], &r1[2*(n-8)], 8)
	}
	return n
}

// scaleShift sets dst[k] = src[k]·sc + sh (len(dst) ≥ len(src)), eight at a
// time with AVX, with the bits of the plain loop.
func scaleShift(dst, src []float32, sc, sh float32) {
	if !hasAVX || len(src) == 0 {
		scaleShiftGo(dst, src, sc, sh)
		return
	}
	_ = dst[len(src)-1]
	scaleShiftAVX(&dst[0], &src[0], len(src), sc, sh)
}

// sumDot4x4Lanes sets acc to the lanes of sumDot4x4's four planes over their
// first 4·(s/4) values and reports true, or reports false where the vector
// loop is not available.
func sumDot4x4Lanes(g, h []float32, s int, acc *[32]float64) bool {
	if !hasAVX {
		return false
	}
	_, _ = g[4*s-1], h[4*s-1]
	sumDot4x4AVX(&g[0], &h[0], s/4, s, &acc[0])
	return true
}
