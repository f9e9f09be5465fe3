package records

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/selabench/selabench/bench"
)

// mkRec returns a version-current record of method with the given seed and NMI.
func mkRec(method string, seed uint64, nmi float64) *bench.Record {
	c := bench.DefaultConfig(method, "mnist")
	c.Seed = seed
	return &bench.Record{Version: bench.RecordVersion, Config: c, Final: bench.Final{NMI: nmi}}
}

func jsonLine(t testing.TB, r *bench.Record) string {
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

func TestRead(t *testing.T) {
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
	recs, warns, err := Read(a, b, empty)
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
		b + ":2: excluded: record_version 2, this reader reads version 1",
		empty + ": no usable records",
	} {
		if !strings.HasPrefix(warns[i].String(), want) {
			t.Errorf("warning %d = %q, want it to start with %q", i, warns[i], want)
		}
	}
}

func TestReadErrors(t *testing.T) {
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
		recs, warns, err := Read(path)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: err = %v, want it to mention %q", test.name, err, test.want)
		}
		if recs != nil || warns != nil {
			t.Errorf("%s: returned records or warnings with the error", test.name)
		}
	}
	missing := filepath.Join(dir, "missing.jsonl")
	if _, _, err := Read(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestAppend(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.jsonl")
	for i := range 2 {
		if err := Append(path, &bench.Record{Version: bench.RecordVersion, Config: bench.Config{Seed: uint64(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), b)
	}
	for i, l := range lines {
		var r bench.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Config.Seed != uint64(i) {
			t.Errorf("line %d: %v, seed %d", i, err, r.Config.Seed)
		}
	}
	// A damaged last line is refused, and the file is left as it was.
	damaged := append(b, `{"record_version":1,"con`...)
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Append(path, &bench.Record{}); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("append after a damaged line: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(damaged) {
		t.Errorf("the damaged file was modified")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want 1 (no temporary left)", len(entries))
	}
	if err := CheckWritable(filepath.Join(dir, "missing", "x.jsonl")); err == nil {
		t.Errorf("CheckWritable accepted a path in a missing directory")
	}
	if err := CheckWritable(dir); err == nil {
		t.Errorf("CheckWritable accepted a directory")
	}
	if err := CheckWritable(filepath.Join(dir, "new.jsonl")); err != nil {
		t.Errorf("CheckWritable: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.jsonl")); !os.IsNotExist(err) {
		t.Errorf("CheckWritable left a file behind")
	}
}

// TestScanner: lines of any length, a last line without its newline, and the
// line numbers records, warnings and errors carry.
func TestScanner(t *testing.T) {
	big := mkRec("sela", 4, 0.4)
	big.Started = strings.Repeat("x", 1<<20) // far beyond bufio.Scanner's default token size
	r0, r1 := jsonLine(t, mkRec("sela", 0, 0.5)), jsonLine(t, big)
	s := NewScanner(strings.NewReader("\n"+r0+r1+strings.TrimSuffix(r0, "\n")), "in.jsonl")
	var lines []int
	for s.Scan() {
		lines = append(lines, s.Record().Line)
		if s.Record().File != "in.jsonl" {
			t.Errorf("record from %q", s.Record().File)
		}
	}
	if s.Err() != nil || len(s.Warnings()) != 0 {
		t.Fatalf("err %v, warnings %v", s.Err(), s.Warnings())
	}
	if want := []int{2, 3, 4}; !slices.Equal(lines, want) {
		t.Errorf("records on lines %v, want %v", lines, want)
	}
	// A read error is an error naming the file, not the end of the records.
	s = NewScanner(io.MultiReader(strings.NewReader(r0), iotest.ErrReader(errors.New("disk on fire"))), "in.jsonl")
	n := 0
	for s.Scan() {
		n++
	}
	if n != 1 || s.Err() == nil || !strings.Contains(s.Err().Error(), "in.jsonl: disk on fire") {
		t.Errorf("%d records, err %v", n, s.Err())
	}
}
