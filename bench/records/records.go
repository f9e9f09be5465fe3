// Package records stores run records: the JSON Lines files that `selabench run`,
// the main job and sweeps write, one [bench.Record] per line, and that sweeps
// (resume, merge) and reports read. It is the one way in and out of those files.
//
// # The file format
//
// A records file holds one JSON object per line, each a bench.Record whose
// record_version is [bench.RecordVersion]; blank lines are allowed. Writers
// ([Append]) never leave a partial line: a line is appended by rewriting the file
// beside itself and renaming it, so a run killed at any moment leaves the old file
// or the old file plus the whole new line.
//
// Readers ([Scanner], [Read], [ReadLocated]) hold every line to the format, with
// three tolerances, each reported as a [Warning] that names the file and line:
//
//   - a last non-blank line that is not valid JSON is taken for the tail of a
//     writer without that guarantee that crashed mid-line, and skipped;
//   - a record of another record_version is excluded, so that records of
//     different layouts are never mixed;
//   - a file without usable records is noted ([Read], [ReadLocated]).
//
// An invalid line anywhere else is an error naming the file and line, since
// skipping it would drop a run silently.
package records

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/internal/atomicfile"
)

// A Warning is a problem with the input that did not stop the reading: a line
// skipped, a record excluded, or (from the readers' users) a duplicate dropped.
// File and Line are empty and 0 when the warning is about a group of records
// rather than one line.
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

// A Located record is a record with the file and 1-based line it was read from.
type Located struct {
	*bench.Record
	File string
	Line int
}

func (l Located) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// A Scanner reads the records of one file, line by line, in the manner of
// bufio.Scanner and golang.org/x/perf/benchfmt.Reader:
//
//	s := records.NewScanner(f, "runs.jsonl")
//	for s.Scan() {
//		use(s.Record())
//	}
//	if err := s.Err(); err != nil { … }
//
// Lines may be of any length.
type Scanner struct {
	r     *bufio.Reader
	name  string
	line  int // the line number of the last line read
	rec   Located
	warns []Warning
	err   error
	done  bool
}

// NewScanner returns a Scanner reading r; name is the file name that records,
// warnings and errors carry.
func NewScanner(r io.Reader, name string) *Scanner {
	return &Scanner{r: bufio.NewReader(r), name: name}
}

// next returns the next line without its newline, and false at the end of the
// input or on a read error (then in s.err).
func (s *Scanner) next() ([]byte, bool) {
	if s.done {
		return nil, false
	}
	l, err := s.r.ReadBytes('\n')
	if err != nil {
		s.done = true
		if !errors.Is(err, io.EOF) {
			s.err = fmt.Errorf("records: %s: %w", s.name, err)
			return nil, false
		}
		if len(l) == 0 {
			return nil, false
		}
	}
	s.line++
	return bytes.TrimSuffix(l, []byte("\n")), true
}

// Scan advances to the next record of the current record_version, and reports
// whether there is one. It returns false at the end of the input or on an error.
func (s *Scanner) Scan() bool {
	for s.err == nil {
		l, ok := s.next()
		if !ok {
			return false
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		rec := new(bench.Record)
		if err := json.Unmarshal(l, rec); err != nil {
			s.invalid(s.line, err)
			return false
		}
		if rec.Version != bench.RecordVersion {
			s.warns = append(s.warns, Warning{s.name, s.line, fmt.Sprintf("excluded: record_version %d, this reader reads version %d", rec.Version, bench.RecordVersion)})
			continue
		}
		s.rec = Located{rec, s.name, s.line}
		return true
	}
	return false
}

// invalid handles line n, which is not a record: if it is the last non-blank
// line, a warning; otherwise an error.
func (s *Scanner) invalid(n int, err error) {
	for {
		l, ok := s.next()
		if !ok {
			if s.err == nil {
				s.warns = append(s.warns, Warning{s.name, n, fmt.Sprintf("skipped the last line, which is not a complete record (a crashed writer?): %v", err)})
			}
			return
		}
		if len(bytes.TrimSpace(l)) > 0 {
			s.err = fmt.Errorf("records: %s:%d: not a valid record: %w", s.name, n, err)
			s.done = true
			return
		}
	}
}

// Record returns the record the last successful Scan read.
func (s *Scanner) Record() Located { return s.rec }

// Warnings returns the warnings met so far (lines skipped, records excluded).
func (s *Scanner) Warnings() []Warning { return s.warns }

// Err returns the error that ended the scan, or nil at the end of the input.
func (s *Scanner) Err() error { return s.err }

// ReadLocated reads the records of the files at paths, in the order given, lines
// in file order, keeping where each was read. A file that cannot be read is an
// error naming it; a file without records earns a warning. The error, when not
// nil, is the first one met; records and warnings are then nil.
func ReadLocated(paths ...string) ([]Located, []Warning, error) {
	var recs []Located
	var warns []Warning
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("records: %w", err)
		}
		s := NewScanner(f, path)
		n := 0
		for s.Scan() {
			recs = append(recs, s.Record())
			n++
		}
		f.Close()
		if err := s.Err(); err != nil {
			return nil, nil, err
		}
		warns = append(warns, s.Warnings()...)
		if n == 0 {
			warns = append(warns, Warning{File: path, Msg: "no usable records"})
		}
	}
	return recs, warns, nil
}

// Read is ReadLocated without the locations.
func Read(paths ...string) ([]*bench.Record, []Warning, error) {
	located, warns, err := ReadLocated(paths...)
	if err != nil {
		return nil, nil, err
	}
	recs := make([]*bench.Record, len(located))
	for i, l := range located {
		recs[i] = l.Record
	}
	return recs, warns, nil
}

// Append appends rec as one JSON line to the records file at path, atomically:
// the file is rewritten beside itself and renamed, so a run killed at any moment
// leaves either the old file or the old file plus the whole new line — never a
// partial line. A damaged last line already in the file (from a writer without
// this guarantee) is an error, not silently extended.
func Append(path string, rec *bench.Record) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("records: %s: %w", path, err)
	}
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("records: %w", err)
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		return fmt.Errorf("records: %s: the last line is incomplete (a crashed writer?); repair the file before appending", path)
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		perm = st.Mode().Perm()
	}
	return atomicfile.WriteFile(path, perm, func(w io.Writer) error {
		if _, err := w.Write(old); err != nil {
			return err
		}
		_, err := w.Write(append(line, '\n'))
		return err
	})
}

// CheckWritable reports whether a file can be created at path (its directory
// exists and is writable), without leaving anything behind: runs call it before
// training so that a bad --out fails in a second, not after an hour.
func CheckWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("records: %s is a directory", path)
	}
	err := atomicfile.WriteFile(path, 0o644, func(io.Writer) error { return errProbe })
	if errors.Is(err, errProbe) {
		return nil
	}
	return err
}

var errProbe = errors.New("probe")
