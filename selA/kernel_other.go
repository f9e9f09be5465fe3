//go:build !amd64 || purego

package sela

// kernelName names the implementation fusedRows uses on this machine.
var kernelName = "go"

func fusedRowsImpl(g []float32, k int, a []float64, c float64, b, s []float64) {
	fusedRowsGo(g, k, a, c, b, s)
}

func expRowImpl(dst []float32, src []float64, shift float64) int { return 0 }

func diffRowsImpl(v []float64, x []float32, xmax []float64, k int, lam float64) bool { return false }

func axpyRowImpl(s []float64, g []float32, b float64) int { return 0 }

func sparseRowsImpl(sc *sparseChunk, a []float64, c float64, b, s []float64) {
	sparseRowsGo(sc, a, c, b, s)
}

func extractRowsImpl(sc *sparseChunk, g []float32, k int, a []float64, c, theta float64, b []float64) {
	extractRowsGo(sc, g, k, a, c, theta, b)
}

func sweepRowsImpl(g []float32, k int, a, b, d, s []float64) { sweepRowsGo(g, k, a, b, d, s) }

func argmaxRowsImpl(g []float32, k int, a []float64, labels []int32) { argmaxRowsGo(g, k, a, labels) }

func scanRows32(x []float32, k int, xmax []float64) int { return scanRowsGo(x, k, xmax) }

func sum32Impl(v []float32) (int, float32) { return 0, 0 }

func axpyRowsImpl(g []float32, k int, b, s []float64) bool { return false }

func firstBadImpl(b []float64) (bad, done int) { return -1, 0 }

func gramRowsImpl(g []float32, k int, a, b []float64, scale float64, w []float64) bool { return false }
