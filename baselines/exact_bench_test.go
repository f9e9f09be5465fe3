package baselines

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/atomicfile"
	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/npy"
)

// Test-only input kinds. collapsed: every row is one shared random row
// (logits.Generate gaussian, scale 3, seed 3) plus 1e-3·N(0,1) noise, like a
// network that gives every sample nearly the same output. groups: the same with
// 7 shared rows (row i uses shared row i mod 7), like a network collapsed onto
// a few modes. Both are hard cases for an auction: groups of samples that want
// the same clusters in the same order.
const (
	collapsed logits.Kind = "collapsed"
	groups    logits.Kind = "groups"
)

// exactInput returns the benchmark input: logits.Generate(N, K, scale 3, kind,
// seed 1), or the collapsed input, turned into log-probabilities by LogSoftmax.
func exactInput(tb testing.TB, n, k int, kind logits.Kind) []float32 {
	tb.Helper()
	if kind == collapsed || kind == groups {
		shared := 1
		if kind == groups {
			shared = 7
		}
		pat, err := logits.Generate(logits.Spec{N: shared, K: k, Scale: 3, Seed: 3})
		if err != nil {
			tb.Fatal(err)
		}
		L, _ := logits.Generate(logits.Spec{N: n, K: k, Scale: 1e-3, Seed: 1})
		for j := range L {
			row := j / k % shared
			L[j] += pat[row*k+j%k]
		}
		logits.LogSoftmax(L, n, k)
		return L
	}
	L, err := logits.Generate(logits.Spec{N: n, K: k, Scale: 3, Kind: kind, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	logits.LogSoftmax(L, n, k)
	return L
}

func benchmarkExact(b *testing.B, n, k int, kind logits.Kind) {
	L := exactInput(b, n, k, kind)
	var res *ExactResult
	for b.Loop() {
		var err error
		if res, err = Exact(L, n, k, ExactOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Gap, "gap")
}

// BenchmarkExactHard times the inputs that are hard for an auction (groups of
// near-identical rows). The ordinary inputs are benchmarked in package bench,
// BenchmarkExact, beside the Sinkhorn solvers.
func BenchmarkExactHard(b *testing.B) {
	for _, k := range []int{100, 1000} {
		for _, kind := range []logits.Kind{collapsed, groups} {
			b.Run(fmt.Sprintf("n=60000/k=%d/kind=%s", k, kind), func(b *testing.B) { benchmarkExact(b, 60000, k, kind) })
		}
	}
}

// TestExactWriteNPY writes the benchmark inputs as .npy files, with the solver's
// primal value and median time as JSON beside them, for /work/notes/pot_emd.py
// (ot.emd on the same input). It runs only when EXACT_NPY_DIR names a directory;
// EXACT_NPY_KINDS (comma-separated, default gaussian,network; also collapsed,
// groups) and EXACT_NPY_REPS (default 5) choose the inputs and repetitions.
func TestExactWriteNPY(t *testing.T) {
	dir := os.Getenv("EXACT_NPY_DIR")
	if dir == "" {
		t.Skip("set EXACT_NPY_DIR to write the ot.emd comparison inputs")
	}
	const n = 60000
	reps := 5
	if r, err := strconv.Atoi(os.Getenv("EXACT_NPY_REPS")); err == nil && r > 0 {
		reps = r
	}
	kinds := []logits.Kind{logits.Gaussian, logits.Network}
	if s := os.Getenv("EXACT_NPY_KINDS"); s != "" {
		kinds = nil
		for _, kind := range strings.Split(s, ",") {
			kinds = append(kinds, logits.Kind(kind))
		}
	}
	for _, k := range []int{100, 1000} {
		for _, kind := range kinds {
			L := exactInput(t, n, k, kind)
			base := filepath.Join(dir, fmt.Sprintf("exact_n%d_k%d_%s", n, k, kind))
			if err := npy.WriteFile(base+".npy", []int{n, k}, L); err != nil {
				t.Fatal(err)
			}
			var secs []float64
			var res *ExactResult
			for range reps {
				var err error
				if res, err = Exact(L, n, k, ExactOptions{}); err != nil {
					t.Fatal(err)
				}
				secs = append(secs, res.Seconds)
			}
			slices.Sort(secs)
			out := map[string]any{
				"n": n, "k": k, "kind": kind, "primal": res.Primal, "dual": res.Dual, "gap": res.Gap,
				"optimal": res.Optimal, "seconds": secs, "seconds_median": secs[reps/2],
			}
			err := atomicfile.WriteFile(base+".json", 0o644, func(w io.Writer) error {
				return json.NewEncoder(w).Encode(out)
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: primal %.15g gap %g median %.3fs", base, res.Primal, res.Gap, secs[reps/2])
		}
	}
}
