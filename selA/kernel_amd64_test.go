//go:build amd64 && !purego

package sela

import (
	"math"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAsmKernelsMatchGo runs both assembly kernels directly (when the CPU has
// them), whichever one fusedRows dispatches to.
func TestAsmKernelsMatchGo(t *testing.T) {
	impls := map[string]func(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64){}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		impls["avx2"] = func(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64) {
			mask := tailMask(k)
			fusedRowsAVX2(gp, k, rows, a, c, b, s, &mask[0])
		}
		impls["avx2-4rows-small"] = func(gp *float32, k int, rows int, a *float64, c float64, b *float64, s *float64) {
			mask := tailMask(k)
			fusedRows4SmallAVX2(gp, k, rows, a, c, b, s, &mask[0])
		}
	}
	if cpu.X86.HasAVX512F {
		impls["avx512"] = fusedRowsAVX512
		impls["avx512-4rows"] = fusedRows4AVX512
		impls["avx512-4rows-small"] = fusedRows4SmallAVX512
	}
	if len(impls) == 0 {
		t.Skip("no AVX2/AVX-512 on this CPU")
	}
	for name, f := range impls {
		for k := 1; k <= 200; k++ {
			// 1, 2 or 3 rows (what the four-row kernel leaves to the others); 4 or 8
			// rows for the four-row kernel.
			rows := 1 + k%3
			if strings.HasSuffix(name, "-4rows-small") && k > 16 {
				continue
			}
			if strings.Contains(name, "-4rows") {
				rows = 4 << (k % 2)
			}
			g, a := kernelCase(rows, k, uint64(1000+k))
			b1, b2 := make([]float64, rows), make([]float64, rows)
			s1, s2 := make([]float64, k), make([]float64, k, k+16)
			for y := k; y < k+16; y++ {
				s2[:k+16][y] = -3 // a sentinel past s: the kernel must not write there
			}
			fusedRowsGo(g, k, a, 0.5, b1, s1)
			ap := paddedA(a, k)
			f(&g[0], k, rows, &ap[0], 0.5, &b2[0], &s2[0])
			for _, v := range s2[k : k+16] {
				if v != -3 {
					t.Fatalf("%s k=%d: wrote past s", name, k)
				}
			}
			for i := range b1 {
				if math.Float64bits(b1[i]) != math.Float64bits(b2[i]) {
					t.Fatalf("%s k=%d: b[%d] = %v, Go %v", name, k, i, b2[i], b1[i])
				}
			}
			for y := range s1 {
				if math.Float64bits(s1[y]) != math.Float64bits(s2[y]) {
					t.Fatalf("%s k=%d: s[%d] = %v, Go %v", name, k, y, s2[y], s1[y])
				}
			}
		}
	}
}

// TestAsmExpMatchesGo runs both vector exp routines directly.
func TestAsmExpMatchesGo(t *testing.T) {
	src := make([]float64, 0, 4096)
	for x := -90.0; len(src) < 4096; x += 0.0223 {
		src = append(src, x)
	}
	want := make([]float32, len(src))
	expRowGo(want, src, 0.25)
	impls := map[string]func(dst *float32, src *float64, n int, shift float64){}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		impls["avx2"] = expRowAVX2
	}
	if cpu.X86.HasAVX512F {
		impls["avx512"] = expRowAVX512
	}
	for name, f := range impls {
		got := make([]float32, len(src))
		f(&got[0], &src[0], len(src), 0.25)
		for j := range want {
			if math.Float32bits(want[j]) != math.Float32bits(got[j]) {
				t.Fatalf("%s: exp(%v) = %v, Go %v", name, src[j]-0.25, got[j], want[j])
			}
		}
	}
}

// TestAsmSparseMatchesGo runs both extraction routines and both sweep routines
// directly (when the CPU has them), whichever ones the dispatchers pick.
func TestAsmSparseMatchesGo(t *testing.T) {
	type extractFn = func(gp *float32, k int, rows int, a *float64, c float64, theta float64, b *float64, val *float32, col *uint16, off *int32, n int) int
	type sweepFn = func(gp *float32, k int, rows int, a *float64, b *float64, d *float64, s *float64)
	extracts := map[string]extractFn{}
	sweeps := map[string]sweepFn{}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		extracts["avx2"] = extractRowsAVX2
		sweeps["avx2"] = func(gp *float32, k int, rows int, a *float64, b *float64, d *float64, s *float64) {
			mask := tailMask(k)
			sweepRowsAVX2(gp, k, rows, a, b, d, s, &mask[0])
		}
	}
	if cpu.X86.HasAVX512F {
		extracts["avx512"] = extractRowsAVX512
		sweeps["avx512"] = sweepRowsAVX512
	}
	if len(extracts) == 0 {
		t.Skip("no AVX2/AVX-512 on this CPU")
	}
	for k := 1; k <= 70; k++ {
		const rows = 4
		g, a := kernelCase(rows, k, uint64(3000+k))
		b := make([]float64, rows)
		fusedRowsGo(g, k, a, 0.5, b, make([]float64, k))
		var want sparseChunk
		want.off = []int32{0}
		want.reserve(rows*k + 8)
		extractRowsGo(&want, g, k, a, 0.5, 0.01, b)
		for name, f := range extracts {
			val := make([]float32, rows*k+8)
			col := make([]uint16, rows*k+8)
			off := make([]int32, rows)
			n := f(&g[0], k, rows, &a[0], 0.5, 0.01, &b[0], &val[0], &col[0], &off[0], 0)
			if n != len(want.val) || !slices.Equal(off, want.off[1:]) || !slices.Equal(col[:n], want.col) ||
				!slices.Equal(bitsOf32(val[:n]), bitsOf32(want.val)) {
				t.Fatalf("%s k=%d: extraction differs from Go (%d entries, Go %d)", name, k, n, len(want.val))
			}
		}
		d1, s1 := make([]float64, rows), make([]float64, k)
		sweepRowsGo(g, k, a, b, d1, s1)
		ap := paddedA(a, k)
		for name, f := range sweeps {
			d2, s2 := make([]float64, rows), make([]float64, k)
			f(&g[0], k, rows, &ap[0], &b[0], &d2[0], &s2[0])
			if !slices.Equal(bitsOf(d1), bitsOf(d2)) || !slices.Equal(bitsOf(s1), bitsOf(s2)) {
				t.Fatalf("%s k=%d: sweep differs from Go", name, k)
			}
		}
	}
}
