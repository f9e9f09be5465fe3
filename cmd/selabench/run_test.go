package main

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/internal/npy"
)

func TestRunJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	args := []string{"run", "--method", "sela", "--dataset", "synthetic", "--epochs", "2", "--batch-size", "100",
		"--heads", "2", "--k", "12", "--knn", "20", "--out", path, "--json"}
	code, out, errOut := runCLI(args...)
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("want one line, got %q", out)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	final, _ := rec["final"].(map[string]any)
	for _, key := range []string{"nmi", "ari", "acc", "linear_probe", "knn", "effective_clusters", "largest_fraction"} {
		v, ok := final[key].(float64)
		if !ok || v < 0 || (key != "effective_clusters" && v > 1) {
			t.Errorf("final.%s = %v", key, final[key])
		}
	}
	for _, key := range []string{"config", "env", "timings", "epochs", "data", "started"} {
		if _, ok := rec[key]; !ok {
			t.Errorf("record lacks %q", key)
		}
	}
	// The --out file holds the same record, and a second run appends a line.
	if code, _, errOut = runCLI(args...); code != 0 {
		t.Fatalf("second run: status %d, stderr %q", code, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines in --out, want 2", len(lines))
	}
	var a, c bench.Record
	json.Unmarshal([]byte(lines[0]), &a)
	json.Unmarshal([]byte(lines[1]), &c)
	if a.Final.NMI != c.Final.NMI || a.Final.KNN != c.Final.KNN || a.Config != c.Config {
		t.Errorf("two runs of one config differ: %+v vs %+v", a.Final, c.Final)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644) // a file where --out wants a directory
	for _, test := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--method", "byol"}, 2, `unknown method "byol" (valid: sela, sela-exact, deepcluster, naive, random-labels, supervised, random-net, kmeans-pixels, sela-prior, sela-unbalanced, swav)`},
		{[]string{"--tau", "2"}, 2, "tau = 2 is read by sela-unbalanced only, not by sela"},
		{[]string{"--method", "sela-unbalanced", "--tau", "-1"}, 2, "tau must be positive and finite for sela-unbalanced"},
		{[]string{"--imbalance", "0.5"}, 2, "imbalance must be ≥ 1"},
		{[]string{"--imbalance", "NaN"}, 2, "imbalance must be ≥ 1"},
		{[]string{"--dataset", "synthetic", "--imbalance", "1000"}, 2, "imbalance = 1000: imbalance ratio 1000: class"},
		{[]string{"--method", "sela-prior", "--dataset", "synthetic", "--k", "5"}, 2, "k = 5: sela-prior takes the class proportions as cluster masses, so k must equal the 10 classes"},
		{[]string{"--dataset", "imagenet"}, 2, `unknown dataset "imagenet" (valid: mnist, fashion-mnist, cifar10, synthetic)`},
		{[]string{"--model", "vit"}, 2, `unknown model "vit" (valid: mlp, cnn)`},
		{[]string{"--k", "1"}, 2, "k must be ≥ 2"},
		{[]string{"--heads", "0"}, 2, "heads must be ≥ 1"},
		{[]string{"--epochs", "0"}, 2, "epochs must be ≥ 1"},
		{[]string{"--lambda", "0"}, 2, "lambda must be positive"},
		{[]string{"--lambda", "-3"}, 2, "lambda must be positive"},
		{[]string{"--dataset", "cifar10", "--data", dir}, 1, "cifar"},
		{[]string{"--dataset", "synthetic", "--out", filepath.Join(dir, "file", "r.jsonl")}, 1, "--out"}, // under a file: its directory cannot be made
		{[]string{"--dataset", "synthetic", "--out", dir}, 1, "is a directory"},
		{[]string{"--dataset", "synthetic", "stray"}, 2, `unexpected argument "stray"`},
	} {
		code, out, errOut := runCLI(append([]string{"run"}, test.args...)...)
		if code != test.code || !strings.Contains(errOut, test.want) {
			t.Errorf("%v: status %d, stderr %q; want status %d mentioning %q", test.args, code, errOut, test.code, test.want)
		}
		if out != "" {
			t.Errorf("%v: wrote %q to stdout", test.args, out)
		}
	}
}

// TestSaveLogProbs: --save-log-probs writes the trained network's N×K
// log-probabilities on the training images, which the solvers then read.
func TestSaveLogProbs(t *testing.T) {
	dir := t.TempDir()
	lp := filepath.Join(dir, "lp.npy")
	inputs := filepath.Join(dir, "inputs")
	code, _, errOut := runCLI("run", "--method", "sela", "--dataset", "synthetic", "--epochs", "2", "--batch-size", "100",
		"--heads", "2", "--knn", "20", "--save-log-probs", lp, "--save-label-inputs", inputs)
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	// One label step per epoch, two heads: four N×K inputs named by step, epoch, head.
	saved, _ := filepath.Glob(filepath.Join(inputs, "*.npy"))
	want := []string{"000-epoch00-head0.npy", "000-epoch00-head1.npy", "001-epoch01-head0.npy", "001-epoch01-head1.npy"}
	if len(saved) != len(want) {
		t.Fatalf("--save-label-inputs wrote %v, want %v", saved, want)
	}
	for i, f := range saved {
		if filepath.Base(f) != want[i] {
			t.Errorf("label input %d is %s, want %s", i, filepath.Base(f), want[i])
		}
		a, err := npy.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Shape) != 2 || a.Shape[0] != bench.SyntheticData.N || a.Shape[1] != 10 {
			t.Errorf("%s: shape %v, want [%d 10]", f, a.Shape, bench.SyntheticData.N)
		}
	}
	a, err := npy.ReadFile(lp)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Shape) != 2 || a.Shape[0] != bench.SyntheticData.N || a.Shape[1] != 10 {
		t.Fatalf("shape %v, want [%d 10]", a.Shape, bench.SyntheticData.N)
	}
	x, _ := a.Float64s()
	for i := 0; i < a.Shape[0]; i += 97 {
		s := 0.0
		for _, v := range x[i*10 : i*10+10] {
			s += math.Exp(v)
		}
		if math.Abs(s-1) > 1e-4 {
			t.Fatalf("row %d: probabilities sum to %v", i, s)
		}
	}
	code, out, errOut := runCLI("solve", "--logits", lp, "--log-probs", "--json")
	if code != 0 || !strings.Contains(out, `"n":3000`) {
		t.Errorf("solve on the saved log-probs: status %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI("run", "--method", "kmeans-pixels", "--dataset", "synthetic", "--save-log-probs", lp); code != 2 || !strings.Contains(errOut, "no network") {
		t.Errorf("kmeans-pixels with --save-log-probs: status %d, %q", code, errOut)
	}
}

// TestRunNewMethods: sela-unbalanced records the default τ when --tau is
// unset, and --imbalance trains on the long-tailed split and reports its class
// counts.
func TestRunNewMethods(t *testing.T) {
	for _, test := range []struct {
		args   []string
		tau    float64
		counts bool
	}{
		{[]string{"--method", "sela-unbalanced"}, bench.DefaultTau, false},
		{[]string{"--method", "sela-unbalanced", "--tau", "3"}, 3, false},
		{[]string{"--method", "sela-prior", "--imbalance", "10"}, 0, true},
	} {
		args := append([]string{"run", "--dataset", "synthetic", "--epochs", "1", "--batch-size", "100", "--heads", "1", "--knn", "20", "--json"}, test.args...)
		code, out, errOut := runCLI(args...)
		if code != 0 {
			t.Fatalf("%v: status %d, stderr %q", test.args, code, errOut)
		}
		var rec bench.Record
		if err := json.Unmarshal([]byte(out), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Config.Tau != test.tau || (rec.Data.TrainClassCounts != nil) != test.counts {
			t.Errorf("%v: tau %v, data %+v", test.args, rec.Config.Tau, rec.Data)
		}
		if test.counts && (rec.Config.Imbalance != 10 || rec.Data.Train >= 3000 || rec.Data.Eval != 1000) {
			t.Errorf("%v: config %+v, data %+v", test.args, rec.Config, rec.Data)
		}
	}
}

// TestRunCheckpoint: with --checkpoint the run gives the same record as without
// (the harness's tests resume interrupted runs) and removes its checkpoint when
// done.
func TestRunCheckpoint(t *testing.T) {
	ckpt := filepath.Join(t.TempDir(), "sub", "run.ckpt")
	args := []string{"run", "--method", "sela", "--dataset", "synthetic", "--epochs", "3", "--batch-size", "100", "--heads", "2", "--knn", "20", "--json"}
	var recs []string
	for _, extra := range [][]string{nil, {"--checkpoint", ckpt}} {
		code, out, errOut := runCLI(append(args, extra...)...)
		if code != 0 {
			t.Fatalf("%v: status %d, stderr %q", extra, code, errOut)
		}
		var rec bench.Record
		if err := json.Unmarshal([]byte(out), &rec); err != nil {
			t.Fatal(err)
		}
		b, err := rec.Reproducible()
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, string(b))
	}
	if recs[0] != recs[1] {
		t.Errorf("records with and without --checkpoint differ:\n%s\n%s", recs[0], recs[1])
	}
	if _, err := os.Stat(ckpt); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint after the run: %v, want it removed", err)
	}
}
