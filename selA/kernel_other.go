//go:build !amd64 || purego

package sela

// kernelName names the implementation fusedRows uses on this machine.
var kernelName = "go"

func fusedRowsImpl(g []float32, k int, a []float64, c float64, b, s []float64) {
	fusedRowsGo(g, k, a, c, b, s)
}

func expRowImpl(dst []float32, src []float64, shift float64) int { return 0 }

func axpyRowImpl(s []float64, g []float32, b float64) int { return 0 }
