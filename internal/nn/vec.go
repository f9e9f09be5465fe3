package nn

// scaleShift, dst[k] = src[k]·sc + sh, is the elementwise loop of BatchNorm's
// affine map and (with sc = 1) of the convolution's bias. On amd64 it runs
// eight values at a time (vec_amd64.s, beside BatchNorm's four-plane sums);
// every value sees the roundings of the plain Go loop, so results do not
// depend on the machine's vector width.

// scaleShiftGo is the portable scaleShift: a product rounded to float32, then
// a sum rounded to float32, never a fused multiply-add.
func scaleShiftGo(dst, src []float32, sc, sh float32) {
	dst = dst[:len(src)]
	for k, v := range src {
		dst[k] = float32(v*sc) + sh
	}
}
