package bench

import (
	"fmt"
	"sync"
	"testing"

	"github.com/selabench/selabench/baselines"
	"github.com/selabench/selabench/internal/logits"
	sela "github.com/selabench/selabench/selA"
)

// Inputs: internal/logits, seed 1, log-softmaxed; gaussian at scale 1 (the classic
// random input) for Sinkhorn, scale 3 for the exact solver (whose difficulty grows
// with confidence), network at scale 4 (imbalanced argmax, like a real network
// mid-training).

var inputs sync.Map // logits.Spec → []float32 log-probabilities

func logProbs(b *testing.B, spec logits.Spec) []float32 {
	if v, ok := inputs.Load(spec); ok {
		return v.([]float32)
	}
	L, err := logits.Generate(spec)
	if err != nil {
		b.Fatal(err)
	}
	logits.LogSoftmax(L, spec.N, spec.K)
	inputs.Store(spec, L)
	return L
}

func sinkhornInput(b *testing.B, kind logits.Kind, n, k int) []float32 {
	scale := 1.0
	if kind == logits.Network {
		scale = 4
	}
	return logProbs(b, logits.Spec{N: n, K: k, Kind: kind, Scale: scale, Seed: 1})
}

func BenchmarkSinkhorn(b *testing.B) {
	for _, c := range []struct {
		v      sela.Variant
		kind   logits.Kind
		n, k   int
		lambda float64
	}{
		{sela.Sinkhorn, logits.Gaussian, 60000, 100, 25},
		{sela.Sinkhorn, logits.Gaussian, 60000, 1000, 25},
		{sela.Sinkhorn, logits.Network, 60000, 100, 25},
		{sela.Sinkhorn, logits.Network, 60000, 1000, 25},
		{sela.SinkhornLog, logits.Gaussian, 60000, 1000, 25},
		{sela.SinkhornLog, logits.Network, 6000, 100, 1000},
		{sela.SinkhornRef, logits.Gaussian, 60000, 100, 25},
		{sela.SinkhornRef, logits.Gaussian, 60000, 1000, 25},
	} {
		name := fmt.Sprintf("variant=%v/kind=%v/n=%d/k=%d/lambda=%v", c.v, c.kind, c.n, c.k, c.lambda)
		if c.v != sela.Sinkhorn {
			b.Run(name, func(b *testing.B) { benchSolve(b, c.v, sela.KernelAuto, c.kind, c.n, c.k, c.lambda) })
			continue
		}
		b.Run(name, func(b *testing.B) {
			for _, m := range []sela.KernelMode{sela.KernelDense, sela.KernelSparse} {
				b.Run("kernel="+m.String(), func(b *testing.B) { benchSolve(b, c.v, m, c.kind, c.n, c.k, c.lambda) })
			}
		})
	}
}

func BenchmarkStream(b *testing.B) {
	for _, c := range []struct{ n, k int }{{60000, 100}, {60000, 1000}} {
		b.Run(fmt.Sprintf("n=%d/k=%d", c.n, c.k), func(b *testing.B) { benchStream(b, c.n, c.k) })
	}
}

func BenchmarkExact(b *testing.B) {
	for _, k := range []int{100, 1000} {
		for _, kind := range []logits.Kind{logits.Gaussian, logits.Network} {
			b.Run(fmt.Sprintf("n=60000/k=%d/kind=%s", k, kind), func(b *testing.B) { benchExact(b, 60000, k, kind) })
		}
	}
}

// benchSolve reports iters/op, GB/s (kernel bytes read by every pass over total
// solve time, build and final sweep included), pass-GB/s (the iteration phase
// alone), ms/iter and, for the truncated kernel, sparse-passes/op and density.
// The solves share a Workspace, as repeated solves in training do, so the
// kernel's memory is allocated and first touched once, outside the steady state.
func benchSolve(b *testing.B, v sela.Variant, mode sela.KernelMode, kind logits.Kind, n, k int, lambda float64) {
	L := sinkhornInput(b, kind, n, k)
	var iters, sparse int
	var streamed, iterBytes int64
	var iterate, density float64
	w := new(sela.Workspace)
	if _, err := w.Solve(L, n, k, sela.Options{Variant: v, Lambda: lambda, Kernel: mode, MaxIter: 1}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := w.Solve(L, n, k, sela.Options{Variant: v, Lambda: lambda, Kernel: mode, MaxIter: 100000})
		if err != nil {
			b.Fatal(err)
		}
		iters += res.Iterations
		sparse += res.SparsePasses
		streamed += res.StreamedBytes
		iterBytes += res.StreamedBytes - res.KernelBytes // all but the final sweep
		iterate += res.Iterate.Seconds()
		density = res.Density
	}
	ops := float64(b.N)
	b.ReportMetric(float64(iters)/ops, "iters/op")
	b.ReportMetric(float64(streamed)/b.Elapsed().Seconds()/1e9, "GB/s")
	b.ReportMetric(float64(iterBytes)/iterate/1e9, "pass-GB/s")
	b.ReportMetric(iterate*1e3/float64(iters), "ms/iter")
	if mode == sela.KernelSparse {
		b.ReportMetric(float64(sparse)/ops, "sparse-passes/op")
		b.ReportMetric(density, "density")
	}
}

// benchStream sums a copy of the input held in memory backed like the solver's
// kernel, split across goroutines as the solver's pass is.
func benchStream(b *testing.B, n, k int) {
	x := sela.NewStreamBuffer(n * k)
	copy(x, sinkhornInput(b, logits.Gaussian, n, k))
	sum := 0.0
	for b.Loop() {
		sum += sela.StreamSum(x, n, k, 0)
	}
	b.ReportMetric(float64(n*k*4)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
	if sum == 0 {
		b.Log(sum)
	}
}

func benchExact(b *testing.B, n, k int, kind logits.Kind) {
	L := logProbs(b, logits.Spec{N: n, K: k, Kind: kind, Scale: 3, Seed: 1})
	var res *baselines.ExactResult
	for b.Loop() {
		var err error
		if res, err = baselines.Exact(L, n, k, baselines.ExactOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Gap, "gap")
}
