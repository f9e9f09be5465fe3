package reports

import (
	"math"
	"slices"
	"testing"
)

// Reference values printed by testdata/scipy_values.py (SciPy 1.10.1,
// statsmodels 0.13.5).
func TestSignedRank(t *testing.T) {
	for _, test := range []struct {
		name string
		d    []float64
		want float64
	}{
		// scipy.stats.wilcoxon(d[d != 0], mode="exact"): no ties.
		{"n6", []float64{0.12, -0.03, 0.07, 0.15, 0.22, -0.05}, 0.15625},
		{"n10_positive", []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1}, 0.001953125},
		{"n10_mixed", []float64{0.31, -0.02, 0.18, 0.05, -0.11, 0.27, 0.09, 0.14, -0.07, 0.22}, 0.064453125},
		{"zeros", []float64{0.0, 0.1, 0.2, -0.05, 0.3, 0.0}, 0.25},
		{"n1", []float64{0.4}, 1.0},
		{"n5_centre", []float64{1.0, -2.0, 3.0, -4.0, 5.0}, 0.8125},
		// scipy.stats.permutation_test over all sign flips: ties.
		{"ties7", []float64{0.1, -0.1, 0.2, 0.2, 0.3, -0.05, 0.1}, 0.125},
		{"ties_all_equal", []float64{-0.4, -0.4}, 0.5},
		{"ties9", []float64{1.0, 2.0, 2.0, -2.0, 3.0, 3.0, 3.0, -1.0, 4.0}, 0.05078125},
	} {
		if got, _ := SignedRank(test.d); !near(got, test.want) {
			t.Errorf("%s: p = %v, want %v", test.name, got, test.want)
		}
		// The test is symmetric in the sign of the differences.
		neg := make([]float64, len(test.d))
		for i, v := range test.d {
			neg[i] = -v
		}
		if got, _ := SignedRank(neg); !near(got, test.want) {
			t.Errorf("%s negated: p = %v, want %v", test.name, got, test.want)
		}
	}
	if p, n := SignedRank([]float64{0, 0}); p != 1 || n != 0 {
		t.Errorf("all zero: p = %v, n = %d, want 1, 0", p, n)
	}
	if p, n := SignedRank([]float64{0, 0.1, 0.2}); n != 2 || !near(p, 0.5) {
		t.Errorf("zeros dropped: p = %v, n = %d, want 0.5, 2", p, n)
	}
}

func TestSignedRankMinP(t *testing.T) {
	for n := 1; n <= 12; n++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i + 1)
		}
		got, _ := SignedRank(d)
		if want := SignedRankMinP(n); !near(got, want) {
			t.Errorf("n = %d: all-positive p = %v, SignedRankMinP = %v", n, got, want)
		}
	}
	if SignedRankMinP(0) != 1 || !near(SignedRankMinP(5), 0.0625) || !near(SignedRankMinP(10), 1.0/512) {
		t.Errorf("SignedRankMinP(0, 5, 10) = %v, %v, %v", SignedRankMinP(0), SignedRankMinP(5), SignedRankMinP(10))
	}
}

func TestHolm(t *testing.T) {
	// statsmodels multipletests(p, method="holm").
	for _, test := range []struct{ p, want []float64 }{
		{[]float64{0.01, 0.04, 0.03, 0.005}, []float64{0.03, 0.06, 0.06, 0.02}},
		{[]float64{0.2, 0.2, 0.01}, []float64{0.4, 0.4, 0.03}},
		{[]float64{0.5, 0.002, 0.9, 0.04, 0.04}, []float64{1.0, 0.01, 1.0, 0.16, 0.16}},
	} {
		got := Holm(test.p)
		for i := range got {
			if !near(got[i], test.want[i]) {
				t.Errorf("Holm(%v) = %v, want %v", test.p, got, test.want)
				break
			}
		}
	}
	// NaN entries are not tests.
	got := Holm([]float64{math.NaN(), 0.01, 0.04})
	if !math.IsNaN(got[0]) || !near(got[1], 0.02) || !near(got[2], 0.04) {
		t.Errorf("Holm with NaN = %v, want [NaN 0.02 0.04]", got)
	}
}

func TestBootstrapMean(t *testing.T) {
	x := []float64{0.31, -0.02, 0.18, 0.05, -0.11, 0.27, 0.09, 0.14, -0.07, 0.22}
	lo, hi := bootstrapMean(x, 0.95)
	// scipy.stats.bootstrap(method="percentile", n_resamples=200000) gives
	// (0.021, 0.189); the standard error of the mean is 0.045. With 10 000
	// resamples the quantiles' Monte Carlo error is about 0.0012.
	if math.Abs(lo-0.021) > 0.005 || math.Abs(hi-0.189) > 0.005 {
		t.Errorf("bootstrap interval [%v, %v], want about [0.021, 0.189]", lo, hi)
	}
	if lo2, hi2 := bootstrapMean(slices.Clone(x), 0.95); lo2 != lo || hi2 != hi {
		t.Errorf("bootstrap not deterministic: [%v, %v] then [%v, %v]", lo, hi, lo2, hi2)
	}
	if lo, hi := bootstrapMean([]float64{0.3, 0.3, 0.3}, 0.95); lo != 0.3 || hi != 0.3 {
		t.Errorf("constant sample: [%v, %v], want [0.3, 0.3]", lo, hi)
	}
	if lo, hi := bootstrapMean([]float64{0.3}, 0.95); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("one value: [%v, %v], want no interval", lo, hi)
	}
}
