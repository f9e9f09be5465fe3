package datasets

import (
	"reflect"
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
