package sela

import (
	"math"
	"slices"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// kernelCase fills a rows×k float32 kernel with values in (0, 1], some exact zeros
// and a few tiny normals, and positive scalings spread over many orders of magnitude.
func kernelCase(rows, k int, seed uint64) (g []float32, a []float64) {
	src := rng.New(seed, "sela/kernel-test")
	g = make([]float32, rows*k)
	for j := range g {
		switch u := src.Float64(); {
		case u < 0.1:
			g[j] = 0
		case u < 0.15:
			g[j] = float32(math.Exp(-80 * src.Float64()))
		default:
			g[j] = float32(src.Float64())
		}
	}
	a = make([]float64, k)
	for y := range a {
		a[y] = math.Exp(20 * (src.Float64() - 0.5))
	}
	return g, a
}

// TestFusedRowsMatchesGo checks that the machine's kernel (assembly on amd64)
// computes exactly the bits of the portable definition, for row lengths around the
// 32-lane blocking and the 4/8-wide tails.
func TestFusedRowsMatchesGo(t *testing.T) {
	t.Logf("kernel: %s", kernelName)
	for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65, 100, 511, 512, 513, 1000, 1003, 2050} {
		rows := 5 + k%4 // AVX-512 takes rows four at a time for long rows: 1 to 3 left over
		g, a := kernelCase(rows, k, uint64(k))
		b1, b2 := make([]float64, rows), make([]float64, rows)
		s1, s2 := make([]float64, k), make([]float64, k)
		for y := range s1 {
			s1[y] = float64(y) * 0.25 // non-zero start: s accumulates
			s2[y] = s1[y]
		}
		const c = 1.0 / 3
		fusedRowsGo(g, k, a, c, b1, s1)
		fusedRows(g, k, a, c, b2, s2)
		for i := range b1 {
			if math.Float64bits(b1[i]) != math.Float64bits(b2[i]) {
				t.Errorf("k=%d: b[%d] = %v (Go) vs %v (%s)", k, i, b1[i], b2[i], kernelName)
			}
		}
		for y := range s1 {
			if math.Float64bits(s1[y]) != math.Float64bits(s2[y]) {
				t.Errorf("k=%d: s[%d] = %v (Go) vs %v (%s)", k, y, s1[y], s2[y], kernelName)
				break
			}
		}
		// And the result is the dot product it claims to be: compare with a plain
		// float64 sum (not bit-exact: different order).
		for i := range b1 {
			d := 0.0
			for y := range k {
				d += float64(g[i*k+y]) * a[y]
			}
			if rel := math.Abs(c/d-b1[i]) / b1[i]; rel > 1e-13 {
				t.Errorf("k=%d: row %d: b = %v, plain sum gives %v", k, i, b1[i], c/d)
			}
		}
	}
}

func TestExpKernel(t *testing.T) {
	// Compared with math.Exp rounded to float32: at most one float32 ulp apart.
	worst := 0.0
	for x := -87.3; x <= 0; x += 1.0 / 1024 {
		want := float32(math.Exp(x))
		got := expKernel(x)
		if d := math.Abs(float64(got-want)) / float64(want); d > worst {
			worst = d
		}
	}
	if worst > 1.2e-7 { // 2^-23 = 1.19e-7 is one ulp at the bottom of a binade
		t.Errorf("expKernel: worst relative error %g, want ≤ 1 float32 ulp", worst)
	}
	for _, tc := range []struct {
		x    float64
		want float32
	}{
		{0, 1},
		{-87.4, 0}, // below the smallest normal float32: flushed
		{-1000, 0}, //
		{math.Inf(-1), 0},
		{math.Log(0.5), 0.5}, // exact in float32
	} {
		if got := expKernel(tc.x); got != tc.want {
			t.Errorf("expKernel(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

// TestExpRowMatchesGo: the vector exp gives the bits of expKernel, including the
// flushes at both thresholds and rows whose length is not a multiple of the vector.
func TestExpRowMatchesGo(t *testing.T) {
	src := make([]float64, 0, 5000)
	for x := -90.0; x <= 0.5; x += 0.0231 {
		src = append(src, x)
	}
	src = append(src, logMinNormal32, math.Nextafter(logMinNormal32, 0), math.Nextafter(logMinNormal32, -1), -1e6, 0)
	for _, shift := range []float64{0, 1.5, -3} {
		for _, n := range []int{len(src), len(src) - 1, len(src) - 3, 7, 3, 0} {
			want := make([]float32, n)
			got := make([]float32, n)
			expRowGo(want, src[:n], shift)
			expRow(got, src[:n], shift)
			for j := range want {
				if math.Float32bits(want[j]) != math.Float32bits(got[j]) {
					t.Fatalf("%s: shift %v: exp(%v) = %v, Go %v", kernelName, shift, src[j]-shift, got[j], want[j])
				}
			}
		}
	}
}

// TestDiffRowsMatchesGo: the vector exponent rows of build give the bits of the
// portable definition for row lengths around the 8-lane blocks, and write nothing
// past the rows they were given.
func TestDiffRowsMatchesGo(t *testing.T) {
	src := rng.New(12, "sela/diff-test")
	for _, k := range []int{1, 2, 7, 8, 9, 10, 15, 16, 17, 100, 1003} {
		for _, rows := range []int{1, 3, 8} {
			x := make([]float32, rows*k)
			for j := range x {
				x[j] = float32(30 * (src.Float64() - 0.8))
			}
			xmax := make([]float64, rows)
			scanRowsGo(x, k, xmax)
			want := make([]float64, rows*k)
			got := make([]float64, rows*k+9)
			for j := range got {
				got[j] = -7 // a sentinel
			}
			diffRowsGo(want, x, xmax, k, 25)
			diffRows(got, x, xmax, k, 25)
			for j := range want {
				if math.Float64bits(want[j]) != math.Float64bits(got[j]) {
					t.Fatalf("%s: k=%d rows=%d: v[%d] = %v, Go %v", kernelName, k, rows, j, got[j], want[j])
				}
			}
			for _, v := range got[rows*k:] {
				if v != -7 {
					t.Fatalf("%s: k=%d rows=%d: wrote past the rows", kernelName, k, rows)
				}
			}
		}
	}
}

// TestScanRowsMatchesGo: the vector input scan finds the same row maxima as
// rowMax and stops at the same first row with a NaN or ±Inf, wherever in the row
// (vector blocks or tail) it sits.
func TestScanRowsMatchesGo(t *testing.T) {
	src := rng.New(11, "sela/scan-test")
	for _, k := range []int{1, 7, 15, 16, 17, 40, 1003} {
		const rows = 6
		x := make([]float32, rows*k)
		for j := range x {
			x[j] = float32(20 * (src.Float64() - 0.7))
		}
		x[2*k+k-1] = 15 // a maximum in the tail
		for _, poison := range []float32{0, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			for _, at := range []int{-1, 3*k + k/2, 4*k + k - 1} {
				y := slices.Clone(x)
				if at >= 0 && poison != 0 {
					y[at] = poison
				}
				want, got := make([]float64, rows), make([]float64, rows)
				wb, gb := scanRowsGo(y, k, want), scanRows32(y, k, got)
				if wb != gb || !slices.Equal(want, got) {
					t.Fatalf("k=%d poison %v at %d: row %d %v, Go row %d %v", k, poison, at, gb, got, wb, want)
				}
				if poison != 0 && at >= 0 && wb != at/k {
					t.Fatalf("k=%d: poison at row %d reported at row %d", k, at/k, wb)
				}
				if wb < 0 && want[2] != 15 {
					t.Fatalf("k=%d: row 2 maximum %v, want 15", k, want[2])
				}
			}
		}
	}
}

// TestAxpyRowsMatchesAxpyRow: one call over many rows gives the bits of axpyRow on
// each row in turn, for row lengths on both sides of the vector routine's k ≤ 16.
func TestAxpyRowsMatchesAxpyRow(t *testing.T) {
	for _, k := range []int{1, 2, 7, 8, 9, 10, 15, 16, 17, 33, 100} {
		for _, rows := range []int{1, 2, 5, 37} {
			g, a := kernelCase(rows, k, uint64(100*k+rows))
			b := make([]float64, rows)
			for i := range b {
				b[i] = a[i%k] * float64(i+1)
			}
			got, want := make([]float64, k, k+16), slices.Clone(a) // nonzero starting sums
			copy(got, a)
			for y := k; y < k+16; y++ {
				got[:k+16][y] = -3 // a sentinel past s: nothing may write there
			}
			axpyRows(g, k, b, got)
			for _, v := range got[k : k+16] {
				if v != -3 {
					t.Fatalf("k=%d rows=%d: wrote past s", k, rows)
				}
			}
			for i, bi := range b {
				axpyRow(want, g[i*k:(i+1)*k], bi)
			}
			for y := range want {
				if math.Float64bits(got[y]) != math.Float64bits(want[y]) {
					t.Fatalf("k=%d rows=%d: s[%d] = %v, want %v (axpyRow per row)", k, rows, y, got[y], want[y])
				}
			}
		}
	}
}

// TestFirstBad: the first scaling that is not finite and positive, wherever it
// sits relative to the vector routine's blocks of 8; subnormals and the largest
// float64 are good.
func TestFirstBad(t *testing.T) {
	bads := []float64{0, math.Copysign(0, -1), -1, math.Inf(1), math.Inf(-1), math.NaN(), math.Float64frombits(0xFFF8000000000001)}
	for _, n := range []int{0, 1, 7, 8, 9, 16, 17, 64, 67} {
		good := make([]float64, n)
		for i := range good {
			good[i] = []float64{1, 5e-324, math.MaxFloat64, 0.25}[i%4]
		}
		if got := firstBad(good); got != -1 {
			t.Fatalf("n=%d, all good: firstBad = %d, want -1", n, got)
		}
		for pos := 0; pos < n; pos++ {
			for _, v := range bads {
				b := slices.Clone(good)
				b[pos] = v
				if pos+3 < n {
					b[pos+3] = math.NaN() // a later bad one does not hide the first
				}
				if got := firstBad(b); got != pos {
					t.Fatalf("n=%d, b[%d] = %v: firstBad = %d, want %d", n, pos, v, got, pos)
				}
			}
		}
	}
}
