// Package hugemem allocates large numeric buffers backed, where the OS allows, by
// transparent huge pages. On virtual machines the first touch of fresh memory
// costs a hypervisor fault per 4 KiB page and every 4 KiB of a streamed buffer costs
// a TLB miss with a two-level page walk; with 2 MiB pages both shrink by orders of
// magnitude (NumPy advises its large arrays the same way). Used by the Sinkhorn
// kernel (selA) and the evaluation's feature copies (bench/eval).
package hugemem

import "unsafe"

// Float32s returns a new zeroed []float32 of length n, advised for huge pages.
func Float32s(n int) []float32 {
	s := make([]float32, n)
	if n > 0 {
		advise(unsafe.Pointer(unsafe.SliceData(s)), uintptr(n)*4)
	}
	return s
}

// Float64s returns a new zeroed []float64 of length n, advised for huge pages.
func Float64s(n int) []float64 {
	s := make([]float64, n)
	if n > 0 {
		advise(unsafe.Pointer(unsafe.SliceData(s)), uintptr(n)*8)
	}
	return s
}
