package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/selabench/selabench/bench/records"
)

// TestSweepShardsMerge runs the smoke sweep as two local shards — what a Slurm
// array or a Kubernetes Indexed Job of two tasks does — merges them and reports.
func TestSweepShardsMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the smoke sweep")
	}
	dir := t.TempDir()
	smoke := filepath.Join("..", "..", "bench", "sweeps", "smoke.json")
	for i, shard := range []string{"0/2", "1/2"} {
		code, out, errOut := runCLI("sweep", smoke, "--out", dir, "--shard", shard)
		if code != 0 {
			t.Fatalf("shard %s: status %d, stderr %q", shard, code, errOut)
		}
		if !strings.Contains(out, "3 cells to run") || !strings.Contains(out, "[3/3]") || !strings.Contains(out, "selabench merge") {
			t.Errorf("shard %d output:\n%s", i, out)
		}
	}
	merged := filepath.Join(dir, "results.jsonl")
	code, out, errOut := runCLI("merge", filepath.Join(dir, "results-shard-0-of-2.jsonl"), filepath.Join(dir, "results-shard-1-of-2.jsonl"), "--out", merged)
	if code != 0 || !strings.Contains(out, "6 records (one per cell) from 2 files, 0 duplicates dropped") {
		t.Fatalf("merge: status %d\n%s%s", code, out, errOut)
	}
	// The merged file is a whole sweep's results: resuming it runs nothing.
	code, out, errOut = runCLI("sweep", smoke, "--out", dir, "--resume")
	if code != 0 || !strings.Contains(out, "0 cells to run (6 already done)") || !strings.Contains(out, "report: ") {
		t.Fatalf("resume after merge: status %d\n%s%s", code, out, errOut)
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil || !strings.Contains(string(report), "| sela ") || !strings.Contains(string(report), "| naive ") {
		t.Errorf("report: %v\n%s", err, report)
	}
	// --json: one object per line on stdout, the text on stderr.
	code, out, errOut = runCLI("sweep", smoke, "--out", dir, "--resume", "--json")
	var sum sweepSummary
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || !sum.Summary || sum.Ran != 0 || sum.Skipped != 6 || sum.Report == "" || !strings.Contains(errOut, "0 cells to run") {
		t.Errorf("resume --json: status %d, stdout %q, stderr %q", code, out, errOut)
	}
	jdir := t.TempDir()
	code, out, errOut = runCLI("sweep", smoke, "--out", jdir, "--shard", "1/2", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var cell cellOut
	sum = sweepSummary{}
	if code != 0 || len(lines) != 4 || json.Unmarshal([]byte(lines[0]), &cell) != nil || !cell.OK || cell.NMI == nil || cell.Label == "" ||
		json.Unmarshal([]byte(lines[3]), &sum) != nil || !sum.Summary || sum.Ran != 3 || sum.Report != "" {
		t.Errorf("shard --json: status %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runCLI("sweep", smoke, "--list", "--json")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 6 || !strings.HasPrefix(lines[0], `{"index":0,"cell":"`) {
		t.Errorf("--list --json: status %d, stdout %q", code, out)
	}
	code, out, _ = runCLI("merge", merged, "--out", filepath.Join(dir, "again.jsonl"), "--json")
	if want := `{"out":"` + filepath.Join(dir, "again.jsonl") + `","records":6,"files":1,"duplicates":0}` + "\n"; code != 0 || out != want {
		t.Errorf("merge --json: status %d, stdout %q, want %q", code, out, want)
	}
	// Merging a file with itself: every record is a duplicate, dropped with a warning.
	code, out, errOut = runCLI("merge", merged, merged, "--out", filepath.Join(dir, "twice.jsonl"))
	if code != 0 || !strings.Contains(out, "6 duplicates dropped") || strings.Count(errOut, "duplicate of") != 6 {
		t.Errorf("merge with itself: status %d\n%s%s", code, out, errOut)
	}
}

func TestSweepErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n \"base\": {\"method\": \"sela\"},\n \"grid\": {\"lambda\": [25, \"x\"]}\n}\n"), 0o644)
	smoke := filepath.Join("..", "..", "bench", "sweeps", "smoke.json")
	two := filepath.Join(dir, "two.json")
	os.WriteFile(two, []byte(`{"base": {"method": "sela"}, "grid": {"dataset": ["mnist", "fashion-mnist"]}}`), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sweep", bad, "--out", dir}, 2, `bad.json:3: grid.lambda: want a number, got "x"`},
		{[]string{"sweep", filepath.Join(dir, "none.json"), "--out", dir}, 2, "no such file"},
		{[]string{"sweep", smoke}, 2, "give --out DIR"},
		{[]string{"sweep", smoke, "--out", dir, "--shard", "2/2"}, 2, "0 ≤ i < n"},
		{[]string{"sweep", smoke, "--out", dir, "--jobs", "0"}, 2, "--jobs must be ≥ 1"},
		{[]string{"sweep", "--out", dir}, 2, "give one sweep file"},
		{[]string{"sweep", two, "--out", dir, "--data", dir}, 2, "--data names one directory but the sweep reads 2 datasets"},
		{[]string{"merge", smoke}, 2, "give --out"},
		{[]string{"merge", "--out", filepath.Join(dir, "m.jsonl")}, 2, "give the results files"},
		{[]string{"merge", filepath.Join(dir, "none.jsonl"), "--out", filepath.Join(dir, "m.jsonl")}, 1, "no such file"},
	} {
		code, _, errOut := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: status %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "m.jsonl")); err == nil {
		t.Error("a failed merge wrote its output")
	}
	// --list prints the cells of a shard without running them.
	code, out, _ := runCLI("sweep", smoke, "--list", "--shard", "1/2")
	if code != 0 || !strings.Contains(out, "6 cells, 3 in shard 1/2") || strings.Count(out, "method=") != 3 {
		t.Errorf("--list: status %d\n%s", code, out)
	}
}

// TestSweepKilled kills a running sweep with SIGKILL once it has recorded two
// cells, checks that the results file holds only whole records, and resumes it.
func TestSweepKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the smoke sweep")
	}
	dir := t.TempDir()
	smoke := filepath.Join("..", "..", "bench", "sweeps", "smoke.json")
	cmd := exec.Command(os.Args[0], "sweep", smoke, "--out", dir) // the CLI, through TestMain
	cmd.Env = append(os.Environ(), testMainEnv+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(dir, "results.jsonl")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, _ := os.ReadFile(results)
		if bytes.Count(b, []byte("\n")) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the sweep recorded fewer than two cells in two minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	b, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if len(b) == 0 || b[len(b)-1] != '\n' || len(lines) >= 6 {
		t.Fatalf("after kill -9: %d bytes, %d lines, last byte %q", len(b), len(lines), b[len(b)-1:])
	}
	for i, l := range lines {
		if !json.Valid(l) {
			t.Fatalf("line %d is not a whole record", i+1)
		}
	}
	code, out, errOut := runCLI("sweep", smoke, "--out", dir, "--resume")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d cells to run (%d already done)", 6-len(lines), len(lines))) {
		t.Fatalf("resume: status %d\n%s%s", code, out, errOut)
	}
	recs, _, err := records.Read(results)
	if err != nil || len(recs) != 6 {
		t.Fatalf("%d records after resume: %v", len(recs), err)
	}
}
