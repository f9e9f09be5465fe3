package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/bench/records"
	"github.com/selabench/selabench/datasets"
)

func init() {
	register(&command{
		name:    "verify",
		summary: "re-run run records with selabench run's flags and check that they come out the same, bit for bit",
		run:     runVerify,
	})
}

// runVerify re-runs records: for each, it writes the `selabench run` flags of
// the record's configuration, parses them back as run does (a configuration
// that does not come back is an error of this program), runs the configuration
// parsed from them and compares the new record with the old one, without what
// depends on the clock or the machine (bench.Record.Reproducible).
func runVerify(args []string, out, errOut io.Writer) error {
	fs := newFlags("verify", "selabench verify RESULTS.jsonl... [--cell HASH,...] [--flags] [--data DIR]", errOut)
	cells := fs.String("cell", "", "comma-separated cells (configuration hashes, or unique prefixes of them) to re-run; default every record")
	onlyFlags := fs.Bool("flags", false, "print each record's selabench run command without running it")
	dataDir := fs.String("data", "", "directory holding the datasets' files (default: $SELABENCH_DATA/NAME, then the built-in places)")
	progress := progressFlag(fs)
	paths, err := parseInterspersed(fs, args, out)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("no results files given")
	}
	recs, warns, err := records.ReadLocated(paths...)
	if err != nil {
		return err
	}
	for _, w := range warns {
		fmt.Fprintf(errOut, "selabench verify: %s\n", w)
	}
	if recs, err = selectCells(recs, *cells); err != nil {
		return err
	}
	loaded := map[string]*datasets.Dataset{}
	differ := 0
	for _, r := range recs {
		runArgs, c, err := recordFlags(r.Config)
		if err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
		fmt.Fprintf(out, "%s: cell %s (%s, seed %d): selabench run %s\n", r, r.Config.Hash(), r.Config.Method, r.Config.Seed, strings.Join(runArgs, " "))
		if *onlyFlags {
			continue
		}
		ds := loaded[r.Config.Dataset]
		if ds == nil {
			if ds, err = bench.LoadDataset(r.Config.Dataset, *dataDir); err != nil {
				return err
			}
			loaded[r.Config.Dataset] = ds
		}
		start := time.Now()
		report, done := progress(errOut, r.Config.Method)
		rec, err := bench.Run(c, ds, bench.RunOptions{Progress: report})
		done()
		if err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
		diffs, err := recordDiffs(r.Record, rec)
		if err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
		took := fmt.Sprintf("%.0f s; the record took %.0f s", time.Since(start).Seconds(), r.Timings.Total)
		if len(diffs) == 0 {
			fmt.Fprintf(out, "  same bits (%s)\n", took)
			continue
		}
		differ++
		fmt.Fprintf(out, "  DIFFERENT (%s): %d fields, among them:\n", took, len(diffs))
		for _, d := range diffs[:min(len(diffs), 10)] {
			fmt.Fprintf(out, "    %s\n", d)
		}
	}
	if differ > 0 {
		return fmt.Errorf("%d of %d records came out different", differ, len(recs))
	}
	return nil
}

// selectCells keeps the records whose cell is in the comma-separated list
// (each entry a hash or a prefix matching one cell of the records), or all of
// them for an empty list.
func selectCells(recs []records.Located, list string) ([]records.Located, error) {
	if list == "" {
		return recs, nil
	}
	want := map[string]bool{}
	for p := range strings.SplitSeq(list, ",") {
		var match []string
		for _, r := range recs {
			if h := r.Config.Hash(); strings.HasPrefix(h, p) && !slices.Contains(match, h) {
				match = append(match, h)
			}
		}
		switch {
		case p == "":
			return nil, usagef("--cell: empty entry in %q", list)
		case len(match) == 0:
			return nil, usagef("--cell: no record of cell %q", p)
		case len(match) > 1:
			return nil, usagef("--cell: %q matches cells %s", p, strings.Join(match, ", "))
		}
		want[match[0]] = true
	}
	var kept []records.Located
	for _, r := range recs {
		if want[r.Config.Hash()] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// recordFlags returns the selabench run flags that give configuration c
// (--method, then the run flags whose values differ from run's defaults) and
// the configuration run makes of them, which it checks is c.
func recordFlags(c bench.Config) ([]string, bench.Config, error) {
	defFS, _ := runConfigFlags(io.Discard)
	recFS, rc := runConfigFlags(io.Discard)
	*rc = c
	args := []string{"--method", c.Method}
	recFS.VisitAll(func(f *flag.Flag) {
		v := f.Value.String()
		if f.Name == "method" || v == defFS.Lookup(f.Name).Value.String() {
			return
		}
		switch b, ok := f.Value.(interface{ IsBoolFlag() bool }); {
		case ok && b.IsBoolFlag() && v == "true":
			args = append(args, "--"+f.Name)
		default:
			args = append(args, "--"+f.Name, v)
		}
	})
	fs, back := runConfigFlags(io.Discard)
	if err := fs.Parse(args); err != nil {
		return nil, c, fmt.Errorf("the flags %q of cell %s do not parse: %w", args, c.Hash(), err)
	}
	if err := runConfig(back); err != nil {
		return nil, c, fmt.Errorf("the flags %q of cell %s: %w", args, c.Hash(), err)
	}
	if h := back.Hash(); h != c.Hash() {
		return nil, c, fmt.Errorf("the flags %q give cell %s, not the record's %s", args, h, c.Hash())
	}
	return args, *back, nil
}

// recordDiffs lists the fields, as JSON paths with both values, in which two
// records of one configuration differ outside what depends on the clock or the
// machine; none means the same bits.
func recordDiffs(old, new *bench.Record) ([]string, error) {
	a, err := old.Reproducible()
	if err != nil {
		return nil, err
	}
	b, err := new.Reproducible()
	if err != nil {
		return nil, err
	}
	if bytes.Equal(a, b) {
		return nil, nil
	}
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return nil, err
	}
	var diffs []string
	jsonDiffs("", va, vb, &diffs)
	if len(diffs) == 0 { // equal values in different bytes, e.g. a field order
		diffs = append(diffs, "the records' JSON differs in form only")
	}
	return diffs, nil
}

// jsonDiffs appends "path: recorded X, now Y" for every leaf in which the
// decoded JSON values a and b differ.
func jsonDiffs(path string, a, b any, diffs *[]string) {
	show := func(v any) string {
		if v == nil {
			return "absent"
		}
		s, _ := json.Marshal(v)
		return string(s)
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, in := x[k]; !in {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			jsonDiffs(joinPath(path, k), x[k], y[k], diffs)
		}
		return
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			break
		}
		for i := range x {
			jsonDiffs(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], diffs)
		}
		return
	default: // a number, string, bool or null: equal as JSON text
		if show(a) == show(b) {
			return
		}
	}
	*diffs = append(*diffs, fmt.Sprintf("%s: recorded %s, now %s", path, show(a), show(b)))
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
