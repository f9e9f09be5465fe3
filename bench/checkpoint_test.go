package bench

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// interrupted runs c with a checkpoint file, stopping the process (as a killed
// session would) after each of the given epochs, then resuming, and returns the
// final record's reproducible bytes.
func interrupted(t *testing.T, c Config, stops ...int) []byte {
	t.Helper()
	ds := synthetic(t)
	if c.Model == "cnn" {
		ds = tinyImages(t)
	}
	path := filepath.Join(t.TempDir(), "run.ckpt")
	defer func() { checkpointed = nil }()
	for _, stop := range stops {
		checkpointed = func(epochs int) bool { return epochs == stop }
		if _, err := Run(c, ds, RunOptions{Checkpoint: path}); !errors.Is(err, errCheckpointStop) {
			t.Fatalf("stop after epoch %d: %v", stop, err)
		}
	}
	checkpointed = nil
	rec, err := Run(c, ds, RunOptions{Checkpoint: path})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.PriorEnv) != len(stops) || rec.Started == "" || rec.Timings.Total <= 0 {
		t.Errorf("resumed %d times: prior environments %v, started %q, total %v s", len(stops), rec.PriorEnv, rec.Started, rec.Timings.Total)
	}
	return stripTimes(rec)
}

// TestCheckpointResume: a run stopped after some epochs and resumed from its
// checkpoint gives the uninterrupted run's record bit for bit, for a SeLa run on
// the quadratic label schedule with several heads and over-clustering heads,
// DeepCluster (re-initialised heads with their own optimisers, a relabelling every
// epoch), supervised training, SwAV's online codes, and SeLa's CNN on images
// (BatchNorm statistics, augmentation, averaged label views).
func TestCheckpointResume(t *testing.T) {
	sela := quick(MethodSeLa)
	sela.Epochs, sela.Heads, sela.Nopts, sela.OverHeads, sela.OverK = 5, 2, 6, 1, 15
	cnn := quick(MethodSeLa)
	cnn.Model, cnn.Epochs, cnn.Heads, cnn.Nopts, cnn.Views, cnn.BatchSize, cnn.KNN, cnn.Augment = "cnn", 3, 2, 3, 2, 50, 10, "affine"
	cases := map[string]struct {
		c     Config
		stops []int
	}{
		"sela":        {sela, []int{1, 3}},
		"deepcluster": {quick(MethodDeepCluster), []int{2}},
		"supervised":  {quick(MethodSupervised), []int{1}},
		"swav":        {quick(MethodSwAV), []int{2}},
		"sela-cnn":    {cnn, []int{1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ds := synthetic(t)
			if tc.c.Model == "cnn" {
				ds = tinyImages(t)
			}
			rec, err := Run(tc.c, ds, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := stripTimes(rec)
			if got := interrupted(t, tc.c, tc.stops...); string(got) != string(want) {
				t.Errorf("resumed after epochs %v:\n%s\nuninterrupted:\n%s", tc.stops, got, want)
			}
		})
	}
}

// TestCheckpointErrors: a checkpoint of another configuration, a corrupt one and
// a foreign file are refused with errors naming the file; nothing is resumed.
func TestCheckpointErrors(t *testing.T) {
	ds := synthetic(t)
	c := quick(MethodSeLa)
	path := filepath.Join(t.TempDir(), "run.ckpt")
	defer func() { checkpointed = nil }()
	checkpointed = func(epochs int) bool { return epochs == 1 }
	if _, err := Run(c, ds, RunOptions{Checkpoint: path}); !errors.Is(err, errCheckpointStop) {
		t.Fatal(err)
	}
	checkpointed = nil
	other := c
	other.Seed++
	if _, err := Run(other, ds, RunOptions{Checkpoint: path}); err == nil || !strings.Contains(err.Error(), "another configuration") || !strings.Contains(err.Error(), path) {
		t.Errorf("another configuration: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(c, ds, RunOptions{Checkpoint: path}); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("corrupt file: %v", err)
	}
	if err := os.WriteFile(path, []byte("not a checkpoint at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(c, ds, RunOptions{Checkpoint: path}); err == nil || !strings.Contains(err.Error(), "not a selabench checkpoint") {
		t.Errorf("foreign file: %v", err)
	}
}
