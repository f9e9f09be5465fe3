// Package kmeans clusters row-major float32 data with Lloyd's algorithm, as faiss's
// Clustering does on the CPU: distances come from one matrix product per block of
// rows (‖x‖² − 2x·c + ‖c‖²), centroid sums are accumulated in float64, empty clusters
// are split from a donor chosen by size, and every step is deterministic for a given
// seed whatever GOMAXPROCS is.
//
// # Data flow
//
// Fit takes X (N×D, row-major) and Options, draws the initial centroids (random
// distinct points, or k-means++), then alternates an assignment step and an update
// step. The assignment runs over fixed segments of rows in parallel: per block of
// 512 rows one matrix product gives the distances, each row's label and distance go
// to its own slots, and — while the block is in cache — the rows are added to the
// segment's float64 centroid sums in index order. The update combines the segment
// sums in segment order (the number of segments depends on N, K and D only). After
// the last iteration the labels are recomputed against the final centroids, so
// Labels and Centroids in the Result always agree. faiss's split_clusters reseeds
// its generator with 1234 on every call; here one seeded stream per run serves all
// the splits of that run.
//
// Options follow faiss's Clustering: Redo restarts (nredo), MaxPointsPerCentroid
// subsampling of the training rows (then every row is labelled), and Spherical
// (unit-norm centroids). Preprocessing lives beside it as reusable transforms: FitPCA
// fits a PCA, optionally whitening (faiss's PCAMatrix with eigen_power −0.5), on a
// training set and PCA.Apply maps any set with it. DeepCluster chains them, with
// an L2 normalisation of the rows between: FitPCA → Apply → L2 → Fit (package
// deepcluster's Preprocess).
//
// References: S. Lloyd, "Least squares quantization in PCM" (1982); D. Arthur and
// S. Vassilvitskii, "k-means++: the advantages of careful seeding" (2007); faiss
// Clustering.cpp (empty-cluster splitting, random initialisation).
package kmeans

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/blas"

	"github.com/selabench/selabench/internal/gemm"
	"github.com/selabench/selabench/internal/rng"
	"github.com/selabench/selabench/internal/rowops"
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
	// MaxPointsPerCentroid caps the training set as faiss's max_points_per_centroid
	// does: when N > K·MaxPointsPerCentroid, the centroids are trained on K·MaxPoints-
	// PerCentroid rows drawn without replacement by a permutation seeded from Seed
	// (the first rows of the permutation, as faiss's subsample_training_set), and
	// then every one of the N rows is labelled by its nearest final centroid.
	// 0 means unlimited, DeepCluster's setting (faiss's own default is 256).
	MaxPointsPerCentroid int
	// Spherical keeps every centroid at unit L2 norm, re-normalising after the
	// initialisation and after each update as faiss's spherical clustering does
	// (post_process_centroids). With unit centroids, the nearest centroid in L2 is
	// the one of largest inner product, hence of largest cosine: spherical k-means.
	// A centroid of zero norm stays zero. Objective and Inertia remain squared L2
	// distances (to the unit centroids).
	Spherical bool
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
	Splits     int // empty clusters re-seeded by splitting a donor (faiss's nsplit), summed over iterations
	// Empty counts the clusters left without any row by the final labelling: splits
	// keep every cluster alive during training, but the final nearest-centroid search
	// may still leave some empty (faiss and DeepCluster behave alike).
	Empty int
	// TrainRows is the number of rows the centroids were trained on: N, or
	// K·MaxPointsPerCentroid when subsampled. Objective sums over these rows.
	TrainRows int
	Seconds   float64
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

// DefaultIters is the number of Lloyd iterations when Options.Iters is 0:
// DeepCluster's setting.
const DefaultIters = 20

// ErrOption marks an invalid [Options] field, or a K the data cannot hold:
// every [OptionError] is one, so that a command line can tell a usage error
// from a failure with errors.Is.
var ErrOption = errors.New("invalid option")

// An OptionError names the [Options] field at fault.
type OptionError struct {
	Field string // the Options field, e.g. "K" or "MaxPointsPerCentroid"
	Msg   string // what is wrong with it, e.g. "must be ≥ 1, got 0"
}

func (e *OptionError) Error() string { return "kmeans: invalid option " + e.Field + ": " + e.Msg }

// Is makes an OptionError match ErrOption.
func (e *OptionError) Is(target error) bool { return target == ErrOption }

// Check validates the fields of o that do not depend on the data: K ≥ 1,
// Iters ≥ 0, Redo ≥ 0, MaxPointsPerCentroid ≥ 0 and a known Init. The errors
// wrap [ErrOption] and name the field. It is the one check of these options:
// Fit runs it, and so does every caller that wants to fail before its data
// are ready.
func (o Options) Check() error {
	bad := func(field, format string, args ...any) error {
		return &OptionError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case o.K < 1:
		return bad("K", "must be ≥ 1, got %d", o.K)
	case o.Iters < 0:
		return bad("Iters", "must be ≥ 0 (0: %d), got %d", DefaultIters, o.Iters)
	case o.Redo < 0:
		return bad("Redo", "must be ≥ 0 (0: 1), got %d", o.Redo)
	case o.Init != "" && o.Init != Random && o.Init != PlusPlus:
		return bad("Init", "unknown %q (want %q or %q)", o.Init, Random, PlusPlus)
	case o.MaxPointsPerCentroid < 0:
		return bad("MaxPointsPerCentroid", "must be ≥ 0 (0: no subsampling), got %d", o.MaxPointsPerCentroid)
	}
	return nil
}

// Fit clusters the n rows of x (n×d, row-major) into opt.K clusters.
func Fit(x []float32, n, d int, opt Options) (*Result, error) {
	start := time.Now()
	if err := opt.Check(); err != nil {
		return nil, err
	}
	if err := validate(x, n, d, opt.K); err != nil {
		return nil, err
	}
	norms := rowNorms(x, n, d)
	// faiss's subsampling: train on the first K·maxppc rows of a seeded permutation.
	tx, tnorms, tn := x, norms, n
	if m := opt.MaxPointsPerCentroid; m > 0 && n/m >= opt.K && n > opt.K*m {
		tn = opt.K * m
		perm := rng.New(opt.Seed, "kmeans/subsample").Perm(n)[:tn]
		tx, tnorms = make([]float32, tn*d), make([]float32, tn)
		for i, p := range perm {
			copy(tx[i*d:(i+1)*d], x[p*d:(p+1)*d])
			tnorms[i] = norms[p]
		}
	}
	var best *Result
	for run := 0; run < max(opt.Redo, 1); run++ {
		res := lloyd(tx, tnorms, tn, d, opt, run)
		if best == nil || res.Inertia < best.Inertia {
			best = res
		}
	}
	best.TrainRows = tn
	if tn < n { // label every row against the trained centroids
		best.Labels = make([]int, n)
		best.Inertia = assign(x, norms, n, d, best.Centroids, best.K, best.Labels, make([]float32, n)) / float64(n)
	}
	for _, s := range best.Sizes() {
		if s == 0 {
			best.Empty++
		}
	}
	best.Seconds = time.Since(start).Seconds()
	return best, nil
}

// lloyd is one clustering run; run numbers the restarts, each with its own streams.
// Its Inertia is the final objective over the n rows it was given.
func lloyd(x, norms []float32, n, d int, opt Options, run int) *Result {
	k, iters := opt.K, opt.Iters
	if iters == 0 {
		iters = DefaultIters
	}
	purpose := fmt.Sprintf("kmeans/run%d", run)
	var cent []float32
	if opt.Init == PlusPlus {
		cent = initPlusPlus(x, norms, n, d, k, rng.New(opt.Seed, purpose+"/init"))
	} else {
		cent = initRandom(x, n, d, k, rng.New(opt.Seed, purpose+"/init"))
	}
	if opt.Spherical {
		rowops.L2Normalize(cent, k, d)
	}
	res := &Result{K: k, D: d}
	labels := make([]int, n)
	dist := make([]float32, n)
	split := rng.New(opt.Seed, purpose+"/split")
	acc := newSums(n, d, k)
	for it := 0; it < iters; it++ {
		obj := assignSum(x, norms, n, d, cent, k, labels, dist, acc)
		res.Objective = append(res.Objective, obj)
		res.Iterations++
		res.Splits += update(acc, n, d, cent, k, split)
		if opt.Spherical {
			rowops.L2Normalize(cent, k, d)
		}
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
	case k > n:
		return &OptionError{Field: "K", Msg: fmt.Sprintf("%d exceeds the number of rows N = %d", k, n)}
	}
	// Scan in parallel; report the first bad row in index order.
	bad := make([]int, min(runtime.GOMAXPROCS(0), n)) // first bad value per range
	parallelRangeIdx(n, len(bad), func(t, lo, hi int) {
		bad[t] = -1
		for p := lo * d; p < hi*d; p++ {
			if v := float64(x[p]); math.IsNaN(v) || math.IsInf(v, 0) {
				bad[t] = p
				return
			}
		}
	})
	for _, p := range bad {
		if p >= 0 {
			return fmt.Errorf("kmeans: row %d, column %d is %v", p/d, p%d, x[p])
		}
	}
	return nil
}

func rowNorms(x []float32, n, d int) []float32 {
	out := make([]float32, n)
	parallelRange(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s := 0.0
			for _, v := range x[i*d : (i+1)*d] {
				s += float64(v) * float64(v)
			}
			out[i] = float32(s)
		}
	})
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
	return assignSum(x, norms, n, d, cent, k, labels, dist, nil)
}

// partialBudget bounds the memory of the per-segment centroid sums (bytes).
const partialBudget = 64 << 20

// sums holds the per-segment float64 centroid sums of the fused assignment and
// update step. The rows are cut into segments of whole blocks, their number fixed
// by N, K and D only (never by GOMAXPROCS); each segment's rows are added in index
// order into its own K×D sums, and the segments are combined in order, so every
// centroid has one fixed order of additions.
type sums struct {
	segs    [][2]int    // block ranges [first, last)
	partial [][]float64 // per segment, K×D
	counts  [][]int     // per segment, K
}

func newSums(n, d, k int) *sums {
	blocks := (n + blockRows - 1) / blockRows
	p := min(16, blocks, max(1, partialBudget/(8*k*d+1)))
	s := &sums{}
	for t := 0; t < p; t++ {
		s.segs = append(s.segs, [2]int{t * blocks / p, (t + 1) * blocks / p})
		s.partial = append(s.partial, make([]float64, k*d))
		s.counts = append(s.counts, make([]int, k))
	}
	return s
}

// assignSum is assign; when acc is not nil it also accumulates, while each block of
// rows is still in cache, the sum and count of the rows of every cluster.
func assignSum(x, norms []float32, n, d int, cent []float32, k int, labels []int, dist []float32, acc *sums) float64 {
	cnorm := rowNorms(cent, k, d)
	blocks := (n + blockRows - 1) / blockRows
	// Work units: segments when accumulating, otherwise single blocks.
	units := blocks
	if acc != nil {
		units = len(acc.segs)
		for t := range acc.segs {
			clear(acc.partial[t])
			clear(acc.counts[t])
		}
	}
	var next atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), units)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dots := make([]float32, blockRows*k)
			for {
				u := int(next.Add(1)) - 1
				if u >= units {
					return
				}
				first, last := u, u+1
				if acc != nil {
					first, last = acc.segs[u][0], acc.segs[u][1]
				}
				for b := first; b < last; b++ {
					lo := b * blockRows
					rows := min(blockRows, n-lo)
					// dots = X[lo:lo+rows] · Cᵀ
					gemm.Sgemm(blas.NoTrans, blas.Trans, rows, k, d, 1, x[lo*d:], d, cent, d, 0, dots, k)
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
					if acc != nil {
						part, cnt := acc.partial[u], acc.counts[u]
						for i := lo; i < lo+rows; i++ {
							c := labels[i]
							cnt[c]++
							addTo(part[c*d:(c+1)*d], x[i*d:(i+1)*d])
						}
					}
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

// update sets the centroids to the means of their rows from the sums that assignSum
// accumulated, and splits empty clusters; it returns the number of splits. Segment
// sums are combined in segment order, in parallel over clusters.
func update(acc *sums, n, d int, cent []float32, k int, r interface{ Float64() float64 }) int {
	sizes := make([]float64, k)
	for _, cnt := range acc.counts {
		for c, v := range cnt {
			sizes[c] += float64(v)
		}
	}
	parallelRange(k, func(lo, hi int) {
		total := make([]float64, d)
		for c := lo; c < hi; c++ {
			if sizes[c] == 0 {
				continue // left for the split below
			}
			clear(total)
			for _, part := range acc.partial {
				for j, v := range part[c*d : (c+1)*d] {
					total[j] += v
				}
			}
			inv := 1 / sizes[c]
			dst := cent[c*d : (c+1)*d]
			for j, v := range total {
				dst[j] = float32(v * inv)
			}
		}
	})
	return splitEmpty(cent, sizes, n, d, k, r)
}

// addTo adds src, widened to float64, to dst (len(dst) == len(src)).
func addTo(dst []float64, src []float32) {
	src = src[:len(dst)]
	for j := range dst {
		dst[j] += float64(src[j])
	}
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
	parallelRangeIdx(n, runtime.GOMAXPROCS(0), func(_, lo, hi int) { f(lo, hi) })
}

// parallelRangeIdx splits [0, n) into min(w, n) contiguous ranges, in order, and runs
// f(t, lo, hi) on range t of each concurrently.
func parallelRangeIdx(n, w int, f func(t, lo, hi int)) {
	w = min(w, n)
	if w <= 1 {
		if n > 0 {
			f(0, 0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for t := 0; t < w; t++ {
		lo, hi := t*n/w, (t+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(t, lo, hi)
		}()
	}
	wg.Wait()
}
