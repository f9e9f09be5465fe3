package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/selabench/selabench/bench"
)

// mainConfig is the main job's configuration: one budget for every method.
type mainConfig struct {
	base    bench.Config
	methods string
	dataDir string
	out     string
	json    bool
	// progress builds the progress reporter of one run.
	progress func(errOut io.Writer, label string) (func(bench.Progress), func())
}

func mainFlags(errOut io.Writer) (*flagSet, *mainConfig) {
	fs := newFlags("selabench", "selabench [--dataset mnist] [--methods all] [--epochs 15] [--k 10] [--heads 5] [--seed 0] [--out results.jsonl] [--json]", errOut)
	c := &mainConfig{base: bench.DefaultConfig(bench.MethodSeLa, "mnist")}
	fs.StringVar(&c.methods, "methods", strings.Join(bench.Methods, ","), "comma-separated methods to compare")
	configFlags(fs, &c.base)
	fs.StringVar(&c.dataDir, "data", "", "directory holding the dataset's files (default: $SELABENCH_DATA/NAME, then the built-in places)")
	fs.StringVar(&c.out, "out", "", "append every run's record to this JSON Lines `file`")
	fs.BoolVar(&c.json, "json", false, "print each run's record (one JSON line per method) instead of the table")
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
	for _, m := range methods {
		if !slices.Contains(bench.Methods, m) {
			return usagef("--methods: unknown method %q (valid: %s)", m, strings.Join(bench.Methods, ", "))
		}
		cfg := c.base
		cfg.Method = m
		if err := cfg.Validate(); err != nil {
			return usageError{err}
		}
		cfgs = append(cfgs, cfg)
	}
	if c.out != "" {
		if err := bench.CheckWritable(c.out); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	ds, err := bench.LoadDataset(c.base.Dataset, c.dataDir)
	if err != nil {
		return err
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
		if c.out != "" {
			if err := bench.AppendRecord(c.out, rec); err != nil {
				return err
			}
		}
		if c.json {
			if err := json.NewEncoder(out).Encode(rec); err != nil {
				return err
			}
		}
		recs = append(recs, rec)
	}
	if c.json {
		return nil
	}
	return printRuns(out, recs)
}
