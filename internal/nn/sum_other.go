//go:build !amd64 || purego

package nn

func sumDot4x4Lanes(g, h []float32, s int, acc *[32]float64) bool { return false }
