package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/internal/atomicfile"
	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/reports"
	"github.com/selabench/selabench/reports/plots"
)

func init() {
	register(&command{
		name:    "lambda-sweep",
		summary: "compare the Sinkhorn solvers with the exact optimum across λ (markdown table)",
		run:     runLambdaSweep,
	})
}

func runLambdaSweep(args []string, out, errOut io.Writer) error {
	fs := newFlags("lambda-sweep", "selabench lambda-sweep (--logits L.npy [--log-probs] | --synthetic N,K[,scale] [--kind gaussian] [--seed 0]) [--lambdas 1,5,10,25,50,100,1000] [--solvers sinkhorn,sinkhorn-log] [--out table.md] [--json]", errOut)
	in := fs.String("logits", "", "N×K score matrix: a 2-D float32 or float64 .npy `file` of raw logits (or log-probabilities with --log-probs)")
	logProbs := fs.Bool("log-probs", false, "the --logits file already holds log-probabilities")
	synth := fs.String("synthetic", "", "use seeded synthetic logits instead of a file: `N,K[,scale]` (scale defaults to 1)")
	kind := fs.String("kind", string(logits.Gaussian), "kind of synthetic logits: gaussian, peaked or network")
	seed := fs.Uint64("seed", 0, "seed of the synthetic logits")
	lambdaList := fs.String("lambdas", "1,5,10,25,50,100,1000", "comma-separated λ values")
	solverList := fs.String("solvers", "sinkhorn,sinkhorn-log", "comma-separated Sinkhorn solvers to sweep (sinkhorn-ref, sinkhorn, sinkhorn-log); the exact solver is always run once as the reference")
	sinkhornConfig := sinkhornFlags(fs)
	note := fs.String("note", "", "a markdown paragraph to put first: where the scores came from, what to look at")
	outPath := fs.String("out", "", "also write the markdown table to this `file`, with four figures (PNG: iterations, seconds, objective gap and agreement against λ) beside it")
	asJSON := fs.Bool("json", false, "print one JSON object per solve instead of the table (the exact reference first, then each λ and solver: the solve's fields, and lambda, gap and agreement)")
	if err := fs.parse(args, out); err != nil {
		return err
	}
	if (*in == "") == (*synth == "") {
		return usagef("give exactly one of --logits and --synthetic")
	}
	lambdas, err := parseFloats(*lambdaList)
	if err != nil {
		return usagef("--lambdas: %v", err)
	}
	for _, l := range lambdas {
		if !(l > 0) {
			return usagef("--lambdas: λ must be positive, got %v", l)
		}
	}
	solvers := strings.Split(*solverList, ",")
	base, err := sinkhornConfig()
	if err != nil {
		return err
	}
	var m bench.Scores
	source := *in
	if *synth != "" {
		spec, err := parseSynthetic(*synth)
		if err != nil {
			return usagef("--synthetic: %v", err)
		}
		spec.Kind, spec.Seed = logits.Kind(*kind), *seed
		if m.F32, err = logits.Generate(spec); err != nil {
			return usagef("--synthetic: %v", err)
		}
		m.N, m.K = spec.N, spec.K
		source = fmt.Sprintf("synthetic %s logits, N = %d, K = %d, scale %g, seed %d", spec.Kind, spec.N, spec.K, spec.Scale, spec.Seed)
	} else if m, err = readScores(*in); err != nil {
		return err
	}
	m.LogProbs = *logProbs && *in != ""
	for _, s := range solvers {
		if s == "exact" || !slices.Contains(bench.TransportSolvers, s) {
			return usagef("--solvers: unknown Sinkhorn solver %q (want sinkhorn-ref, sinkhorn or sinkhorn-log)", s)
		}
	}
	exact, points, err := bench.LambdaSweep(m, lambdas, solvers, base)
	if err != nil {
		return err
	}
	if *asJSON {
		return lambdaJSON(out, exact, points)
	}
	tab := reports.Table{Header: []string{"λ", "solver", "iterations", "seconds", "objective gap", "agreement with exact %", "min size", "max size", "marginal error", "converged"}, Align: "rlrrrrrrrl"}
	var failures []string
	var pts []plots.LambdaPoint
	tab.Rows = append(tab.Rows, []string{"—", "exact", fmt.Sprint(exact.Iterations), fmt.Sprintf("%.3f", exact.Seconds),
		"0", "100.00", fmt.Sprint(exact.MinSize), fmt.Sprint(exact.MaxSize), fmt.Sprintf("%.3g", exact.MarginalError), fmt.Sprint(exact.Converged)})
	for _, p := range points {
		lam := strconv.FormatFloat(p.Lambda, 'g', -1, 64)
		if p.Err != nil {
			failures = append(failures, fmt.Sprintf("[%d] λ = %s, %s: %s", len(failures)+1, lam, p.Solver, shortErr(p.Err)))
			tab.Rows = append(tab.Rows, []string{lam, p.Solver, "", "", "", "", "", "", "", fmt.Sprintf("failed [%d]", len(failures))})
			continue
		}
		r := p.Result
		pts = append(pts, plots.LambdaPoint{Solver: p.Solver, Lambda: p.Lambda, Iterations: float64(r.Iterations), Seconds: r.Seconds,
			Gap: p.Gap, Agreement: p.Agreement})
		tab.Rows = append(tab.Rows, []string{lam, p.Solver, fmt.Sprint(r.Iterations), fmt.Sprintf("%.3f", r.Seconds),
			fmt.Sprintf("%+.3g", p.Gap), fmt.Sprintf("%.2f", p.Agreement),
			fmt.Sprint(r.MinSize), fmt.Sprint(r.MaxSize), fmt.Sprintf("%.3g", r.MarginalError), fmt.Sprint(r.Converged)})
	}
	var figs []string
	render := func(w io.Writer) error {
		if *note != "" {
			fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(*note))
		}
		fmt.Fprintf(w, "Sinkhorn vs the exact equipartition across λ — %s; official stopping rule, tol %g.\n", source, base.Tol)
		fmt.Fprintf(w, "Objective gap: mean −log p of the hard labels minus the exact optimum's (negative when the\n")
		fmt.Fprintf(w, "labels break the exact sizes). Seconds cover the solve only.\n\n")
		if err := tab.Markdown(w); err != nil {
			return err
		}
		for _, f := range failures {
			fmt.Fprintf(w, "\n%s\n", f)
		}
		for _, f := range figs {
			fmt.Fprintf(w, "\n![%s](%s)\n", f, f)
		}
		return nil
	}
	if err := render(out); err != nil {
		return err
	}
	if *outPath == "" {
		return nil
	}
	if err := makeParent("--out", *outPath); err != nil {
		return err
	}
	if len(pts) > 0 {
		dir, name := filepath.Split(*outPath)
		paths, err := plots.LambdaSweep(filepath.Clean(dir+"."), strings.TrimSuffix(name, ".md"), pts)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		for _, p := range paths {
			figs = append(figs, filepath.Base(p))
		}
	}
	return atomicfile.WriteFile(*outPath, 0o644, func(w io.Writer) error {
		if err := render(w); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\nRegenerate:\n\n```sh\n%s\n```\n", shellCommand(append([]string{"selabench", "lambda-sweep"}, args...)))
		return err
	})
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseSynthetic reads "N,K[,scale]".
func parseSynthetic(s string) (logits.Spec, error) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 || len(parts) > 3 {
		return logits.Spec{}, fmt.Errorf("want N,K[,scale], got %q", s)
	}
	var spec logits.Spec
	var err error
	if spec.N, err = strconv.Atoi(parts[0]); err != nil {
		return spec, fmt.Errorf("N: %q is not an integer", parts[0])
	}
	if spec.K, err = strconv.Atoi(parts[1]); err != nil {
		return spec, fmt.Errorf("K: %q is not an integer", parts[1])
	}
	if len(parts) == 3 {
		if spec.Scale, err = strconv.ParseFloat(parts[2], 64); err != nil {
			return spec, fmt.Errorf("scale: %q is not a number", parts[2])
		}
	}
	return spec, nil
}

// shortErr is the first line of an error.
func shortErr(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// lambdaJSON prints a λ sweep as JSON Lines: the exact reference, then one
// object per point (a failed one with its error).
func lambdaJSON(out io.Writer, exact *bench.TransportResult, points []bench.LambdaPoint) error {
	type point struct {
		*bench.TransportResult
		Lambda    float64  `json:"lambda"`
		Solver    string   `json:"solver"`
		Gap       *float64 `json:"gap_to_exact,omitempty"`
		Agreement *float64 `json:"agreement_with_exact,omitempty"`
		Error     string   `json:"error,omitempty"`
	}
	enc := json.NewEncoder(out)
	if err := enc.Encode(exact); err != nil {
		return err
	}
	for _, p := range points {
		q := point{TransportResult: p.Result, Lambda: p.Lambda, Solver: p.Solver}
		if p.Err != nil {
			q.TransportResult, q.Error = &bench.TransportResult{Solver: p.Solver, N: exact.N, K: exact.K}, shortErr(p.Err)
		} else {
			q.Gap, q.Agreement = &p.Gap, &p.Agreement
		}
		if err := enc.Encode(q); err != nil {
			return err
		}
	}
	return nil
}
