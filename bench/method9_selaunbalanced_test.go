package bench

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/datasets"
)

func TestTauValidation(t *testing.T) {
	c := DefaultConfig(MethodSeLaUnbalanced, "mnist")
	if c.Tau != DefaultTau || c.Validate() != nil {
		t.Errorf("sela-unbalanced defaults: tau %v, %v", c.Tau, c.Validate())
	}
	if d := DefaultConfig(MethodSeLa, "mnist"); d.Tau != 0 {
		t.Errorf("sela's default tau %v, want 0 (unset)", d.Tau)
	}
	for _, test := range []struct {
		method string
		tau    float64
		want   string
	}{
		{MethodSeLaUnbalanced, 0, "tau must be positive and finite for sela-unbalanced"},
		{MethodSeLaUnbalanced, -1, "tau must be positive"},
		{MethodSeLaUnbalanced, math.NaN(), "tau must be positive"},
		{MethodSeLaUnbalanced, math.Inf(1), "tau must be positive and finite"},
		{MethodSeLa, 1, "tau = 1 is read by sela-unbalanced only, not by sela"},
		{MethodDeepCluster, 0.5, "not by deepcluster"},
	} {
		c := DefaultConfig(test.method, "mnist")
		c.Tau = test.tau
		if err := c.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s, tau %v: %v, want %q", test.method, test.tau, err, test.want)
		}
	}
}

// TestSeLaUnbalancedFollowsTail: on long-tailed blobs, relaxing the
// equipartition lets the labels' cluster sizes follow the classes: the sorted
// size profile of sela-unbalanced's labels at the end of training is closer (L1
// of fractions) to the classes' than sela's, which is held near uniform.
func TestSeLaUnbalancedFollowsTail(t *testing.T) {
	ds := longTailed(t)
	truth := ds.Train.ClassCounts(ds.K())
	dist := map[string]float64{}
	for _, m := range []string{MethodSeLa, MethodSeLaUnbalanced} {
		c := quick(m)
		c.Heads = 1
		// sela-unbalanced at the default τ = 1. (Far smaller τ, e.g.
		// 0.1, let a few clusters take nearly everything on these blobs: the
		// penalty must stay strong enough to prevent collapse.)
		rec, err := Run(c, ds, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sizes := rec.Epochs[len(rec.Epochs)-1].Heads[0].Sizes
		dist[m] = sortedSizeL1(sizes, truth)
		t.Logf("%s: label sizes %v, L1 to the sorted class profile %.3f", m, sizes, dist[m])
	}
	if !(dist[MethodSeLaUnbalanced] < dist[MethodSeLa]) {
		t.Errorf("L1 to the class profile: sela-unbalanced %.3f, sela %.3f", dist[MethodSeLaUnbalanced], dist[MethodSeLa])
	}
}

// TestImbalanceRun: Config.Imbalance trains on the long-tailed training split,
// reports its class counts, and leaves the evaluation split as it is.
func TestImbalanceRun(t *testing.T) {
	ds := synthetic(t)
	c := quick(MethodSeLa)
	c.Epochs, c.Heads, c.Imbalance = 1, 1, 10
	rec, err := Run(c, ds, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := datasets.ImbalanceRatioFractions(10, 10, c.Seed)
	want, total := make([]int, 10), 0
	for y, n := range ds.Train.ClassCounts(10) {
		want[y] = int(math.Floor(float64(n)*f[y] + 0.5))
		total += want[y]
	}
	if !slices.Equal(rec.Data.TrainClassCounts, want) || rec.Data.Train != total || rec.Data.Eval != ds.Test.N {
		t.Errorf("data %+v, want train counts %v (%d), eval %d", rec.Data, want, total, ds.Test.N)
	}
	if h := rec.Epochs[0].Heads[0]; len(h.Sizes) != 10 || sum(h.Sizes) != total ||
		h.SizeL1 == nil || *h.SizeL1 != sortedSizeL1(h.Sizes, want) {
		t.Errorf("label sizes %v (L1 %v), want %d labels", h.Sizes, h.SizeL1, total)
	}
	if n := len(rec.Final.Heads); n != 1 || !(rec.Final.Heads[0].TrainNMI >= 0) {
		t.Errorf("final heads %+v: want the train NMI on the long-tailed split", rec.Final.Heads)
	}
	// Imbalance 1 is the data as is, with its class counts reported; without an
	// imbalance the record has none (records stay as they were).
	c.Imbalance = 1
	if rec, err := Run(c, ds, RunOptions{}); err != nil || !slices.Equal(rec.Data.TrainClassCounts, ds.Train.ClassCounts(ds.K())) || rec.Data.Train != ds.Train.N || rec.Epochs[0].Heads[0].SizeL1 == nil {
		t.Errorf("imbalance 1: %+v, %v", rec.Data, err)
	}
	c.Imbalance = 0
	if rec, err := Run(c, ds, RunOptions{}); err != nil || rec.Data.TrainClassCounts != nil || rec.Data.Train != ds.Train.N || rec.Epochs[0].Heads[0].SizeL1 != nil {
		t.Errorf("no imbalance: %+v, %v", rec.Data, err)
	}
	// Classes of 300: R = 1000 leaves the tail 0.3 of a sample.
	c.Imbalance = 1000
	if _, err := Run(c, ds, RunOptions{}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "imbalance = 1000") || !strings.Contains(err.Error(), "rounds to none") {
		t.Errorf("imbalance 1000: %v", err)
	}
	for _, r := range []float64{0.5, -1, math.NaN(), math.Inf(1)} {
		c.Imbalance = r
		if err := c.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "imbalance must be ≥ 1") {
			t.Errorf("imbalance %v: %v", r, err)
		}
	}
}

func sum(s []int) (t int) {
	for _, v := range s {
		t += v
	}
	return t
}

func TestSortedSizeL1(t *testing.T) {
	for _, test := range []struct {
		sizes, counts []int
		want          float64
	}{
		{[]int{1, 3}, []int{30, 10}, 0},             // same profile, other order
		{[]int{2, 2}, []int{3, 1}, 0.5},             // |0.5−0.75| + |0.5−0.25|
		{[]int{4, 0, 0}, []int{1, 1}, 1},            // padded: |1−0.5| + |0−0.5| + 0
		{[]int{0, 0}, []int{1, 1}, 1},               // no labels at all: the fractions are 0
		{[]int{5}, []int{0, 0, 7}, 0},               // zeros sort last
		{[]int{9, 1, 0, 0}, []int{1, 1, 1, 1}, 1.3}, // 0.65 + 0.15 + 0.25 + 0.25
	} {
		if got := sortedSizeL1(test.sizes, test.counts); math.Abs(got-test.want) > 1e-12 {
			t.Errorf("sortedSizeL1(%v, %v) = %v, want %v", test.sizes, test.counts, got, test.want)
		}
	}
}
