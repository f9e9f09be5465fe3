package eval

import (
	"fmt"
	"testing"
)

// BenchmarkLinearProbe runs the whole protocol (4 strengths on the 90 % split, refit,
// scoring) on a 10-class Gaussian mixture with 10 000 test rows; iters/op counts the
// L-BFGS iterations of all five fits, evals/op their objective evaluations.
func BenchmarkLinearProbe(b *testing.B) {
	for _, tc := range []struct{ n, d int }{{60000, 128}, {60000, 512}} {
		b.Run(fmt.Sprintf("n=%d/d=%d", tc.n, tc.d), func(b *testing.B) {
			train := mixture(tc.n, tc.d, 10, 0.2, 1, "eval/bench/train")
			test := mixture(10000, tc.d, 10, 0.2, 1, "eval/bench/test")
			var iters, evals int
			var acc float64
			for b.Loop() {
				res, err := LinearProbe(train, test, ProbeOptions{})
				if err != nil {
					b.Fatal(err)
				}
				iters, evals = res.Final.Iterations, res.Final.Evaluations
				for _, f := range res.Grid {
					iters += f.Iterations
					evals += f.Evaluations
				}
				acc = res.TestAccuracy
			}
			b.ReportMetric(float64(iters), "iters/op")
			b.ReportMetric(float64(evals), "evals/op")
			b.ReportMetric(acc, "accuracy")
		})
	}
}

// BenchmarkKNN classifies m test rows against n training rows (k = 200, τ = 0.1);
// GFLOP/s counts the 2·n·m·d flops of the similarities only.
func BenchmarkKNN(b *testing.B) {
	for _, tc := range []struct{ n, m, d int }{{60000, 10000, 128}} {
		b.Run(fmt.Sprintf("n=%d/m=%d/d=%d", tc.n, tc.m, tc.d), func(b *testing.B) {
			train := mixture(tc.n, tc.d, 10, 0.2, 1, "eval/bench/train")
			test := mixture(tc.m, tc.d, 10, 0.2, 1, "eval/bench/test")
			var acc float64
			for b.Loop() {
				res, err := KNN(train, test, KNNOptions{})
				if err != nil {
					b.Fatal(err)
				}
				acc = res.Accuracy
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(tc.m)/sec, "queries/s")
			b.ReportMetric(2*float64(tc.n)*float64(tc.m)*float64(tc.d)/sec/1e9, "GFLOP/s")
			b.ReportMetric(acc, "accuracy")
		})
	}
}
