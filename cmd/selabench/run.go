package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/bench/records"
	"github.com/selabench/selabench/internal/npy"
	"github.com/selabench/selabench/reports"
)

func init() {
	register(&command{
		name:    "run",
		summary: "train and score one method (one JSON Lines record per run)",
		run:     runRun,
	})
}

// configFlags binds every field of a bench.Config to flags, with c's values as
// defaults; the main job and run share it.
func configFlags(fs *flagSet, c *bench.Config) {
	fs.StringVar(&c.Dataset, "dataset", c.Dataset, "dataset: mnist, fashion-mnist, cifar10 or synthetic (seeded blobs, for quick checks)")
	fs.StringVar(&c.Model, "model", c.Model, "network: mlp (784-512-512-128, BatchNorm) or cnn (three conv blocks)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "training epochs")
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "samples per training step")
	fs.Float64Var(&c.LR, "lr", c.LR, "base learning rate of SGD")
	fs.Float64Var(&c.Momentum, "momentum", c.Momentum, "SGD momentum")
	fs.Float64Var(&c.WeightDecay, "weight-decay", c.WeightDecay, "L2 weight decay")
	fs.StringVar(&c.Schedule, "schedule", c.Schedule, "learning-rate schedule: cosine or constant")
	fs.StringVar(&c.Augment, "augment", c.Augment, "training augmentation: none, shift, affine or strong")
	fs.IntVar(&c.K, "k", c.K, "clusters per head (supervised: the dataset's classes)")
	fs.IntVar(&c.Heads, "heads", c.Heads, "heads sharing the trunk (deepcluster and supervised: 1)")
	fs.IntVar(&c.OverHeads, "over-heads", c.OverHeads, "extra over-clustering heads of --over-k clusters beside the --heads heads; scored, never the best head (0: none)")
	fs.IntVar(&c.OverK, "over-k", c.OverK, "clusters of each over-clustering head (with --over-heads)")
	fs.Float64Var(&c.Lambda, "lambda", c.Lambda, "SeLa's λ (sela)")
	fs.Float64Var(&c.Tau, "tau", c.Tau, fmt.Sprintf("weight τ of sela-unbalanced's relaxed cluster marginal τ·KL(Qᵀ1 ‖ r); read by sela-unbalanced only (0: the default %v, chosen on long-tailed validation data)", bench.DefaultTau))
	fs.IntVar(&c.Nopts, "nopts", c.Nopts, "label solves in SeLa's quadratic schedule (0: one per epoch)")
	fs.IntVar(&c.Views, "views", c.Views, "label step input: 0 clean images, A ≥ 1 the mean log P over A augmented views")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed of the run")
	fs.IntVar(&c.TrainLimit, "train-limit", c.TrainLimit, "use only the first N training samples (0: all)")
	fs.BoolVar(&c.Validation, "validation", c.Validation, "evaluate on 10 % held out from train instead of test (for choosing hyper-parameters)")
	fs.Float64Var(&c.Imbalance, "imbalance", c.Imbalance, "make the training split long-tailed with ratio `R` ≥ 1: classes, in a seeded order, keep R^(−j/(C−1)) of their samples (0 or 1: the data as is; the evaluation split is unchanged)")
	fs.IntVar(&c.KNN, "knn", c.KNN, "neighbours of the weighted kNN evaluation")
	fs.Float64Var(&c.KNNTau, "knn-tau", c.KNNTau, "temperature of the weighted kNN evaluation")
}

// methodTau returns the τ a run of method m takes from the --tau flag's value:
// the default when the flag is unset (0) and m reads τ, else the value
// as given (Validate rejects a non-zero τ for a method that does not read it).
func methodTau(m string, tau float64) float64 {
	if meth, err := bench.LookupMethod(m); err == nil && meth.Tau && tau == 0 {
		return bench.DefaultTau
	}
	return tau
}

// methodList describes every registered method, one "name  description" line
// each, for the help of --method and --methods.
func methodList() string {
	ms := bench.RegisteredMethods()
	width := 0
	for _, m := range ms {
		width = max(width, len(m.Name))
	}
	lines := make([]string, len(ms))
	for i, m := range ms {
		lines[i] = fmt.Sprintf("  %-*s  %s", width, m.Name, m.Description)
	}
	return strings.Join(lines, "\n")
}

// progressFlag adds --progress and returns a function building the progress
// reporter: a bar on errOut when it is a terminal or --progress is set.
func progressFlag(fs *flagSet) func(errOut io.Writer, label string) (func(bench.Progress), func()) {
	force := fs.Bool("progress", false, "draw the progress bar on stderr even when it is not a terminal")
	return func(errOut io.Writer, label string) (func(bench.Progress), func()) {
		if !wantBar(*force, errOut) {
			return nil, func() {}
		}
		var bar *progressbar.ProgressBar
		last := ""
		report := func(p bench.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions(max(p.Steps, 1),
					progressbar.OptionSetWriter(errOut), progressbar.OptionSetWidth(24),
					progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(200e6), progressbar.OptionClearOnFinish())
			}
			desc := fmt.Sprintf("%s epoch %d/%d %s", label, min(p.Epoch+1, p.Epochs), p.Epochs, p.Phase)
			if p.Phase == "train" {
				desc += fmt.Sprintf(" loss %.3f", p.Loss)
			}
			if !math.IsNaN(p.NMI) {
				desc += fmt.Sprintf(" NMI %.3f", p.NMI)
			}
			if desc != last {
				bar.Describe(desc)
				last = desc
			}
			bar.Set(p.Step)
		}
		return report, func() {
			if bar != nil {
				bar.Finish()
				fmt.Fprintln(errOut)
			}
		}
	}
}

// wantBar reports whether to draw a progress bar on errOut: when forced
// (--progress) or when errOut is a terminal.
func wantBar(force bool, errOut io.Writer) bool {
	f, isFile := errOut.(*os.File)
	return force || (isFile && term.IsTerminal(int(f.Fd())))
}

// runConfigFlags returns run's flag set with the flags of a run's configuration
// bound to a config holding their defaults; runConfig finishes it after parsing.
// verify writes and reads a record's flags through the same two.
func runConfigFlags(errOut io.Writer) (*flagSet, *bench.Config) {
	fs := newFlags("run", "selabench run --method "+strings.Join(bench.Methods, "|")+" [--dataset mnist] [--model mlp|cnn] [--epochs 15] [--k 10] [--heads 5] [--lambda 25] [--nopts 0] [--seed 0] [--out results.jsonl] [--json]", errOut)
	c := bench.DefaultConfig(bench.MethodSeLa, "mnist")
	fs.StringVar(&c.Method, "method", c.Method, "the method, one of:\n"+methodList())
	configFlags(fs, &c)
	return fs, &c
}

// runConfig completes and validates a configuration parsed from run's flags.
func runConfig(c *bench.Config) error {
	c.Tau = methodTau(c.Method, c.Tau)
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	return nil
}

func runRun(args []string, out, errOut io.Writer) error {
	fs, cp := runConfigFlags(errOut)
	dataDir := fs.String("data", "", "directory holding the dataset's files (default: $SELABENCH_DATA/NAME, then the built-in places)")
	outPath := fs.String("out", "", "append the run's record to this JSON Lines `file`")
	asJSON := fs.Bool("json", false, "print the run's record (one JSON line) instead of a table")
	saveLP := fs.String("save-log-probs", "", "write the trained network's log-probabilities on the training images (best head, N×K float32) to this .npy `file`: real inputs for solve and lambda-sweep --log-probs")
	saveInputs := fs.String("save-label-inputs", "", "write every label step's log-probabilities, one N×K float32 .npy per step and head (STEP-epochE-headH.npy), into this `directory` (created): the inputs of real solves, for solve and the solver benchmarks")
	ckpt := fs.String("checkpoint", "", "save the run's state to this `file` at the end of every epoch, and resume from it if it exists (same configuration; the record is the uninterrupted run's); removed once the run is done")
	progress := progressFlag(fs)
	if err := fs.parse(args, out); err != nil {
		return err
	}
	if err := runConfig(cp); err != nil {
		return err
	}
	c := *cp
	if *saveInputs != "" {
		if err := os.MkdirAll(*saveInputs, 0o755); err != nil {
			return fmt.Errorf("--save-label-inputs: %w", err)
		}
	}
	if *ckpt != "" {
		if err := makeParent("--checkpoint", *ckpt); err != nil {
			return err
		}
	}
	for flag, path := range map[string]string{"--out": *outPath, "--save-log-probs": *saveLP} {
		if path != "" {
			if err := makeParent(flag, path); err != nil {
				return err
			}
			if err := records.CheckWritable(path); err != nil {
				return fmt.Errorf("%s: %w", flag, err)
			}
		}
	}
	if m, _ := bench.LookupMethod(c.Method); *saveLP != "" && !m.HasNetwork() { // c is valid: no error
		return usagef("--save-log-probs: %s has no network", c.Method)
	}
	ds, err := bench.LoadDataset(c.Dataset, *dataDir)
	if err != nil {
		return err
	}
	report, done := progress(errOut, c.Method)
	opt := bench.RunOptions{Progress: report, Checkpoint: *ckpt}
	var lpErr error
	if *saveLP != "" {
		opt.TrainLogProbs = func(lp []float32, n, k int) {
			if err := npy.WriteFile(*saveLP, []int{n, k}, lp); err != nil {
				lpErr = fmt.Errorf("--save-log-probs: %w", err)
			}
		}
	}
	if *saveInputs != "" {
		opt.LabelInput = func(step int, in *bench.LabelInput) {
			for h, lp := range in.LogProbs {
				name := filepath.Join(*saveInputs, fmt.Sprintf("%03d-epoch%02d-head%d.npy", step, in.Epoch, h))
				if err := npy.WriteFile(name, []int{in.N, in.K}, lp); err != nil && lpErr == nil {
					lpErr = fmt.Errorf("--save-label-inputs: %w", err)
				}
			}
		}
	}
	rec, err := bench.Run(c, ds, opt)
	done()
	if err == nil {
		err = lpErr
	}
	if err != nil {
		if errors.Is(err, bench.ErrConfig) {
			return usageError{err}
		}
		return err
	}
	if *outPath != "" {
		if err := records.Append(*outPath, rec); err != nil {
			return err
		}
	}
	if *ckpt != "" {
		if err := os.Remove(*ckpt); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("--checkpoint: %w", err)
		}
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(rec)
	}
	return printRuns(out, []*bench.Record{rec})
}

// printRuns prints one row per run: the comparison table of the main job.
func printRuns(out io.Writer, recs []*bench.Record) error {
	if len(recs) == 0 {
		return nil
	}
	r0 := recs[0]
	fmt.Fprintf(out, "%s (%s split, %d train / %d evaluation samples), model %s, %d epochs, K = %d, seed %d\n\n",
		r0.Data.Dataset, r0.Data.EvalSplit, r0.Data.Train, r0.Data.Eval, r0.Config.Model, r0.Config.Epochs, r0.Config.K, r0.Config.Seed)
	t := reports.Table{Header: []string{"method", "heads", "NMI", "ARI", "ACC", "m2o ACC", "linear probe", "kNN", "effective clusters", "min effective (train)", "seconds"}}
	for _, r := range recs {
		f := r.Final
		minEff := "—"
		if len(r.Epochs) > 0 {
			m := r.Epochs[0].Heads[0].EffectiveClusters
			for _, e := range r.Epochs {
				for _, h := range e.Heads {
					m = min(m, h.EffectiveClusters)
				}
			}
			minEff = fmt.Sprintf("%.2f", m)
		}
		t.Rows = append(t.Rows, []string{
			r.Config.Method, fmt.Sprint(len(f.Heads)), f4(f.NMI), f4(f.ARI), f4(f.ACC), f4(f.ManyToOne),
			pct(f.LinearProbe), pct(f.KNN), fmt.Sprintf("%.2f", f.EffectiveClusters), minEff,
			fmt.Sprintf("%.1f", r.Timings.Total),
		})
	}
	return t.Markdown(out)
}

func pct(x float64) string { return fmt.Sprintf("%.2f %%", 100*x) }
