package sela

import (
	"fmt"
	"math"
)

// The truncated (sparse) kernel of Sinkhorn.
//
// A fused pass over the dense float32 kernel is bound by memory bandwidth, yet most
// of its entries carry no mass: on the 60000×1000 Gaussian benchmark input at
// λ = 25, 95 % of the products G_iy·a_y are below 1e-16 of their row's sum. Following Schmitzer
// ("Stabilized sparse scaling algorithms for entropy regularized transport
// problems", SIAM J. Sci. Comput. 41(3), 2019, §3.3–3.4: truncate the kernel with
// the current scalings absorbed, and re-truncate when they drift), Sinkhorn keeps a
// truncated copy of the dense kernel
//
//	keep (i, y)  ⇔  float64(G_iy)·ā_y ≥ θ·d̄_i,   d̄_i = c/b̄_i = Σ_y G_iy ā_y,
//
// extracted during a dense pass with column scalings ā (the reference) and its row
// scalings b̄; the kept values are the dense kernel's float32 bits, stored per chunk of
// rows in compressed sparse rows (float32 value, uint16 column). Passes over it
// compute b and s exactly as the dense pass does, summing over the kept entries.
//
// # Safety
//
// The truncation is never a silent approximation. Write R_y = a_y/ā_y for the
// current a and κ = max R / min R. Each dropped entry has G_iy ā_y < θ d̄_i, so a
// row loses D_i < θ·K·d̄_i of its reference mass and, since d̄_i b̄_i = c and
// N·c = 1, column y loses C_y = Σ_i G_iy b̄_i < θ/ā_y (sums over dropped
// entries). With ŝ_y = s̄_y − θ/ā_y a lower bound of the kept part of the
// reference column sum s̄ = Gᵀb̄,
//
//	ρ_row = θK/(1 − θK),   ρ_col = max_y θ/(ā_y ŝ_y)                 (at extraction)
//
// and for any later a, with b and s the sparse pass's outputs and b*, s* those of
// the dense pass from the same a, in exact arithmetic
//
//	|b_i/b*_i − 1| ≤ κ·ρ_row,   |s_y/s*_y − 1| ≤ κ·max(ρ_row, (1+ρ_row)·ρ_col),
//
// because the kept row sums move by at least min R and at most max R, and b by the
// inverse. Before every sparse pass this bound (inflated by 1e-6 for rounding) is
// checked against sparseEps = 1e-9, well below the float32 rounding of the kernel
// itself (6e-8 per entry); when it fails, the iteration is a dense pass instead,
// re-extracting the sparse kernel at the current a when the scalings have slowed
// down enough for the new copy to serve at least two iterations.
//
// θ = sparseEps/(sparseHeadroom·max(K, 1/min_y r_y)), so that right after an
// extraction the bound is about sparseEps/sparseHeadroom and the scalings may drift
// by a factor sparseHeadroom before the next extraction.
const (
	sparseEps      = 1e-9
	sparseHeadroom = 1e4
	// sparseSlack inflates the bound for the rounding of the float64 sums it rests on
	// (relative 1e-13 at most for any K this package accepts).
	sparseSlack = 1 + 1e-6
	// sparseMaxDensity: in KernelAuto mode the sparse kernel is abandoned when more
	// than this fraction of the entries is kept (a sparse pass then costs about as
	// much as a dense one: it reads 6 bytes and does a gather and a scatter per
	// entry, against 4 streamed bytes). The threshold sits a little below the
	// break-even density that bench's BenchmarkSinkhorn measures between the two
	// passes (reports/solvers.md).
	sparseMaxDensity = 0.06
	// sparseMaxK: column indices are stored as uint16.
	sparseMaxK = 1 << 16
	// extractBlock rows are passed densely and then extracted while still in cache.
	extractBlock = 16
)

// sparseMinBytes: in KernelAuto mode, kernels smaller than this stay dense; they
// sit in the last-level cache, where a dense pass is no longer memory bound. (A
// variable so that tests can exercise KernelAuto on small inputs.)
var sparseMinBytes int64 = 16 << 20

// KernelMode selects how Sinkhorn stores the kernel its iterations stream.
type KernelMode int

const (
	// KernelAuto (the zero value) uses the sparse kernel for Sinkhorn when the dense
	// one is at least 16 MiB (beyond a last-level cache) and K ≤ 65536, and gives it
	// up for the rest of a solve when an extraction keeps more than 6 % of the
	// entries. Other variants are always dense.
	KernelAuto KernelMode = iota
	// KernelDense streams the whole float32 kernel every iteration.
	KernelDense
	// KernelSparse uses the truncated kernel whenever its error bound allows,
	// whatever the size or density (Sinkhorn only, K ≤ 65536).
	KernelSparse
)

// String returns "auto", "dense" or "sparse".
func (m KernelMode) String() string {
	switch m {
	case KernelAuto:
		return "auto"
	case KernelDense:
		return "dense"
	case KernelSparse:
		return "sparse"
	}
	return fmt.Sprintf("KernelMode(%d)", int(m))
}

// ParseKernelMode returns the mode whose String is name.
func ParseKernelMode(name string) (KernelMode, error) {
	for _, m := range []KernelMode{KernelAuto, KernelDense, KernelSparse} {
		if m.String() == name {
			return m, nil
		}
	}
	return 0, fmt.Errorf("sela: unknown kernel mode %q (want auto, dense or sparse): %w", name, ErrInput)
}

// sparseChunk is one chunk's rows of the truncated kernel: row i (0-based in the
// chunk) holds val[off[i]:off[i+1]] at columns col[off[i]:off[i+1]], increasing.
type sparseChunk struct {
	off []int32
	val []float32
	col []uint16
}

// reserve makes room for n more entries (plus the slack the vector routines may
// over-write), keeping the entries already there.
func (sc *sparseChunk) reserve(n int) {
	need := len(sc.val) + n
	if need <= cap(sc.val) {
		return
	}
	size := max(need, 2*cap(sc.val))
	v := make([]float32, len(sc.val), size)
	copy(v, sc.val)
	c := make([]uint16, len(sc.col), size)
	copy(c, sc.col)
	sc.val, sc.col = v, c
}

// extractRowsGo is the canonical definition of extractRows: for every row i of g
// (len(b) rows of k values) it appends the entries with float64(g_iy)·a_y ≥
// θ·(c/b_i) to sc and then appends the row's end offset. The caller has reserved
// len(b)·k entries.
func extractRowsGo(sc *sparseChunk, g []float32, k int, a []float64, c, theta float64, b []float64) {
	a = a[:k]
	n := len(sc.val)
	val, col := sc.val[:cap(sc.val)], sc.col[:cap(sc.col)]
	for i := range b {
		row := g[i*k : (i+1)*k : (i+1)*k]
		t := theta * (c / b[i])
		for y, e := range row {
			if float64(e)*a[y] >= t {
				val[n] = e
				col[n] = uint16(y)
				n++
			}
		}
		sc.off = append(sc.off, int32(n))
	}
	sc.val, sc.col = val[:n], col[:n]
}

// sparseRowsGo is the canonical definition of sparseRows, the fused pass over the
// truncated rows of one chunk: for each row i,
//
//	d = Σ_j val_j·a[col_j]   (four accumulators, entry j of the row to j mod 4,
//	                          by fused multiply-add; d = (acc0+acc1) + (acc2+acc3))
//	b[i] = c/d,  s[col_j] = fma(val_j, b[i], s[col_j]) in order.
func sparseRowsGo(sc *sparseChunk, a []float64, c float64, b, s []float64) {
	off, val, col := sc.off, sc.val, sc.col
	for i := range b {
		lo, hi := int(off[i]), int(off[i+1])
		v, cl := val[lo:hi], col[lo:hi]
		cl = cl[:len(v)]
		var d0, d1, d2, d3 float64
		j := 0
		for ; j+4 <= len(v); j += 4 {
			d0 = math.FMA(float64(v[j]), a[cl[j]], d0)
			d1 = math.FMA(float64(v[j+1]), a[cl[j+1]], d1)
			d2 = math.FMA(float64(v[j+2]), a[cl[j+2]], d2)
			d3 = math.FMA(float64(v[j+3]), a[cl[j+3]], d3)
		}
		if j < len(v) {
			d0 = math.FMA(float64(v[j]), a[cl[j]], d0)
		}
		if j+1 < len(v) {
			d1 = math.FMA(float64(v[j+1]), a[cl[j+1]], d1)
		}
		if j+2 < len(v) {
			d2 = math.FMA(float64(v[j+2]), a[cl[j+2]], d2)
		}
		bi := c / ((d0 + d1) + (d2 + d3))
		b[i] = bi
		for j, e := range v {
			y := cl[j]
			s[y] = math.FMA(float64(e), bi, s[y])
		}
	}
}

// sparseKernel is the truncated copy of kn and the bookkeeping that decides, before
// every iteration, whether it may be used.
type sparseKernel struct {
	kn     *kernel
	mode   KernelMode
	chunks []sparseChunk
	theta  float64
	aRef   []float64 // ā: a at the last extraction
	aPrev  []float64 // a of the previous iteration
	// rhoRow and rhoCol are the bounds at the last extraction (see the file comment).
	rhoRow, rhoCol float64
	valid          bool // a truncated kernel is extracted
	disabled       bool // sparse passes are given up for this solve
	havePrev       bool
	nnz            int64
	last           passKind // what choose chose last

	// statistics for Result
	extractions, sparsePasses int
	maxBound                  float64
	streamed                  int64 // bytes read by the sparse passes
	density                   float64
	sparseBytes               int64
}

// passKind names the passes choose picks from.
type passKind int

const (
	densePass passKind = iota
	sparsePass
	extractPass
)

// newSparse returns the sparse machinery for a Sinkhorn solve, or nil when the
// mode and shape call for the dense kernel only.
func newSparse(w *Workspace, kn *kernel, cfg *config) *sparseKernel {
	k := kn.k
	switch {
	case cfg.kernel == KernelDense || k > sparseMaxK:
		return nil
	case cfg.kernel == KernelAuto && kn.bytes() < sparseMinBytes:
		return nil
	}
	minR := math.Inf(1)
	for _, v := range cfg.r {
		minR = min(minR, v)
	}
	if len(w.sparse) < kn.p.chunks {
		w.sparse = append(w.sparse, make([]sparseChunk, kn.p.chunks-len(w.sparse))...)
	}
	return &sparseKernel{
		kn:     kn,
		mode:   cfg.kernel,
		chunks: w.sparse[:kn.p.chunks],
		theta:  sparseEps / (sparseHeadroom * max(float64(k), 1/minR)),
		aRef:   make([]float64, k),
		aPrev:  make([]float64, k),
	}
}

// spread returns max_y u_y/v_y divided by min_y u_y/v_y (+Inf if not finite).
func spread(u, v []float64) float64 {
	lo, hi := math.Inf(1), 0.0
	for y := range u {
		r := u[y] / v[y]
		lo, hi = min(lo, r), max(hi, r)
	}
	q := hi / lo
	if !(q >= 1) { // NaN
		return math.Inf(1)
	}
	return q
}

// bound returns the relative error bound of a sparse pass from a (see the file
// comment), +Inf when no truncated kernel is extracted.
func (sp *sparseKernel) bound(a []float64) float64 {
	if !sp.valid {
		return math.Inf(1)
	}
	kappa := spread(a, sp.aRef)
	return kappa * max(sp.rhoRow, (1+sp.rhoRow)*sp.rhoCol) * sparseSlack
}

// choose returns the pass to run from a: sparse when its bound allows, an
// extracting dense pass when the scalings have slowed down enough for a new
// truncated kernel to last two iterations, a plain dense pass otherwise.
func (sp *sparseKernel) choose(a []float64) passFunc {
	defer func() {
		copy(sp.aPrev, a)
		sp.havePrev = true
	}()
	sp.last = densePass
	if sp.disabled {
		return sp.kn.pass
	}
	if e := sp.bound(a); e <= sparseEps {
		sp.maxBound = max(sp.maxBound, e)
		sp.last = sparsePass
		return sp.pass
	}
	if !sp.havePrev {
		return sp.kn.pass
	}
	// The next extraction allows a drift of about sparseHeadroom; extract if two
	// more steps like the last one fit in it.
	if step := spread(a, sp.aPrev); step*step <= sparseHeadroom {
		sp.last = extractPass
		return sp.extract
	}
	return sp.kn.pass
}

// pass is the fused iteration over the truncated kernel (same contract as
// kernel.pass).
func (sp *sparseKernel) pass(a []float64, c float64, b, prev, s []float64) (float64, int) {
	sp.sparsePasses++
	sp.streamed += sp.sparseBytes
	return sp.kn.runPass(b, prev, s, func(ch, lo, hi int, part []float64) {
		sparseRows(&sp.chunks[ch], a, c, b[lo:hi], part)
	})
}

// extract is a dense pass that also extracts the truncated kernel at a and b, and
// sets the bounds from the pass's column sums.
func (sp *sparseKernel) extract(a []float64, c float64, b, prev, s []float64) (float64, int) {
	kn := sp.kn
	k := kn.k
	limit := math.MaxInt
	if sp.mode == KernelAuto {
		limit = int(sparseMaxDensity * float64(kn.p.rows*k))
	}
	over := make([]bool, kn.p.chunks)
	stopErr, bad := kn.runPass(b, prev, s, func(ch, lo, hi int, part []float64) {
		sc := &sp.chunks[ch]
		sc.off = append(sc.off[:0], 0)
		sc.val, sc.col = sc.val[:0], sc.col[:0]
		for r0 := lo; r0 < hi; r0 += extractBlock {
			r1 := min(r0+extractBlock, hi)
			g := kn.g[r0*k : r1*k]
			fusedRows(g, k, a, c, b[r0:r1], part)
			if over[ch] {
				continue
			}
			sc.reserve((r1-r0)*k + 8)
			extractRows(sc, g, k, a, c, sp.theta, b[r0:r1])
			over[ch] = len(sc.val) > limit
		}
	})
	sp.extractions++
	sp.valid = false
	if bad >= 0 {
		return stopErr, bad
	}
	nnz := int64(0)
	for ch := range sp.chunks {
		if over[ch] {
			sp.disabled = true
			return stopErr, bad
		}
		nnz += int64(len(sp.chunks[ch].val))
	}
	th := sp.theta * sparseSlack
	sp.rhoRow = th * float64(k) / (1 - th*float64(k))
	sp.rhoCol = 0
	for y, ay := range a {
		den := ay*s[y] - th
		if !(den > 0) {
			sp.rhoCol = math.Inf(1)
			break
		}
		sp.rhoCol = max(sp.rhoCol, th/den)
	}
	copy(sp.aRef, a)
	sp.valid = true
	sp.nnz = nnz
	sp.density = float64(nnz) / (float64(kn.n) * float64(k))
	sp.sparseBytes = nnz*6 + int64(kn.n+kn.p.chunks)*4
	if sp.mode == KernelAuto && sp.density > sparseMaxDensity {
		sp.disabled = true
	}
	return stopErr, bad
}
