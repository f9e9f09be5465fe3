package bench

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/internal/nn"
	"github.com/selabench/selabench/internal/rng"
)

// quick returns a small, fast configuration on the synthetic blobs.
func quick(method string) Config {
	c := DefaultConfig(method, "synthetic")
	c.Epochs, c.BatchSize, c.LR, c.KNN = 4, 100, 0.05, 20
	return c
}

func synthetic(t testing.TB) *datasets.Dataset {
	t.Helper()
	ds, err := LoadDataset("synthetic", "")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// stripTimes is Record.Reproducible for tests.
func stripTimes(r *Record) []byte {
	b, err := r.Reproducible()
	if err != nil {
		panic(err)
	}
	return b
}

// TestEveryMethodRuns trains and scores every method on the synthetic blobs and
// checks that the record is complete and its scores are in range.
func TestEveryMethodRuns(t *testing.T) {
	ds := synthetic(t)
	for _, m := range Methods {
		t.Run(m, func(t *testing.T) {
			c := quick(m)
			c.Heads = 2
			rec, err := Run(c, ds, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			f := rec.Final
			meth, err := LookupMethod(m)
			if err != nil {
				t.Fatal(err)
			}
			wantHeads := meth.heads(&c)
			if !meth.HasNetwork() {
				wantHeads = 1
			}
			if len(f.Heads) != wantHeads {
				t.Errorf("%d heads scored, want %d", len(f.Heads), wantHeads)
			}
			for name, v := range map[string]float64{"nmi": f.NMI, "acc": f.ACC, "m2o": f.ManyToOne, "linear_probe": f.LinearProbe, "knn": f.KNN} {
				if !(v >= 0 && v <= 1) {
					t.Errorf("%s = %v, want in [0, 1]", name, v)
				}
			}
			if meth.trains() != (len(rec.Epochs) == c.Epochs) {
				t.Errorf("%d epoch records for a %d-epoch run (trained: %v)", len(rec.Epochs), c.Epochs, meth.trains())
			}
			sum := func(s []int) (t int) {
				for _, v := range s {
					t += v
				}
				return t
			}
			if len(f.Sizes) != c.K || sum(f.Sizes) != rec.Data.Eval {
				t.Errorf("final cluster sizes %v: want %d sizes summing to %d", f.Sizes, c.K, rec.Data.Eval)
			}
			for _, e := range rec.Epochs {
				for h, he := range e.Heads {
					if sum(he.Sizes) != rec.Data.Train {
						t.Errorf("epoch %d head %d: label sizes %v do not sum to %d", e.Epoch, h, he.Sizes, rec.Data.Train)
					}
				}
			}
			if rec.Data.EvalSplit != "test" || rec.Data.Train != ds.Train.N || rec.Env.GoVersion == "" || rec.Version != RecordVersion {
				t.Errorf("record header: %+v %+v", rec.Data, rec.Env)
			}
			// Supervised training on well-separated blobs must learn them; the
			// probes on any network's features must beat chance (10 %) by far.
			if m == MethodSupervised && f.ACC < 0.9 {
				t.Errorf("supervised ACC %.3f, want ≥ 0.9", f.ACC)
			}
			if f.KNN < 0.5 || f.LinearProbe < 0.5 {
				t.Errorf("kNN %.3f, linear probe %.3f: want ≥ 0.5 on separated blobs", f.KNN, f.LinearProbe)
			}
		})
	}
}

// TestDeterministic: the same seed gives the same record (timings aside) for
// GOMAXPROCS 1 and 2, and another seed gives another one.
func TestDeterministic(t *testing.T) {
	ds := synthetic(t)
	methods := []string{MethodSeLa, MethodDeepCluster}
	if !testing.Short() {
		methods = Methods
	}
	for _, m := range methods {
		t.Run(m, func(t *testing.T) {
			c := quick(m)
			c.Epochs, c.Heads, c.Nopts, c.Views = 2, 2, 4, 2
			if m == MethodSeLa || m == MethodNaive {
				c.Augment = "affine" // no effect on vectors: exercised on images elsewhere
			}
			run := func(procs int, seed uint64) []byte {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				c.Seed = seed
				rec, err := Run(c, ds, RunOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return stripTimes(rec)
			}
			a, b := run(1, 3), run(2, 3)
			if string(a) != string(b) {
				t.Errorf("GOMAXPROCS 1 and 2 differ:\n%s\n%s", a, b)
			}
			if m != MethodSupervised && m != MethodKMeansPixels && string(run(2, 4)) == string(a) {
				t.Errorf("seeds 3 and 4 give identical records")
			}
		})
	}
}

// TestDeterministicImages runs SeLa with augmentation and averaged views on
// small synthetic images (the augmenter, the CNN) with GOMAXPROCS 1 and 2.
func TestDeterministicImages(t *testing.T) {
	ds := tinyImages(t)
	c := quick(MethodSeLa)
	c.Model, c.Epochs, c.Heads, c.Nopts, c.Views, c.BatchSize, c.KNN = "cnn", 2, 2, 3, 2, 50, 10
	run := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rec, err := Run(c, ds, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return stripTimes(rec)
	}
	if a, b := run(1), run(2); string(a) != string(b) {
		t.Errorf("GOMAXPROCS 1 and 2 differ:\n%s\n%s", a, b)
	}
}

// tinyImages is a 10-class dataset of 1×12×12 images: class c lights a bar at
// row c with a little noise.
func tinyImages(t testing.TB) *datasets.Dataset {
	t.Helper()
	ds, err := datasets.Synthetic(datasets.SyntheticSpec{N: 400, TestN: 100, K: 10, D: 144, Separation: 8, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*datasets.Split{&ds.Train, &ds.Test} {
		for i, v := range s.X {
			s.X[i] = min(max(0.5+0.1*v, 0), 1)
		}
	}
	ds.Shape = datasets.Shape{C: 1, H: 12, W: 12}
	return ds
}

// TestSchedule: with nopts points, SeLa solves nopts−1 times (the last point lies
// past the end of training), at (E+1.01)·N·t² samples seen.
func TestSchedule(t *testing.T) {
	ds := synthetic(t)
	for _, test := range []struct {
		nopts, epochs int
		perEpoch      []int
	}{
		// N = 3000, batch 100, E = 4: points at 15030·(i/4)² = 0, 939, 3757,
		// 8454 (15030 never comes), i.e. steps 0, 10, 38, 85 (of 30 per epoch)
		// in epochs 0, 0, 1, 2.
		{5, 4, []int{2, 1, 1, 0}},
		{0, 3, []int{1, 1, 1}},
	} {
		c := quick(MethodSeLa)
		c.Nopts, c.Epochs = test.nopts, test.epochs
		// RunOptions.LabelInput sees every label step, numbered from 0, with its epoch.
		var seen []int // epoch of each step
		hook := func(step int, in *LabelInput) {
			if step != len(seen) {
				t.Errorf("nopts %d: label step numbered %d, want %d", test.nopts, step, len(seen))
			}
			if len(in.LogProbs) != c.Heads || len(in.LogProbs[0]) != in.N*in.K {
				t.Errorf("nopts %d: step %d: %d heads of %d values, want %d of %d", test.nopts, step, len(in.LogProbs), len(in.LogProbs[0]), c.Heads, in.N*in.K)
			}
			seen = append(seen, in.Epoch)
		}
		rec, err := Run(c, ds, RunOptions{LabelInput: hook})
		if err != nil {
			t.Fatal(err)
		}
		steps := 0
		for e, es := range rec.Epochs {
			if es.LabelSteps != test.perEpoch[e] {
				t.Errorf("nopts %d: epoch %d has %d label steps, want %d", test.nopts, e, es.LabelSteps, test.perEpoch[e])
			}
			for range es.LabelSteps {
				if steps < len(seen) && seen[steps] != e {
					t.Errorf("nopts %d: label step %d reported epoch %d, want %d", test.nopts, steps, seen[steps], e)
				}
				steps++
			}
		}
		if steps != len(seen) {
			t.Errorf("nopts %d: the hook saw %d label steps, the record %d", test.nopts, len(seen), steps)
		}
	}
}

// TestNaiveDegenerates: without the equipartition constraint the labels collapse
// onto few clusters; with it they stay spread over all K.
func TestNaiveDegenerates(t *testing.T) {
	ds := synthetic(t)
	eff := map[string]float64{}
	for _, m := range []string{MethodNaive, MethodSeLa} {
		c := quick(m)
		c.Epochs, c.K = 6, 20
		rec, err := Run(c, ds, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		last := rec.Epochs[len(rec.Epochs)-1]
		eff[m] = last.Heads[0].EffectiveClusters
	}
	if eff[MethodSeLa] < 19 {
		t.Errorf("sela's labels use %.2f effective clusters of 20", eff[MethodSeLa])
	}
	if eff[MethodNaive] > 0.5*eff[MethodSeLa] {
		t.Errorf("naive labels use %.2f effective clusters, sela %.2f: no collapse", eff[MethodNaive], eff[MethodSeLa])
	}
}

func TestConfigErrors(t *testing.T) {
	for _, test := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Method = "byol" }, `unknown method "byol" (valid: sela, sela-exact`},
		{func(c *Config) { c.Dataset = "imagenet" }, `unknown dataset "imagenet"`},
		{func(c *Config) { c.Model = "resnet" }, `unknown model "resnet" (valid: mlp, cnn)`},
		{func(c *Config) { c.K = 1 }, "k must be ≥ 2"},
		{func(c *Config) { c.Heads = 0 }, "heads must be ≥ 1"},
		{func(c *Config) { c.Epochs = 0 }, "epochs must be ≥ 1"},
		{func(c *Config) { c.Lambda = 0 }, "lambda must be positive"},
		{func(c *Config) { c.Lambda = -1 }, "lambda must be positive"},
		{func(c *Config) { c.Nopts = 1 }, "nopts must be 0"},
		{func(c *Config) { c.Augment = "mixup" }, `unknown augment "mixup"`},
	} {
		c := DefaultConfig(MethodSeLa, "mnist")
		test.mod(&c)
		err := c.Validate()
		if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), test.want) {
			t.Errorf("error %v, want one mentioning %q", err, test.want)
		}
	}
	c := DefaultConfig(MethodSeLa, "mnist")
	if err := c.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	// K larger than the training set is caught before training.
	c = quick(MethodSeLa)
	c.K = 5000
	if _, err := Run(c, synthetic(t), RunOptions{}); err == nil || !strings.Contains(err.Error(), "exceeds the 3000 training samples") {
		t.Errorf("K = 5000 on 3000 samples: %v", err)
	}
}

func TestValidationSplit(t *testing.T) {
	c := quick(MethodSupervised)
	c.Validation, c.Epochs = true, 1
	rec, err := Run(c, synthetic(t), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Data.EvalSplit != "validation" || rec.Data.Train != 2700 || rec.Data.Eval != 300 || rec.Final.Split != "validation" {
		t.Errorf("data %+v, final split %q", rec.Data, rec.Final.Split)
	}
}

// TestAugmentations: every augmentation a config may name maps to augmenter
// options the augmenter accepts on 28×28 digits, and changes an image ("none"
// aside).
func TestAugmentations(t *testing.T) {
	s := datasets.Shape{C: 1, H: 28, W: 28}
	img := make([]float32, 28*28)
	for i := range img {
		img[i] = float32(i%28) / 28
	}
	for _, name := range Augmentations {
		o, ok := augmentOptions(name, s)
		if name == "none" {
			if ok {
				t.Errorf("none: augmenter options %+v", o)
			}
			continue
		}
		a, err := nn.NewAugmenter(1, 28, 28, o)
		if !ok || err != nil {
			t.Fatalf("%s: options %+v (%v), augmenter: %v", name, o, ok, err)
		}
		out := make([]float32, len(img))
		a.Apply(out, img, rng.New(1, "test/augment"))
		if slices.Equal(out, img) {
			t.Errorf("%s left the image unchanged", name)
		}
	}
}
