package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/datasets"
)

// longTailed returns the synthetic blobs with training classes of geometric
// sizes, ratio 8 from class 0 to class 9.
func longTailed(t testing.TB) *datasets.Dataset {
	t.Helper()
	spec := SyntheticData
	spec.Imbalance = 8
	ds, err := datasets.Synthetic(spec)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestSeLaPriorMasses: sela-prior's first labels (before any training step, when
// the network is nearly uniform) take the sizes of the classes, r_y·N up to
// rounding, where sela's take the equipartition.
func TestSeLaPriorMasses(t *testing.T) {
	ds := longTailed(t)
	truth := ds.Train.ClassCounts(ds.K())
	for _, m := range []string{MethodSeLaPrior, MethodSeLa} {
		c := quick(m)
		c.Epochs, c.Heads, c.Nopts = 1, 1, 2 // solves at 0 and past the end: one, before training
		opt := RunOptions{LabelInput: func(step int, in *LabelInput) {
			if (in.ClassSizes != nil) != (m == MethodSeLaPrior) {
				t.Errorf("%s: ClassSizes %v", m, in.ClassSizes)
			}
		}}
		rec, err := Run(c, ds, opt)
		if err != nil {
			t.Fatal(err)
		}
		sizes := rec.Epochs[0].Heads[0].Sizes
		// L1 distance between the label and class fractions, cluster y against
		// class y (the masses are given per cluster index).
		l1 := 0.0
		for y, n := range truth {
			l1 += math.Abs(float64(sizes[y]-n)) / float64(ds.Train.N)
		}
		t.Logf("%s: label sizes %v, classes %v, L1 %.3f", m, sizes, truth, l1)
		if prior := m == MethodSeLaPrior; prior != (l1 < 0.1) {
			t.Errorf("%s: L1 %.3f between label and class sizes", m, l1)
		}
	}
}

func TestSeLaPriorErrors(t *testing.T) {
	c := quick(MethodSeLaPrior)
	c.K = 20
	_, err := Run(c, synthetic(t), RunOptions{})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "k = 20") || !strings.Contains(err.Error(), "must equal the 10 classes") {
		t.Errorf("sela-prior with k = 20 on 10 classes: %v", err)
	}
	if _, err := classMasses([]int{3, 0, 5}, 3); err == nil || !strings.Contains(err.Error(), "class 1 has no training sample") {
		t.Errorf("an empty class: %v", err)
	}
	if m, err := classMasses([]int{1, 3}, 2); err != nil || !slices.Equal(m, []float64{0.25, 0.75}) {
		t.Errorf("masses of [1 3]: %v, %v", m, err)
	}
}

// TestNewFieldsKeepHashes: Tau and Imbalance are omitted when zero, so every
// committed record's cell is still the hash of its config.
func TestNewFieldsKeepHashes(t *testing.T) {
	paths, _ := filepath.Glob("../reports/data/*.jsonl")
	if len(paths) == 0 {
		t.Skip("no committed records")
	}
	n := 0
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var r struct {
				Config json.RawMessage `json:"config"`
				Cell   string          `json:"cell"`
			}
			var c Config
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if err := json.Unmarshal(r.Config, &c); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			// The config's JSON comes back byte for byte, so its hash is the one
			// it had when written (older records carry no cell to compare).
			if b, _ := json.Marshal(c); string(b) != string(r.Config) {
				t.Errorf("%s: config %s now marshals as %s", p, r.Config, b)
			}
			if h := c.Hash(); r.Cell != "" && h != r.Cell {
				t.Errorf("%s: cell %s, config now hashes to %s", p, r.Cell, h)
			}
			n++
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d records of %d files keep their cell hashes", n, len(paths))
}
