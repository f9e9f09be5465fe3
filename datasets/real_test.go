package datasets

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

// realChecks are facts about the real files, computed with NumPy from the same
// gzip files (np.frombuffer(gzip.open(path).read(), np.uint8, offset=8 or 16)):
// class counts with np.bincount, the first ten labels, the mean of all pixels/255 in
// float64, and the integer sum of the first image's bytes. The MNIST train counts are
// also the ones published for the dataset.
var realChecks = map[string]struct {
	trainCounts, testCounts []int
	trainFirst, testFirst   []int
	trainMean, testMean     float64
	trainSum0, testSum0     int
	classes                 []string
}{
	"mnist": {
		trainCounts: []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
		testCounts:  []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
		trainFirst:  []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
		testFirst:   []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9},
		trainMean:   0.130660, testMean: 0.132515,
		trainSum0: 27525, testSum0: 18454,
		classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	},
	"fashion-mnist": {
		trainCounts: []int{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000},
		testCounts:  []int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000},
		trainFirst:  []int{9, 0, 0, 3, 0, 2, 7, 2, 5, 5},
		testFirst:   []int{9, 2, 1, 1, 6, 1, 4, 6, 5, 7},
		trainMean:   0.286041, testMean: 0.286849,
		trainSum0: 76247, testSum0: 33456,
		classes: FashionMNISTClasses,
	},
}

func checkReal(t *testing.T, d *Dataset) {
	t.Helper()
	want := realChecks[d.Name]
	if err := d.Validate(); err != nil { // also checks every value is in [0, 1]
		t.Fatal(err)
	}
	if d.Shape != (Shape{1, 28, 28}) || d.Train.N != 60000 || d.Test.N != 10000 || d.Train.D != 784 {
		t.Fatalf("%s: shape %v, train %d×%d, test %d", d.Name, d.Shape, d.Train.N, d.Train.D, d.Test.N)
	}
	if !reflect.DeepEqual(d.Classes, want.classes) {
		t.Errorf("%s: classes %q", d.Name, d.Classes)
	}
	for _, sp := range []struct {
		name   string
		s      *Split
		counts []int
		first  []int
		mean   float64
		sum0   int
	}{
		{"train", &d.Train, want.trainCounts, want.trainFirst, want.trainMean, want.trainSum0},
		{"test", &d.Test, want.testCounts, want.testFirst, want.testMean, want.testSum0},
	} {
		if got := sp.s.ClassCounts(10); !reflect.DeepEqual(got, sp.counts) {
			t.Errorf("%s %s class counts %v, want %v", d.Name, sp.name, got, sp.counts)
		}
		if got := sp.s.Y[:10]; !reflect.DeepEqual(got, sp.first) {
			t.Errorf("%s %s first labels %v, want %v", d.Name, sp.name, got, sp.first)
		}
		var sum float64
		for _, v := range sp.s.X {
			sum += float64(v)
		}
		if mean := sum / float64(len(sp.s.X)); math.Abs(mean-sp.mean) > 1e-6 {
			t.Errorf("%s %s mean pixel %.7f, want %.6f", d.Name, sp.name, mean, sp.mean)
		}
		bytes0 := 0
		for _, v := range sp.s.Row(0) {
			bytes0 += int(math.Round(float64(v) * 255))
		}
		if bytes0 != sp.sum0 {
			t.Errorf("%s %s first image byte sum %d, want %d", d.Name, sp.name, bytes0, sp.sum0)
		}
	}
}

// TestMNIST loads the real MNIST with no setup: the files come from the GoMNIST
// module in the module cache. It must run everywhere, CI included.
func TestMNIST(t *testing.T) {
	t.Setenv(DataEnv, "")
	loc, err := Locate("mnist", LoadOptions{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	if loc.Source != "module cache" {
		t.Errorf("MNIST found via %q, want the module cache", loc.Source)
	}
	d, err := Load("mnist", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkReal(t, d)
}

// TestFashionMNIST loads the real Fashion-MNIST when it is installed.
func TestFashionMNIST(t *testing.T) {
	d, err := Load("fashion-mnist", LoadOptions{})
	if errors.Is(err, ErrNotFound) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	checkReal(t, d)
}
