package metrics

import (
	"fmt"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// benchLabels returns n class labels in [0, c) and n cluster labels in [0, k). A
// fraction agree of the samples gets a cluster in its class's block of k/c clusters
// (k ≥ c) or class mod k (k < c), the others a uniform random cluster: agree = 0 is
// the hardest case for the matching (no structure, many ties), agree near 1 the
// typical case of a good clustering.
func benchLabels(n, k, c int, agree float64, seed uint64) (truth, pred []int) {
	r := rng.New(seed, "metrics/bench")
	truth = make([]int, n)
	pred = make([]int, n)
	for i := range truth {
		truth[i] = r.IntN(c)
		switch {
		case r.Float64() >= agree:
			pred[i] = r.IntN(k)
		case k >= c:
			pred[i] = truth[i]*(k/c) + r.IntN(k/c)
		default:
			pred[i] = truth[i] % k
		}
	}
	return truth, pred
}

func BenchmarkContingency(b *testing.B) {
	for _, tc := range []struct{ n, k, c int }{{60000, 10, 10}, {60000, 3000, 10}, {100000, 3000, 3000}} {
		b.Run(fmt.Sprintf("n=%d/k=%d/c=%d", tc.n, tc.k, tc.c), func(b *testing.B) {
			truth, pred := benchLabels(tc.n, tc.k, tc.c, 0.5, 1)
			for b.Loop() {
				if _, err := NewContingency(truth, pred); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tc.n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkNMI and BenchmarkARI include building the contingency table.
func BenchmarkNMI(b *testing.B) { benchScore(b, NMI) }
func BenchmarkARI(b *testing.B) { benchScore(b, ARI) }

func benchScore(b *testing.B, score func(truth, pred []int) (float64, error)) {
	for _, tc := range []struct{ n, k, c int }{{60000, 10, 10}, {60000, 100, 10}, {60000, 3000, 10}} {
		b.Run(fmt.Sprintf("n=%d/k=%d/c=%d", tc.n, tc.k, tc.c), func(b *testing.B) {
			truth, pred := benchLabels(tc.n, tc.k, tc.c, 0.5, 1)
			for b.Loop() {
				if _, err := score(truth, pred); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tc.n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkACC times the matching alone, on a contingency table built beforehand.
func BenchmarkACC(b *testing.B) {
	for _, tc := range []struct {
		k, c, n int
		agree   float64
	}{
		{3000, 3000, 100000, 0},
		{3000, 3000, 100000, 0.5},
		{3000, 3000, 100000, 0.9},
		{3000, 10, 100000, 0},
		{3000, 10, 100000, 0.5},
		{10, 10, 60000, 0.5},
	} {
		name := fmt.Sprintf("k=%d/c=%d/n=%d/agree=%g", tc.k, tc.c, tc.n, tc.agree)
		b.Run(name, func(b *testing.B) {
			truth, pred := benchLabels(tc.n, tc.k, tc.c, tc.agree, 1)
			c, err := NewContingency(truth, pred)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				c.ACC()
			}
		})
	}
}
