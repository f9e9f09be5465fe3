// Package kmeans clusters row-major float32 data with Lloyd's algorithm, as faiss's
// Clustering does on the CPU: distances come from one matrix product per block of
// rows (‖x‖² − 2x·c + ‖c‖²), centroid sums are accumulated in float64, empty clusters
// are split from a donor chosen by size, and every step is deterministic for a given
// seed whatever GOMAXPROCS is.
//
// # Data flow
//
// Fit takes X (N×D, row-major) and Options, draws the initial centroids (random
// distinct points, or k-means++), then alternates an assignment step (parallel over
// fixed blocks of rows, each block's labels and distances written to its own slots)
// and an update step (parallel over fixed ranges of dimensions, each summing the rows
// in index order). After the last iteration the labels are recomputed against the
// final centroids, so Labels and Centroids in the Result always agree.
//
// References: S. Lloyd, "Least squares quantization in PCM" (1982); D. Arthur and
// S. Vassilvitskii, "k-means++: the advantages of careful seeding" (2007); faiss
// Clustering.cpp (empty-cluster splitting, random initialisation).
package kmeans

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/selabench/selabench/internal/rng"
)

// Init selects how the first centroids are drawn.
type Init string

const (
	// Random picks K distinct data points uniformly, as faiss does.
	Random Init = "random"
	// PlusPlus is k-means++ seeding: each next centroid is a point drawn with
	// probability proportional to its squared distance to the nearest chosen one.
	PlusPlus Init = "kmeans++"
)

// Options configures Fit. The zero value of every field but K means the default
// written beside it.
type Options struct {
	K     int    // number of clusters, 1 ≤ K ≤ N
	Iters int    // Lloyd iterations; 0 means 20 (DeepCluster's setting)
	Init  Init   // "" means Random
	Seed  uint64 // seed of every random draw
	// Tol stops early when the relative decrease of the objective between two
	// iterations falls below it; 0 runs all Iters iterations.
	Tol float64
	// Redo runs the whole clustering this many times from different initialisations
	// and keeps the run with the lowest final objective (faiss's nredo); 0 means 1.
	Redo int
}

// Result is the outcome of Fit.
type Result struct {
	K, D      int
	Centroids []float32 // K×D, row-major
	Labels    []int     // nearest centroid of each row, against the final centroids
	// Objective[t] is the sum of squared distances of the rows to their nearest
	// centroid at iteration t's assignment step (faiss's "obj").
	Objective  []float64
	Inertia    float64 // mean squared distance to the assigned (final) centroid
	Iterations int
	Splits     int // empty clusters re-seeded by splitting a donor (faiss's nsplit)
	Seconds    float64
}

// Sizes returns the number of rows assigned to each cluster.
func (r *Result) Sizes() []int {
	s := make([]int, r.K)
	for _, y := range r.Labels {
		s[y]++
	}
	return s
}

// splitEps is faiss's relative perturbation when an empty cluster copies a donor.
const splitEps = 1.0 / 1024

// blockRows is the number of rows whose distances one matrix product computes. It is
// a constant, not derived from GOMAXPROCS, so results never depend on the core count.
const blockRows = 512

// Fit clusters the n rows of x (n×d, row-major) into opt.K clusters.
func Fit(x []float32, n, d int, opt Options) (*Result, error) {
	start := time.Now()
	if err := validate(x, n, d, opt.K); err != nil {
		return nil, err
	}
	switch {
	case opt.Iters < 0:
		return nil, fmt.Errorf("kmeans: iterations must be ≥ 0, got %d", opt.Iters)
	case opt.Redo < 0:
		return nil, fmt.Errorf("kmeans: redo must be ≥ 0, got %d", opt.Redo)
	case opt.Init != "" && opt.Init != Random && opt.Init != PlusPlus:
		return nil, fmt.Errorf("kmeans: unknown init %q (want %q or %q)", opt.Init, Random, PlusPlus)
	}
	norms := rowNorms(x, n, d)
	var best *Result
	for run := 0; run < max(opt.Redo, 1); run++ {
		res := lloyd(x, norms, n, d, opt, run)
		if best == nil || res.Inertia < best.Inertia {
			best = res
		}
	}
	best.Seconds = time.Since(start).Seconds()
	return best, nil
}

// lloyd is one clustering run; run numbers the restarts, each with its own streams.
func lloyd(x, norms []float32, n, d int, opt Options, run int) *Result {
	k, iters := opt.K, opt.Iters
	if iters == 0 {
		iters = 20
	}
	purpose := fmt.Sprintf("kmeans/run%d", run)
	var cent []float32
	if opt.Init == PlusPlus {
		cent = initPlusPlus(x, norms, n, d, k, rng.New(opt.Seed, purpose+"/init"))
	} else {
		cent = initRandom(x, n, d, k, rng.New(opt.Seed, purpose+"/init"))
	}
	res := &Result{K: k, D: d}
	labels := make([]int, n)
	dist := make([]float32, n)
	split := rng.New(opt.Seed, purpose+"/split")
	for it := 0; it < iters; it++ {
		obj := assign(x, norms, n, d, cent, k, labels, dist)
		res.Objective = append(res.Objective, obj)
		res.Iterations++
		res.Splits += update(x, n, d, labels, cent, k, split)
		if opt.Tol > 0 && it > 0 {
			prev := res.Objective[it-1]
			if prev > 0 && (prev-obj)/prev < opt.Tol {
				break
			}
		}
	}
	obj := assign(x, norms, n, d, cent, k, labels, dist)
	res.Centroids, res.Labels = cent, labels
	res.Inertia = obj / float64(n)
	return res
}

// Assign returns the nearest of the k centroids (k×d) for every row of x, and the mean
// squared distance — the inertia of x under those centroids.
func Assign(x []float32, n, d int, centroids []float32, k int) ([]int, float64, error) {
	if err := validate(x, n, d, 1); err != nil {
		return nil, 0, err
	}
	if k < 1 || len(centroids) != k*d {
		return nil, 0, fmt.Errorf("kmeans: %d centroid values for k=%d, d=%d", len(centroids), k, d)
	}
	labels := make([]int, n)
	obj := assign(x, rowNorms(x, n, d), n, d, centroids, k, labels, make([]float32, n))
	return labels, obj / float64(n), nil
}

func validate(x []float32, n, d, k int) error {
	switch {
	case n < 1 || d < 1:
		return fmt.Errorf("kmeans: need at least one row and one column, got %d×%d", n, d)
	case len(x) != n*d:
		return fmt.Errorf("kmeans: data has %d values, want %d×%d = %d", len(x), n, d, n*d)
	case k < 1:
		return fmt.Errorf("kmeans: K must be ≥ 1, got %d", k)
	case k > n:
		return fmt.Errorf("kmeans: K = %d exceeds the number of rows N = %d", k, n)
	}
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("kmeans: row %d, column %d is %v", i, j, v)
			}
		}
	}
	return nil
}

func rowNorms(x []float32, n, d int) []float32 {
	out := make([]float32, n)
	for i := range out {
		s := 0.0
		for _, v := range x[i*d : (i+1)*d] {
			s += float64(v) * float64(v)
		}
		out[i] = float32(s)
	}
	return out
}

func initRandom(x []float32, n, d, k int, r *rand.Rand) []float32 {
	perm := r.Perm(n)
	cent := make([]float32, k*d)
	for c := 0; c < k; c++ {
		copy(cent[c*d:(c+1)*d], x[perm[c]*d:(perm[c]+1)*d])
	}
	return cent
}

// initPlusPlus is k-means++ seeding with the running minimum squared distance of every
// row to the chosen centroids, updated once per new centroid (N·D work each).
func initPlusPlus(x, norms []float32, n, d, k int, r *rand.Rand) []float32 {
	cent := make([]float32, k*d)
	first := r.IntN(n)
	copy(cent[:d], x[first*d:(first+1)*d])
	minD := make([]float64, n)
	parallelRange(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			minD[i] = sqDist(x[i*d:(i+1)*d], cent[:d])
		}
	})
	for c := 1; c < k; c++ {
		total := 0.0
		for _, v := range minD {
			total += v
		}
		pick := n - 1
		if total > 0 {
			u := r.Float64() * total
			acc := 0.0
			for i, v := range minD {
				acc += v
				if acc > u {
					pick = i
					break
				}
			}
		} else {
			pick = r.IntN(n) // every row sits on a centroid already
		}
		row := cent[c*d : (c+1)*d]
		copy(row, x[pick*d:(pick+1)*d])
		parallelRange(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if v := sqDist(x[i*d:(i+1)*d], row); v < minD[i] {
					minD[i] = v
				}
			}
		})
	}
	return cent
}

func sqDist(a, b []float32) float64 {
	s := 0.0
	for j, v := range a {
		t := float64(v) - float64(b[j])
		s += t * t
	}
	return s
}

// assign writes each row's nearest centroid and squared distance, and returns the sum
// of the distances, added in row order.
func assign(x, norms []float32, n, d int, cent []float32, k int, labels []int, dist []float32) float64 {
	cnorm := rowNorms(cent, k, d)
	impl := blas32.Implementation()
	blocks := (n + blockRows - 1) / blockRows
	var next atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), blocks)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dots := make([]float32, blockRows*k)
			for {
				b := int(next.Add(1)) - 1
				if b >= blocks {
					return
				}
				lo := b * blockRows
				rows := min(blockRows, n-lo)
				// dots = X[lo:lo+rows] · Cᵀ
				impl.Sgemm(blas.NoTrans, blas.Trans, rows, k, d, 1, x[lo*d:], d, cent, d, 0, dots, k)
				for i := 0; i < rows; i++ {
					row := dots[i*k : (i+1)*k]
					best, bestD := 0, float32(math.Inf(1))
					for c, dot := range row {
						if v := cnorm[c] - 2*dot; v < bestD {
							best, bestD = c, v
						}
					}
					v := norms[lo+i] + bestD
					if v < 0 { // rounding when a row sits on its centroid
						v = 0
					}
					labels[lo+i], dist[lo+i] = best, v
				}
			}
		}()
	}
	wg.Wait()
	obj := 0.0
	for _, v := range dist {
		obj += float64(v)
	}
	return obj
}

// update recomputes the centroids as the means of their rows and splits empty
// clusters; it returns the number of splits.
func update(x []float32, n, d int, labels []int, cent []float32, k int, r interface{ Float64() float64 }) int {
	sizes := make([]int, k)
	for _, y := range labels {
		sizes[y]++
	}
	sums := make([]float64, k*d)
	// Each worker owns a range of dimensions and adds rows in index order, so every
	// sum has one fixed order of additions.
	parallelRange(d, func(lo, hi int) {
		for i := 0; i < n; i++ {
			dst := sums[labels[i]*d+lo : labels[i]*d+hi]
			for j, v := range x[i*d+lo : i*d+hi] {
				dst[j] += float64(v)
			}
		}
	})
	for c := 0; c < k; c++ {
		if sizes[c] == 0 {
			continue // left for the split below
		}
		inv := 1 / float64(sizes[c])
		for j := 0; j < d; j++ {
			cent[c*d+j] = float32(sums[c*d+j] * inv)
		}
	}
	fsizes := make([]float64, k)
	for c, s := range sizes {
		fsizes[c] = float64(s)
	}
	return splitEmpty(cent, fsizes, n, d, k, r)
}

// splitEmpty re-seeds every empty cluster as faiss's Clustering does: walk the clusters
// cyclically, accepting cluster j as the donor with probability (size_j − 1)/(n − k);
// copy its centroid and push the pair apart by a relative 1/1024 on alternate
// dimensions; the donor's rows are assumed shared evenly (sizes are real, as faiss's).
func splitEmpty(cent []float32, sizes []float64, n, d, k int, r interface{ Float64() float64 }) int {
	if n == k {
		return 0 // faiss's probability is undefined; with n = k no cluster can be split
	}
	splits := 0
	for ci := 0; ci < k; ci++ {
		if sizes[ci] != 0 {
			continue
		}
		cj := 0
		for {
			p := (sizes[cj] - 1) / float64(n-k)
			if r.Float64() < p {
				break
			}
			cj = (cj + 1) % k
		}
		dst, src := cent[ci*d:(ci+1)*d], cent[cj*d:(cj+1)*d]
		copy(dst, src)
		for j := range dst {
			if j%2 == 0 {
				dst[j] *= 1 + splitEps
				src[j] *= 1 - splitEps
			} else {
				dst[j] *= 1 - splitEps
				src[j] *= 1 + splitEps
			}
		}
		sizes[ci] = sizes[cj] / 2
		sizes[cj] -= sizes[ci]
		splits++
	}
	return splits
}

// parallelRange splits [0, n) into GOMAXPROCS contiguous ranges and runs f on each.
// Callers make f's result independent of how the range is cut.
func parallelRange(n int, f func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n)
	if w <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for t := 0; t < w; t++ {
		lo, hi := t*n/w, (t+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}
