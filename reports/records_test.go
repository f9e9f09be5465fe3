package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
)

// mkRec returns a version-current record of method on mnist's test split with the
// given seed and NMI; the other metrics are derived from nmi so that each column
// differs.
func mkRec(method string, seed uint64, nmi float64) *bench.Record {
	c := bench.DefaultConfig(method, "mnist")
	c.Seed = seed
	return &bench.Record{
		Version: bench.RecordVersion,
		Started: "2026-01-02T03:04:05Z",
		Config:  c,
		Data:    bench.DataInfo{Dataset: "mnist", Train: 60000, Eval: 10000, EvalSplit: "test", Dim: 784, Classes: 10},
		Env: bench.Env{GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPU: "Test CPU", NumCPU: 2, GOMAXPROCS: 2,
			Module: "github.com/selabench/selabench", Version: "(devel)", Commit: "abc123"},
		Timings: bench.Timings{Total: 100 + float64(seed)},
		Final: bench.Final{Split: "test", NMI: nmi, ARI: nmi / 2, ACC: nmi + 0.1, ManyToOne: nmi + 0.2,
			LinearProbe: 0.9, KNN: 0.8, EffectiveClusters: 9.5},
	}
}

func jsonLine(t *testing.T, r *bench.Record) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadRecords(t *testing.T) {
	dir := t.TempDir()
	r0, r1, r2 := jsonLine(t, mkRec("sela", 0, 0.5)), jsonLine(t, mkRec("sela", 1, 0.6)), jsonLine(t, mkRec("sela", 2, 0.7))
	old := mkRec("sela", 3, 0.8)
	old.Version = bench.RecordVersion + 1
	// a: two records around blank lines, then half a record (a crashed writer) and
	// a trailing blank line: the half line is the last non-blank one, line 5.
	a := writeFile(t, dir, "a.jsonl", r0+"\n"+r1+"\n"+r2[:len(r2)/2]+"\n\n")
	// b: a record of another version on line 2, between two good ones.
	b := writeFile(t, dir, "b.jsonl", r2+jsonLine(t, old)+r0)
	empty := writeFile(t, dir, "empty.jsonl", "")
	recs, warns, err := ReadRecords(a, b, empty)
	if err != nil {
		t.Fatal(err)
	}
	var nmis []float64
	for _, r := range recs {
		nmis = append(nmis, r.Final.NMI)
	}
	if want := []float64{0.5, 0.6, 0.7, 0.5}; !slices.Equal(nmis, want) {
		t.Errorf("read NMIs %v, want %v", nmis, want)
	}
	if len(warns) != 3 {
		t.Fatalf("warnings %v, want 3", warns)
	}
	for i, want := range []string{
		a + ":5: skipped the last line",
		b + ":2: excluded: record_version 2, this report reads version 1",
		empty + ": no usable records",
	} {
		if !strings.HasPrefix(warns[i].String(), want) {
			t.Errorf("warning %d = %q, want it to start with %q", i, warns[i], want)
		}
	}
}

func TestReadRecordsErrors(t *testing.T) {
	dir := t.TempDir()
	r0 := jsonLine(t, mkRec("sela", 0, 0.5))
	for _, test := range []struct {
		name, content, want string
	}{
		// A damaged line that is not the last one is an error, not skipped.
		{"middle.jsonl", r0 + "{\"record_version\": 1, \"con\n" + r0, "middle.jsonl:2: not a valid record"},
		{"notobject.jsonl", "[1, 2]\n" + r0, "notobject.jsonl:1: not a valid record"},
		{"badfield.jsonl", `{"record_version": "one"}` + "\n" + r0, "badfield.jsonl:1:"},
	} {
		path := writeFile(t, dir, test.name, test.content)
		recs, warns, err := ReadRecords(path)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: err = %v, want it to mention %q", test.name, err, test.want)
		}
		if recs != nil || warns != nil {
			t.Errorf("%s: returned records or warnings with the error", test.name)
		}
	}
	missing := filepath.Join(dir, "missing.jsonl")
	if _, _, err := ReadRecords(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v", err)
	}
}
