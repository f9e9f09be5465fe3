package sela

import (
	"errors"
	"math"
	"testing"
)

func TestOnlineCodes(t *testing.T) {
	// testdata/swav_codes.py: the official distributed_sinkhorn (one process),
	// ε = 0.05, 3 iterations, on float32(0.9·cos(0.7·i + 1.3·y)).
	want := []float64{0.18577371563620473, 0.814226284363792, 1.5972414228441655e-15, 1.8458853034528566e-15, 0.9986347358164127, 0.001365221227161693, 5.6392737772253294e-14, 4.295636920548348e-08, 0.0031931503760278136, 2.9927746048449845e-05, 3.281332807593206e-09, 0.9967769185965909, 1.143336433962975e-11, 6.529775261643361e-09, 2.280897656161274e-07, 0.9999997653690258, 9.373445963872286e-15, 1.628941826237924e-05, 0.056151810359512916, 0.9438319002222153, 3.2236855604179995e-16, 0.07600896949973092, 0.9239854519042631, 5.578596005649396e-06}
	const n, k = 6, 4
	scores := make([]float32, n*k)
	for i := range n {
		for y := range k {
			scores[i*k+y] = float32(0.9 * math.Cos(0.7*float64(i)+1.3*float64(y)))
		}
	}
	got := make([]float64, n*k)
	if err := OnlineCodes(got, scores, n, k, 0.05, 3); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12*max(1, want[i]) && math.Abs(got[i]-want[i]) > 1e-9*want[i] {
			t.Errorf("code %d (sample %d, prototype %d) = %v, want %v", i, i/k, i%k, got[i], want[i])
		}
	}
	// Shifting every score by a constant changes nothing (the max is taken out).
	shifted := make([]float32, len(scores))
	for i, s := range scores {
		shifted[i] = s + 0.5
	}
	again := make([]float64, n*k)
	if err := OnlineCodes(again, shifted, n, k, 0.05, 3); err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if math.Abs(again[i]-got[i]) > 1e-6 {
			t.Errorf("shifted code %d = %v, want %v", i, again[i], got[i])
		}
	}
	// Scores far beyond cosines stay finite.
	for i := range shifted {
		shifted[i] = scores[i] * 1000
	}
	if err := OnlineCodes(again, shifted, n, k, 0.05, 3); !errors.Is(err, ErrNumerical) && err != nil {
		t.Errorf("large scores: %v", err)
	}
	for i, v := range again {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("large scores: code %d is %v", i, v)
		}
	}
}

func TestOnlineCodesErrors(t *testing.T) {
	ok := []float32{0, 1, 1, 0}
	dst := make([]float64, 4)
	for _, test := range []struct {
		name   string
		scores []float32
		n, k   int
		eps    float64
		iters  int
		is     error
	}{
		{"shape", ok, 3, 2, 0.05, 3, ErrInput},
		{"zero n", ok, 0, 2, 0.05, 3, ErrInput},
		{"eps", ok, 2, 2, 0, 3, ErrInput},
		{"eps NaN", ok, 2, 2, math.NaN(), 3, ErrInput},
		{"iters", ok, 2, 2, 0.05, 0, ErrInput},
		{"NaN score", []float32{0, float32(math.NaN()), 1, 0}, 2, 2, 0.05, 3, ErrNumerical},
		// exp(−1e6/ε) underflows: prototype 1 has no mass.
		{"underflow", []float32{0, -1e6, 0, -1e6}, 2, 2, 0.05, 3, ErrNumerical},
	} {
		if err := OnlineCodes(dst, test.scores, test.n, test.k, test.eps, test.iters); !errors.Is(err, test.is) {
			t.Errorf("%s: err = %v, want %v", test.name, err, test.is)
		}
	}
}
