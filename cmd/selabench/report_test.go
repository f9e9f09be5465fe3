package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
)

// writeRecords writes one JSON line per (method, seed, nmi) record to dir/name,
// plus extra verbatim, and returns the path.
func writeRecords(t *testing.T, dir, name string, nmis map[string][]float64, extra string) string {
	t.Helper()
	var b strings.Builder
	for _, method := range []string{"sela", "deepcluster"} {
		for seed, nmi := range nmis[method] {
			c := bench.DefaultConfig(method, "mnist")
			c.Seed = uint64(seed)
			line, err := json.Marshal(&bench.Record{
				Version: bench.RecordVersion, Started: "2026-01-02T03:04:05Z", Config: c,
				Data:  bench.DataInfo{Dataset: "mnist", EvalSplit: "test"},
				Env:   bench.Env{GoVersion: "go1.26.8", CPU: "Test CPU", NumCPU: 2, GOMAXPROCS: 2},
				Final: bench.Final{NMI: nmi, LinearProbe: 0.9},
			})
			if err != nil {
				t.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	b.WriteString(extra)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportStdout(t *testing.T) {
	dir := t.TempDir()
	a := writeRecords(t, dir, "a.jsonl", map[string][]float64{"sela": {0.50, 0.52, 0.54}}, "")
	// b ends with half a record, as a crashed writer would leave it.
	b := writeRecords(t, dir, "b.jsonl", map[string][]float64{"deepcluster": {0.60, 0.61, 0.62}}, `{"record_version": 1, "conf`)
	// Files before and after the flags.
	code, out, errOut := runCLI("report", a, "--baseline", "deepcluster", b, "--metric", "nmi")
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	if want := "selabench report: warning: " + b + ":4: skipped the last line"; !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr %q, want one warning starting %q", errOut, want)
	}
	for _, want := range []string{
		"# Results on mnist (test)\n",
		// Means and 95 % half-widths: t(0.975; 2)·0.02/√3 = 0.0497 and ·0.01/√3 = 0.0248
		// (scipy t.ppf(0.975, 2) = 4.302652729911275). Paired by seed, the
		// differences −0.1, −0.09, −0.08 all have one sign: p = 2/2³.
		"| sela        |     3 | 0.5200 ± 0.0497 |",
		"| deepcluster |     3 | 0.6100 ± 0.0248 |",
		"| -0.0900 ± 0.0248 [-0.1000, -0.0800] | 0.25 |     0.25 |\n", "baseline |", "Δ NMI vs row 2",
		"## Warnings\n\n- " + b + ":4: skipped the last line",
		"- records: 6\n",
		"```sh\nselabench report " + a + " --baseline deepcluster " + b + " --metric nmi\n```",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestReportJSON(t *testing.T) {
	dir := t.TempDir()
	a := writeRecords(t, dir, "a.jsonl", map[string][]float64{"sela": {0.50, 0.52, 0.54}, "deepcluster": {0.60, 0.61, 0.62}}, "")
	code, out, errOut := runCLI("report", a, "--json")
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"row":1,"method":"sela","n":3,`) {
		t.Fatalf("stdout %q, want two JSON lines, sela first", out)
	}
	var row struct {
		Method  string
		Metrics map[string]struct {
			PPaired   float64 `json:"p_paired"`
			PUnpaired float64 `json:"p_unpaired"`
			PHolm     float64 `json:"p_holm"`
		}
	}
	if err := json.Unmarshal([]byte(lines[1]), &row); err != nil {
		t.Fatal(err)
	}
	// Differences 0.1, 0.09, 0.08: p = 2/2³ paired, 2/C(6, 3) unpaired.
	if m := row.Metrics["nmi"]; row.Method != "deepcluster" || m.PPaired != 0.25 || m.PHolm != 0.25 || math.Abs(m.PUnpaired-0.1) > 1e-12 {
		t.Errorf("row 2 = %+v, want deepcluster with p_paired 0.25, p_holm 0.25, p_unpaired 0.1", row)
	}
	// --out writes the same lines to a file.
	path := filepath.Join(dir, "rows.jsonl")
	if code, _, errOut := runCLI("report", a, "--json", "--out", path); code != 0 {
		t.Fatalf("--out: status %d, stderr %q", code, errOut)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != out {
		t.Errorf("%s holds %q (%v), want %q", path, got, err, out)
	}
}

func TestReportOut(t *testing.T) {
	dir := t.TempDir()
	a := writeRecords(t, dir, "my runs.jsonl", map[string][]float64{"sela": {0.5, 0.6}, "deepcluster": {0.1}}, "")
	md := filepath.Join(dir, "r.md")
	code, out, errOut := runCLI("report", "--out", md, "--title", "Smoke", "--note", "Made by *hand*.", "--", a)
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	if want := "wrote " + md + " (and its figures, PNG, beside it): 2 rows from 3 records\n"; out != want || errOut != "" {
		t.Errorf("stdout %q, stderr %q; want %q and nothing", out, errOut, want)
	}
	got, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	// The command quotes the path with a space so that a shell reads it back.
	for _, want := range []string{"# Smoke\n\nMade by *hand*.\n\n", "| deepcluster |     1 |    0.1000 (n=1) |", "selabench report --out " + md + " --title Smoke --note 'Made by *hand*.' -- '" + a + "'\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("%s lacks %q:\n%s", md, want, got)
		}
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeRecords(t, dir, "good.jsonl", map[string][]float64{"sela": {0.5}}, "")
	old := filepath.Join(dir, "old.jsonl")
	os.WriteFile(old, []byte(`{"record_version": 0}`+"\n"), 0o644)
	// A damaged first line followed by a good record: an error, not a warning.
	goodLine, _ := os.ReadFile(good)
	corrupt := filepath.Join(dir, "corrupt.jsonl")
	os.WriteFile(corrupt, append([]byte("{oops\n"), goodLine...), 0o644)
	for _, test := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report"}, 2, "give at least one RESULTS.jsonl file"},
		{[]string{"report", "--out", filepath.Join(dir, "r.md")}, 2, "give at least one RESULTS.jsonl file"},
		{[]string{"report", good, "--bogus"}, 2, "bogus"},
		{[]string{"report", good, "--metric", "f1"}, 2, `--metric: unknown metric "f1"`},
		{[]string{"report", good, "--baseline", "byol"}, 2, `--baseline: reports: invalid option: baseline "byol" is no row's method`},
		{[]string{"report", good, "--baseline", "2"}, 2, "baseline row 2 out of range"},
		{[]string{"report", good, "--columns", "knn,f1"}, 2, `--columns: reports: invalid option: unknown metric "f1"`},
		{[]string{"report", good, "--columns", "knn"}, 2, `--metric: reports: invalid option: the tested metric "nmi" is not among the columns knn`},
		{[]string{"report", good, "--by", "colour"}, 2, `--by: reports: invalid option: "colour" is not a configuration field other than method`},
		{[]string{"report", filepath.Join(dir, "missing.jsonl")}, 1, filepath.Join(dir, "missing.jsonl")},
		{[]string{"report", old}, 1, "no usable records in " + old},
		{[]string{"report", corrupt}, 1, corrupt + ":1: not a valid record"},
		{[]string{"report", good, "--out", filepath.Join(good, "r.md")}, 1, "--out: mkdir " + good},
	} {
		code, _, errOut := runCLI(test.args...)
		if code != test.code || !strings.Contains(errOut, test.want) {
			t.Errorf("%v: status %d, stderr %q; want status %d mentioning %q", test.args, code, errOut, test.code, test.want)
		}
	}
	// --out creates the report's directory.
	nested := filepath.Join(dir, "new", "dir", "r.md")
	if code, _, errOut := runCLI("report", good, "--out", nested); code != 0 {
		t.Errorf("--out in a new directory: status %d, stderr %q", code, errOut)
	} else if _, err := os.Stat(nested); err != nil {
		t.Errorf("--out in a new directory: %v", err)
	}
	// The excluded record is named on stderr before the failure.
	if _, _, errOut := runCLI("report", old); !strings.Contains(errOut, old+":1: excluded: record_version 0") {
		t.Errorf("stderr %q does not name the excluded record", errOut)
	}
}

func TestShellCommand(t *testing.T) {
	got := shellCommand([]string{"selabench", "report", "a b.jsonl", "it's", "", "--out=r.md"})
	if want := `selabench report 'a b.jsonl' 'it'\''s' '' --out=r.md`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestReportBench(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.txt")
	if err := os.WriteFile(old, []byte("BenchmarkX-2 10 100 ns/op\nBenchmarkX-2 10 110 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("report", "--bench", old)
	if code != 0 || !strings.Contains(out, "| X-2 ") || !strings.Contains(out, "sec/op") {
		t.Errorf("status %d, stdout %q, stderr %q", code, out, errOut)
	}
	md := filepath.Join(dir, "bench.md")
	if code, out, errOut = runCLI("report", "--bench", old, old, "--out", md); code != 0 || !strings.Contains(out, "wrote "+md) {
		t.Errorf("--out: status %d, stdout %q, stderr %q", code, out, errOut)
	}
	if b, err := os.ReadFile(md); err != nil || !strings.Contains(string(b), "change") {
		t.Errorf("--out file: %v\n%s", err, b)
	}
	// A title and a note frame the table, and the command that remakes it follows.
	code, out, _ = runCLI("report", "--bench", old, "--title", "Speed", "--note", "One machine.")
	if code != 0 || !strings.HasPrefix(out, "# Speed\n\nOne machine.\n\n|") || !strings.Contains(out, "selabench report --bench "+old+" --title Speed --note 'One machine.'") {
		t.Errorf("title and note: status %d\n%s", code, out)
	}
	if code, _, errOut = runCLI("report", "--bench", old, old, old); code != 2 || !strings.Contains(errOut, "one or two") {
		t.Errorf("three files: status %d, stderr %q", code, errOut)
	}
	if code, _, errOut = runCLI("report", "--bench", filepath.Join(dir, "none.txt")); code != 1 || !strings.Contains(errOut, "none.txt") {
		t.Errorf("missing file: status %d, stderr %q", code, errOut)
	}
}
