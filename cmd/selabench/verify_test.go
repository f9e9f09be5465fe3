package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/bench/records"
)

func TestVerifyRerunsRecords(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.jsonl")
	for _, method := range []string{"sela", "kmeans-pixels"} {
		if code, _, errOut := runCLI("run", "--method", method, "--dataset", "synthetic", "--epochs", "1", "--batch-size", "100",
			"--heads", "2", "--knn", "20", "--seed", "3", "--out", path); code != 0 {
			t.Fatalf("run %s: status %d, stderr %q", method, code, errOut)
		}
	}
	code, out, errOut := runCLI("verify", path)
	if code != 0 || strings.Count(out, "same bits") != 2 {
		t.Fatalf("verify: status %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !strings.Contains(out, "runs.jsonl:1: cell ") || !strings.Contains(out, "selabench run --method sela --batch-size 100 --dataset synthetic --epochs 1 --heads 2 --knn 20 --seed 3\n") {
		t.Errorf("verify does not give the run command of the first record:\n%s", out)
	}

	// A record whose results were altered comes out different, and verify
	// names the field and fails.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	rec["final"].(map[string]any)["nmi"] = 0.123
	line, _ := json.Marshal(rec)
	lines[0] = string(line) + "\n"
	tampered := filepath.Join(dir, "tampered.jsonl")
	if err := os.WriteFile(tampered, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	var first bench.Record
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI("verify", tampered, "--cell", first.Config.Hash()[:6])
	if code != 1 || !strings.Contains(out, "final.nmi: recorded 0.123, now ") || !strings.Contains(errOut, "1 of 1 records came out different") {
		t.Fatalf("tampered record: status %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(out, "kmeans-pixels") {
		t.Errorf("--cell ran a record it does not name:\n%s", out)
	}
}

func TestVerifyBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.jsonl")
	if code, _, errOut := runCLI("run", "--method", "kmeans-pixels", "--dataset", "synthetic", "--knn", "20", "--out", path); code != 0 {
		t.Fatalf("run: status %d, stderr %q", code, errOut)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify"}, 2, "no results files given"},
		{[]string{"verify", filepath.Join(dir, "none.jsonl")}, 1, "none.jsonl"},
		{[]string{"verify", path, "--cell", "zzzz"}, 2, `--cell: no record of cell "zzzz"`},
		{[]string{"verify", path, "--cell", ","}, 2, "--cell: empty entry"},
	} {
		code, _, errOut := runCLI(c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: status %d, stderr %q; want status %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

// TestCommittedRecordFlags checks that every committed record's configuration
// is written as selabench run flags that parse back to it (recordFlags fails
// otherwise), and spot-checks one command.
func TestCommittedRecordFlags(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "reports", "data", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no committed records: %v", err)
	}
	recs, _, err := records.ReadLocated(files...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if _, _, err := recordFlags(r.Config); err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
	c := bench.DefaultConfig(bench.MethodSeLa, "mnist")
	c.Model, c.Epochs, c.Nopts, c.Views, c.OverHeads, c.OverK, c.Seed, c.Validation = "cnn", 50, 40, 4, 5, 50, 1, true
	args, _, err := recordFlags(c)
	want := []string{"--method", "sela", "--epochs", "50", "--model", "cnn", "--nopts", "40", "--over-heads", "5", "--over-k", "50", "--seed", "1", "--validation", "--views", "4"}
	if err != nil || !slices.Equal(args, want) {
		t.Errorf("flags %q (%v), want %q", args, err, want)
	}
}

// TestCommittedRecordReproduces re-runs one committed record with the code at
// HEAD, sela in the main job's configuration, seed 0, of reports/mnist.md (a
// full MNIST training: about a minute on two cores), and requires the same
// bits: a change that alters SeLa's labels or metrics fails here until the
// sweeps it touches are run again. -short skips it.
func TestCommittedRecordReproduces(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs a full MNIST training (about a minute); -short skips it")
	}
	path := filepath.Join("..", "..", "reports", "data", "mnist.jsonl")
	code, out, errOut := runCLI("verify", path, "--cell", "92c658a509bfd725")
	if code != 0 || !strings.Contains(out, "(sela, seed 0): selabench run --method sela\n  same bits") {
		t.Fatalf("verify: status %d, stdout %q, stderr %q", code, out, errOut)
	}
}
