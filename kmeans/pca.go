package kmeans

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/selabench/selabench/internal/gemm"
)

// PCAOptions configures FitPCA. The zero value is a plain (unwhitened) PCA.
type PCAOptions struct {
	// Whiten scales every output component by (λ + Epsilon)^(−1/2), λ its eigenvalue,
	// so that the transformed training data has identity covariance: faiss's
	// PCAMatrix with eigen_power = −0.5, as DeepCluster uses it.
	Whiten bool
	// Epsilon is added to every eigenvalue before whitening, as faiss's
	// PCAMatrix.epsilon (whose default is also 0). Note the scale: our eigenvalues are
	// those of the covariance (scatter divided by N), faiss's those of the scatter
	// matrix XᵀX − N·μμᵀ, N times larger; so faiss's epsilon e corresponds to e/N here.
	Epsilon float64
}

// PCA is a fitted linear transform x ↦ P·(x − μ), P the DOut leading principal
// directions of the training data (scaled by λ^(−1/2) when whitening). Fit it on a
// training set with FitPCA and apply it to any data of the same dimension.
//
// Differences from faiss's PCAMatrix, all deliberate and none visible after the
// L2 normalisation DeepCluster applies next:
//
//   - the covariance is divided by N, so whitened training data has identity
//     covariance (faiss whitens the scatter matrix: its outputs are ours / √N);
//   - the sign of each direction is fixed (its largest-magnitude entry is positive),
//     where LAPACK's is arbitrary, so a fit is reproducible;
//   - a direction whose eigenvalue (plus Epsilon) is numerically zero — at most
//     DIn·2⁻⁵² of the largest, e.g. a pixel that is constant over the training set —
//     is output as 0 when whitening (counted in Degenerate), where faiss's
//     pow(0, −0.5) = +Inf would turn the output into Inf/NaN;
//   - faiss subsamples the training set to 1000·DIn rows (max_points_per_d); this
//     PCA uses every row it is given.
type PCA struct {
	DIn, DOut int
	Whiten    bool
	Epsilon   float64
	// Mean is μ, the mean training row (DIn values).
	Mean []float64
	// Eigenvalues holds all DIn eigenvalues of the training covariance, descending.
	Eigenvalues []float64
	// Components holds the DOut leading unit eigenvectors as rows (DOut×DIn,
	// row-major), in the order of Eigenvalues.
	Components []float64
	// Degenerate counts the output components dropped (set to 0) by whitening because
	// their eigenvalue is numerically zero.
	Degenerate int

	proj []float32 // DOut×DIn: the components, scaled when whitening
}

// covBlock is the number of rows added to the covariance per rank-k update.
const covBlock = 1024

// covSegments is the most segments the covariance is accumulated in (the
// parallelism of FitPCA); covBudget bounds their memory (bytes).
const (
	covSegments = 4
	covBudget   = 64 << 20
)

// FitPCA fits a PCA to the n rows of x (n×d, row-major) keeping dims components,
// 1 ≤ dims ≤ d. The mean and covariance are accumulated in float64 (the centred
// rows, in blocks of 1024, enter BLAS Dsyrk rank-k updates — up to four segments of
// blocks in parallel, each in row order, added in order), and the
// symmetric eigenproblem is solved by gonum's mat.EigenSym (LAPACK dsyev).
// Rows with NaN or ±Inf values are an error naming the row.
func FitPCA(x []float32, n, d, dims int, opt PCAOptions) (*PCA, error) {
	if err := validate(x, n, d, 1); err != nil {
		return nil, err
	}
	switch {
	case dims < 1 || dims > d:
		return nil, fmt.Errorf("kmeans: PCA to %d dimensions from %d: want 1 ≤ dims ≤ %d", dims, d, d)
	case opt.Epsilon < 0 || math.IsNaN(opt.Epsilon) || math.IsInf(opt.Epsilon, 0):
		return nil, fmt.Errorf("kmeans: PCA epsilon must be finite and ≥ 0, got %v", opt.Epsilon)
	}
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	// Upper triangle of Σ_i (x_i − μ)(x_i − μ)ᵀ: the blocks of rows are cut into a
	// fixed number of segments (set by n and d only), each accumulated in row order
	// into its own matrix by a worker, and the segments are added in order.
	blocks := (n + covBlock - 1) / covBlock
	segs := min(covSegments, blocks, max(1, covBudget/(8*d*d)))
	parts := make([][]float64, segs)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), segs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			impl := blas64.Implementation()
			buf := make([]float64, min(covBlock, n)*d)
			for {
				t := int(next.Add(1)) - 1
				if t >= segs {
					return
				}
				part := make([]float64, d*d)
				for b := t * blocks / segs; b < (t+1)*blocks/segs; b++ {
					lo := b * covBlock
					rows := min(covBlock, n-lo)
					for i := 0; i < rows; i++ {
						src, dst := x[(lo+i)*d:(lo+i+1)*d], buf[i*d:(i+1)*d]
						for j, v := range src {
							dst[j] = float64(v) - mean[j]
						}
					}
					impl.Dsyrk(blas.Upper, blas.Trans, d, rows, 1, buf[:rows*d], d, 1, part, d)
				}
				parts[t] = part
			}
		}()
	}
	wg.Wait()
	cov := parts[0]
	for _, part := range parts[1:] {
		for i, v := range part {
			cov[i] += v
		}
	}
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			cov[i*d+j] /= float64(n)
		}
	}
	var es mat.EigenSym
	if ok := es.Factorize(mat.NewSymDense(d, cov), true); !ok {
		return nil, fmt.Errorf("kmeans: PCA: the eigendecomposition of the %d×%d covariance did not converge", d, d)
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	p := &PCA{DIn: d, DOut: dims, Whiten: opt.Whiten, Epsilon: opt.Epsilon, Mean: mean,
		Eigenvalues: make([]float64, d), Components: make([]float64, dims*d), proj: make([]float32, dims*d)}
	for r, c := range order {
		p.Eigenvalues[r] = vals[c]
	}
	tiny := float64(d) * 0x1p-52 * math.Max(p.Eigenvalues[0], 0)
	for r := 0; r < dims; r++ {
		row := p.Components[r*d : (r+1)*d]
		big := 0
		for j := range row {
			row[j] = vecs.At(j, order[r])
			if math.Abs(row[j]) > math.Abs(row[big]) {
				big = j
			}
		}
		if row[big] < 0 {
			for j := range row {
				row[j] = -row[j]
			}
		}
		scale := 1.0
		if opt.Whiten {
			if lam := p.Eigenvalues[r] + opt.Epsilon; lam > tiny {
				scale = 1 / math.Sqrt(lam)
			} else {
				scale = 0
				p.Degenerate++
			}
		}
		for j, v := range row {
			p.proj[r*d+j] = float32(v * scale)
		}
	}
	return p, nil
}

// applyBlock is the number of rows transformed per matrix product.
const applyBlock = 1024

// Apply transforms the n rows of x (n×DIn) and returns them as n×DOut, row-major.
// Rows are centred in float32 and multiplied by the components with one SGEMM per
// block of rows. A dimension mismatch or a NaN/±Inf value is an error naming it.
func (p *PCA) Apply(x []float32, n int) ([]float32, error) {
	if p == nil || p.DIn < 1 || p.DOut < 1 || len(p.proj) != p.DOut*p.DIn {
		return nil, fmt.Errorf("kmeans: PCA.Apply on an unfitted PCA (use FitPCA)")
	}
	d := p.DIn
	if n < 1 || len(x) != n*d {
		return nil, fmt.Errorf("kmeans: PCA fitted on %d dimensions, applied to %d values for %d rows (want %d×%d)", d, len(x), n, n, d)
	}
	if err := validate(x, n, d, 1); err != nil {
		return nil, err
	}
	out := make([]float32, n*p.DOut)
	mean := make([]float32, d)
	for j, m := range p.Mean {
		mean[j] = float32(m)
	}
	buf := make([]float32, applyBlock*d)
	for lo := 0; lo < n; lo += applyBlock {
		rows := min(applyBlock, n-lo)
		for i := 0; i < rows; i++ {
			src, dst := x[(lo+i)*d:(lo+i+1)*d], buf[i*d:(i+1)*d]
			for j, v := range src {
				dst[j] = v - mean[j]
			}
		}
		gemm.Sgemm(blas.NoTrans, blas.Trans, rows, p.DOut, d, 1, buf[:rows*d], d, p.proj, d, 0, out[lo*p.DOut:], p.DOut)
	}
	return out, nil
}
