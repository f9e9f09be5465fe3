package eval

import "math"

// Constants of expNeg.
const (
	log2e = 1.4426950408889634074
	// ln2Hi + ln2Lo = ln 2; ln2Hi has 11 trailing zero bits, so k·ln2Hi is exact.
	ln2Hi = 6.93145751953125e-1
	ln2Lo = 1.42860682030941723212e-6
	// roundShift rounds a float64 of magnitude < 2⁵¹ to the nearest integer when
	// added and subtracted again.
	roundShift = 0x1.8p52
	// expNegMin: below it expNeg returns 0 (exp(−700) ≈ 1e-304, nothing next to the
	// largest term of a softmax, which is 1).
	expNegMin = -700
)

// expNeg returns exp(t) for t ≤ 0 to within 6 units in the last place (measured
// against math.Exp on a grid of 10⁷ points in [−700, 0]), about 1.5 times faster than
// math.Exp in the softmax loop. Method: t = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite
// split), exp(r) by its degree-12 Taylor polynomial (truncation error < 2e-16
// relative) evaluated by Estrin's scheme (short dependency chains), scaled by 2^k
// through the exponent bits. The explicit float64 conversions forbid fused
// multiply-adds, so every build and CPU computes the same bits.
func expNeg(t float64) float64 {
	if !(t >= expNegMin) {
		return 0
	}
	kf := float64(t*log2e+roundShift) - roundShift
	r := t - float64(kf*ln2Hi)
	r -= float64(kf * ln2Lo)
	r2 := float64(r * r)
	r4 := float64(r2 * r2)
	r8 := float64(r4 * r4)
	a0 := 1 + r
	a1 := 1.0/2 + float64(r*(1.0/6))
	a2 := 1.0/24 + float64(r*(1.0/120))
	a3 := 1.0/720 + float64(r*(1.0/5040))
	a4 := 1.0/40320 + float64(r*(1.0/362880))
	a5 := 1.0/3628800 + float64(r*(1.0/39916800))
	const a6 = 1.0 / 479001600
	b0 := a0 + float64(r2*a1)
	b1 := a2 + float64(r2*a3)
	b2 := a4 + float64(r2*a5)
	c0 := b0 + float64(r4*b1)
	c1 := b2 + float64(r4*a6)
	p := c0 + float64(r8*c1)
	return math.Float64frombits(math.Float64bits(p) + uint64(int64(kf))<<52)
}
