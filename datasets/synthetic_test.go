package datasets

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestGeometricSizes(t *testing.T) {
	for _, test := range []struct {
		n, k  int
		ratio float64
		want  []int
	}{
		// Balanced: 10/3 = 3.33 each, remainders equal, so the extra one goes to class 0.
		{10, 3, 1, []int{4, 3, 3}},
		{12, 4, 1, []int{3, 3, 3, 3}},
		// Ratio 8 over 4 classes: weights 1, 1/2, 1/4, 1/8 (sum 15/8), so the quotas
		// are 533.33, 266.67, 133.33, 66.67; floors sum to 998 and the two largest
		// remainders (classes 1 and 3) get one more.
		{1000, 4, 8, []int{533, 267, 133, 67}},
		// Ratio 10 over 2 classes: 100·10/11 = 90.9 and 9.09.
		{100, 2, 10, []int{91, 9}},
		{7, 1, 5, []int{7}},
	} {
		got, err := GeometricSizes(test.n, test.k, test.ratio)
		if err != nil || !reflect.DeepEqual(got, test.want) {
			t.Errorf("GeometricSizes(%d, %d, %v) = %v, %v; want %v", test.n, test.k, test.ratio, got, err, test.want)
		}
	}
	for _, test := range []struct {
		n, k  int
		ratio float64
		want  string
	}{
		{10, 0, 1, "cannot split"},
		{10, 3, 0.5, "must be ≥ 1"},
		{10, 3, math.Inf(1), "must be ≥ 1 and finite"},
		{10, 3, math.NaN(), "must be ≥ 1"},
		// Quotas 11.6, 0.37, 0.01: the one left over goes to class 0 (remainder 0.6).
		{12, 3, 1000, "class 1 of 3 would be empty"},
	} {
		if _, err := GeometricSizes(test.n, test.k, test.ratio); err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("GeometricSizes(%d, %d, %v): %v, want %q", test.n, test.k, test.ratio, err, test.want)
		}
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	spec := SyntheticSpec{N: 500, K: 5, D: 3, Separation: 3, Imbalance: 4, Seed: 42}
	a, err := Synthetic(spec)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Synthetic(spec)
	if !reflect.DeepEqual(a, b) {
		t.Error("same spec gave different datasets")
	}
	spec.Seed = 43
	c, _ := Synthetic(spec)
	if reflect.DeepEqual(a.Train.X, c.Train.X) || reflect.DeepEqual(a.Train.Y, c.Train.Y) {
		t.Error("different seeds gave the same data")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	// Class sizes: train geometric with ratio 4 (GeometricSizes(500, 5, 4), checked
	// above), test balanced, 500/5 = 100 samples, 20 each.
	wantTrain, _ := GeometricSizes(500, 5, 4)
	if got := a.Train.ClassCounts(5); !reflect.DeepEqual(got, wantTrain) {
		t.Errorf("train counts %v, want %v", got, wantTrain)
	}
	if got := a.Test.ClassCounts(5); !reflect.DeepEqual(got, []int{20, 20, 20, 20, 20}) {
		t.Errorf("test counts %v", got)
	}
	// Classes are interleaved, not in blocks.
	if sorted := append([]int{}, a.Train.Y...); reflect.DeepEqual(sorted, blockLabels(wantTrain)) {
		t.Error("training labels are in class order")
	}
	// The affine scaling reaches both ends of [0, 1].
	lo, hi := float32(1), float32(0)
	for _, s := range []Split{a.Train, a.Test} {
		for _, v := range s.X {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo != 0 || hi != 1 {
		t.Errorf("values span [%v, %v], want [0, 1]", lo, hi)
	}
	if a.Name != "synthetic" || a.Shape != (Shape{1, 1, 3}) || !reflect.DeepEqual(a.Classes, []string{"0", "1", "2", "3", "4"}) {
		t.Errorf("name %q shape %v classes %q", a.Name, a.Shape, a.Classes)
	}
}

func blockLabels(sizes []int) []int {
	var y []int
	for k, n := range sizes {
		for range n {
			y = append(y, k)
		}
	}
	return y
}

// TestSyntheticSeparation estimates the separation from the data: with 4000 samples
// per class, the empirical class means and the pooled within-class standard
// deviation are within about 2 % of the truth, so the smallest distance between
// empirical means, divided by the noise standard deviation, must be within 5 % of
// Separation.
func TestSyntheticSeparation(t *testing.T) {
	for _, test := range []struct {
		k, d int
		sep  float64
	}{
		{4, 2, 3},
		{6, 8, 5},
		{2, 1, 2},
	} {
		n := 4000 * test.k
		ds, err := Synthetic(SyntheticSpec{N: n, K: test.k, D: test.d, Separation: test.sep, TestN: -1, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Test.N != 0 {
			t.Errorf("TestN = -1 gave %d test samples", ds.Test.N)
		}
		s := &ds.Train
		means := make([]float64, test.k*test.d)
		counts := s.ClassCounts(test.k)
		for i := range s.N {
			for j, v := range s.Row(i) {
				means[s.Y[i]*test.d+j] += float64(v) / float64(counts[s.Y[i]])
			}
		}
		var ss float64
		for i := range s.N {
			for j, v := range s.Row(i) {
				r := float64(v) - means[s.Y[i]*test.d+j]
				ss += r * r
			}
		}
		sigma := math.Sqrt(ss / float64(s.N*test.d))
		minD := math.Inf(1)
		for a := range test.k {
			for b := a + 1; b < test.k; b++ {
				var d2 float64
				for j := range test.d {
					r := means[a*test.d+j] - means[b*test.d+j]
					d2 += r * r
				}
				minD = min(minD, math.Sqrt(d2))
			}
		}
		if got := minD / sigma; math.Abs(got-test.sep) > 0.05*test.sep {
			t.Errorf("K=%d D=%d: measured separation %.3f, want %v", test.k, test.d, got, test.sep)
		}
	}
}

func TestSyntheticDefaultsAndErrors(t *testing.T) {
	d, err := Synthetic(SyntheticSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 10000 || d.Test.N != 2000 || d.K() != 10 || d.Train.D != 32 {
		t.Errorf("defaults: train %d test %d K %d D %d", d.Train.N, d.Test.N, d.K(), d.Train.D)
	}
	if got := d.Train.ClassCounts(10); !reflect.DeepEqual(got, []int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}) {
		t.Errorf("default sizes %v", got)
	}
	one, err := Synthetic(SyntheticSpec{N: 10, K: 1, D: 2, TestN: 3})
	if err != nil || one.K() != 1 || one.Test.N != 3 {
		t.Errorf("K=1: %v", err)
	}
	for _, test := range []struct {
		spec SyntheticSpec
		want string
	}{
		{SyntheticSpec{N: -1}, "must not be negative"},
		{SyntheticSpec{N: 5, K: 10}, "N = 5 is fewer than K = 10"},
		{SyntheticSpec{Separation: -1}, "Separation = -1 must be positive"},
		{SyntheticSpec{Separation: math.Inf(1)}, "must be positive and finite"},
		{SyntheticSpec{Imbalance: 0.5}, "Imbalance = 0.5 must be ≥ 1"},
		{SyntheticSpec{N: 20, K: 10, Imbalance: 1e6}, "would be empty"},
		{SyntheticSpec{N: 1 << 30, D: 4}, "too many"},
	} {
		if _, err := Synthetic(test.spec); err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%+v: %v, want %q", test.spec, err, test.want)
		}
	}
}
