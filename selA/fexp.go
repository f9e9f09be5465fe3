package sela

import "math"

// Constants of expKernel.
const (
	log2e = 1.4426950408889634074
	// ln2Hi + ln2Lo = ln 2; ln2Hi has 11 trailing zero bits so kf·ln2Hi is exact.
	ln2Hi = 6.93145751953125e-1
	ln2Lo = 1.42860682030941723212e-6
	// minNormal32 is the smallest normal float32, 2⁻¹²⁶ ≈ 1.18e-38.
	minNormal32 = 0x1p-126
	// logMinNormal32 = ln 2⁻¹²⁶ ≈ −87.34: below it the kernel entry is stored as 0.
	logMinNormal32 = -87.33654475055310898657
)

// expKernel returns exp(t) rounded to float32 for t ≤ 0, the entries of the
// stabilised Sinkhorn kernel. Results below the smallest normal float32 (t < −87.34)
// are flushed to 0, so the kernel never holds subnormals (which slow some CPUs and
// carry no useful mass next to a row maximum of 1).
//
// Method: t = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split), exp(r) by its degree-7
// Taylor polynomial (truncation error < 6e-9 relative) in Horner form, scaled by
// 2^k through the exponent bits. The float64 value is within 1e-8 of exp(t), so
// after rounding to float32 the result is the correctly rounded value or its
// neighbour. Every multiply-add is fused, so that the vector routines (expRow)
// reproduce these bits exactly.
func expKernel(t float64) float32 {
	if !(t >= logMinNormal32) { // also maps NaN to 0; callers never pass NaN
		return 0
	}
	kf := math.Floor(math.FMA(t, log2e, 0.5))
	r := math.FMA(-kf, ln2Hi, t)
	r = math.FMA(-kf, ln2Lo, r)
	p := 1.0 / 5040
	p = math.FMA(p, r, 1.0/720)
	p = math.FMA(p, r, 1.0/120)
	p = math.FMA(p, r, 1.0/24)
	p = math.FMA(p, r, 1.0/6)
	p = math.FMA(p, r, 1.0/2)
	p = math.FMA(p, r, 1)
	p = math.FMA(p, r, 1)
	f := float32(math.Float64frombits(math.Float64bits(p) + uint64(int64(kf))<<52))
	if f < minNormal32 {
		return 0
	}
	return f
}

// expRowGo sets dst[j] = expKernel(src[j] − shift): the canonical definition of
// expRow.
func expRowGo(dst []float32, src []float64, shift float64) {
	for j, v := range src {
		dst[j] = expKernel(v - shift)
	}
}

// expRow sets dst[j] = expKernel(src[j] − shift) for every j, with vector
// instructions where the CPU has them.
func expRow(dst []float32, src []float64, shift float64) {
	if len(dst) < len(src) {
		panic("sela: expRow: short destination")
	}
	done := expRowImpl(dst, src, shift)
	expRowGo(dst[done:len(src)], src[done:], shift)
}
