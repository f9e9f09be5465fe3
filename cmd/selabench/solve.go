package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/internal/npy"
	"github.com/selabench/selabench/reports"
	sela "github.com/selabench/selabench/selA"
)

func init() {
	register(&command{
		name:    "solve",
		summary: "solve one self-labelling transport problem from a .npy score matrix",
		run:     runSolve,
	})
}

func runSolve(args []string, out, errOut io.Writer) error {
	fs := newFlags("solve", "selabench solve --logits L.npy [--log-probs] [--solver sinkhorn] [--lambda 25] [--sizes S.npy] [--tol 0.1] [--max-iter N] [--out labels.npy] [--json]", errOut)
	in := fs.String("logits", "", "N×K score matrix: a 2-D float32 or float64 .npy `file` of raw logits (log-softmax is applied), or log-probabilities with --log-probs")
	logProbs := fs.Bool("log-probs", false, "the --logits file already holds log-probabilities (rows sum to 1 in probability)")
	solver := fs.String("solver", "sinkhorn", "solver: "+strings.Join(bench.TransportSolvers, ", "))
	lambda := fs.Float64("lambda", sela.DefaultLambda, "λ, the inverse entropic regularisation of the Sinkhorn solvers (> 0)")
	sizesPath := fs.String("sizes", "", "cluster sizes: a 1-D .npy `file` of K integers summing to N (the exact solver's capacities, and masses sizes/N for Sinkhorn), or K floats summing to 1 (Sinkhorn masses)\ndefault: equal sizes")
	sinkhornConfig := sinkhornFlags(fs)
	outPath := fs.String("out", "", "write the hard labels to this .npy `file` (int32, length N)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.parse(args, out); err != nil {
		return err
	}
	if *in == "" {
		return usagef("--logits is required")
	}
	if !slices.Contains(bench.TransportSolvers, *solver) {
		return usagef("--solver must be one of %s, got %q", strings.Join(bench.TransportSolvers, ", "), *solver)
	}
	if !(*lambda > 0) || math.IsInf(*lambda, 0) {
		return usagef("--lambda must be positive and finite, got %v", *lambda)
	}
	cfg, err := sinkhornConfig()
	if err != nil {
		return err
	}
	m, err := readScores(*in)
	if err != nil {
		return err
	}
	cfg.Solver, cfg.Lambda, m.LogProbs = *solver, *lambda, *logProbs
	cfg.InPlace = true // m is read once
	if *sizesPath != "" {
		if cfg.Sizes, cfg.Masses, err = readSizes(*sizesPath, m.N, m.K); err != nil {
			return err
		}
	}
	res, err := bench.SolveTransport(m, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	if *outPath != "" {
		labels := make([]int32, len(res.Labels))
		for i, y := range res.Labels {
			labels[i] = int32(y)
		}
		if err := makeParent("--out", *outPath); err != nil {
			return err
		}
		if err := npy.WriteFile(*outPath, []int{len(labels)}, labels); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(res)
	}
	return transportTable(out, []*bench.TransportResult{res})
}

// sinkhornFlags defines the flags every Sinkhorn solve shares (--tol, --max-iter,
// --kernel); the returned function validates them, after parsing, into a config.
func sinkhornFlags(fs *flagSet) func() (bench.TransportOptions, error) {
	tol := fs.Float64("tol", sela.DefaultTol, "tolerance of the official stopping rule Σ|b/b_new − 1| (Sinkhorn solvers)")
	maxIter := fs.Int("max-iter", 0, "iteration cap of the Sinkhorn solvers; reaching it reports converged=false (0: the solver's default)")
	kernel := fs.String("kernel", "auto", "kernel of the sinkhorn solver: auto (truncated sparse kernel when large and safe), dense or sparse")
	accel := fs.String("accel", "anderson", "acceleration of the sinkhorn solver between checked iterations: anderson, plain (the official iteration) or newton (K ≤ 16); the stopping rule is the same")
	return func() (bench.TransportOptions, error) {
		var none bench.TransportOptions
		if !(*tol > 0) {
			return none, usagef("--tol must be positive, got %v", *tol)
		}
		if *maxIter < 0 {
			return none, usagef("--max-iter must be ≥ 0, got %d", *maxIter)
		}
		mode, err := sela.ParseKernelMode(*kernel)
		if err != nil {
			return none, usagef("--kernel: %v", err)
		}
		acc, err := sela.ParseAcceleration(*accel)
		if err != nil {
			return none, usagef("--accel: %v", err)
		}
		return bench.TransportOptions{Tol: *tol, MaxIter: *maxIter, Kernel: mode, Accel: acc}, nil
	}
}

// readScores reads a 2-D float .npy matrix, in the file's precision.
func readScores(path string) (bench.Scores, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return bench.Scores{}, err
	}
	if len(a.Shape) != 2 {
		return bench.Scores{}, fmt.Errorf("%s: want a 2-D N×K matrix, got shape %v", path, a.Shape)
	}
	m := bench.Scores{N: a.Shape[0], K: a.Shape[1]}
	switch d := a.Data.(type) {
	case []float32:
		m.F32 = d
	case []float64:
		m.F64 = d
	default:
		return bench.Scores{}, fmt.Errorf("%s: want float32 or float64 scores, got dtype %s", path, a.DType)
	}
	return m, nil
}

// readSizes reads cluster sizes (integers summing to n) or masses (floats), length k.
func readSizes(path string, n, k int) ([]int, []float64, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(a.Shape) != 1 || a.Shape[0] != k {
		return nil, nil, fmt.Errorf("%s: want %d cluster sizes (the K of the scores), got shape %v", path, k, a.Shape)
	}
	if a.DType == npy.Float32 || a.DType == npy.Float64 {
		masses, err := a.Float64s() // validated (positive, summing to 1) by the solver
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, masses, nil
	}
	sizes, err := a.Ints()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	total := 0
	for y, s := range sizes {
		if s < 0 {
			return nil, nil, fmt.Errorf("%s: size of cluster %d is negative (%d)", path, y, s)
		}
		total += s
	}
	if total != n {
		return nil, nil, fmt.Errorf("%s: sizes sum to %d, want N = %d", path, total, n)
	}
	masses := make([]float64, k)
	for y, s := range sizes {
		masses[y] = float64(s) / float64(n)
	}
	return sizes, masses, nil
}

func transportTable(w io.Writer, rows []*bench.TransportResult) error {
	t := reports.Table{Header: []string{"solver", "N", "K", "λ", "iterations", "seconds", "objective", "marginal error", "min size", "max size", "converged", "gap"}}
	for _, r := range rows {
		lambda, gap := "—", "—"
		if r.Lambda != nil {
			lambda = fmt.Sprint(*r.Lambda)
		}
		if r.Gap != nil {
			gap = fmt.Sprintf("%.3g", *r.Gap)
		}
		t.Rows = append(t.Rows, []string{r.Solver, fmt.Sprint(r.N), fmt.Sprint(r.K), lambda, fmt.Sprint(r.Iterations),
			fmt.Sprintf("%.3f", r.Seconds), fmt.Sprintf("%.6f", r.Objective), fmt.Sprintf("%.3g", r.MarginalError),
			fmt.Sprint(r.MinSize), fmt.Sprint(r.MaxSize), fmt.Sprint(r.Converged), gap})
	}
	return t.Markdown(w)
}
