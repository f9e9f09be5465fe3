package bench

import (
	"errors"
	"strings"
	"testing"
)

// TestOverClusteringHeads: over-clustering heads train beside the K heads, are
// labelled with their own number of clusters, are scored, and are never the
// best head.
func TestOverClusteringHeads(t *testing.T) {
	ds := synthetic(t)
	for _, m := range []string{MethodSeLa, MethodSeLaExact, MethodNaive, MethodSwAV} {
		t.Run(m, func(t *testing.T) {
			c := quick(m)
			c.Epochs, c.Heads, c.OverHeads, c.OverK = 2, 2, 1, 15
			rec, err := Run(c, ds, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			f := rec.Final
			if len(f.Heads) != 3 || f.Heads[0].Over || f.Heads[1].Over || !f.Heads[2].Over || f.BestHead > 1 {
				t.Fatalf("heads %d (over: %v %v %v), best %d", len(f.Heads), f.Heads[0].Over, f.Heads[1].Over, f.Heads[2].Over, f.BestHead)
			}
			if len(f.Heads[2].Sizes) != 15 || len(f.Heads[0].Sizes) != 10 || len(f.Sizes) != 10 {
				t.Errorf("sizes of %d, %d clusters (best head %d), want 10 and 15", len(f.Heads[0].Sizes), len(f.Heads[2].Sizes), len(f.Sizes))
			}
			last := rec.Epochs[len(rec.Epochs)-1].Heads
			if len(last) != 3 || len(last[2].Sizes) != 15 || len(last[0].Sizes) != 10 {
				t.Errorf("epoch heads %d, label sizes %d and %d clusters", len(last), len(last[0].Sizes), len(last[2].Sizes))
			}
			total := 0
			for _, s := range last[2].Sizes {
				total += s
			}
			if total != rec.Data.Train {
				t.Errorf("over-clustering labels %v sum to %d, want %d", last[2].Sizes, total, rec.Data.Train)
			}
			// The over-clustering head leaves the K heads' mean alone.
			mean := (f.Heads[0].NMI + f.Heads[1].NMI) / 2
			if d := f.MeanHeads.NMI - mean; d > 1e-12 || d < -1e-12 {
				t.Errorf("mean head NMI %v, want the K heads' %v", f.MeanHeads.NMI, mean)
			}
		})
	}
	for _, test := range []struct {
		method           string
		overHeads, overK int
		want             string
	}{
		{MethodDeepCluster, 1, 20, "deepcluster takes no over-clustering heads"},
		{MethodSupervised, 1, 20, "supervised takes no over-clustering heads"},
		{MethodSeLaPrior, 1, 20, "sela-prior takes no over-clustering heads"},
		{MethodSeLa, 1, 0, "over_heads and over_k go together"},
		{MethodSeLa, 0, 20, "over_heads and over_k go together"},
		{MethodSeLa, 1, 1, "over_k must be ≥ 2"},
	} {
		c := quick(test.method)
		c.OverHeads, c.OverK = test.overHeads, test.overK
		if err := c.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s over_heads %d over_k %d: %v, want %q", test.method, test.overHeads, test.overK, err, test.want)
		}
	}
}
