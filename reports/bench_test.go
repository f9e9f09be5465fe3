package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeBench(t *testing.T, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	text := "goos: linux\ngoarch: amd64\npkg: x\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBenchComparison(t *testing.T) {
	old := writeBench(t, "old.txt",
		"BenchmarkSolve/n=10-2 100 1000 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 1010 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 990 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 1005 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 995 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 lots ns/op",
	)
	newer := writeBench(t, "new.txt",
		"BenchmarkSolve/n=10-2 100 500 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 505 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 495 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 502 ns/op 5 iters/op",
		"BenchmarkSolve/n=10-2 100 498 ns/op 5 iters/op",
		"BenchmarkOnlyNew-2 10 7 ns/op",
	)
	so, warns, err := ReadBench(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || warns[0].Line != 9 {
		t.Errorf("warnings %v, want one for line 9 (the malformed value)", warns)
	}
	if len(so) != 2 || so[0].Unit != "sec/op" || len(so[0].Values) != 5 || so[1].Unit != "iters/op" {
		t.Fatalf("series %+v", so)
	}
	sn, _, err := ReadBench(newer)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteBenchMarkdown(&b, so, sn, "old", "new"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// Medians 1000 ns and 500 ns: −50 %. Five against five fully separated values:
	// the exact two-sided Mann–Whitney p is 2/C(10,5) = 2/252 = 0.0079. The
	// iteration counts are equal: no change ("~", p = 1).
	for _, want := range []string{"1.000µ", "500.0n", "-50.00 %", "0.008", " ~ | 1.000 |", "OnlyNew-2", "± ∞: too few runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := ReadBench(writeBench(t, "empty.txt", "PASS")); err == nil || !strings.Contains(err.Error(), "no benchmark results") {
		t.Errorf("file without results: %v", err)
	}
	if _, _, err := ReadBench(filepath.Join(t.TempDir(), "missing.txt")); err == nil {
		t.Errorf("missing file: no error")
	}
}

// With six runs the median has a finite 95 % interval.
func TestBenchInterval(t *testing.T) {
	path := writeBench(t, "six.txt",
		"BenchmarkX 1 100 ns/op", "BenchmarkX 1 101 ns/op", "BenchmarkX 1 102 ns/op",
		"BenchmarkX 1 99 ns/op", "BenchmarkX 1 98 ns/op", "BenchmarkX 1 100 ns/op")
	s, _, err := ReadBench(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteBenchMarkdown(&b, s, nil, "six", ""); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Contains(out, "∞") || !strings.Contains(out, "100.0n ± ") {
		t.Errorf("table:\n%s", out)
	}
}
