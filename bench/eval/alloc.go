package eval

import "unsafe"

// makeFloat32s returns a new []float32 of length n, backed by transparent huge pages
// where the OS allows (see adviseHuge): for the large feature copies.
func makeFloat32s(n int) []float32 {
	s := make([]float32, n)
	if n > 0 {
		adviseHuge(unsafe.Pointer(&s[0]), uintptr(n)*4)
	}
	return s
}
