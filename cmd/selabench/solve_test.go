package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/npy"
)

// writeLogits writes seeded synthetic logits (n×k, float32) to dir/L.npy.
func writeLogits(t *testing.T, dir string, n, k int) (string, []float32) {
	t.Helper()
	x, err := logits.Generate(logits.Spec{N: n, K: k, Scale: 3, Kind: logits.Network, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return writeNpy(t, dir, "L.npy", []int{n, k}, x), x
}

func solveJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errOut := runCLI(append([]string{"solve", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("solve %v: status %d, stderr %q", args, code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	return m
}

func TestSolveEverySolver(t *testing.T) {
	dir := t.TempDir()
	const n, k = 600, 6
	in, _ := writeLogits(t, dir, n, k)
	var exactObjective float64
	for _, solver := range []string{"exact", "sinkhorn-ref", "sinkhorn", "sinkhorn-log"} {
		labelsPath := filepath.Join(dir, solver+".npy")
		m := solveJSON(t, "--logits", in, "--solver", solver, "--out", labelsPath)
		for _, key := range []string{"solver", "n", "k", "iterations", "seconds", "objective", "marginal_error", "min_size", "max_size", "converged"} {
			if _, ok := m[key]; !ok {
				t.Errorf("%s: key %q missing from %v", solver, key, m)
			}
		}
		if m["solver"] != solver || m["n"] != float64(n) || m["k"] != float64(k) || m["converged"] != true {
			t.Errorf("%s: %v", solver, m)
		}
		a, err := npy.ReadFile(labelsPath)
		if err != nil {
			t.Fatal(err)
		}
		labels, _ := a.Ints()
		counts := make([]int, k)
		for _, y := range labels {
			counts[y]++
		}
		lo, hi := counts[0], counts[0]
		for _, c := range counts {
			lo, hi = min(lo, c), max(hi, c)
		}
		if len(labels) != n || float64(lo) != m["min_size"] || float64(hi) != m["max_size"] {
			t.Errorf("%s: %d labels with sizes %v, reported min %v max %v", solver, len(labels), counts, m["min_size"], m["max_size"])
		}
		if solver == "exact" {
			exactObjective = m["objective"].(float64)
			// An exact equipartition: every cluster holds n/k, and the certificate closes.
			if lo != n/k || hi != n/k {
				t.Errorf("exact sizes %v, want %d each", counts, n/k)
			}
			p, d := m["primal"].(float64), m["dual"].(float64)
			if math.Abs(p-d) > 1e-9*math.Abs(p) || math.Abs(p/n-exactObjective) > 1e-12 {
				t.Errorf("exact certificate primal %v dual %v objective %v", p, d, exactObjective)
			}
			if _, ok := m["lambda"]; ok {
				t.Error("exact reports a λ")
			}
		} else {
			if _, ok := m["gap"]; ok {
				t.Errorf("%s reports a certificate", solver)
			}
			// The network input's argmax is imbalanced; the constraint keeps clusters near n/k.
			if lo < n/k*8/10 || hi > n/k*12/10 {
				t.Errorf("%s sizes %v not near %d", solver, counts, n/k)
			}
		}
	}
}

func TestSolveSizesAndMasses(t *testing.T) {
	dir := t.TempDir()
	in, _ := writeLogits(t, dir, 100, 4)
	sizes := writeNpy(t, dir, "s.npy", []int{4}, []int64{10, 20, 30, 40})
	m := solveJSON(t, "--logits", in, "--solver", "exact", "--sizes", sizes)
	if m["min_size"] != 10.0 || m["max_size"] != 40.0 || m["marginal_error"] != 0.0 {
		t.Errorf("exact with sizes: %v", m)
	}
	masses := writeNpy(t, dir, "r.npy", []int{4}, []float64{0.1, 0.2, 0.3, 0.4})
	m = solveJSON(t, "--logits", in, "--sizes", masses, "--tol", "1e-6")
	// Sizes of the hard labels follow the prior r·N = 10, 20, 30, 40 roughly.
	if m["min_size"].(float64) > 15 || m["max_size"].(float64) < 35 {
		t.Errorf("sinkhorn with masses: %v", m)
	}
}

func TestSolveErrors(t *testing.T) {
	dir := t.TempDir()
	in, x := writeLogits(t, dir, 20, 4)
	bad := append([]float32(nil), x...)
	bad[2*4+3] = float32(math.NaN())
	nan := writeNpy(t, dir, "nan.npy", []int{20, 4}, bad)
	cube := writeNpy(t, dir, "cube.npy", []int{2, 10, 4}, x)
	ints := writeNpy(t, dir, "ints.npy", []int{20, 4}, make([]int32, 80))
	short := writeNpy(t, dir, "short.npy", []int{3}, []int64{5, 5, 10})
	wrongSum := writeNpy(t, dir, "sum.npy", []int{4}, []int64{5, 5, 5, 4})
	negative := writeNpy(t, dir, "neg.npy", []int{4}, []int64{25, -5, 0, 0})
	masses := writeNpy(t, dir, "r.npy", []int{4}, []float64{0.5, 0.5, 0.5, 0.5})
	out := filepath.Join(dir, "labels.npy")
	for _, test := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "--logits is required"},
		{[]string{"--logits", in, "--solver", "hungarian"}, 2, "--solver must be one of"},
		{[]string{"--logits", in, "--lambda", "0"}, 2, "--lambda must be positive"},
		{[]string{"--logits", in, "--tol", "-1"}, 2, "--tol must be positive"},
		{[]string{"--logits", in, "--max-iter", "-3"}, 2, "--max-iter must be ≥ 0"},
		{[]string{"--logits", in, "--kernel", "csr"}, 2, "--kernel"},
		{[]string{"--logits", in, "--kernel", "sparse", "--solver", "sinkhorn-ref"}, 1, "sparse"},
		{[]string{"--logits", nan, "--out", out}, 1, "row 2, column 3"},
		{[]string{"--logits", nan, "--solver", "exact", "--out", out}, 1, "row 2, column 3 is NaN"},
		{[]string{"--logits", cube}, 1, "2-D"},
		{[]string{"--logits", ints}, 1, "float32 or float64"},
		{[]string{"--logits", in, "--sizes", short}, 1, "want 4 cluster sizes"},
		{[]string{"--logits", in, "--sizes", wrongSum, "--solver", "exact"}, 1, "sum to 19, want N = 20"},
		{[]string{"--logits", in, "--sizes", negative, "--solver", "exact"}, 1, "cluster 1 is negative"},
		{[]string{"--logits", in, "--sizes", masses}, 1, "sum"},
		{[]string{"--logits", in, "--sizes", masses, "--solver", "exact"}, 1, "needs integer sizes"},
	} {
		code, _, errOut := runCLI(append([]string{"solve"}, test.args...)...)
		if code != test.code || !strings.Contains(errOut, test.want) {
			t.Errorf("solve %v: status %d, stderr %q; want status %d mentioning %q", test.args, code, errOut, test.code, test.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed solve left %s behind (err %v)", out, err)
	}
	// A cap too small to converge is reported, not an error.
	m := solveJSON(t, "--logits", in, "--max-iter", "1", "--tol", "1e-12")
	if m["converged"] != false || m["reason"] == nil {
		t.Errorf("capped solve: %v", m)
	}
}

func TestLambdaSweep(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sweep.md")
	code, stdout, errOut := runCLI("lambda-sweep", "--synthetic", "400,8,3", "--kind", "network", "--lambdas", "5,25,2000", "--solvers", "sinkhorn,sinkhorn-log", "--out", out, "--note", "Scores: *synthetic*.")
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	written, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(written), stdout) {
		t.Fatalf("--out file does not start with stdout (err %v)", err)
	}
	// The file also links its four figures, written beside it, and says how to regenerate it.
	for _, f := range []string{"sweep-iterations.png", "sweep-seconds.png", "sweep-gap.png", "sweep-agreement.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil || !strings.Contains(string(written), "]("+f+")") {
			t.Errorf("figure %s: %v (linked: %v)", f, err, strings.Contains(string(written), "]("+f+")"))
		}
	}
	if !strings.HasPrefix(string(written), "Scores: *synthetic*.\n\n") || !strings.Contains(string(written), "selabench lambda-sweep --synthetic 400,8,3") {
		t.Errorf("no regenerate command:\n%s", written)
	}
	rows := 0
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "|") && !strings.Contains(line, "---") && !strings.Contains(line, "solver") {
			rows++
		}
	}
	if rows != 1+3*2 {
		t.Errorf("%d table rows, want 7 (exact + 3 λ × 2 solvers):\n%s", rows, stdout)
	}
	// At λ = 2000 the float32 kernel breaks down: reported as a failed cell with a note.
	if !strings.Contains(stdout, "failed [1]") || !strings.Contains(stdout, "[1] λ = 2000, sinkhorn:") {
		t.Errorf("breakdown at λ = 2000 not reported:\n%s", stdout)
	}
	// --json: the exact reference, then one object per λ and solver; the
	// failed solve carries its error.
	code, stdout, errOut = runCLI("lambda-sweep", "--synthetic", "400,8,3", "--kind", "network", "--lambdas", "5,25,2000", "--solvers", "sinkhorn,sinkhorn-log", "--json")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 7 {
		t.Fatalf("--json: status %d, %d lines, stderr %q:\n%s", code, len(lines), errOut, stdout)
	}
	var first, fail struct {
		Solver    string
		Lambda    *float64
		Agreement *float64 `json:"agreement_with_exact"`
		Error     string
	}
	if json.Unmarshal([]byte(lines[0]), &first) != nil || first.Solver != "exact" || first.Lambda != nil {
		t.Errorf("first line %s: want the exact reference", lines[0])
	}
	if json.Unmarshal([]byte(lines[5]), &fail) != nil || fail.Solver != "sinkhorn" || *fail.Lambda != 2000 || fail.Error == "" || fail.Agreement != nil {
		t.Errorf("line 6 %s: want the failed sinkhorn solve at λ = 2000", lines[5])
	}
	for _, test := range []struct {
		args []string
		want string
	}{
		{[]string{}, "exactly one of --logits and --synthetic"},
		{[]string{"--synthetic", "10,2", "--lambdas", "1,x"}, "not a number"},
		{[]string{"--synthetic", "10,2", "--lambdas", "-1"}, "λ must be positive"},
		{[]string{"--synthetic", "10,2", "--solvers", "exact"}, "unknown Sinkhorn solver"},
		{[]string{"--synthetic", "10"}, "want N,K[,scale]"},
		{[]string{"--synthetic", "10,2", "--kind", "zipf"}, "unknown kind"},
	} {
		code, _, errOut := runCLI(append([]string{"lambda-sweep"}, test.args...)...)
		if code != 2 || !strings.Contains(errOut, test.want) {
			t.Errorf("lambda-sweep %v: status %d, stderr %q; want 2 mentioning %q", test.args, code, errOut, test.want)
		}
	}
}
