package sela

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selabench/selabench/internal/logits"
)

// The solver benchmarks (BenchmarkSinkhorn, BenchmarkStream) live in package
// bench; BenchmarkPass needs the package internals and stays here.
//
// Inputs: internal/logits, seed 1, log-softmaxed; gaussian at scale 1 (the classic
// random input), network at scale 4 (imbalanced argmax, like a real network).

// BenchmarkPass times one fused pass of Sinkhorn alone (no build, no bookkeeping),
// over the dense kernel (the figure to hold against BenchmarkStream) or over the
// truncated one (extracted after 30 dense iterations, λ = 25).
func BenchmarkPass(b *testing.B) {
	for _, c := range []struct{ n, k int }{{60000, 100}, {60000, 1000}} {
		b.Run(fmt.Sprintf("n=%d/k=%d", c.n, c.k), func(b *testing.B) {
			for _, m := range []KernelMode{KernelDense, KernelSparse} {
				b.Run("kernel="+m.String(), func(b *testing.B) { benchPass(b, m, c.n, c.k) })
			}
		})
	}
}

var benchInputs sync.Map // logits.Spec → []float32 log-probabilities

func benchInput(b *testing.B, kind logits.Kind, n, k int) []float32 {
	scale := 1.0
	if kind == logits.Network {
		scale = 4
	}
	spec := logits.Spec{N: n, K: k, Kind: kind, Scale: scale, Seed: 1}
	if v, ok := benchInputs.Load(spec); ok {
		return v.([]float32)
	}
	L := logProbs(b, n, k, kind, scale, 1)
	benchInputs.Store(spec, L)
	return L
}

func benchPass(b *testing.B, mode KernelMode, n, k int) {
	L := benchInput(b, logits.Gaussian, n, k)
	w := new(Workspace)
	in, err := newInput(w, L, n, k, defaultWorkers())
	if err != nil {
		b.Fatal(err)
	}
	kn := newKernel(w, n, k, defaultWorkers(), nil)
	a, s := newScaling(k), make([]float64, k)
	build(kn, in, 25, nil, initialB(w, in, 25, kn.p), s)
	updateA(a, uniform(k), s, 1)
	bv, prev := make([]float64, n), make([]float64, n)
	c := 1 / float64(n)
	pass, bytes, density := kn.pass, kn.bytes(), 1.0
	if mode == KernelSparse {
		for range 30 {
			kn.pass(a, c, bv, nil, s)
			updateA(a, uniform(k), s, 1)
		}
		cfg := &config{kernel: KernelSparse, r: uniform(k)}
		sp := newSparse(w, kn, cfg)
		sp.extract(a, c, bv, nil, s)
		pass, bytes, density = sp.pass, sp.sparseBytes, sp.density
	}
	for b.Loop() {
		pass(a, c, bv, prev, s)
	}
	b.ReportMetric(float64(bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
	b.ReportMetric(density, "density")
}

func uniform(k int) []float64 {
	r := make([]float64, k)
	for y := range r {
		r[y] = 1 / float64(k)
	}
	return r
}

// BenchmarkSinkhornReal times whole solves on a real network's log-probabilities:
// the inputs in the directory named by $SELABENCH_LABEL_INPUTS (.npy files saved by
// `selabench run --save-label-inputs DIR`; reports/solvers.md names the ones it
// uses), or else the 10 000-row excerpts in testdata. Solvers: sinkhorn-ref (the
// official scheme), sinkhorn-plain (the fast iteration without acceleration),
// sinkhorn (the default, Anderson-accelerated) and sinkhorn-newton (Newton
// steps, for these K ≤ 16 inputs). testdata/sinkhorn_numpy.py prints
// the official NumPy scheme's lines under the same names (solver=numpy-ref), for
// benchstat.
func BenchmarkSinkhornReal(b *testing.B) {
	dir, pattern := os.Getenv("SELABENCH_LABEL_INPUTS"), "*.npy"
	if dir == "" {
		dir, pattern = "testdata", "mnist-*.npy"
	}
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(files) == 0 {
		b.Fatalf("no inputs in %s: %v", dir, err)
	}
	for _, path := range files {
		L, n, k := readMatrix(b, path)
		name := strings.TrimSuffix(filepath.Base(path), ".npy")
		for _, c := range []struct {
			solver string
			opt    Options
		}{
			{"sinkhorn-ref", Options{Variant: SinkhornRef}},
			{"sinkhorn-plain", Options{Accel: Plain}},
			{"sinkhorn", Options{}},
			{"sinkhorn-newton", Options{Accel: Newton}},
		} {
			b.Run("input="+name+"/solver="+c.solver, func(b *testing.B) {
				w := new(Workspace)
				var res *Result
				var build, iterate, final time.Duration
				for b.Loop() {
					if res, err = w.Solve(L, n, k, c.opt); err != nil {
						b.Fatal(err)
					}
					build, iterate, final = build+res.Build, iterate+res.Iterate, final+res.Final
				}
				ms := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(b.N) }
				b.ReportMetric(float64(res.Iterations), "iters/op")
				b.ReportMetric(ms(build), "build-ms")
				b.ReportMetric(ms(iterate), "iterate-ms")
				b.ReportMetric(ms(final), "final-ms")
			})
		}
	}
}
