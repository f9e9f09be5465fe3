//go:build !amd64 || purego

package nn

func sumDot4x4Lanes(g, h []float32, s int, acc *[32]float64) bool { return false }

func scaleShift(dst, src []float32, sc, sh float32) { scaleShiftGo(dst, src, sc, sh) }

func pool2MaxRow(out, r0, r1 []float32) int { return 0 }
