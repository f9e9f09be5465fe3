package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/internal/npy"
)

// testMainEnv, set to 1 in its environment, makes the test binary the selabench
// command: TestMain runs main on the binary's own arguments instead of the
// tests. TestSweepKilled runs the CLI so, as a child process it can kill -9.
const testMainEnv = "SELABENCH_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(testMainEnv) == "1" {
		main() // exits with the command's status
	}
	os.Exit(m.Run())
}

// runCLI runs the command line in-process and returns status, stdout and stderr.
func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeNpy(t *testing.T, dir, name string, shape []int, data any) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := npy.WriteFile(path, shape, data); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMetricsJSON(t *testing.T) {
	dir := t.TempDir()
	// truth 0 0 1 1, pred 1 1 0 2: clusters {0,1}, {2}, {3}. Worked by hand: ACC = 3/4
	// (cluster 1 → class 0, cluster 0 → class 1); sklearn gives ARI = 4/7 ≈ 0.571 and
	// NMI = 0.8 (MI = ln 2, H(truth) = ln 2, H(pred) = 1.5 ln 2).
	truth := writeNpy(t, dir, "t.npy", []int{4}, []int64{0, 0, 1, 1})
	pred := writeNpy(t, dir, "p.npy", []int{4}, []int32{1, 1, 0, 2})
	code, out, errOut := runCLI("metrics", "--truth", truth, "--pred", pred, "--k", "4", "--json")
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("want exactly one line, got %q", out)
	}
	var got map[string]float64
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"n": 4, "nmi": 0.8, "ari": 4.0 / 7, "acc": 0.75, "k": 4, "clusters": 3, "empty": 1,
		"largest_fraction": 0.5, "effective_clusters": math.Pow(2, 1.5),
	}
	for key, w := range want {
		if g, ok := got[key]; !ok || math.Abs(g-w) > 1e-12 {
			t.Errorf("%s = %v (present %v), want %v", key, g, ok, w)
		}
	}
}

func TestMetricsTable(t *testing.T) {
	dir := t.TempDir()
	truth := writeNpy(t, dir, "t.npy", []int{3}, []uint8{0, 1, 2})
	pred := writeNpy(t, dir, "p.npy", []int{3}, []int64{2, 0, 1})
	code, out, errOut := runCLI("metrics", "--truth", truth, "--pred", pred)
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, " NMI ") || !strings.Contains(out, "1.0000") {
		t.Errorf("table output:\n%s", out)
	}
}

func TestMetricsErrors(t *testing.T) {
	dir := t.TempDir()
	truth := writeNpy(t, dir, "t.npy", []int{3}, []int64{0, 1, 2})
	short := writeNpy(t, dir, "short.npy", []int{2}, []int64{0, 1})
	matrix := writeNpy(t, dir, "m.npy", []int{1, 3}, []int64{0, 1, 2})
	frac := writeNpy(t, dir, "f.npy", []int{3}, []float32{0, 1.5, 2})
	neg := writeNpy(t, dir, "neg.npy", []int{3}, []int64{0, -1, 2})
	garbage := filepath.Join(dir, "g.npy")
	os.WriteFile(garbage, []byte("not a numpy file"), 0o644)
	for _, test := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"metrics", "--truth", truth}, 2, "--truth and --pred are both required"},
		{[]string{"metrics", "--truth", truth, "--pred", truth, "--bogus"}, 2, "bogus"},
		{[]string{"metrics", "--truth", truth, "--pred", truth, "--k", "-1"}, 2, "--k must be ≥ 0"},
		{[]string{"metrics", "--truth", truth, "--pred", short}, 1, "has 3 labels but"},
		{[]string{"metrics", "--truth", truth, "--pred", matrix}, 1, "1-D"},
		{[]string{"metrics", "--truth", truth, "--pred", frac}, 1, "f.npy"},
		{[]string{"metrics", "--truth", truth, "--pred", neg}, 1, "neg.npy"},
		{[]string{"metrics", "--truth", truth, "--pred", garbage}, 1, "g.npy"},
		{[]string{"metrics", "--truth", truth, "--pred", filepath.Join(dir, "missing.npy")}, 1, "missing.npy"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	} {
		code, _, errOut := runCLI(test.args...)
		if code != test.code || !strings.Contains(errOut, test.want) {
			t.Errorf("%v: status %d, stderr %q; want status %d mentioning %q", test.args, code, errOut, test.code, test.want)
		}
	}
}

func TestHelpDescribesEveryFlag(t *testing.T) {
	code, top, _ := runCLI("--help")
	if code != 0 {
		t.Fatalf("--help: status %d", code)
	}
	check := func(name, out string) {
		fs := lastFlags[name]
		if fs == nil {
			t.Fatalf("%s --help built no flag set", name)
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(out, "--"+f.Name) || !strings.Contains(out, f.Usage[:min(20, len(f.Usage))]) {
				t.Errorf("%s --help does not describe --%s:\n%s", name, f.Name, out)
			}
		})
	}
	check("selabench", top)
	for name := range commands {
		if !strings.Contains(top, "  "+name+" ") {
			t.Errorf("--help does not list command %s", name)
		}
		code, out, _ := runCLI(name, "--help")
		if code != 0 {
			t.Errorf("%s --help: status %d", name, code)
		}
		if !strings.Contains(out, "Usage: selabench "+name) {
			t.Errorf("%s --help lacks a synopsis:\n%s", name, out)
		}
		check(name, out)
	}
}

func TestMainJobJSON(t *testing.T) {
	// The main job on the synthetic blobs with a tiny budget: one record per method.
	code, out, errOut := runCLI("--dataset", "synthetic", "--methods", "sela,naive,kmeans-pixels", "--epochs", "2", "--batch-size", "100", "--knn", "20", "--json", "--report-dir", "")
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), out)
	}
	for i, want := range []string{"sela", "naive", "kmeans-pixels"} {
		var rec bench.Record
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Config.Method != want || rec.Data.Dataset != "synthetic" || rec.Config.Epochs != 2 {
			t.Errorf("line %d: method %q dataset %q epochs %d", i, rec.Config.Method, rec.Data.Dataset, rec.Config.Epochs)
		}
	}
}

// TestMainJobTau: --tau goes to the methods that read it and is an error when
// none does.
func TestMainJobTau(t *testing.T) {
	code, out, errOut := runCLI("--dataset", "synthetic", "--methods", "sela,sela-unbalanced", "--tau", "2", "--epochs", "1", "--batch-size", "100", "--heads", "1", "--knn", "20", "--json", "--report-dir", "")
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, want := range []float64{0, 2} {
		var rec bench.Record
		if len(lines) != 2 || json.Unmarshal([]byte(lines[i]), &rec) != nil || rec.Config.Tau != want {
			t.Fatalf("line %d: tau %v, want %v:\n%s", i, rec.Config.Tau, want, out)
		}
	}
	// The default list of every method drops sela-prior when k is not the classes.
	var note strings.Builder
	kept := skipOracles([]bench.Config{{Method: "sela", K: 3}, {Method: "sela-prior", K: 3}, {Method: "sela-prior", K: 10}}, 10, &note)
	if len(kept) != 2 || kept[0].Method != "sela" || kept[1].K != 10 || note.String() != "selabench: skipping sela-prior: it needs --k 10 (the classes), not 3\n" {
		t.Errorf("skipOracles kept %+v, said %q", kept, note.String())
	}
	if code, _, errOut := runCLI("--dataset", "synthetic", "--methods", "sela,naive", "--tau", "2", "--report-dir", ""); code != 2 || !strings.Contains(errOut, "--tau: none of the methods sela,naive reads it") {
		t.Errorf("--tau without a method reading it: status %d, %q", code, errOut)
	}
}

// TestMainJobTable: the table on stdout, and the records, report and figures in
// the report directory.
func TestMainJobTable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run-TIME")
	code, out, errOut := runCLI("--dataset", "synthetic", "--methods", "supervised,random-net", "--epochs", "1", "--batch-size", "100", "--knn", "20", "--report-dir", dir)
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"method", "linear probe", "| supervised ", "| random-net "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	made, _ := filepath.Glob(strings.Replace(dir, "TIME", "2*Z", 1))
	if len(made) != 1 || !strings.Contains(errOut, "report: "+filepath.Join(made[0], "report.md")) {
		t.Fatalf("report directories %q; stderr %q", made, errOut)
	}
	for _, f := range []string{"records.jsonl", "report.md", "report-nmi.png", "report-effective-clusters.png", "report-sizes.png"} {
		if _, err := os.Stat(filepath.Join(made[0], f)); err != nil {
			t.Error(err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(made[0], "report.md"))
	if !strings.Contains(string(md), "| supervised ") || !strings.Contains(string(md), "](report-sizes.png)") {
		t.Errorf("report:\n%s", md)
	}
}

func TestMainJobErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), nil, 0o644) // a file where --report-dir wants a directory
	for _, test := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--k", "1"}, 2, "k must be ≥ 2"},
		{[]string{"--epochs", "0"}, 2, "epochs must be ≥ 1"},
		{[]string{"--methods", "sela,byol"}, 2, `unknown method "byol"`},
		{[]string{"--dataset", "imagenet"}, 2, "unknown dataset"},
		{[]string{"--dataset", "mnist", "--data", "/nonexistent"}, 1, "/nonexistent"},
		{[]string{"--dataset", "synthetic", "--out", filepath.Join(dir, "f", "r.jsonl")}, 1, "--out"}, // under a file: its directory cannot be made
		{[]string{"--dataset", "synthetic", "--report-dir", filepath.Join(dir, "f", "sub")}, 1, "--report-dir"},
	} {
		code, _, errOut := runCLI(test.args...)
		if code != test.code || !strings.Contains(errOut, test.want) {
			t.Errorf("%v: status %d, stderr %q; want status %d mentioning %q", test.args, code, errOut, test.code, test.want)
		}
	}
}

// TestPackageDocListsCommands: the command's package doc names every command.
func TestPackageDocListsCommands(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, _ := strings.Cut(string(src), "package main")
	for name := range commands {
		if !strings.Contains(doc, "//\t"+name+" ") {
			t.Errorf("the package doc does not list %q", name)
		}
	}
}
