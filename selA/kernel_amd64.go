//go:build amd64 && !purego

package sela

import (
	"slices"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The assembly kernels in kernel_amd64.s; the build tag purego selects the portable
// Go code instead.

//go:noescape
func fusedRowsAVX2(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64, mask *int32)

// fusedRows4SmallAVX2 is fusedRowsAVX2 for k ≤ 16, four rows at a time (same
// bits; rows a multiple of 4): s stays in registers and the four rows share one
// reduction and one division (three vectors a row for k ≤ 12, else four).
//
//go:noescape
func fusedRows4SmallAVX2(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64, mask *int32)

//go:noescape
func fusedRowsAVX512(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)

// fusedRows4AVX512 is fusedRowsAVX512 four rows at a time (same bits; rows a
// multiple of 4): the rows share the loads of a and the loads and stores of s,
// and the next four rows are prefetched. It is the AVX-512 pass for every row
// length, since sharing the loads matters most for short rows, where one row at a
// time spends more on a and s than on the kernel (the rows left over, fewer than 4
// per chunk, still take fusedRowsAVX512; BenchmarkPass compares them).
//
//go:noescape
func fusedRows4AVX512(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)

// fusedRows4SmallAVX512 is fusedRows4AVX512 for k ≤ 16 (same bits): rows that
// short fill two vectors, not four, and a and s stay in registers.
//
//go:noescape
func fusedRows4SmallAVX512(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64)

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
		r4 := len(b) &^ 3
		switch {
		case r4 > 0 && k <= 16:
			fusedRows4SmallAVX512(&g[0], k, r4, &a[0], c, &b[0], &s[0])
		case r4 > 0:
			fusedRows4AVX512(&g[0], k, r4, &a[0], c, &b[0], &s[0])
		}
		if r4 < len(b) {
			fusedRowsAVX512(&g[r4*k], k, len(b)-r4, &a[0], c, &b[r4], &s[0])
		}
	case "avx2":
		a = paddedA(a, k)
		mask := tailMask(k)
		r4 := 0
		if k <= 16 {
			r4 = len(b) &^ 3
		}
		if r4 > 0 {
			fusedRows4SmallAVX2(&g[0], k, r4, &a[0], c, &b[0], &s[0], &mask[0])
		}
		if r4 < len(b) {
			fusedRowsAVX2(&g[r4*k], k, len(b)-r4, &a[0], c, &b[r4], &s[0], &mask[0])
		}
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
func diffRowsAVX512(v *float64, x *float32, xmax *float64, rows int, k int, lam float64)

// diffRowsImpl runs diffRows's vector routine where the CPU has AVX-512 and
// reports whether it did.
func diffRowsImpl(v []float64, x []float32, xmax []float64, k int, lam float64) bool {
	if kernelName != "avx512" {
		return false
	}
	diffRowsAVX512(&v[0], &x[0], &xmax[0], len(xmax), k, lam)
	return true
}

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

//go:noescape
func sparseRowsFMA(off *int32, val *float32, col *uint16, rows int, a *float64, c float64, b *float64, s *float64)

//go:noescape
func extractRowsAVX2(gp *float32, k int, rows int, a *float64, c float64, theta float64, b *float64, val *float32, col *uint16, off *int32, n int) int

//go:noescape
func extractRowsAVX512(gp *float32, k int, rows int, a *float64, c float64, theta float64, b *float64, val *float32, col *uint16, off *int32, n int) int

//go:noescape
func argmaxRowsAVX512(gp *float32, k int, rows int, a *float64, labels *int32)

//go:noescape
func sweepRowsAVX512(gp *float32, k int, rows int, a *float64, b *float64, d *float64, s *float64)

//go:noescape
func sweepRowsAVX2(gp *float32, k int, rows int, a *float64, b *float64, d *float64, s *float64, mask *int32)

// hasFMA reports whether the scalar-FMA and AVX2 routines of the truncated kernel
// run (AVX-512 machines have both).
func hasFMA() bool { return kernelName == "avx512" || kernelName == "avx2" }

func sparseRowsImpl(sc *sparseChunk, a []float64, c float64, b, s []float64) {
	if !hasFMA() {
		sparseRowsGo(sc, a, c, b, s)
		return
	}
	sparseRowsFMA(&sc.off[0], unsafe.SliceData(sc.val), unsafe.SliceData(sc.col), len(b), &a[0], c, &b[0], &s[0])
}

func extractRowsImpl(sc *sparseChunk, g []float32, k int, a []float64, c, theta float64, b []float64) {
	if !hasFMA() {
		extractRowsGo(sc, g, k, a, c, theta, b)
		return
	}
	rows := len(b)
	n0 := len(sc.off)
	sc.off = slices.Grow(sc.off, rows)[:n0+rows]
	val, col := sc.val[:cap(sc.val)], sc.col[:cap(sc.col)]
	extract := extractRowsAVX2
	if kernelName == "avx512" {
		extract = extractRowsAVX512
	}
	n := extract(&g[0], k, rows, &a[0], c, theta, &b[0], &val[0], &col[0], &sc.off[n0], len(sc.val))
	sc.val, sc.col = val[:n], col[:n]
}

func sweepRowsImpl(g []float32, k int, a, b, d, s []float64) {
	switch kernelName {
	case "avx512":
		a = paddedA(a, k)
		sweepRowsAVX512(&g[0], k, len(b), &a[0], &b[0], &d[0], &s[0])
	case "avx2":
		a = paddedA(a, k)
		mask := tailMask(k)
		sweepRowsAVX2(&g[0], k, len(b), &a[0], &b[0], &d[0], &s[0], &mask[0])
	default:
		sweepRowsGo(g, k, a, b, d, s)
	}
}

//go:noescape
func argmaxRowsSmallAVX2(gp *float32, k int, rows int, a *float64, labels *int32, mask *int32)

func argmaxRowsImpl(g []float32, k int, a []float64, labels []int32) {
	switch {
	case kernelName == "avx512":
		argmaxRowsAVX512(&g[0], k, len(labels), &a[0], &labels[0])
	case kernelName == "avx2" && k <= 16:
		a = paddedA(a, k)
		mask := tailMask(k)
		argmaxRowsSmallAVX2(&g[0], k, len(labels), &a[0], &labels[0], &mask[0])
	default:
		argmaxRowsGo(g, k, a, labels)
	}
}

//go:noescape
func sumAVX512(x *float32, n int) float32

//go:noescape
func sumAVX2(x *float32, n int) float32

// sum32Impl sums a prefix of v with vector loads and returns its length and sum.
func sum32Impl(v []float32) (int, float32) {
	switch kernelName {
	case "avx512":
		if n := len(v) &^ 63; n > 0 {
			return n, sumAVX512(&v[0], n)
		}
	case "avx2":
		if n := len(v) &^ 31; n > 0 {
			return n, sumAVX2(&v[0], n)
		}
	}
	return 0, 0
}

//go:noescape
func scanRowsAVX2(x *float32, k int, rows int, xmax *float64) int

// scanRows32 sets xmax[i] = max of row i of x (len(xmax) rows of k values) until
// the first row holding a non-finite entry, whose index it returns (-1 if none).
func scanRows32(x []float32, k int, xmax []float64) int {
	if !hasFMA() || len(xmax) == 0 {
		return scanRowsGo(x, k, xmax)
	}
	if len(x) < len(xmax)*k {
		panic("sela: scanRows32: bad slice lengths")
	}
	return scanRowsAVX2(&x[0], k, len(xmax), &xmax[0])
}

//go:noescape
func axpyRowsSmallAVX512(gp *float32, k int, rows int, b *float64, s *float64)

//go:noescape
func axpyRowsSmallAVX2(gp *float32, k int, rows int, b *float64, s *float64, mask *int32)

// axpyRowsImpl runs axpyRows's vector routine where there is one (AVX-512 or
// AVX2, k ≤ 16) and reports whether it did.
func axpyRowsImpl(g []float32, k int, b, s []float64) bool {
	switch {
	case k > 16:
		return false
	case kernelName == "avx512":
		axpyRowsSmallAVX512(&g[0], k, len(b), &b[0], &s[0])
	case kernelName == "avx2":
		mask := tailMask(k)
		axpyRowsSmallAVX2(&g[0], k, len(b), &b[0], &s[0], &mask[0])
	default:
		return false
	}
	return true
}

//go:noescape
func firstBadAVX512(b *float64, n int) int

//go:noescape
func firstBadAVX2(b *float64, n int) int

// firstBadImpl checks a prefix of b with vector instructions: it returns the first
// bad index found there (or -1) and the prefix's length.
func firstBadImpl(b []float64) (bad, done int) {
	switch kernelName {
	case "avx512":
		if n := len(b) &^ 7; n > 0 {
			return firstBadAVX512(&b[0], n), n
		}
	case "avx2":
		if n := len(b) &^ 3; n > 0 {
			return firstBadAVX2(&b[0], n), n
		}
	}
	return -1, 0
}

//go:noescape
func gramRowsAVX2(gp *float32, k int, rows int, a *float64, b *float64, scale float64, w *float64, mask *int32)

//go:noescape
func gramRowsAVX512(gp *float32, k int, rows int, a *float64, b *float64, scale float64, w *float64)

// gramRowsImpl runs gramRows's vector routine where there is one (AVX-512) and
// reports whether it did; b is not empty.
func gramRowsImpl(g []float32, k int, a, b []float64, scale float64, w []float64) bool {
	switch kernelName {
	case "avx512":
		gramRowsAVX512(&g[0], k, len(b), &a[0], &b[0], scale, &w[0])
	case "avx2":
		mask := tailMask(k)
		gramRowsAVX2(&g[0], k, len(b), &a[0], &b[0], scale, &w[0], &mask[0])
	default:
		return false
	}
	return true
}
