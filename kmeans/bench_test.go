package kmeans

import (
	"flag"
	"fmt"
	"testing"

	"github.com/selabench/selabench/bench/metrics"
	"github.com/selabench/selabench/datasets"
)

// benchIters is the number of Lloyd iterations per benchmark operation: 20 as in
// faiss's and DeepCluster's runs; `-kmeans.iters=1` measures one at large K.
var benchIters = flag.Int("kmeans.iters", 20, "Lloyd iterations per BenchmarkKMeans operation")

// mnistTrain loads MNIST's 60 000 training images (pixels / 255) or skips.
func mnistTrain(tb testing.TB) *datasets.Split {
	tb.Helper()
	ds, err := datasets.Load("mnist", datasets.LoadOptions{NoDownload: true})
	if err != nil {
		tb.Skipf("MNIST not available: %v", err)
	}
	return &ds.Train
}

// BenchmarkKMeans times Fit on MNIST train pixels with random initialisation, the
// setting of faiss.Kmeans(d, k, niter=20, max_points_per_centroid=10**9), and
// reports seconds per Lloyd iteration (whole Fit time / iterations, so the norms,
// initialisation and final labelling are charged to the iterations) and the inertia.
//
//	go test ./kmeans -run '^$' -bench 'KMeans/n=60000/d=784/k=(10|100)$' -benchtime 1x
//	go test ./kmeans -run '^$' -bench 'KMeans/n=60000/d=784/k=1000$' -benchtime 1x -kmeans.iters=1
func BenchmarkKMeans(b *testing.B) {
	s := mnistTrain(b)
	for _, k := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("n=%d/d=%d/k=%d", s.N, s.D, k), func(b *testing.B) {
			var res *Result
			iters := 0
			for b.Loop() {
				var err error
				res, err = Fit(s.X, s.N, s.D, Options{K: k, Iters: *benchIters, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				iters += res.Iterations
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(iters), "s/iter")
			b.ReportMetric(res.Inertia, "inertia")
			if nmi, err := metrics.NMI(s.Y, res.Labels); err == nil {
				b.ReportMetric(nmi, "nmi")
			}
		})
	}
}
