package reports

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
)

// threeRows summarises sela and deepcluster on MNIST (three seeds each) and one
// seed of sela on Fashion-MNIST at another λ, which is not compared.
func threeRows(t *testing.T) *Summary {
	t.Helper()
	other := mkRec("sela", 0, 0.9)
	other.Config.Lambda, other.Config.Dataset, other.Data.Dataset = 10, "fashion-mnist", "fashion-mnist"
	in := slices.Concat(recs("sela", 0.50, 0.52, 0.54), recs("deepcluster", 0.60, 0.61, 0.62), []*bench.Record{other})
	s, err := Summarize(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWriteMarkdown(t *testing.T) {
	s := threeRows(t)
	var b strings.Builder
	opt := MarkdownOptions{Command: "selabench report 'my runs.jsonl'", Warnings: []Warning{{File: "a.jsonl", Line: 3, Msg: "skipped the last line"}}}
	if err := WriteMarkdown(&b, s, opt); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	lines := strings.Split(md, "\n")
	if lines[0] != "# Results on mnist, fashion-mnist (test)" {
		t.Errorf("title %q", lines[0])
	}
	// The header: method, then only the fields that vary (dataset, lambda — not
	// epochs, k, …), seeds, every metric and the test columns.
	header := strings.Fields(strings.NewReplacer("|", " ").Replace(lines[2]))
	want := strings.Fields("method dataset lambda seeds NMI ARI ACC m2o ACC linear probe kNN eff. clusters time (s) Δ NMI vs row 1 p p (Holm)")
	if !slices.Equal(header, want) {
		t.Errorf("header %q, want %q", header, want)
	}
	cells := func(line string) []string {
		var c []string
		for _, f := range strings.Split(strings.Trim(line, "|"), "|") {
			c = append(c, strings.TrimSpace(f))
		}
		return c
	}
	for i, want := range [][]string{
		// 0.0496827542368751 (scipy, see TestSummarizeStats) rounds to 0.0497; ARI = NMI/2
		// so its half-width is half; timings.total 100, 101, 102: 101.0 ± 2.5.
		{"sela", "mnist", "25", "3", "0.5200 ± 0.0497", "0.2600 ± 0.0248", "0.6200 ± 0.0497", "0.7200 ± 0.0497", "0.9000 ± 0.0000", "0.8000 ± 0.0000", "9.50 ± 0.00", "101.0 ± 2.5", "baseline", "", ""},
		{"deepcluster", "mnist", "25", "3", "0.6100 ± 0.0248", "0.3050 ± 0.0124", "0.7100 ± 0.0248", "0.8100 ± 0.0248", "0.9000 ± 0.0000", "0.8000 ± 0.0000", "9.50 ± 0.00", "101.0 ± 2.5",
			// Paired differences 0.1, 0.09, 0.08: t-interval 0.09 ± t(0.975; 2)·0.01/√3;
			// a resample mean is 0.08 with probability 1/27 > 2.5 %, so the bootstrap
			// interval is [0.08, 0.1]; all positive: p = 2/2³; one compared row: Holm = p.
			"+0.0900 ± 0.0248 [+0.0800, +0.1000]", "0.25", "0.25"},
		{"sela", "fashion-mnist", "10", "1", "0.9000 (n=1)", "0.4500 (n=1)", "1.0000 (n=1)", "1.1000 (n=1)", "0.9000 (n=1)", "0.8000 (n=1)", "9.50 (n=1)", "100.0 (n=1)", "—", "—", "—"},
	} {
		if got := cells(lines[4+i]); !slices.Equal(got, want) {
			t.Errorf("row %d:\n got %q\nwant %q", i+1, got, want)
		}
	}
	for _, want := range []string{
		"95 % confidence interval, h = t(0.975; n−1)·s/√n",
		"of the per-seed differences with the baseline, row 1 (sela on mnist/test)",
		"with 5 or fewer paired seeds no difference can reach p < 0.05",
		"Here row 2 cannot reach p < 0.05",
		"## Warnings\n\n- a.jsonl:3: skipped the last line\n",
		"- records: 7\n- started: 2026-01-02T03:04:05Z\n- Go: go1.26.8 (all)\n- platform: linux/amd64 (all)\n- CPU: Test CPU (2 CPUs) (all)\n- GOMAXPROCS: 2 (all)\n- module: github.com/selabench/selabench@(devel) commit abc123 (all)\n",
		"## Regenerate\n\n```sh\nselabench report 'my runs.jsonl'\n```\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}

	// Without a command or warnings those sections are left out; a title is used as given.
	b.Reset()
	if err := WriteMarkdown(&b, s, MarkdownOptions{Title: "MNIST"}); err != nil {
		t.Fatal(err)
	}
	if md := b.String(); !strings.HasPrefix(md, "# MNIST\n") || strings.Contains(md, "## Regenerate") || strings.Contains(md, "## Warnings") {
		t.Errorf("bare report:\n%s", md)
	}
}

func TestWriteFile(t *testing.T) {
	s, err := Summarize(recs("sela", 0.5, 0.6), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "r.md")
	os.WriteFile(path, []byte("old"), 0o644)
	if err := WriteFile(path, s, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	WriteMarkdown(&want, s, MarkdownOptions{})
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want.String() {
		t.Errorf("file holds %q (%v), want %q", got, err, want.String())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left %d files behind", len(ents))
	}
	bad := filepath.Join(dir, "no", "r.md")
	if err := WriteFile(bad, s, MarkdownOptions{}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("missing directory: err = %v", err)
	}
}

func TestFormatStat(t *testing.T) {
	for _, test := range []struct {
		s    Stat
		d    int
		want string
	}{
		{Stat{Values: []float64{1, 2}, Mean: 1.5, Lo: 1.25, Hi: 1.75}, 2, "1.50 ± 0.25"},
		{Stat{Values: []float64{1}, Mean: 1, Lo: math.Inf(-1), Hi: math.Inf(1)}, 3, "1.000 (n=1)"},
	} {
		if got := FormatStat(test.s, test.d); got != test.want {
			t.Errorf("FormatStat(%+v, %d) = %q, want %q", test.s, test.d, got, test.want)
		}
	}
}
