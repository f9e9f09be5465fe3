package rowops

import (
	"math"
	"runtime"
	"slices"
	"testing"
)

func TestL2Normalize(t *testing.T) {
	x := []float32{3, 4, 0, 0, 1, 1}
	L2Normalize(x, 3, 2)
	want := []float32{0.6, 0.8, 0, 0, float32(1 / math.Sqrt2), float32(1 / math.Sqrt2)}
	for i := range x {
		if math.Abs(float64(x[i]-want[i])) > 1e-7 {
			t.Fatalf("got %v, want %v", x, want)
		}
	}
	// A matrix big enough to split gives the same bits for any GOMAXPROCS.
	const n, d = 1000, 100
	a := make([]float32, n*d)
	for i := range a {
		a[i] = float32(math.Sin(float64(i)))
	}
	b := slices.Clone(a)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	L2Normalize(a, n, d)
	runtime.GOMAXPROCS(4)
	L2Normalize(b, n, d)
	if !slices.Equal(a, b) {
		t.Error("GOMAXPROCS 1 and 4 differ")
	}
}
