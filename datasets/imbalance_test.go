package datasets

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// blocky returns a dataset of k classes with per[c] training samples of class c,
// where row i holds the single value i/1000 so rows can be traced back.
func blocky(per []int) *Dataset {
	var s Split
	s.D = 1
	for c, n := range per {
		for range n {
			s.X = append(s.X, float32(s.N)/1000)
			s.Y = append(s.Y, c)
			s.N++
		}
	}
	test := Split{X: []float32{0.5}, Y: []int{0}, N: 1, D: 1}
	return &Dataset{Name: "toy", Train: s, Test: test, Shape: Shape{1, 1, 1}, Classes: numberNames(len(per))}
}

func TestImbalanceFractions(t *testing.T) {
	for _, test := range []struct {
		mode string
		k    int
		want []float64
	}{
		{"light", 10, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5}},
		// 1 − 0.9c/9 = 1 − 0.1c.
		{"heavy", 10, []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1}},
		// 1 − 0.9c/3 = 1 − 0.3c.
		{"heavy", 4, []float64{1, 0.7, 0.4, 0.1}},
		// 1 − 0.9c/2 = 1, 0.55, 0.1.
		{"heavy", 3, []float64{1, 0.55, 0.1}},
		{"heavy", 1, []float64{0.1}},
		{"none", 3, []float64{1, 1, 1}},
		{"", 2, []float64{1, 1}},
	} {
		got, err := ImbalanceFractions(test.mode, test.k)
		if err != nil || !reflect.DeepEqual(got, test.want) {
			t.Errorf("ImbalanceFractions(%q, %d) = %v, %v; want %v", test.mode, test.k, got, err, test.want)
		}
	}
	if _, err := ImbalanceFractions("medium", 10); err == nil || !strings.Contains(err.Error(), `"medium" is not one of`) {
		t.Errorf("bad mode: %v", err)
	}
	if _, err := ImbalanceFractions("light", 0); err == nil {
		t.Error("k = 0 accepted")
	}
}

func TestImbalance(t *testing.T) {
	d := blocky([]int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100})
	for _, test := range []struct {
		mode string
		want []int
	}{
		{"light", []int{100, 100, 100, 100, 100, 100, 100, 100, 100, 50}},
		{"heavy", []int{100, 90, 80, 70, 60, 50, 40, 30, 20, 10}},
	} {
		got, err := Imbalance(d, test.mode, 1)
		if err != nil {
			t.Fatal(err)
		}
		if counts := got.Train.ClassCounts(10); !reflect.DeepEqual(counts, test.want) {
			t.Errorf("%s: counts %v, want %v", test.mode, counts, test.want)
		}
		if got.Name != "toy-imbalance-"+test.mode {
			t.Errorf("name %q", got.Name)
		}
		if &got.Test.X[0] != &d.Test.X[0] {
			t.Errorf("%s: test split was copied or changed", test.mode)
		}
		// Kept rows are original rows (value i/1000 at label of row i), in order.
		prev := -1
		for j := range got.Train.N {
			i := int(got.Train.X[j]*1000 + 0.5)
			if i <= prev || d.Train.Y[i] != got.Train.Y[j] {
				t.Fatalf("%s: row %d is original row %d after %d", test.mode, j, i, prev)
			}
			prev = i
		}
		again, _ := Imbalance(d, test.mode, 1)
		if !reflect.DeepEqual(again, got) {
			t.Errorf("%s: same seed, different result", test.mode)
		}
		other, _ := Imbalance(d, test.mode, 2)
		if reflect.DeepEqual(other.Train.X, got.Train.X) {
			t.Errorf("%s: seeds 1 and 2 kept the same samples", test.mode)
		}
	}
	// Rounding: 15 samples of class 1 at 0.1 keep round(1.5) = 2; a class of 3 at
	// 0.1 keeps round(0.3) = 0, raised to 1.
	got, err := Imbalance(blocky([]int{5, 15}), "heavy", 3)
	if err != nil || !reflect.DeepEqual(got.Train.ClassCounts(2), []int{5, 2}) {
		t.Errorf("heavy on [5 15]: %v, %v", got.Train.ClassCounts(2), err)
	}
	got, _ = Imbalance(blocky([]int{5, 3}), "heavy", 3)
	if c := got.Train.ClassCounts(2); !reflect.DeepEqual(c, []int{5, 1}) {
		t.Errorf("heavy on [5 3]: %v", c)
	}
	// An absent class stays absent; class 2 of 3 keeps round(0.1·4) = 0, raised to 1.
	got, _ = Imbalance(blocky([]int{4, 0, 4}), "heavy", 3)
	if c := got.Train.ClassCounts(3); !reflect.DeepEqual(c, []int{4, 0, 1}) {
		t.Errorf("heavy on [4 0 4]: %v", c)
	}
	if same, _ := Imbalance(d, "none", 1); same != d {
		t.Error(`"none" did not return the dataset itself`)
	}
	if _, err := Imbalance(d, "bogus", 1); err == nil {
		t.Error("bad mode accepted")
	}
	bad := blocky([]int{2})
	bad.Train.Y[0] = -1
	if _, err := Imbalance(bad, "light", 1); err == nil || !strings.Contains(err.Error(), "negative label") {
		t.Errorf("negative label: %v", err)
	}
}

func TestImbalanceRatioFractions(t *testing.T) {
	f, err := ImbalanceRatioFractions(10, 10, 7)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(f)
	slices.Sort(sorted)
	for j, v := range sorted {
		// The class at place 9−j of the seeded order keeps 10^(−(9−j)/9).
		if want := math.Pow(10, -float64(9-j)/9); math.Abs(v-want) > 1e-15 {
			t.Errorf("sorted share %d = %v, want %v", j, v, want)
		}
	}
	if sorted[9] != 1 || math.Abs(sorted[9]/sorted[0]-10) > 1e-12 {
		t.Errorf("largest share %v, ratio %v; want 1 and 10", sorted[9], sorted[9]/sorted[0])
	}
	again, _ := ImbalanceRatioFractions(10, 10, 7)
	other, _ := ImbalanceRatioFractions(10, 10, 8)
	if !reflect.DeepEqual(again, f) || reflect.DeepEqual(other, f) {
		t.Errorf("seed 7 twice: %v, %v; seed 8: %v", f, again, other)
	}
	if one, err := ImbalanceRatioFractions(50, 1, 0); err != nil || !reflect.DeepEqual(one, []float64{1}) {
		t.Errorf("one class: %v, %v", one, err)
	}
	if flat, _ := ImbalanceRatioFractions(1, 3, 0); !reflect.DeepEqual(flat, []float64{1, 1, 1}) {
		t.Errorf("R = 1: %v", flat)
	}
	for _, r := range []float64{0, 0.5, math.NaN(), math.Inf(1), -2} {
		if _, err := ImbalanceRatioFractions(r, 10, 0); err == nil || !strings.Contains(err.Error(), "imbalance ratio") {
			t.Errorf("ratio %v: %v", r, err)
		}
	}
}

// TestImbalanceRatioMNIST: on MNIST's real training counts, R = 10 keeps about
// 41 % of the images (Σ_j 10^(−j/9) ≈ 4.09 of ten classes of about 6000), and each
// class keeps its share of its own count, rounded half up.
func TestImbalanceRatioMNIST(t *testing.T) {
	counts := realChecks["mnist"].trainCounts
	d := blocky(counts)
	for seed := range uint64(4) {
		got, err := ImbalanceRatio(d, 10, seed)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := ImbalanceRatioFractions(10, 10, seed)
		kept := got.Train.ClassCounts(10)
		for c, n := range counts {
			if want := int(math.Floor(float64(n)*f[c] + 0.5)); kept[c] != want {
				t.Errorf("seed %d: class %d keeps %d, want %d", seed, c, kept[c], want)
			}
		}
		frac := float64(got.Train.N) / float64(d.Train.N)
		t.Logf("seed %d: kept %d of %d = %.2f %%, per class %v", seed, got.Train.N, d.Train.N, 100*frac, kept)
		if frac < 0.40 || frac > 0.42 {
			t.Errorf("seed %d: kept fraction %.4f, want about 0.41", seed, frac)
		}
	}
}

func TestImbalanceRatio(t *testing.T) {
	d := blocky([]int{100, 100, 100, 100, 100})
	got, err := ImbalanceRatio(d, 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	counts := got.Train.ClassCounts(5)
	sorted := slices.Clone(counts)
	slices.Sort(sorted)
	// 100·16^(−j/4) = 100, 50, 25, 12.5, 6.25 → 100, 50, 25, 13 (half up), 6.
	if want := []int{6, 13, 25, 50, 100}; !reflect.DeepEqual(sorted, want) {
		t.Errorf("counts %v, sorted %v; want %v", counts, sorted, want)
	}
	if got.Name != "toy-imbalance-16" || &got.Test.X[0] != &d.Test.X[0] {
		t.Errorf("name %q, or the test split was copied", got.Name)
	}
	prev := -1
	for j := range got.Train.N {
		i := int(got.Train.X[j]*1000 + 0.5)
		if i <= prev || d.Train.Y[i] != got.Train.Y[j] {
			t.Fatalf("row %d is original row %d after %d", j, i, prev)
		}
		prev = i
	}
	if again, _ := ImbalanceRatio(d, 16, 3); !reflect.DeepEqual(again, got) {
		t.Error("same seed, different result")
	}
	if same, _ := ImbalanceRatio(d, 1, 3); same != d {
		t.Error("R = 1 did not return the dataset itself")
	}
	// The tail class of 100 keeps 100/R: at R = 250 that is 0.4, which rounds to none.
	if _, err := ImbalanceRatio(d, 250, 3); err == nil || !strings.Contains(err.Error(), "imbalance ratio 250") || !strings.Contains(err.Error(), "rounds to none") {
		t.Errorf("R = 250 on classes of 100: %v", err)
	}
	if _, err := ImbalanceRatio(d, 199, 3); err != nil {
		t.Errorf("R = 199 on classes of 100 (the tail keeps round(0.503) = 1): %v", err)
	}
	if _, err := ImbalanceRatio(d, math.NaN(), 3); err == nil {
		t.Error("NaN ratio accepted")
	}
}
