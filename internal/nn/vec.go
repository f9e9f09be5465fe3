package nn

// Elementwise float32 loops of the layers' hot paths. On amd64 they run eight
// values at a time (vec_amd64.s); every value sees the roundings of the plain
// Go loop, so results do not depend on the machine's vector width.

// addConstGo is the portable addConst.
func addConstGo(dst, src []float32, c float32) {
	dst = dst[:len(src)]
	for k, v := range src {
		dst[k] = v + c
	}
}

// scaleShiftGo is the portable scaleShift: a product rounded to float32, then
// a sum rounded to float32, never a fused multiply-add.
func scaleShiftGo(dst, src []float32, sc, sh float32) {
	dst = dst[:len(src)]
	for k, v := range src {
		dst[k] = float32(v*sc) + sh
	}
}
