package datasets

import (
	"fmt"
	"slices"
)

// Shape is the layout of one sample: C channels of H×W pixels, stored CHW. Vector
// (non-image) data has C = H = 1 and W = D.
type Shape struct {
	C int `json:"c"`
	H int `json:"h"`
	W int `json:"w"`
}

// Dim is the number of values per sample, C·H·W.
func (s Shape) Dim() int { return s.C * s.H * s.W }

func (s Shape) String() string { return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W) }

// Split is one part (train or test) of a dataset: N samples of D values each.
type Split struct {
	// X holds the samples row-major, sample i in X[i*D:(i+1)*D], values in [0, 1].
	X []float32
	// Y holds the class of each sample, in [0, len(Dataset.Classes)).
	Y []int
	// N is the number of samples and D the number of values per sample.
	N, D int
}

// Row returns sample i (a subslice of X, not a copy).
func (s *Split) Row(i int) []float32 { return s.X[i*s.D : (i+1)*s.D : (i+1)*s.D] }

// Select returns a new Split holding copies of the rows idx, in that order.
func (s *Split) Select(idx []int) Split {
	out := Split{X: make([]float32, len(idx)*s.D), Y: make([]int, len(idx)), N: len(idx), D: s.D}
	for j, i := range idx {
		copy(out.X[j*s.D:(j+1)*s.D], s.X[i*s.D:(i+1)*s.D])
		out.Y[j] = s.Y[i]
	}
	return out
}

// ClassCounts returns the number of samples of each class; the result has length
// k, or more if a label is ≥ k. Negative labels are not counted.
func (s *Split) ClassCounts(k int) []int {
	counts := make([]int, k)
	for _, y := range s.Y {
		if y < 0 {
			continue
		}
		if y >= len(counts) {
			counts = append(counts, make([]int, y+1-len(counts))...)
		}
		counts[y]++
	}
	return counts
}

// Dataset is a labelled dataset with a train and a test split.
type Dataset struct {
	// Name identifies the dataset ("mnist", "cifar10", "synthetic",
	// "cifar10-imbalance-light", …).
	Name        string
	Train, Test Split
	// Shape is the layout of one sample; Shape.Dim() equals Train.D and Test.D.
	Shape Shape
	// Classes names the classes; label y means Classes[y].
	Classes []string
}

// K is the number of classes.
func (d *Dataset) K() int { return len(d.Classes) }

// Validate checks that the dataset is consistent: split sizes agree with N and D, D
// with Shape, labels lie in [0, K) and values in [0, 1].
func (d *Dataset) Validate() error {
	if d.Shape.C <= 0 || d.Shape.H <= 0 || d.Shape.W <= 0 {
		return fmt.Errorf("datasets: %s: bad shape %v", d.Name, d.Shape)
	}
	if len(d.Classes) == 0 {
		return fmt.Errorf("datasets: %s: no classes", d.Name)
	}
	for _, sp := range []struct {
		name string
		s    *Split
	}{{"train", &d.Train}, {"test", &d.Test}} {
		s := sp.s
		if s.D != d.Shape.Dim() {
			return fmt.Errorf("datasets: %s: %s D = %d, shape %v has %d values", d.Name, sp.name, s.D, d.Shape, d.Shape.Dim())
		}
		if s.N < 0 || len(s.X) != s.N*s.D || len(s.Y) != s.N {
			return fmt.Errorf("datasets: %s: %s has N = %d, D = %d but %d values and %d labels", d.Name, sp.name, s.N, s.D, len(s.X), len(s.Y))
		}
		for i, y := range s.Y {
			if y < 0 || y >= len(d.Classes) {
				return fmt.Errorf("datasets: %s: %s label %d at row %d is outside [0, %d)", d.Name, sp.name, y, i, len(d.Classes))
			}
		}
		for i, v := range s.X {
			if !(v >= 0 && v <= 1) {
				return fmt.Errorf("datasets: %s: %s value %v at row %d, column %d is outside [0, 1]", d.Name, sp.name, v, i/s.D, i%s.D)
			}
		}
	}
	return nil
}

// numberNames returns the class names "0", "1", …, "k-1".
func numberNames(k int) []string {
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	return names
}

// MNISTClasses and FashionMNISTClasses name the ten classes of MNIST and
// Fashion-MNIST (the latter from the dataset's README, zalandoresearch/fashion-mnist);
// CIFAR10Classes are the standard CIFAR-10 names, used when batches.meta.txt is
// absent.
var (
	MNISTClasses        = numberNames(10)
	FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
	CIFAR10Classes      = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
)

func cloneNames(s []string) []string { return slices.Clone(s) }

// scale maps a byte to value/255 as float32; a table lookup is the fastest decode.
var scale = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// bytesToFloats decodes pixel bytes to [0, 1]. The table is read through a local
// pointer: indexing the package variable directly makes the compiler reload its
// address and bounds-check every byte, which made the loop several times slower.
func bytesToFloats(dst []float32, src []byte) {
	t := &scale
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = t[b]
	}
}
