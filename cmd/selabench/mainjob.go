package main

import (
	"os"
	"path/filepath"
	"time"

	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/bench/records"
	"github.com/selabench/selabench/reports"
)

// mainConfig is the main job's configuration: one budget for every method.
type mainConfig struct {
	base    bench.Config
	methods string
	// reportDir receives records.jsonl, report.md and the figures ("" = none).
	reportDir string
	dataDir   string
	out       string
	json      bool
	// progress builds the progress reporter of one run.
	progress func(errOut io.Writer, label string) (func(bench.Progress), func())
}

func mainFlags(errOut io.Writer) (*flagSet, *mainConfig) {
	fs := newFlags("selabench", "selabench [--dataset mnist] [--methods all] [--epochs 15] [--k 10] [--heads 5] [--seed 0] [--out results.jsonl] [--json]", errOut)
	c := &mainConfig{base: bench.DefaultConfig(bench.MethodSeLa, "mnist")}
	fs.StringVar(&c.methods, "methods", strings.Join(bench.Methods, ","), "comma-separated methods to compare, of:\n"+methodList())
	configFlags(fs, &c.base)
	fs.StringVar(&c.dataDir, "data", "", "directory holding the dataset's files (default: $SELABENCH_DATA/NAME, then the built-in places)")
	fs.StringVar(&c.out, "out", "", "append every run's record to this JSON Lines `file`")
	fs.BoolVar(&c.json, "json", false, "print each run's record (one JSON line per method) instead of the table")
	fs.StringVar(&c.reportDir, "report-dir", filepath.Join("reports", "runs", "TIME"), "directory of the job's records (records.jsonl), markdown report and figures; TIME stands for the start time (UTC); \"\" writes none")
	c.progress = progressFlag(fs)
	return fs, c
}

// runMain is the suite's main job: every method trained and scored under one
// budget on one dataset, as a markdown table.
func runMain(args []string, out, errOut io.Writer) error {
	fs, c := mainFlags(errOut)
	if err := fs.parse(args, out); err != nil {
		return err
	}
	methods := strings.Split(c.methods, ",")
	var cfgs []bench.Config
	tauRead := false
	for _, m := range methods {
		meth, err := bench.LookupMethod(m)
		if err != nil {
			return usagef("--methods: %v", strings.TrimPrefix(err.Error(), bench.ErrConfig.Error()+": "))
		}
		cfg := c.base
		cfg.Method = m
		// --tau is for the methods that read it; the others run without it.
		if tauRead = tauRead || meth.Tau; !meth.Tau {
			cfg.Tau = 0
		}
		cfg.Tau = methodTau(m, cfg.Tau)
		// So are over-clustering heads (--over-heads, --over-k).
		if !meth.TakesOverHeads() {
			cfg.OverHeads, cfg.OverK = 0, 0
		}
		if err := cfg.Validate(); err != nil {
			return usageError{err}
		}
		cfgs = append(cfgs, cfg)
	}
	if c.base.Tau != 0 && !tauRead {
		return usagef("--tau: none of the methods %s reads it", c.methods)
	}
	if c.out != "" {
		if err := makeParent("--out", c.out); err != nil {
			return err
		}
		if err := records.CheckWritable(c.out); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	ds, err := bench.LoadDataset(c.base.Dataset, c.dataDir)
	if err != nil {
		return err
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "methods" })
	if !explicit {
		cfgs = skipOracles(cfgs, ds.K(), errOut)
	}
	var recordsFile string // the report directory's records.jsonl
	if c.reportDir != "" {
		c.reportDir = strings.ReplaceAll(c.reportDir, "TIME", time.Now().UTC().Format("20060102T150405Z"))
		if err := os.MkdirAll(c.reportDir, 0o755); err != nil {
			return fmt.Errorf("--report-dir: %w", err)
		}
		recordsFile = filepath.Join(c.reportDir, "records.jsonl")
		if err := records.CheckWritable(recordsFile); err != nil {
			return fmt.Errorf("--report-dir: %w", err)
		}
		fmt.Fprintf(errOut, "selabench: records, report and figures go to %s\n", c.reportDir)
	}
	var recs []*bench.Record
	for i, cfg := range cfgs {
		report, done := c.progress(errOut, fmt.Sprintf("[%d/%d] %s", i+1, len(cfgs), cfg.Method))
		rec, err := bench.Run(cfg, ds, bench.RunOptions{Progress: report})
		done()
		if err != nil {
			if errors.Is(err, bench.ErrConfig) {
				return usageError{err}
			}
			return fmt.Errorf("%s: %w", cfg.Method, err)
		}
		for _, path := range []string{c.out, recordsFile} {
			if path != "" {
				if err := records.Append(path, rec); err != nil {
					return err
				}
			}
		}
		if c.json {
			if err := json.NewEncoder(out).Encode(rec); err != nil {
				return err
			}
		}
		recs = append(recs, rec)
	}
	if recordsFile != "" {
		if err := writeMainReport(c.reportDir, recordsFile, recs, args); err != nil {
			return err
		}
		defer fmt.Fprintf(errOut, "selabench: report: %s\n", filepath.Join(c.reportDir, "report.md"))
	}
	if c.json {
		return nil
	}
	return printRuns(out, recs)
}

// skipOracles drops, from the main job's default list of every method, those that
// take the class sizes as cluster masses (sela-prior) when k is not the dataset's
// number of classes, saying so on errOut: "selabench --k 50" runs the others
// rather than failing. Named in --methods, such a method is an error instead.
func skipOracles(cfgs []bench.Config, classes int, errOut io.Writer) []bench.Config {
	out := cfgs[:0:0]
	for _, cfg := range cfgs {
		if m, _ := bench.LookupMethod(cfg.Method); m.Needs.ClassSizes && cfg.K != classes {
			fmt.Fprintf(errOut, "selabench: skipping %s: it needs --k %d (the classes), not %d\n", cfg.Method, classes, cfg.K)
			continue
		}
		out = append(out, cfg)
	}
	return out
}

// writeMainReport writes the main job's report and figures into dir.
func writeMainReport(dir, recordsFile string, recs []*bench.Record, args []string) error {
	s, err := reports.Summarize(recs, reports.Options{})
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "report.md")
	opt := reports.MarkdownOptions{
		Title:   fmt.Sprintf("selabench main job: every method on %s (%s)", recs[0].Data.Dataset, shellCommand(append([]string{"selabench"}, args...))),
		Command: shellCommand([]string{"selabench", "report", recordsFile, "--out", path}),
	}
	if err := reports.WriteReport(path, s, opt); err != nil {
		return fmt.Errorf("--report-dir: %w", err)
	}
	return nil
}
