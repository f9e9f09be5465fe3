package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/selabench/selabench/bench/records"
	"github.com/selabench/selabench/bench/sweep"
	"github.com/selabench/selabench/internal/atomicfile"
	"github.com/selabench/selabench/reports"
)

func init() {
	register(&command{
		name:    "sweep",
		summary: "run a sweep file's grid of configurations (resumable, shardable); results, logs and a report in a directory",
		run:     runSweep,
	})
	register(&command{
		name:    "merge",
		summary: "merge sweep results files (e.g. of shards) into one, dropping duplicates and refusing conflicts",
		run:     runMerge,
	})
}

func runSweep(args []string, out, errOut io.Writer) error {
	fs := newFlags("sweep", "selabench sweep FILE.json --out DIR [--jobs 1] [--shard i/n] [--resume] [--data DIR] [--list] [--json]\n\n"+
		"FILE.json sets the keys of a run's config in \"base\" and \"grid\"; its \"method\" values are one of:\n"+methodList(), errOut)
	outDir := fs.String("out", "", "directory of the results (results.jsonl, or results-shard-I-of-N.jsonl), per-cell logs (logs/) and report (report.md)")
	jobs := fs.Int("jobs", 1, "cells run at once (each cell also uses every core for its matrix products)")
	shard := fs.String("shard", "", "split the cells into n shards and run shard `i/n` only (0 ≤ i < n, as Slurm array task IDs and Kubernetes completion indexes)")
	resume := fs.Bool("resume", false, "skip the cells already in the results file (after a crash, Ctrl-C or a failed cell)")
	dataDir := fs.String("data", "", "directory holding the dataset's files, for a sweep over one dataset (default, and for several: $SELABENCH_DATA/NAME, then the built-in places)")
	list := fs.Bool("list", false, "print the cells (of the shard) and exit without running anything")
	force := fs.Bool("progress", false, "draw the progress bar on stderr even when it is not a terminal")
	asJSON := fs.Bool("json", false, "print one JSON object per line on stdout instead of text: with --list one per cell (index, cell, label); otherwise one per finished cell (cell, label, seconds, ok, error or the headline scores) and a last one summarising the sweep (summary: true, results, ran, skipped, failed, report); progress text goes to stderr")
	paths, err := parseInterspersed(fs, args, out)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usagef("give one sweep file (got %d)", len(paths))
	}
	f, err := sweep.Load(paths[0])
	if err != nil {
		return usageError{err}
	}
	opt := sweep.Options{Out: *outDir, Jobs: *jobs, Resume: *resume, DataDir: *dataDir}
	if *shard != "" {
		if opt.Shard, opt.Shards, err = sweep.ParseShard(*shard); err != nil {
			return usagef("--shard: %v", err)
		}
	}
	if *jobs < 1 {
		return usagef("--jobs must be ≥ 1, got %d", *jobs)
	}
	if *dataDir != "" {
		names := map[string]bool{}
		for _, c := range f.Cells {
			if c.Config.Dataset != "synthetic" {
				names[c.Config.Dataset] = true
			}
		}
		if len(names) > 1 {
			return usagef("--data names one directory but the sweep reads %d datasets: set $SELABENCH_DATA instead (it holds one folder per dataset)", len(names))
		}
	}
	cells := f.Cells
	if opt.Shards > 0 {
		cells = sweep.Shard(cells, opt.Shard, opt.Shards)
	}
	if *list && *asJSON {
		enc := json.NewEncoder(out)
		for _, c := range cells {
			if err := enc.Encode(struct {
				Index int    `json:"index"`
				Cell  string `json:"cell"`
				Label string `json:"label"`
			}{c.Index, c.Hash, c.Label}); err != nil {
				return err
			}
		}
		return nil
	}
	if *list {
		tab := reports.Table{Header: []string{"#", "cell", "configuration"}, Align: "rll"}
		for _, c := range cells {
			tab.Rows = append(tab.Rows, []string{fmt.Sprint(c.Index), c.Hash, c.Label})
		}
		fmt.Fprintf(out, "%s: %d cells", f.Path, len(f.Cells))
		if opt.Shards > 0 {
			fmt.Fprintf(out, ", %d in shard %d/%d", len(cells), opt.Shard, opt.Shards)
		}
		fmt.Fprint(out, "\n\n")
		return tab.Markdown(out)
	}
	if *outDir == "" {
		return usagef("give --out DIR")
	}

	// In JSON mode stdout holds the JSON lines only; the text goes to stderr.
	text, enc := out, (*json.Encoder)(nil)
	if *asJSON {
		text, enc = errOut, json.NewEncoder(out)
	}
	var bar *progressbar.ProgressBar
	total, finished := 0, 0
	running := map[string]string{}
	opt.Event = func(e sweep.Event) {
		if !e.Done {
			running[e.Cell.Hash] = e.Cell.Label
		} else {
			delete(running, e.Cell.Hash)
			finished++
			var status string
			if e.Err != nil {
				status = "failed: " + firstLine(e.Err)
			} else {
				r := e.Record.Final
				status = fmt.Sprintf("nmi %.4f, linear probe %s, kNN %s, effective clusters %.2f", r.NMI, pct(r.LinearProbe), pct(r.KNN), r.EffectiveClusters)
			}
			line := fmt.Sprintf("[%d/%d] %s (%s, %.1f s): %s", finished, total, e.Cell.Label, e.Cell.Hash, e.Seconds, status)
			if bar != nil {
				bar.Clear()
			}
			fmt.Fprintln(text, line)
			if enc != nil {
				enc.Encode(cellJSON(e))
			}
		}
		if bar != nil {
			var now []string
			for _, l := range running {
				now = append(now, l)
			}
			slices.Sort(now)
			bar.Describe("running: " + strings.Join(now, "; "))
			bar.Set(finished)
		}
	}
	todo, done, err := sweep.Pending(f, opt)
	if err != nil {
		return err
	}
	total = len(todo)
	fmt.Fprintf(text, "%s: %d cells to run", f.Path, total)
	if done > 0 {
		fmt.Fprintf(text, " (%d already done)", done)
	}
	fmt.Fprintf(text, ", %d at a time; logs in %s\n", *jobs, filepath.Join(*outDir, "logs"))
	if total > 0 && wantBar(*force, errOut) {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(errOut), progressbar.OptionSetWidth(24),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(200e6), progressbar.OptionClearOnFinish())
	}
	s, err := sweep.Run(f, opt)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if s.Repaired != "" {
		fmt.Fprintf(errOut, "selabench sweep: warning: %s\n", s.Repaired)
	}
	fmt.Fprintf(text, "results: %s (%d cells run now, %d done before)\n", s.Results, s.Ran, s.Skipped)
	summary := sweepSummary{Summary: true, Results: s.Results, Ran: s.Ran, Skipped: s.Skipped, Failed: len(s.Failed)}
	if len(s.Failed) > 0 {
		if enc != nil {
			enc.Encode(summary)
		}
		var msgs []string
		for _, e := range s.Failed {
			msgs = append(msgs, fmt.Sprintf("%s: %s (log: %s)", e.Cell.Label, firstLine(e.Err), e.Log))
		}
		return fmt.Errorf("%d of %d cells failed; fix the cause and rerun with --resume:\n  %s", len(s.Failed), s.Cells, strings.Join(msgs, "\n  "))
	}
	if opt.Shards > 0 {
		fmt.Fprintf(text, "shard %d/%d done; when every shard is: selabench merge %s --out %s\n", opt.Shard, opt.Shards,
			filepath.Join(*outDir, "results-shard-*.jsonl"), filepath.Join(*outDir, "results.jsonl"))
	} else {
		if summary.Report, err = writeSweepReport(f, s.Results, *outDir, text, errOut); err != nil {
			return err
		}
	}
	if enc != nil {
		return enc.Encode(summary)
	}
	return nil
}

// sweepSummary is the last line of `sweep --json`.
type sweepSummary struct {
	Summary bool   `json:"summary"`
	Results string `json:"results"`
	Ran     int    `json:"ran"`
	Skipped int    `json:"skipped"`
	Failed  int    `json:"failed"`
	Report  string `json:"report,omitempty"` // absent for a shard, which writes none
}

// cellOut is one finished cell as `sweep --json` prints it.
type cellOut struct {
	Cell              string   `json:"cell"`
	Label             string   `json:"label"`
	Seconds           float64  `json:"seconds"`
	OK                bool     `json:"ok"`
	Error             string   `json:"error,omitempty"`
	NMI               *float64 `json:"nmi,omitempty"`
	LinearProbe       *float64 `json:"linear_probe,omitempty"`
	KNN               *float64 `json:"knn,omitempty"`
	EffectiveClusters *float64 `json:"effective_clusters,omitempty"`
}

func cellJSON(e sweep.Event) cellOut {
	c := cellOut{Cell: e.Cell.Hash, Label: e.Cell.Label, Seconds: e.Seconds, OK: e.Err == nil}
	if e.Err != nil {
		c.Error = firstLine(e.Err)
		return c
	}
	f := e.Record.Final
	c.NMI, c.LinearProbe, c.KNN, c.EffectiveClusters = &f.NMI, &f.LinearProbe, &f.KNN, &f.EffectiveClusters
	return c
}

// writeSweepReport writes DIR/report.md from the sweep's results and returns
// its path.
func writeSweepReport(f *sweep.File, results, dir string, out, errOut io.Writer) (string, error) {
	recs, warns, err := records.Read(results)
	if err != nil {
		return "", err
	}
	s, err := reports.Summarize(recs, reports.Options{})
	if err != nil {
		return "", err
	}
	for _, w := range append(warns, s.Warnings...) {
		fmt.Fprintf(errOut, "selabench sweep: warning: %s\n", w)
	}
	path := filepath.Join(dir, "report.md")
	title := f.Name
	if f.Description != "" {
		title += " — " + f.Description
	}
	opt := reports.MarkdownOptions{Title: title, Command: shellCommand([]string{"selabench", "report", results, "--out", path}), Warnings: warns}
	if err := reports.WriteReport(path, s, opt); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "report: %s\n", path)
	return path, nil
}

func runMerge(args []string, out, errOut io.Writer) error {
	fs := newFlags("merge", "selabench merge RESULTS.jsonl... --out MERGED.jsonl [--json]", errOut)
	outPath := fs.String("out", "", "write the merged records to this JSON Lines `file` (atomically; it may be one of the inputs)")
	asJSON := fs.Bool("json", false, "print one JSON object (out, records, files, duplicates) instead of a sentence")
	paths, err := parseInterspersed(fs, args, out)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("give the results files to merge")
	}
	if *outPath == "" {
		return usagef("give --out MERGED.jsonl")
	}
	m, err := sweep.Merge(paths...)
	if err != nil {
		return err
	}
	for _, w := range append(m.Warnings, m.Duplicates...) {
		fmt.Fprintf(errOut, "selabench merge: warning: %s\n", w)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range m.Records {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	if err := makeParent("--out", *outPath); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(*outPath, 0o644, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(struct {
			Out        string `json:"out"`
			Records    int    `json:"records"`
			Files      int    `json:"files"`
			Duplicates int    `json:"duplicates"`
		}{*outPath, len(m.Records), len(paths), len(m.Duplicates)})
	}
	fmt.Fprintf(out, "wrote %s: %d records (one per cell) from %d files, %d duplicates dropped\n", *outPath, len(m.Records), len(paths), len(m.Duplicates))
	return nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
