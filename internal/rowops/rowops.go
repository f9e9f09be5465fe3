// Package rowops holds row-wise operations on row-major float32 matrices that
// several packages need and none owns: the L2 normalisation of k-means'
// spherical centroids, of DeepCluster's PCA-whitened features and of the
// features the kNN evaluation compares by cosine.
package rowops

import (
	"math"
	"runtime"
	"sync"
)

// parallelMin is the matrix size (n·d) from which L2Normalize splits its rows
// over GOMAXPROCS goroutines; smaller matrices are not worth the goroutines.
const parallelMin = 1 << 16

// L2Normalize divides every row of x (n×d, row-major) by its Euclidean norm, in
// place, the norm summed in float64 and each value multiplied by the norm's
// inverse (DeepCluster's `npdata / row_sums`). A row of zero norm is left at
// zero, where NumPy would produce NaN. Rows are independent, so the result
// does not depend on how they are split over goroutines.
func L2Normalize(x []float32, n, d int) {
	rows := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := x[i*d : (i+1)*d]
			s := 0.0
			for _, v := range row {
				s += float64(v) * float64(v)
			}
			if s == 0 {
				continue
			}
			inv := 1 / math.Sqrt(s)
			for j, v := range row {
				row[j] = float32(float64(v) * inv)
			}
		}
	}
	w := min(runtime.GOMAXPROCS(0), n)
	if w <= 1 || n*d < parallelMin {
		rows(0, n)
		return
	}
	var wg sync.WaitGroup
	for t := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows(t*n/w, (t+1)*n/w)
		}()
	}
	wg.Wait()
}
