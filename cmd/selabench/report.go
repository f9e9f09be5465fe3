package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/selabench/selabench/bench/records"
	"github.com/selabench/selabench/internal/atomicfile"
	"github.com/selabench/selabench/reports"
)

func init() {
	register(&command{
		name:    "report",
		summary: "summarise run records over seeds into a markdown report (means, 95 % CIs, p-values)",
		run:     runReport,
	})
}

// reportFlags names the flag behind each reports.Options field.
var reportFlags = map[string]string{"Baseline": "--baseline", "By": "--by", "Compare": "--metric", "Columns": "--columns"}

func runReport(args []string, out, errOut io.Writer) error {
	fs := newFlags("report", "selabench report RESULTS.jsonl... [--out reports/NAME.md] [--baseline METHOD|ROW] [--by FIELD] [--metric nmi] [--columns nmi,…] [--title TITLE] [--json]  |  selabench report --bench OLD.txt [NEW.txt] [--out FILE.md]", errOut)
	benchMode := fs.Bool("bench", false, "the files are go test -bench outputs (OLD [NEW]): a benchstat-style markdown table of medians, changes and p-values")
	outPath := fs.String("out", "", "write the report to this markdown `file` (atomically; its directory is created), with its figures as PNG files beside it, instead of to stdout")
	baseline := fs.String("baseline", "", "row the others are tested against: a `method` naming one row, or a 1-based row number (default row 1); with --by, the method or row number within each stratum")
	by := fs.String("by", "", "split the table into strata by the value of a configuration `field` (e.g. imbalance): each row is tested against the --baseline method's row of its own stratum, with Holm's correction per stratum")
	metric := fs.String("metric", "nmi", "metric tested against the baseline: "+strings.Join(reports.MetricNames(), ", "))
	columns := fs.String("columns", strings.Join(reports.DefaultColumns, ","), "comma-separated metrics the table shows, in order, among: "+strings.Join(reports.MetricNames(), ", ")+" (train_nmi: the best head on the training split; size_l1: its pseudo-label sizes against the class sizes, runs with --imbalance only)")
	title := fs.String("title", "", "heading of the report (default \"Results on DATASETS (SPLITS)\")")
	note := fs.String("note", "", "a markdown paragraph under the title: how the runs were made, what to look at")
	asJSON := fs.Bool("json", false, "print the table as JSON Lines instead, one object per row: the varying config fields, n, and per metric the mean, interval, paired difference with its t and bootstrap intervals, p_paired (Wilcoxon), p_holm and p_unpaired (Mann–Whitney); --out writes it to that file")
	paths, err := parseInterspersed(fs, args, out)
	if err != nil {
		return err
	}
	if err := makeParent("--out", *outPath); err != nil {
		return err
	}
	if *benchMode {
		return runReportBench(paths, *outPath, *title, *note, shellCommand(append([]string{"selabench", "report"}, args...)), out, errOut)
	}
	if len(paths) == 0 {
		return usagef("give at least one RESULTS.jsonl file")
	}
	if !slices.Contains(reports.MetricNames(), *metric) {
		return usagef("--metric: unknown metric %q (valid: %s)", *metric, strings.Join(reports.MetricNames(), ", "))
	}
	recs, warns, err := records.Read(paths...)
	if err != nil {
		return err
	}
	for _, w := range warns {
		fmt.Fprintf(errOut, "selabench report: warning: %s\n", w)
	}
	if len(recs) == 0 {
		return fmt.Errorf("no usable records in %s", strings.Join(paths, ", "))
	}
	s, err := reports.Summarize(recs, reports.Options{Baseline: *baseline, Compare: *metric, By: *by, Columns: strings.Split(*columns, ",")})
	var oe *reports.OptionError
	if errors.As(err, &oe) {
		if flag, ok := reportFlags[oe.Option]; ok {
			return usagef("%s: %v", flag, err)
		}
	}
	if err != nil {
		return err
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(errOut, "selabench report: warning: %s\n", w)
	}
	if *asJSON {
		if *outPath == "" {
			return reports.WriteJSON(out, s)
		}
		if err := atomicfile.WriteFile(*outPath, 0o644, func(w io.Writer) error { return reports.WriteJSON(w, s) }); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		fmt.Fprintf(errOut, "wrote %s: %d rows from %d records\n", *outPath, len(s.Rows), s.Provenance.Records)
		return nil
	}
	opt := reports.MarkdownOptions{
		Title:    *title,
		Note:     *note,
		Command:  shellCommand(append([]string{"selabench", "report"}, args...)),
		Warnings: warns,
	}
	if *outPath == "" {
		return reports.WriteMarkdown(out, s, opt)
	}
	if err := reports.WriteReport(*outPath, s, opt); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(out, "wrote %s (and its figures, PNG, beside it): %d rows from %d records\n", *outPath, len(s.Rows), s.Provenance.Records)
	return nil
}

// runReportBench is `report --bench OLD [NEW]`.
func runReportBench(paths []string, outPath, title, note, command string, out, errOut io.Writer) error {
	if len(paths) < 1 || len(paths) > 2 {
		return usagef("--bench takes one or two go test -bench output files, got %d", len(paths))
	}
	var series [2][]reports.BenchSeries
	for i, p := range paths {
		s, warns, err := reports.ReadBench(p)
		for _, w := range warns {
			fmt.Fprintf(errOut, "selabench report: warning: %s\n", w)
		}
		if err != nil {
			return err
		}
		series[i] = s
	}
	oldName, newName := filepath.Base(paths[0]), ""
	if len(paths) == 2 {
		newName = filepath.Base(paths[1])
	}
	write := func(w io.Writer) error {
		if title != "" {
			fmt.Fprintf(w, "# %s\n\n", title)
		}
		if note != "" {
			fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(note))
		}
		if err := reports.WriteBenchMarkdown(w, series[0], series[1], oldName, newName); err != nil {
			return err
		}
		if title != "" || note != "" {
			_, err := fmt.Fprintf(w, "\n## Regenerate\n\n```sh\n%s\n```\n", command)
			return err
		}
		return nil
	}
	if outPath == "" {
		return write(out)
	}
	if err := atomicfile.WriteFile(outPath, 0o644, write); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(out, "wrote %s\n", outPath)
	return nil
}

// parseInterspersed parses args like flagSet.parse but allows positional arguments
// before, between and after the flags (`report a.jsonl b.jsonl --out r.md`), and
// returns them in order. Everything after "--" is positional.
func parseInterspersed(fs *flagSet, args []string, out io.Writer) ([]string, error) {
	var pos []string
	for i, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			// Reuse parse's help handling on the flag alone.
			return nil, fs.parse(args[i:i+1], out)
		}
	}
	fs.SetOutput(io.Discard) // the error is reported once, by run
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err}
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return pos, nil
}

// shellCommand joins args into a command line a POSIX shell reads back as args.
func shellCommand(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}
