package reports

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"
)

// BenchSeries is one benchmark's measurements in one unit, read from `go test
// -bench` output (benchfmt): every -count repetition is one value.
type BenchSeries struct {
	Name, Unit string
	Values     []float64
}

// ReadBench reads the benchmark results of a `go test -bench` output file, in the
// order they first appear, one series per (benchmark, unit). Lines that are not
// results are skipped as benchfmt skips them; a malformed result line is a warning
// naming the file and line.
func ReadBench(path string) ([]BenchSeries, []Warning, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, path)
	var out []BenchSeries
	var warns []Warning
	index := map[[2]string]int{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			warns = append(warns, Warning{File: path, Line: rec.Line, Msg: rec.Msg})
		case *benchfmt.Result:
			name := string(rec.Name.Full())
			for _, v := range rec.Values {
				key := [2]string{name, v.Unit}
				i, ok := index[key]
				if !ok {
					i = len(out)
					index[key] = i
					out = append(out, BenchSeries{Name: name, Unit: v.Unit})
				}
				out[i].Values = append(out[i].Values, v.Value)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, warns, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, warns, fmt.Errorf("%s: no benchmark results", path)
	}
	return out, warns, nil
}

// WriteBenchMarkdown writes benchstat's comparison as a markdown table: for every
// series of old, its median and the 95 % confidence interval of the median (as ±
// percent, benchmath.AssumeNothing, as benchstat does), and when newer is not nil
// the new median, the change in percent and the Mann–Whitney U p-value, "~" when
// p ≥ 0.05 (no significant change). Series only in newer are listed after.
func WriteBenchMarkdown(w io.Writer, old, newer []BenchSeries, oldName, newName string) error {
	const conf = 0.95
	th := &benchmath.DefaultThresholds
	summary := func(s BenchSeries) (benchmath.Summary, *benchmath.Sample) {
		sample := benchmath.NewSample(s.Values, th)
		return benchmath.AssumeNothing.Summary(sample, conf), sample
	}
	tooFew := false
	cell := func(sum benchmath.Summary, unit string, n int) string {
		r := strings.TrimPrefix(sum.PctRangeString(), "±")
		if r == "∞" {
			tooFew = true
		}
		return fmt.Sprintf("%s ± %s (n=%d)", benchunit.Scale(sum.Center, benchunit.ClassOf(unit)), r, n)
	}
	t := Table{Header: []string{"benchmark", "unit", oldName}, Align: "llr"}
	if newer != nil {
		t.Header = append(t.Header, newName, "change", "p")
		t.Align += "rrr"
	}
	byKey := map[[2]string]BenchSeries{}
	for _, s := range newer {
		byKey[[2]string{s.Name, s.Unit}] = s
	}
	seen := map[[2]string]bool{}
	for _, s := range old {
		key := [2]string{s.Name, s.Unit}
		seen[key] = true
		so, sampleOld := summary(s)
		row := []string{s.Name, s.Unit, cell(so, s.Unit, len(s.Values))}
		if newer != nil {
			ns, ok := byKey[key]
			if !ok {
				row = append(row, "—", "—", "—")
			} else {
				sn, sampleNew := summary(ns)
				cmp := benchmath.AssumeNothing.Compare(sampleOld, sampleNew)
				change := "~"
				if cmp.P < cmp.Alpha && so.Center != 0 {
					change = fmt.Sprintf("%+.2f %%", 100*(sn.Center-so.Center)/math.Abs(so.Center))
				}
				row = append(row, cell(sn, ns.Unit, len(ns.Values)), change, fmt.Sprintf("%.3f", cmp.P))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	for _, s := range newer {
		if seen[[2]string{s.Name, s.Unit}] {
			continue
		}
		sn, _ := summary(s)
		t.Rows = append(t.Rows, []string{s.Name, s.Unit, "—", cell(sn, s.Unit, len(s.Values)), "—", "—"})
	}
	if err := t.Markdown(w); err != nil {
		return err
	}
	if tooFew {
		_, err := fmt.Fprintln(w, "\n± ∞: too few runs for a 95 % confidence interval of the median (it needs at least 6: run with -count 6 or more).")
		return err
	}
	return nil
}
