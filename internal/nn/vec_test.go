package nn

import (
	"math"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// TestSumDot4x4MatchesSumDot4 checks the four-plane sums (vector lanes on
// amd64) against sumDot4 plane by plane, bit for bit, over plane sizes with
// every tail length, and values of very different magnitudes and both signs
// so that the order of the additions shows in the result.
func TestSumDot4x4MatchesSumDot4(t *testing.T) {
	r := rng.New(11, "test/sumdot")
	for _, s := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 49, 50, 196, 197, 783, 784} {
		g, h := make([]float32, 4*s+3), make([]float32, 4*s+3)
		for i := range g {
			g[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(13)-6)))
			h[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(13)-6)))
		}
		for _, off := range []int{0, 3} { // unaligned planes too
			gs, hs := g[off:off+4*s], h[off:off+4*s]
			for _, same := range []bool{false, true} {
				hh := hs
				if same { // BatchNorm's forward pass: Σ x and Σ x²
					hh = gs
				}
				a, d := sumDot4x4(gs, hh, s)
				for p := range 4 {
					wa, wd := sumDot4(gs[p*s:(p+1)*s], hh[p*s:(p+1)*s])
					if math.Float64bits(a[p]) != math.Float64bits(wa) || math.Float64bits(d[p]) != math.Float64bits(wd) {
						t.Fatalf("s=%d off=%d same=%v plane %d: (%v, %v), sumDot4 gives (%v, %v)", s, off, same, p, a[p], d[p], wa, wd)
					}
				}
			}
		}
	}
}

// TestPlaneSumsMatchSumDot4 checks planeSums, channels four at a time and the
// rest one by one, against per-plane sumDot4 summed in sample order.
func TestPlaneSumsMatchSumDot4(t *testing.T) {
	r := rng.New(12, "test/planesums")
	n, C, s := 3, 11, 49
	g, h := make([]float32, n*C*s), make([]float32, n*C*s)
	for i := range g {
		g[i] = float32(r.NormFloat64() * 100)
		h[i] = float32(r.NormFloat64())
	}
	for _, rg := range [][2]int{{0, C}, {2, 9}, {5, 6}} {
		sum, dot := make([]float64, C), make([]float64, C)
		planeSums(g, h, n, C, s, rg[0], rg[1], sum, dot)
		for c := range C {
			var ws, wd float64
			if c >= rg[0] && c < rg[1] {
				for i := range n {
					o := (i*C + c) * s
					a, d := sumDot4(g[o:o+s], h[o:o+s])
					ws += a
					wd += d
				}
			}
			if math.Float64bits(sum[c]) != math.Float64bits(ws) || math.Float64bits(dot[c]) != math.Float64bits(wd) {
				t.Fatalf("channels %v, channel %d: (%v, %v), want (%v, %v)", rg, c, sum[c], dot[c], ws, wd)
			}
		}
	}
}

// TestVecMatchesGo checks scaleShift (AVX on amd64) against the plain loop
// bit for bit, over every tail length, with infinities, signed zeros,
// subnormals and NaN among the inputs; and that a scale of 1 adds the shift
// exactly, as the convolution's bias relies on.
func TestVecMatchesGo(t *testing.T) {
	r := rng.New(14, "test/vec")
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, -3e-39, math.MaxFloat32}
	for n := range 41 {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4)))
			if r.IntN(5) == 0 {
				src[i] = special[r.IntN(len(special))]
			}
		}
		for _, c := range [][2]float32{{1.5, -0.25}, {-3e-3, 7}, {0, 0}, {float32(math.Inf(1)), 1}, {1, -2.5}, {1, 1e-41}} {
			got, want := make([]float32, n+1), make([]float32, n+1)
			got[n], want[n] = 42, 42 // a sentinel past the end
			scaleShift(got, src, c[0], c[1])
			scaleShiftGo(want, src, c[0], c[1])
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("scaleShift n=%d (sc, sh)=%v: value %d is %v, the plain loop gives %v", n, c, i, got[i], want[i])
				}
			}
			if c[0] != 1 {
				continue
			}
			for i, v := range src {
				if s := v + c[1]; math.Float32bits(got[i]) != math.Float32bits(s) {
					t.Fatalf("scaleShift(·, 1, %v) of %v is %v, want %v + %v = %v", c[1], v, got[i], v, c[1], s)
				}
			}
		}
	}
}

// TestPool2MaxMatchesPool2 checks the values of 2×2 max pooling without positions
// (vector windows on amd64) against pool2's, bit for bit, on planes whose rows
// hold every tail length of the eight-window blocks, with ties, both zeros,
// negative values and infinities, where a comparison of floats in another order
// could pick another bit pattern.
func TestPool2MaxMatchesPool2(t *testing.T) {
	r := rng.New(12, "test/pool2")
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-30, -1e-30}
	for _, w := range []int{2, 4, 14, 16, 18, 28, 30, 32, 34, 64} {
		h := w + 2
		in := make([]float32, h*w)
		for i := range in {
			if r.IntN(3) == 0 {
				in[i] = special[r.IntN(len(special))]
			} else {
				in[i] = float32(r.NormFloat64())
			}
		}
		oh, ow := h/2, w/2
		want, got := make([]float32, oh*ow), make([]float32, oh*ow+8)
		pool2(want, make([]int32, oh*ow), in, w, oh, ow)
		for i := range got {
			got[i] = 42 // a sentinel
		}
		pool2Max(got, in, w, oh, ow)
		for i, v := range want {
			if math.Float32bits(got[i]) != math.Float32bits(v) {
				t.Fatalf("w=%d: window %d: %v, pool2 %v", w, i, got[i], v)
			}
		}
		for _, v := range got[oh*ow:] {
			if v != 42 {
				t.Fatalf("w=%d: wrote past the output", w)
			}
		}
	}
}
