package logits

import (
	"math"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	for _, kind := range Kinds {
		a, err := Generate(Spec{N: 50, K: 7, Scale: 3, Kind: kind, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Generate(Spec{N: 50, K: 7, Scale: 3, Kind: kind, Seed: 1})
		c, _ := Generate(Spec{N: 50, K: 7, Scale: 3, Kind: kind, Seed: 2})
		same, diff := true, false
		for i := range a {
			same = same && a[i] == b[i]
			diff = diff || a[i] != c[i]
		}
		if !same || !diff {
			t.Errorf("%s: same seed equal=%v, other seed differs=%v", kind, same, diff)
		}
	}
}

func TestNetworkIsImbalanced(t *testing.T) {
	const n, k = 20000, 10
	x, err := Generate(Spec{N: n, K: k, Scale: 8, Kind: Network, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, k)
	for i := 0; i < n; i++ {
		best := 0
		for y := 1; y < k; y++ {
			if x[i*k+y] > x[i*k+best] {
				best = y
			}
		}
		counts[best]++
	}
	// Popularity 1/(1+y): class 0 is 10× as likely a home as class 9.
	if counts[0] < 2*counts[k-1] {
		t.Errorf("argmax counts %v: expected class 0 well above class %d", counts, k-1)
	}
}

func TestLogSoftmax(t *testing.T) {
	// Rows with huge and tiny values: exp would overflow without the max shift.
	x := []float32{1000, 1000, 0, -1000, 0, math.Ln2}
	LogSoftmax(x, 2, 3)
	// Row 0: two equal maxima, third is e^-1000 ≈ 0, so log(1/2) each.
	want := []float64{-math.Ln2, -math.Ln2, -1000 - math.Ln2}
	for y, w := range want {
		// float32 spacing near 1000 is 6e-5: compare relatively.
		if math.Abs(float64(x[y])-w) > 1e-6*math.Max(1, math.Abs(w)) {
			t.Errorf("row 0 col %d = %v, want %v", y, x[y], w)
		}
	}
	// Row 1: probabilities of exp(-1000), 1, 2 sum to 3 (to float precision).
	if got := float64(x[5]); math.Abs(got-math.Log(2.0/3.0)) > 1e-6 {
		t.Errorf("row 1 col 2 = %v, want log(2/3)", got)
	}
	for i := 0; i < 2; i++ {
		s := 0.0
		for y := 0; y < 3; y++ {
			s += math.Exp(float64(x[i*3+y]))
		}
		if math.Abs(s-1) > 1e-6 {
			t.Errorf("row %d sums to %v in probability", i, s)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, s := range []Spec{{N: 0, K: 3}, {N: 3, K: 0}, {N: 3, K: 3, Scale: -1}, {N: 3, K: 3, Kind: "zipf"}} {
		if _, err := Generate(s); err == nil {
			t.Errorf("Generate(%+v): no error", s)
		}
	}
}
