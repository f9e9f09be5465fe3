package records

import (
	"bytes"
	"testing"

	"github.com/selabench/selabench/bench"
)

// FuzzScanner: any byte string gives records and warnings or an error, never a
// panic; every record read is of the current version, and an error ends the scan.
func FuzzScanner(f *testing.F) {
	r0 := jsonLine(f, mkRec("sela", 0, 0.5))
	old := mkRec("sela", 1, 0.6)
	old.Version = bench.RecordVersion + 1
	for _, s := range []string{r0, r0 + r0[:40], r0 + "{\n" + r0, "\n\n" + jsonLine(f, old), `{"record_version": 1, "config": {"seed": -1}}`, "[1]\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewScanner(bytes.NewReader(data), "f.jsonl")
		prev := 0
		for s.Scan() {
			rec := s.Record()
			if rec.Version != bench.RecordVersion || rec.Line <= prev {
				t.Fatalf("record version %d on line %d after line %d", rec.Version, rec.Line, prev)
			}
			prev = rec.Line
		}
		if s.Err() != nil && s.Scan() {
			t.Fatalf("Scan went on after the error %v", s.Err())
		}
	})
}
