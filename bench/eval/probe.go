package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/blas"

	"github.com/selabench/selabench/internal/gemm"
	"github.com/selabench/selabench/internal/hugemem"
	"github.com/selabench/selabench/internal/rng"
)

// Defaults of ProbeOptions.
const (
	DefaultValFraction = 0.1
	DefaultMaxIter     = 1000
	DefaultGradTol     = 1e-5
)

// DefaultL2 returns the L2 strengths λ that LinearProbe tries when ProbeOptions.L2 is
// nil: 1e-5, 1e-4, 1e-3 and 1e-2 (in the mean-loss objective of LinearProbe; 1e-5 is
// scikit-learn's C ≈ 1.7 at N = 60 000, 1e-2 is C ≈ 0.0017). The range brackets the
// weight decays of SGD-trained probes (1e-4 to 5e-4 act like λ = weight decay).
func DefaultL2() []float64 { return []float64{1e-5, 1e-4, 1e-3, 1e-2} }

// ProbeOptions configures LinearProbe. The zero value means the documented defaults.
type ProbeOptions struct {
	// L2 is the grid of L2 strengths λ > 0 to choose from; nil means DefaultL2().
	// With a single strength no validation split is made: the probe is fitted on all
	// of train with it.
	L2 []float64
	// ValFraction is the fraction of train held out to choose λ, in (0, 1);
	// 0 means DefaultValFraction. The held-out rows are a seeded random subset of
	// round(ValFraction·N) rows (at least 1, at most N−1).
	ValFraction float64
	// MaxIter caps the L-BFGS iterations of each fit; 0 means DefaultMaxIter.
	MaxIter int
	// GradTol is the convergence threshold on the largest absolute component of the
	// gradient of the (mean-loss) objective; 0 means DefaultGradTol.
	GradTol float64
	// Seed selects the validation split (stream "eval/probe/validation").
	Seed uint64
	// Workers caps the goroutines used; 0 means runtime.GOMAXPROCS(0). Results do not
	// depend on it.
	Workers int
}

// ProbeFit describes one fit of the probe by L-BFGS.
type ProbeFit struct {
	L2          float64 // the strength λ
	Iterations  int     // L-BFGS iterations
	Evaluations int     // objective and gradient evaluations
	Loss        float64 // final objective: mean cross-entropy + (λ/2)‖W‖²
	GradInf     float64 // final ‖∇‖∞
	Converged   bool    // GradInf ≤ GradTol
	Stop        string  // StopGradient, StopIterations or StopNoProgress
}

// GridFit is the fit of one strength of the grid on the training part of the split,
// with its accuracy on the held-out part.
type GridFit struct {
	ProbeFit
	ValAccuracy float64
}

// ProbeResult is the outcome of LinearProbe.
type ProbeResult struct {
	Classes int     // C = max train label + 1
	L2      float64 // the chosen strength
	// Grid holds the selection fits in the order of ProbeOptions.L2 (empty if the grid
	// has a single strength).
	Grid          []GridFit
	Final         ProbeFit // the refit on all of train with the chosen strength
	TrainAccuracy float64
	TestAccuracy  float64
	// The final model on standardised features z = (x − Mean) / Std: the logits of a
	// sample are Coef·z + Intercept, Coef being C×D row-major (scikit-learn's coef_).
	Coef, Intercept []float64
	Mean, Std       []float64 // per feature, from the training set; Std = 1 on constant features
	NVal            int       // held-out rows used for the choice of λ (0 without a grid)
	Seconds         float64   // wall time of the whole call
}

// LinearProbe scores frozen features by a linear classifier: multinomial logistic
// regression (softmax over C classes, with bias) on standardised features, the
// standard "linear evaluation" of self-supervised representations (e.g.
// Asano, Rupprecht & Vedaldi, "Self-labelling via simultaneous clustering and
// representation learning", ICLR 2020, who train such probes on frozen features).
//
// Protocol:
//
//  1. A seeded random ValFraction of the training rows is held out. Mean and standard
//     deviation (population, as scikit-learn's StandardScaler; 1 for a constant
//     feature) are computed on the remaining rows and applied to both parts.
//  2. For each λ in the grid the probe is fitted on the remaining rows, from the
//     strongest λ to the weakest, each fit warm-started at the previous solution (the
//     objective is strictly convex, so a start point changes only the cost). The λ
//     with the best held-out accuracy is chosen; ties go to the larger λ.
//  3. Standardisation is recomputed on all training rows, the probe refitted on all of
//     them with the chosen λ (warm-started at its selection fit) and scored on test.
//
// Test labels are only used for the final score. A fit minimises, over W (C×D) and
// b (C),
//
//	f(W, b) = (1/N) Σᵢ [ log Σ_c exp(zᵢc) − zᵢ,yᵢ ] + (λ/2) ‖W‖²_F,   zᵢ = W xᵢ + b,
//
// (bias not penalised) by L-BFGS (see minimize). This is scikit-learn's
// LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1/(N·λ)), whose
// objective C·Σᵢ loss + ½‖W‖² has the same minimiser. The matrix products run in
// float32 through internal/gemm on fixed chunks of rows (512 for C·D < 2048, fewer above); softmax, losses and the
// sums over chunks are float64, combined in a fixed order, so results are identical
// for any Workers or GOMAXPROCS. Predictions take the first class of largest logit.
func LinearProbe(train, test Set, opt ProbeOptions) (*ProbeResult, error) {
	start := time.Now()
	classes, err := checkPair(train, test)
	if err != nil {
		return nil, fmt.Errorf("eval: linear probe: %w", err)
	}
	opt, nw, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	n, d := train.N, train.D
	if len(opt.L2) > 1 && n < 2 {
		return nil, fmt.Errorf("eval: linear probe: %d training row(s), need 2 to hold out a validation part: %w", n, ErrEmpty)
	}
	res := &ProbeResult{Classes: classes}
	params := make([]float64, classes*d+classes) // W (C×D row-major), then b
	buf := hugemem.Float32s(n * d)               // standardised training rows
	testZ := hugemem.Float32s(test.N * d)

	lambda := opt.L2[0]
	if len(opt.L2) > 1 {
		sub, val := split(n, opt.ValFraction, opt.Seed)
		res.NVal = len(val)
		subX, valX := buf[:len(sub)*d], buf[len(sub)*d:]
		mean, std := standardStats(train.X, d, sub)
		standardise(subX, train.X, d, sub, mean, std)
		standardise(valX, train.X, d, val, mean, std)
		subY, valY := pick(train.Y, sub), pick(train.Y, val)

		order := make([]int, len(opt.L2)) // strongest first, for warm starts
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(opt.L2[b], opt.L2[a]) })
		res.Grid = make([]GridFit, len(opt.L2))
		ob := newObjective(subX, subY, len(sub), d, classes, nw)
		sols := make([][]float64, len(opt.L2))
		for _, gi := range order {
			res.Grid[gi] = GridFit{
				ProbeFit:    ob.fit(params, opt.L2[gi], opt),
				ValAccuracy: accuracy(ob.predict(valX, len(val), params), valY),
			}
			sols[gi] = slices.Clone(params)
		}
		best := chooseFit(res.Grid)
		lambda = opt.L2[best]
		copy(params, sols[best])
	}
	res.L2 = lambda

	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	res.Mean, res.Std = standardStats(train.X, d, all)
	standardise(buf, train.X, d, all, res.Mean, res.Std)
	standardise(testZ, test.X, d, nil, res.Mean, res.Std)
	ob := newObjective(buf, train.Y, n, d, classes, nw)
	res.Final = ob.fit(params, lambda, opt)
	res.TrainAccuracy = accuracy(ob.predict(buf, n, params), train.Y)
	res.TestAccuracy = accuracy(ob.predict(testZ, test.N, params), test.Y)
	res.Coef = params[:classes*d]
	res.Intercept = params[classes*d:]
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// chooseFit returns the index of the fit with the best held-out accuracy; ties go to
// the larger λ, then to the earlier grid entry.
func chooseFit(fits []GridFit) int {
	best := 0
	for i, f := range fits {
		b := fits[best]
		if f.ValAccuracy > b.ValAccuracy || (f.ValAccuracy == b.ValAccuracy && f.L2 > b.L2) {
			best = i
		}
	}
	return best
}

// resolve fills in defaults and validates the options.
func (o ProbeOptions) resolve() (ProbeOptions, int, error) {
	if o.L2 == nil {
		o.L2 = DefaultL2()
	}
	if len(o.L2) == 0 {
		return o, 0, fmt.Errorf("eval: linear probe: L2 is an empty grid: %w", ErrOption)
	}
	for i, l := range o.L2 {
		if !(l > 0) || math.IsInf(l, 0) {
			return o, 0, fmt.Errorf("eval: linear probe: L2[%d] = %v, want a finite λ > 0: %w", i, l, ErrOption)
		}
	}
	if o.ValFraction == 0 {
		o.ValFraction = DefaultValFraction
	}
	if !(o.ValFraction > 0 && o.ValFraction < 1) {
		return o, 0, fmt.Errorf("eval: linear probe: ValFraction = %v, want it in (0, 1): %w", o.ValFraction, ErrOption)
	}
	if o.MaxIter == 0 {
		o.MaxIter = DefaultMaxIter
	}
	if o.MaxIter < 0 {
		return o, 0, fmt.Errorf("eval: linear probe: MaxIter = %d, want ≥ 0: %w", o.MaxIter, ErrOption)
	}
	if o.GradTol == 0 {
		o.GradTol = DefaultGradTol
	}
	if !(o.GradTol > 0) || math.IsInf(o.GradTol, 0) {
		return o, 0, fmt.Errorf("eval: linear probe: GradTol = %v, want a finite value > 0: %w", o.GradTol, ErrOption)
	}
	nw, err := workers(o.Workers, "linear probe")
	return o, nw, err
}

// split returns the training and held-out row indices, each in increasing order: the
// held-out rows are the first round(frac·n) (clamped to [1, n−1]) of a seeded
// permutation.
func split(n int, frac float64, seed uint64) (sub, val []int) {
	nVal := min(max(int(math.Round(frac*float64(n))), 1), n-1)
	held := make([]bool, n)
	for _, i := range rng.New(seed, "eval/probe/validation").Perm(n)[:nVal] {
		held[i] = true
	}
	sub = make([]int, 0, n-nVal)
	val = make([]int, 0, nVal)
	for i, h := range held {
		if h {
			val = append(val, i)
		} else {
			sub = append(sub, i)
		}
	}
	return sub, val
}

func pick(y []int, rows []int) []int {
	out := make([]int, len(rows))
	for k, i := range rows {
		out[k] = y[i]
	}
	return out
}

// standardStats returns the mean and population standard deviation of each feature
// over the given rows (two passes, float64); a feature with zero variance gets std 1.
func standardStats(x []float32, d int, rows []int) (mean, std []float64) {
	mean = make([]float64, d)
	std = make([]float64, d)
	for _, i := range rows {
		for j, v := range x[i*d : i*d+d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(len(rows))
	}
	for _, i := range rows {
		for j, v := range x[i*d : i*d+d] {
			e := float64(v) - mean[j]
			std[j] += e * e
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j] / float64(len(rows)))
		if std[j] == 0 {
			std[j] = 1
		}
	}
	return mean, std
}

// standardise writes (x[row] − mean) / std for the given rows (all rows if nil) into
// dst, one after the other.
func standardise(dst, x []float32, d int, rows []int, mean, std []float64) {
	inv := make([]float64, d)
	for j, s := range std {
		inv[j] = 1 / s
	}
	n := len(rows)
	if rows == nil {
		n = len(x) / d
	}
	for k := range n {
		i := k
		if rows != nil {
			i = rows[k]
		}
		out := dst[k*d : k*d+d]
		for j, v := range x[i*d : i*d+d] {
			out[j] = float32((float64(v) - mean[j]) * inv[j])
		}
	}
}

func accuracy(pred, y []int) float64 {
	ok := 0
	for i, p := range pred {
		if p == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

// Row blocking of the objective. A chunk is one pair of gemm calls; a group is the unit
// of work a goroutine takes and the unit of the float64 reduction. Both sizes depend on
// the problem's shape only, so the order of every sum is independent of the number of
// goroutines.
const (
	maxChunkRows = 512
	minChunkRows = 64
	groupRows    = 4096
	// gemmSerialWork is internal/gemm's threshold: products with m·n·k below it run on
	// the calling goroutine (2mnk < 2 MFLOP).
	gemmSerialWork = 1 << 20
)

// chunkRows returns the chunk size for C classes and D features: the largest power of
// 2 in [minChunkRows, maxChunkRows] whose products (C·rows·D multiply-adds) stay below
// gemmSerialWork, so that gemm does not start its own goroutines inside ours (two
// levels of parallelism on the same cores only add scheduling); it divides
// groupRows.
func chunkRows(c, d int) int {
	rows := maxChunkRows
	for rows > minChunkRows && c*d*rows >= gemmSerialWork {
		rows /= 2
	}
	return rows
}

// objective evaluates the probe's loss and gradient on standardised rows.
type objective struct {
	x       []float32 // n×d
	y       []int
	n, d, c int
	chunk   int // rows per chunk
	workers int
	lambda  float64
	w32     []float32   // W rounded to float32 for gemm, C×D
	groups  [][]float64 // per group: loss, then ∂/∂W (C×D), then ∂/∂b (C)
	scratch []*scratch
}

type scratch struct {
	zt, g, gw []float32 // logits C×chunk, residuals C×chunk, chunk gradient C×D
	e         []float64 // exp(z − zmax), C×chunk
	zmax, sum []float64 // per row of the chunk
}

func newObjective(x []float32, y []int, n, d, c, workers int) *objective {
	ng := (n + groupRows - 1) / groupRows
	ob := &objective{x: x, y: y, n: n, d: d, c: c, chunk: chunkRows(c, d), workers: min(workers, ng), w32: make([]float32, c*d)}
	ob.groups = make([][]float64, ng)
	for i := range ob.groups {
		ob.groups[i] = make([]float64, 1+c*d+c)
	}
	ob.scratch = make([]*scratch, ob.workers)
	for i := range ob.scratch {
		ob.scratch[i] = &scratch{
			zt:   make([]float32, c*ob.chunk),
			g:    make([]float32, c*ob.chunk),
			gw:   make([]float32, c*d),
			e:    make([]float64, c*ob.chunk),
			zmax: make([]float64, ob.chunk),
			sum:  make([]float64, ob.chunk),
		}
	}
	return ob
}

// fit minimises the objective with strength lambda from params (overwritten).
func (ob *objective) fit(params []float64, lambda float64, opt ProbeOptions) ProbeFit {
	ob.lambda = lambda
	r := minimize(ob.eval, params, opt.MaxIter, opt.GradTol)
	return ProbeFit{
		L2:          lambda,
		Iterations:  r.iters,
		Evaluations: r.evals,
		Loss:        r.f,
		GradInf:     r.gradInf,
		Converged:   r.converged,
		Stop:        r.stop,
	}
}

// parallel runs fn(worker, group) over all groups on ob.workers goroutines.
func (ob *objective) parallel(ngroups int, fn func(w, g int)) {
	var next atomic.Int64
	run := func(w int) {
		for {
			g := int(next.Add(1)) - 1
			if g >= ngroups {
				return
			}
			fn(w, g)
		}
	}
	nw := min(ob.workers, ngroups)
	if nw <= 1 {
		run(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < nw; w++ {
		wg.Go(func() { run(w) })
	}
	run(0)
	wg.Wait()
}

// eval returns f(params) and writes ∇f(params) into grad.
func (ob *objective) eval(params, grad []float64) float64 {
	c, d := ob.c, ob.d
	w, b := params[:c*d], params[c*d:]
	for i, v := range w {
		ob.w32[i] = float32(v)
	}
	ob.parallel(len(ob.groups), func(wk, g int) {
		ob.evalGroup(ob.scratch[wk], ob.groups[g], g, b)
	})
	clear(grad)
	var loss float64
	for _, p := range ob.groups {
		loss += p[0]
		for i, v := range p[1:] {
			grad[i] += v
		}
	}
	inv := 1 / float64(ob.n)
	var reg float64
	for i := range grad {
		grad[i] *= inv
	}
	for i, v := range w {
		reg += v * v
		grad[i] += ob.lambda * v
	}
	return loss*inv + 0.5*ob.lambda*reg
}

// evalGroup sums the cross-entropy and its gradient over the rows of group g into
// part (unscaled by 1/N). The softmax runs class by class over the chunk's rows
// (contiguous in the transposed logits), and Σ log(Σ_c exp) is taken as the log of a
// running product rescaled by powers of 2: one logarithm per chunk instead of one per
// row (each factor is in [1, C], so the product's relative error stays below m ulps).
func (ob *objective) evalGroup(s *scratch, part []float64, g int, b []float64) {
	c, d := ob.c, ob.d
	clear(part)
	gw, gb := part[1:1+c*d], part[1+c*d:]
	for r0 := g * groupRows; r0 < min((g+1)*groupRows, ob.n); r0 += ob.chunk {
		m := min(ob.chunk, ob.n-r0)
		xc := ob.x[r0*d : (r0+m)*d]
		y := ob.y[r0 : r0+m]
		// Zᵀ = W·Xcᵀ (C×m): C rows suit the micro-kernel's tall side.
		gemm.Sgemm(blas.NoTrans, blas.Trans, c, m, d, 1, ob.w32, d, xc, d, 0, s.zt, m)
		zmax, sum := s.zmax[:m], s.sum[:m]
		for i := range zmax {
			zmax[i] = math.Inf(-1)
		}
		for k := range c {
			bk := b[k]
			for i, z := range s.zt[k*m : k*m+m] {
				zmax[i] = max(zmax[i], float64(z)+bk)
			}
		}
		clear(sum)
		for k := range c {
			bk, ek := b[k], s.e[k*m:k*m+m]
			for i, z := range s.zt[k*m : k*m+m] {
				e := expNeg(float64(z) + bk - zmax[i])
				ek[i] = e
				sum[i] += e
			}
		}
		// −log p_iy = log Σ_c exp(z_ic − zmax_i) − (z_iy − zmax_i)
		prod, exp2 := 1.0, 0
		for i, yi := range y {
			part[0] -= float64(s.zt[yi*m+i]) + b[yi] - zmax[i]
			prod *= sum[i]
			if prod > 0x1p500 {
				prod *= 0x1p-500
				exp2 += 500
			}
			sum[i] = 1 / sum[i]
		}
		part[0] += math.Log(prod) + float64(exp2)*math.Ln2
		// Residuals P − Y, stored transposed (C×m) for the gradient product.
		for k := range c {
			var acc float64
			gk := s.g[k*m : k*m+m]
			for i, e := range s.e[k*m : k*m+m] {
				r := e * sum[i]
				gk[i] = float32(r)
				acc += r
			}
			gb[k] += acc
		}
		for i, yi := range y {
			s.g[yi*m+i] = float32(s.e[yi*m+i]*sum[i] - 1)
			gb[yi]--
		}
		// ∂/∂W over the chunk = (P − Y)ᵀ·Xc (C×D).
		gemm.Sgemm(blas.NoTrans, blas.NoTrans, c, d, m, 1, s.g, m, xc, d, 0, s.gw, d)
		for k, v := range s.gw {
			gw[k] += float64(v)
		}
	}
}

// predict returns the argmax class (first of equal logits) of each of the n rows of x.
func (ob *objective) predict(x []float32, n int, params []float64) []int {
	c, d := ob.c, ob.d
	w, b := params[:c*d], params[c*d:]
	for i, v := range w {
		ob.w32[i] = float32(v)
	}
	pred := make([]int, n)
	ng := (n + groupRows - 1) / groupRows
	ob.parallel(ng, func(wk, g int) {
		s := ob.scratch[wk]
		for r0 := g * groupRows; r0 < min((g+1)*groupRows, n); r0 += ob.chunk {
			m := min(ob.chunk, n-r0)
			gemm.Sgemm(blas.NoTrans, blas.Trans, c, m, d, 1, ob.w32, d, x[r0*d:(r0+m)*d], d, 0, s.zt, m)
			for i := range m {
				best, bz := 0, math.Inf(-1)
				for k := range c {
					if z := float64(s.zt[k*m+i]) + b[k]; z > bz {
						best, bz = k, z
					}
				}
				pred[r0+i] = best
			}
		}
	})
	return pred
}
