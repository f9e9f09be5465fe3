package sela

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// kernel is the stored float32 Sinkhorn kernel shared by Sinkhorn and SinkhornLog:
//
//	G_iy = exp(v_iy − m_i),  v_iy = λ·(L_iy − max_y' L_iy') + α_y,  m_i = max_y v_iy,
//
// so every row's largest entry is exactly 1. α (absorbed log column scalings) is nil
// for Sinkhorn. Entries below the smallest normal float32 are stored as 0.
type kernel struct {
	n, k  int
	p     plan
	g     []float32 // n×k
	m     []float64 // m_i; zero when α is nil
	part  []float64 // chunks×k partial column sums
	perr  []float64 // per-chunk partial stopping error
	pbad  []int     // per-chunk first row whose scaling broke down, or -1
	gpart []float64 // chunks×gramStride² partial Gram matrices (Newton steps), made on first use
	gsum  []float64 // their sum
}

// newKernel returns a kernel stored in g (length n·k), or in the workspace's
// buffer when g is nil.
func newKernel(w *Workspace, n, k, workers int, g []float32) *kernel {
	p := newPlan(n, k, workers)
	if g == nil {
		g = w.kernel32(n * k)
	}
	return &kernel{
		n: n, k: k, p: p,
		g:    g,
		m:    w.vec(n),
		part: w.vec(p.chunks * k),
		perr: make([]float64, p.chunks),
		pbad: make([]int, p.chunks),
	}
}

// bytes is the size of the stored kernel.
func (kn *kernel) bytes() int64 { return int64(kn.n) * int64(kn.k) * 4 }

// build (re)computes G for λ and α (nil: none) from the input. If b0 is
// not nil it also sets s = Gᵀb0, the column sums that give the first a. Rows go in
// blocks: the exponents of a block are formed, then exponentiated and summed in one
// call each. Each row of the input is read whole (into v) before the row of G is
// written, so kn.g may be the input's own memory (SolveInPlace): the bits of G are
// the same either way.
func build[T real](kn *kernel, in *input[T], lam float64, alpha, b0, s []float64) {
	k := kn.k
	block := max(1, buildBlock/k)
	kn.p.run(func(ch, lo, hi int) {
		part := kn.part[ch*k : (ch+1)*k]
		clear(part)
		v := make([]float64, block*k)
		for r0 := lo; r0 < hi; r0 += block {
			r1 := min(r0+block, hi)
			// Exponents relative to the row maximum: differences within a row are
			// exact for float32 input and independent of the log-softmax shift,
			// which cancels.
			if alpha == nil {
				diffRows(v[:(r1-r0)*k], in.x[r0*k:r1*k], in.xmax[r0:r1], k, lam)
				clear(kn.m[r0:r1])
			} else {
				for i := r0; i < r1; i++ {
					x := in.x[i*k : (i+1)*k]
					vi := v[(i-r0)*k : (i-r0+1)*k]
					xm := in.xmax[i]
					m := math.Inf(-1)
					for y, e := range x {
						vi[y] = lam*(float64(e)-xm) + alpha[y]
						if vi[y] > m {
							m = vi[y]
						}
					}
					for y := range vi {
						vi[y] -= m
					}
					kn.m[i] = m
				}
			}
			g := kn.g[r0*k : r1*k]
			expRow(g, v[:len(g)], 0)
			if b0 != nil {
				axpyRows(g, k, b0[r0:r1], part)
			}
		}
	})
	if b0 != nil {
		kn.p.reduce(s, kn.part)
	}
}

// diffRows sets v[i·k+y] = λ·(x_iy − xmax_i) for the len(xmax) rows of x: the
// kernel's exponents without absorbed column scalings, in assembly for float32
// input where the CPU has AVX-512.
func diffRows[T real](v []float64, x []T, xmax []float64, k int, lam float64) {
	if len(xmax) == 0 {
		return
	}
	if len(v) < len(xmax)*k || len(x) < len(xmax)*k {
		panic("sela: diffRows: bad slice lengths")
	}
	if x32, ok := any(x).([]float32); ok && diffRowsImpl(v, x32, xmax, k, lam) {
		return
	}
	diffRowsGo(v, x, xmax, k, lam)
}

// diffRowsGo is the canonical definition of diffRows.
func diffRowsGo[T real](v []float64, x []T, xmax []float64, k int, lam float64) {
	for i, xm := range xmax {
		vi := v[i*k : (i+1)*k]
		for y, e := range x[i*k : (i+1)*k] {
			vi[y] = lam * (float64(e) - xm)
		}
	}
}

// buildBlock is the number of kernel entries build exponentiates per call.
const buildBlock = 2048

// minB0 is the floor of the initial row scalings (see initialB).
const minB0 = 1e-300

// initialB returns the official code's starting point c = 1/N for every row,
// expressed in the gauge of the stabilised kernel: the official kernel P^λ is
// G_iy·exp(λ·max_y L_iy), so its b = 1/N becomes b_i = exp(λ·max_y L_iy)/N here,
// divided by the largest such factor (a global scale, which the first a absorbs).
// Starting there makes Sinkhorn reproduce the official iterates up to rounding. At
// λ·(spread of the row maxima) > 690 a factor would underflow; it is floored at
// 1e-300 (the official float64 code has broken down long before: its P^λ rows are 0).
func initialB[T real](w *Workspace, in *input[T], lam float64, p plan) []float64 {
	b0 := w.vec(in.n)
	top := math.Inf(-1)
	for i := range b0 {
		top = max(top, in.lmax(i))
	}
	c := 1 / float64(in.n)
	p.run(func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			b0[i] = max(c*math.Exp(lam*(in.lmax(i)-top)), minB0)
		}
	})
	return b0
}

// passFunc is one fused Sinkhorn iteration: b_i = c / Σ_y G_iy a_y for every row,
// and s = Gᵀb. If prev is not nil it also returns the official stopping error
// Σ_i |prev_i/b_i − 1|. bad is the first row whose b is not finite and positive, or
// -1. kernel.pass runs it over the dense kernel, sparseKernel.pass over the
// truncated one.
type passFunc func(a []float64, c float64, b, prev, s []float64) (stopErr float64, bad int)

// pass is the passFunc of the dense kernel.
func (kn *kernel) pass(a []float64, c float64, b, prev, s []float64) (stopErr float64, bad int) {
	k := kn.k
	return kn.runPass(b, prev, s, func(_, lo, hi int, part []float64) {
		fusedRows(kn.g[lo*k:hi*k], k, a, c, b[lo:hi], part)
	})
}

// runPass runs body on every chunk with the chunk's zeroed partial column sums,
// then checks b and sums the stopping error per chunk, and reduces the partials
// into s, all in chunk order.
func (kn *kernel) runPass(b, prev, s []float64, body func(ch, lo, hi int, part []float64)) (stopErr float64, bad int) {
	k := kn.k
	kn.p.run(func(ch, lo, hi int) {
		part := kn.part[ch*k : (ch+1)*k]
		clear(part)
		body(ch, lo, hi, part)
		kn.pbad[ch] = -1
		e := 0.0
		if prev == nil {
			if j := firstBad(b[lo:hi]); j >= 0 {
				kn.pbad[ch] = lo + j
			}
		} else {
			for i := lo; i < hi; i++ {
				bi := b[i]
				if !goodScaling(bi) {
					kn.pbad[ch] = i
					break
				}
				e += math.Abs(prev[i]/bi - 1)
			}
		}
		kn.perr[ch] = e
	})
	bad = -1
	for ch := range kn.p.chunks {
		if kn.pbad[ch] >= 0 {
			bad = kn.pbad[ch]
			break
		}
		stopErr += kn.perr[ch]
	}
	kn.p.reduce(s, kn.part)
	return stopErr, bad
}

// sweep is the final pass, always over the dense kernel: labels argmax_y a_y·G_iy
// (first maximum on ties) and the marginals of Q_iy = a_y G_iy b_i normalised to
// total mass 1. Rows are swept in blocks (sweepRows, then the labels) while they
// are in cache.
func (kn *kernel) sweep(w *Workspace, a, b []float64, r []float64, res *Result) {
	n, k := kn.n, kn.k
	res.Labels = make([]int32, n)
	rows := w.vec(n)
	kn.p.run(func(ch, lo, hi int) {
		part := kn.part[ch*k : (ch+1)*k]
		clear(part)
		for r0 := lo; r0 < hi; r0 += extractBlock {
			r1 := min(r0+extractBlock, hi)
			sweepRows(kn.g[r0*k:r1*k], k, a, b[r0:r1], rows[r0:r1], part)
			argmaxRows(kn.g[r0*k:r1*k], k, a, res.Labels[r0:r1])
			for i := r0; i < r1; i++ {
				rows[i] *= b[i]
			}
		}
	})
	cols := make([]float64, k)
	kn.p.reduce(cols, kn.part)
	for y := range cols {
		cols[y] *= a[y]
	}
	res.MarginalErr, res.RowMarginalErr = marginalErrors(rows, cols, r)
}

// argmaxRows sets labels[i] = argmaxScaled(row i of g, a) for len(labels) rows of
// k values, in assembly where the CPU has AVX-512 (or AVX2, for k ≤ 16).
func argmaxRows(g []float32, k int, a []float64, labels []int32) {
	if len(labels) == 0 {
		return
	}
	if len(g) < len(labels)*k || len(a) < k {
		panic("sela: argmaxRows: bad slice lengths")
	}
	argmaxRowsImpl(g, k, a, labels)
}

// argmaxRowsGo is the canonical definition of argmaxRows.
func argmaxRowsGo(g []float32, k int, a []float64, labels []int32) {
	for i := range labels {
		labels[i] = argmaxScaled(g[i*k:(i+1)*k], a)
	}
}

// argmaxScaled returns the first y maximising a_y·g_y.
func argmaxScaled(g []float32, a []float64) int32 {
	a = a[:len(g)]
	best, arg := -1.0, 0
	for y, e := range g {
		if q := a[y] * float64(e); q > best {
			best, arg = q, y
		}
	}
	return int32(arg)
}

// marginalErrors returns Σ_y |cols_y/T − r_y| and Σ_i |rows_i/T − 1/N| with T the
// total mass Σ_y cols_y.
func marginalErrors(rows, cols, r []float64) (colErr, rowErr float64) {
	total := 0.0
	for _, v := range cols {
		total += v
	}
	for y, v := range cols {
		colErr += math.Abs(v/total - r[y])
	}
	c := 1 / float64(len(rows))
	for _, v := range rows {
		rowErr += math.Abs(v/total - c)
	}
	return colErr, rowErr
}

// nextA is the column scaling update: r/s when balanced, r·s^(−φ) when relaxed
// (see Options.Tau).
func nextA(r, s, phi float64) float64 {
	if phi == 1 {
		return r / s
	}
	return r * math.Pow(s, -phi)
}

// updateA sets a_y = nextA(r_y, s_y). It returns the first cluster whose new scaling
// is not finite and positive (its kernel column carries no mass), or -1.
func updateA(a, r, s []float64, phi float64) int {
	bad := -1
	for y := range a {
		q := nextA(r[y], s[y], phi)
		a[y] = q
		if bad < 0 && (!(q > 0) || math.IsInf(q, 1)) {
			bad = y
		}
	}
	return bad
}

// loop is the iteration bookkeeping shared by Sinkhorn and SinkhornLog.
type loop struct {
	cfg        *config
	c          float64
	a, b, prev []float64
	s          []float64
	iters      int  // in total
	base       int  // iterations before the current run (see restartPlain)
	fresh      bool // the first check of this run has nothing to compare with
	stopErr    float64
	converged  bool
	reason     string
}

func newLoop(w *Workspace, cfg *config, n, k int) *loop {
	l := &loop{
		cfg: cfg, c: 1 / float64(n),
		a: newScaling(k), b: w.vec(n), prev: w.vec(n),
		s: make([]float64, k), stopErr: math.Inf(1),
	}
	return l
}

// restart starts a new run of the official rule: its first evaluation compares the
// new b with b0 (the starting point, as the official loop does), or, with b0 nil,
// is not allowed to stop the loop.
func (l *loop) restart(b0 []float64) {
	if b0 != nil {
		copy(l.prev, b0)
		l.fresh = false
	} else {
		for i := range l.prev {
			l.prev[i] = l.c
		}
		l.fresh = true
	}
}

// step runs iteration t (1-based within a stage) on kn and reports whether the
// stopping rules held; if not, the caller computes the next a from l.s.
func (l *loop) step(pass passFunc, t int, variant Variant) (done bool, err error) {
	check := (t-1)%l.cfg.checkEvery == 0
	var prev []float64
	if check {
		prev = l.prev
	}
	e, bad := pass(l.a, l.c, l.b, prev, l.s)
	l.iters++
	if bad >= 0 {
		return false, fmt.Errorf("sela: %v: iteration %d: row %d: scaling b = %v (λ = %v too large for the float32 kernel; try sinkhorn-log): %w",
			variant, l.iters, bad, l.b[bad], l.cfg.lambda, ErrNumerical)
	}
	if check && l.fresh && t == 1 {
		l.stopErr = math.Inf(1)
	} else if check {
		l.stopErr = e
		ok := true
		if l.cfg.tol >= 0 {
			ok = e <= l.cfg.tol
		}
		if l.cfg.marginalTol > 0 {
			m := 0.0
			for y, ay := range l.a {
				m += math.Abs(ay*l.s[y] - l.cfg.r[y])
			}
			ok = ok && m <= l.cfg.marginalTol
		}
		if ok {
			l.converged = true
			l.reason = fmt.Sprintf("stopping rule met at iteration %d (official error %.3g)", l.iters, e)
			return true, nil
		}
	}
	l.b, l.prev = l.prev, l.b
	return false, nil
}

// capped reports whether the iteration cap has been reached, setting the reason.
func (l *loop) capped() bool {
	if l.iters-l.base < l.cfg.maxIter {
		return false
	}
	l.reason = fmt.Sprintf("iteration cap %d reached (official error %.3g)", l.cfg.maxIter, l.stopErr)
	// the last pass's b lives in prev after the swap in step
	l.b, l.prev = l.prev, l.b
	return true
}

// solveFast is Sinkhorn. With g not nil (SolveInPlace, g is in.x's memory) the
// kernel is built in g, after which only the O(N) row data of in is read: the
// objective recovers L from the kernel (input.at).
func solveFast[T real](w *Workspace, in *input[T], cfg *config, g []float32) (*Result, error) {
	n, k := in.n, in.k
	t0 := time.Now()
	kn := newKernel(w, n, k, cfg.workers, g)
	l := newLoop(w, cfg, n, k)
	b0 := initialB(w, in, cfg.lambda, kn.p)
	build(kn, in, cfg.lambda, nil, b0, l.s)
	if g != nil {
		in.clobber(kn.g, cfg.lambda)
	}
	if y := updateA(l.a, cfg.r, l.s, cfg.phi); y >= 0 {
		return nil, zeroColumn(cfg, y)
	}
	a0 := slices.Clone(l.a)
	l.restart(b0)
	res := &Result{Rebuilds: 1, KernelBytes: kn.bytes(), Kernel: KernelDense}
	sp := newSparse(w, kn, cfg)
	t1 := time.Now()
	res.Build = t1.Sub(t0)
	var ac *accel
	if cfg.accel == Anderson || cfg.accel == Newton {
		ac = newAccel(k, cfg.phi, cfg.accel == Newton)
	}
	gram := func() []float64 { return kn.gram(l.a, l.prev) } // l.prev: the last pass's b
	// restartPlain handles a numerical breakdown after accelerated steps: the
	// solve starts again from a0 and b0 as the plain iteration, which then gives
	// exactly the plain scheme's result, with its own iteration cap.
	broke := ""
	restartPlain := func(what string) bool {
		if ac == nil || ac.steps == 0 || broke != "" {
			return false
		}
		broke = fmt.Sprintf("%v broke down at iteration %d (%s); the plain iteration ran again from the starting point", cfg.accel, l.iters, what)
		ac.off = true
		copy(l.a, a0)
		l.restart(b0)
		l.base = l.iters
		return true
	}
	for t := 1; ; t++ {
		pass := kn.pass
		if sp != nil {
			pass = sp.choose(l.a)
		}
		done, err := l.step(pass, t, cfg.variant)
		if err != nil {
			if restartPlain("a scaling b not finite") {
				t = 0
				continue
			}
			return nil, err
		}
		if done || l.capped() {
			break
		}
		var y int
		if ac != nil {
			y = ac.update(l.a, cfg.r, l.s, t%cfg.checkEvery == 0, gram)
		} else {
			y = updateA(l.a, cfg.r, l.s, cfg.phi)
		}
		if y >= 0 {
			if restartPlain(fmt.Sprintf("cluster %d without mass", y)) {
				t = 0
				continue
			}
			return nil, zeroColumn(cfg, y)
		}
	}
	t2 := time.Now()
	res.Iterate = t2.Sub(t1)
	kn.sweep(w, l.a, l.b, cfg.r, res)
	res.Final = time.Since(t2)
	fill(res, l, kn, in, nil, cfg.lambda)
	dense := int64(res.Passes)
	if sp != nil {
		dense -= int64(sp.sparsePasses)
		res.SparsePasses, res.Extractions = sp.sparsePasses, sp.extractions
		res.Density, res.SparseBytes, res.TruncationBound = sp.density, sp.sparseBytes, sp.maxBound
		res.StreamedBytes = sp.streamed
		if sp.sparsePasses > 0 {
			res.Kernel = KernelSparse
		}
	}
	res.StreamedBytes += dense * res.KernelBytes
	res.Accel = cfg.accel
	if ac != nil {
		res.AccelSteps, res.AccelRestarts, res.AccelFallback = ac.steps, ac.restarts, ac.off
		if broke != "" {
			res.Reason += "; " + broke
		} else if ac.off {
			what := "Anderson acceleration fell back to the plain iteration after %d rejected extrapolations"
			if ac.newton {
				what = "Newton steps fell back to the plain iteration after %d rejected steps"
			}
			res.Reason += "; " + fmt.Sprintf(what, ac.restarts)
		}
	}
	finish(res, in)
	return res, nil
}

func zeroColumn(cfg *config, y int) error {
	return fmt.Errorf("sela: %v: cluster %d: its kernel column carries no mass (every sample's λ·(max L − L) exceeds the float32 range at λ = %v; try sinkhorn-log): %w",
		cfg.variant, y, cfg.lambda, ErrNumerical)
}

// fill copies the loop's outcome into res and forms the log column scalings
// LogA_y = α_y + log a_y, and what the row ones LogB_i = log b_i − (λ·max_y L_iy +
// m_i) are formed from (copies: b and the kernel live in the workspace).
func fill[T real](res *Result, l *loop, kn *kernel, in *input[T], alpha []float64, lam float64) {
	res.Iterations = l.iters
	res.StopErr = l.stopErr
	res.Converged = l.converged
	res.Reason = l.reason
	res.Passes = l.iters + 1
	res.LogA = make([]float64, kn.k)
	for y, ay := range l.a {
		res.LogA[y] = math.Log(ay)
		if alpha != nil {
			res.LogA[y] += alpha[y]
		}
	}
	res.rows.b = slices.Clone(l.b)
	off := make([]float64, kn.n)
	kn.p.run(func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			off[i] = lam*in.lmax(i) + kn.m[i]
		}
	})
	res.rows.off = off
}
