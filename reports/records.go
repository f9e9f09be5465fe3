package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/selabench/selabench/bench"
)

// A Warning is a problem with the input that did not stop the report: a line
// skipped, a record excluded, a duplicate dropped. File and Line are empty and 0
// when the warning is about a group of records rather than one line.
type Warning struct {
	File string
	Line int // 1-based
	Msg  string
}

func (w Warning) String() string {
	switch {
	case w.File != "" && w.Line > 0:
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
	case w.File != "":
		return w.File + ": " + w.Msg
	}
	return w.Msg
}

// ReadRecords reads the run records of the JSON Lines files at paths (the files
// bench.AppendRecord writes), in the order given, lines in file order.
//
// Blank lines are ignored. A last non-blank line that is not valid JSON is taken
// for the tail of a writer that crashed mid-line: it is skipped with a warning
// naming the file and line. An invalid line anywhere else is an error naming the
// file and line, since skipping it would drop a run silently. A record whose
// record_version is not [bench.RecordVersion] is excluded with a warning naming
// the file, line and both versions, so that records of different layouts are
// never mixed. An unreadable file is an error naming it; a file without records
// earns a warning.
//
// The error, when not nil, is the first one met; records and warnings are then nil.
func ReadRecords(paths ...string) ([]*bench.Record, []Warning, error) {
	located, warns, err := ReadRecordLines(paths...)
	if err != nil {
		return nil, nil, err
	}
	recs := make([]*bench.Record, len(located))
	for i, l := range located {
		recs[i] = l.Record
	}
	return recs, warns, nil
}

// A Located record is a record with the file and 1-based line it was read from.
type Located struct {
	*bench.Record
	File string
	Line int
}

func (l Located) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// ReadRecordLines is ReadRecords keeping where each record was read.
func ReadRecordLines(paths ...string) ([]Located, []Warning, error) {
	var recs []Located
	var warns []Warning
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("reports: %w", err)
		}
		lines := bytes.Split(data, []byte("\n"))
		last := -1 // index of the last non-blank line
		for i, l := range lines {
			if len(bytes.TrimSpace(l)) > 0 {
				last = i
			}
		}
		n := 0
		for i, l := range lines {
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			rec := new(bench.Record)
			if err := json.Unmarshal(l, rec); err != nil {
				if i == last {
					warns = append(warns, Warning{path, i + 1, fmt.Sprintf("skipped the last line, which is not a complete record (a crashed writer?): %v", err)})
					continue
				}
				return nil, nil, fmt.Errorf("reports: %s:%d: not a valid record: %w", path, i+1, err)
			}
			if rec.Version != bench.RecordVersion {
				warns = append(warns, Warning{path, i + 1, fmt.Sprintf("excluded: record_version %d, this report reads version %d", rec.Version, bench.RecordVersion)})
				continue
			}
			recs = append(recs, Located{rec, path, i + 1})
			n++
		}
		if n == 0 {
			warns = append(warns, Warning{File: path, Msg: "no usable records"})
		}
	}
	return recs, warns, nil
}
