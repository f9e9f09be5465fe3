//go:build amd64 && !purego

package sela

import "golang.org/x/sys/cpu"

// The assembly kernels in kernel_amd64.s; the build tag purego selects the portable
// Go code instead.

//go:noescape
func fusedRowsAVX2(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64, mask *int32)

//go:noescape
func fusedRowsAVX512(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)

// kernelName names the implementation fusedRows uses on this machine.
var kernelName = func() string {
	switch {
	case cpu.X86.HasAVX512F:
		return "avx512"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return "avx2"
	}
	return "go"
}()

func fusedRowsImpl(g []float32, k int, a []float64, c float64, b, s []float64) {
	switch kernelName {
	case "avx512":
		a = paddedA(a, k)
		fusedRowsAVX512(&g[0], k, len(b), &a[0], c, &b[0], &s[0])
	case "avx2":
		a = paddedA(a, k)
		mask := tailMask(k)
		fusedRowsAVX2(&g[0], k, len(b), &a[0], c, &b[0], &s[0], &mask[0])
	default:
		fusedRowsGo(g, k, a, c, b, s)
	}
}

// tailMask is the AVX2 load mask of a row's last, partial block of 32.
func tailMask(k int) (m [lanes]int32) {
	for e := range k % lanes {
		m[e] = -1
	}
	return m
}

//go:noescape
func expRowAVX512(dst *float32, src *float64, n int, shift float64)

//go:noescape
func expRowAVX2(dst *float32, src *float64, n int, shift float64)

// expRowImpl runs the vector routine on a prefix of src and returns its length.
func expRowImpl(dst []float32, src []float64, shift float64) int {
	switch kernelName {
	case "avx512":
		n := len(src) &^ 7
		if n > 0 {
			expRowAVX512(&dst[0], &src[0], n, shift)
		}
		return n
	case "avx2":
		n := len(src) &^ 3
		if n > 0 {
			expRowAVX2(&dst[0], &src[0], n, shift)
		}
		return n
	}
	return 0
}

//go:noescape
func axpyRowAVX512(s *float64, gp *float32, n int, b float64)

//go:noescape
func axpyRowAVX2(s *float64, gp *float32, n int, b float64)

// axpyRowImpl runs the vector routine on a prefix of g and returns its length.
func axpyRowImpl(s []float64, g []float32, b float64) int {
	switch kernelName {
	case "avx512":
		n := len(g) &^ 7
		if n > 0 {
			axpyRowAVX512(&s[0], &g[0], n, b)
		}
		return n
	case "avx2":
		n := len(g) &^ 3
		if n > 0 {
			axpyRowAVX2(&s[0], &g[0], n, b)
		}
		return n
	}
	return 0
}
