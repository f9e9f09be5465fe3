package baselines

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// BenchmarkExactReal times Exact on a real network's log-probabilities: the .npy
// files in the directory named by $SELABENCH_LABEL_INPUTS (saved by `selabench run
// --save-label-inputs DIR`), or else the 10 000-row excerpts that selA's Sinkhorn
// benchmark uses. testdata/pot_emd.py times POT's ot.emd on the same files.
func BenchmarkExactReal(b *testing.B) {
	dir, pattern := os.Getenv("SELABENCH_LABEL_INPUTS"), "*.npy"
	if dir == "" {
		dir, pattern = filepath.Join("..", "selA", "testdata"), "mnist-*.npy"
	}
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(files) == 0 {
		b.Fatalf("no inputs in %s: %v", dir, err)
	}
	for _, path := range files {
		a, err := npy.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		L, ok := a.Data.([]float32)
		if !ok || len(a.Shape) != 2 {
			b.Fatalf("%s: %s %v, want a float32 matrix", path, a.DType, a.Shape)
		}
		n, k := a.Shape[0], a.Shape[1]
		b.Run("input="+strings.TrimSuffix(filepath.Base(path), ".npy"), func(b *testing.B) {
			var res *ExactResult
			for b.Loop() {
				if res, err = Exact(L, n, k, ExactOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.Gap, "gap")
		})
	}
}
