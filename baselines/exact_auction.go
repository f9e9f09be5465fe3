package baselines

import (
	"fmt"
	"math"
	"slices"
)

// exactSolver holds the state shared by the auction and the exact phase. It
// works in "maximise" form: the net value of cluster y for sample i is
// L_iy + p_y, the reduced cost C_iy − p_y is its negation.
type exactSolver[F float32 | float64] struct {
	L     []F
	n, k  int
	sizes []int

	p []float64 // cluster prices

	// Auction state: the holders of each cluster, stored by value so that a
	// cluster step reads one contiguous array.
	hold  [][]holder
	scale float64 // largest range of a row of L + p at the start, the unit of ε
	queue []int32 // over-full clusters waiting for a step
	inq   []bool
	heap  []marginItem
	evict []int32
	moved []holder

	warm        []float64 // starting prices from a subsample (see warmStart), or nil
	warmStarted bool

	phases, steps, refreshes int
	aborted                  bool  // the auction stopped early (step cap or budget)
	stepCap                  int   // steps per phase before giving up; tests lower it
	budget, work             int64 // work budget (0: none) and work done, in matrix elements
	overBudget               bool  // the auction stopped because work exceeded budget

	// Exact phase (exact_repair.go), in per-sample form.
	lab []int32   // cluster of each sample
	at  []float64 // at[i] = L[i][lab[i]]
	mem [][]int32 // members of each cluster
	pos []int32   // index of sample i in mem[lab[i]]
	// G[u·K+v] is the cheapest move of one sample from cluster u to v, A the
	// sample attaining it.
	G        []float64
	A        []int32
	lcScans  int  // node scans of the label-correcting pass
	fallback bool // whether successive shortest paths were needed
	repaired int  // imbalance after moving samples to their exact best
	augments int  // augmenting paths
}

// track is the number of runner-up clusters a holder's cache follows exactly.
const track = 3

// holder is a sample i held by cluster y during the auction, with a cache of
// the clusters it likes best after y: track clusters c[j] with their scores
// l[j] = L_i,c[j], whose current net values l[j] + p_c[j] are therefore always
// exact, and a bound r ≥ max (L_iz + p_z) over the other clusters z. Prices only
// decrease during the auction, so r, once true, stays true. The best other value
// is max_j (l[j] + p_c[j]) whenever that reaches r; otherwise the cache is stale
// and the row must be rescanned. Missing clusters (K ≤ track) are stored as
// cluster 0 with score −Inf, so no lookup needs a branch.
type holder struct {
	at, r float64 // at = L_iy
	l     [track]float64
	i     int32
	c     [track]int32
}

type marginItem struct {
	m float64 // margin, or a lower bound on it
	j int32   // index into the cluster's holders
}

func newExactSolver[F float32 | float64](L []F, n, k int, sizes []int, stepCap int) *exactSolver[F] {
	return &exactSolver[F]{
		L: L, n: n, k: k, sizes: sizes,
		p:       make([]float64, k),
		hold:    make([][]holder, k),
		inq:     make([]bool, k),
		stepCap: stepCap * (n + k),
	}
}

func (s *exactSolver[F]) row(i int) []F { return s.L[i*s.k : (i+1)*s.k] }

// other returns h's best net value among clusters other than its own, or an
// upper bound on it, and whether it is exact.
func (s *exactSolver[F]) other(h *holder) (float64, bool) {
	b := h.l[0] + s.p[h.c[0]]
	for j := 1; j < track; j++ {
		if v := h.l[j] + s.p[h.c[j]]; v > b {
			b = v
		}
	}
	if b >= h.r {
		return b, true
	}
	return h.r, false
}

// margin is h's net value in cluster y minus its best other one, or a lower
// bound on that, and whether it is exact. With K = 1 it is +Inf.
func (s *exactSolver[F]) margin(h *holder, y int32) (float64, bool) {
	o, exact := s.other(h)
	return h.at + s.p[y] - o, exact
}

// fix makes h's cache exact, rescanning its row if needed.
func (s *exactSolver[F]) fix(h *holder, y int32) {
	if _, exact := s.other(h); !exact {
		s.refresh(h, y)
	}
}

// refresh rescans h's row and caches its best track+1 clusters other than y.
func (s *exactSolver[F]) refresh(h *holder, y int32) {
	s.refreshes++
	s.work += int64(s.k)
	var t topN
	t.reset(track + 1)
	r, o := s.row(int(h.i)), int(h.i)%s.k
	scanTop(&t, r[o:], s.p[o:], o, y)
	scanTop(&t, r[:o], s.p[:o], 0, y)
	s.setCache(h, &t, 0)
}

// scanTop pushes L_z + p_z for the clusters z = off, off+1, … of the slices r
// and p into t, skipping cluster skip. Callers scan a row in two pieces, from
// i mod K to the end and then from 0, so that exact ties (identical rows) go to
// different clusters for different samples instead of all to the lowest index.
func scanTop[F float32 | float64](t *topN, r []F, p []float64, off int, skip int32) {
	p = p[:len(r)]
	for j, l := range r {
		if v := float64(l) + p[j]; v > t.b[t.m-1] && int32(off+j) != skip {
			t.push(v, int32(off+j))
		}
	}
}

// scanTopRange is scanTop with no cluster skipped that also returns the least and
// the largest net value of the piece, and whether some score is NaN or ±Inf
// (then lo and hi are meaningless): start's one pass over a row. The check ORs
// every score's float64 exponent field plus one unit, whose carry reaches the
// sign bit only for an all-ones exponent, so that it adds no floating-point
// dependency chain to the loop.
func scanTopRange[F float32 | float64](t *topN, r []F, p []float64, off int) (lo, hi float64, nonFinite bool) {
	const expMask, expUnit = 0x7FF0_0000_0000_0000, 0x0010_0000_0000_0000
	p = p[:len(r)]
	lo, hi = math.Inf(1), math.Inf(-1)
	var ex uint64
	for j, l := range r {
		f := float64(l)
		ex |= math.Float64bits(f)&expMask + expUnit
		v := f + p[j]
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
		if v > t.b[t.m-1] {
			t.push(v, int32(off+j))
		}
	}
	return lo, hi, ex>>63 != 0
}

// topN keeps the m ≤ track+2 largest values pushed, in decreasing order, with their
// clusters (−1 while fewer than m were pushed).
type topN struct {
	b [track + 2]float64
	z [track + 2]int32
	m int
}

func (t *topN) reset(m int) {
	t.m = m
	for j := range t.b {
		t.b[j], t.z[j] = math.Inf(-1), -1
	}
}

// push inserts v, which the caller has checked exceeds t.b[t.m−1]; on ties the
// earlier cluster stays ahead.
func (t *topN) push(v float64, z int32) {
	j := t.m - 1
	for ; j > 0 && v > t.b[j-1]; j-- {
		t.b[j], t.z[j] = t.b[j-1], t.z[j-1]
	}
	t.b[j], t.z[j] = v, z
}

// setCache stores t.z[from], … as the tracked clusters and the next value as r
// (from = 1 when t.z[0] is the sample's own cluster).
func (s *exactSolver[F]) setCache(h *holder, t *topN, from int) {
	row := s.row(int(h.i))
	for j := range track {
		h.c[j], h.l[j] = 0, math.Inf(-1)
		if z := t.z[from+j]; z >= 0 {
			h.c[j], h.l[j] = z, float64(row[z])
		}
	}
	h.r = t.b[from+track]
}

// add appends h to cluster z and queues z if it is now over-full.
func (s *exactSolver[F]) add(h holder, z int32) {
	s.hold[z] = append(s.hold[z], h)
	if len(s.hold[z]) > s.sizes[z] && !s.inq[z] {
		s.inq[z] = true
		s.queue = append(s.queue, z)
	}
}

// moveToBest moves h, held by y with an exact cache, to its best tracked
// cluster b. Its new cache needs no rescan: the clusters it likes best after b
// are y (with score at) and the other tracked ones, and r still bounds the rest.
// The caller removes h from y.
func (s *exactSolver[F]) moveToBest(h holder, y int32) {
	jb, vb := 0, h.l[0]+s.p[h.c[0]]
	for j := 1; j < track; j++ {
		if v := h.l[j] + s.p[h.c[j]]; v > vb {
			jb, vb = j, v
		}
	}
	b, lb := h.c[jb], h.l[jb]
	h.c[jb], h.l[jb] = y, h.at
	h.at = lb
	s.add(h, b)
}

// start sets the starting prices (centre, or the warm start's), puts every
// sample on its best cluster, caches its runner-ups, measures the scale and
// finds the first non-finite score in row-major order, if any. Rows are scanned
// in parallel. Ties go to the first cluster at or after i mod K, cyclically, so
// that identical rows spread over tied clusters.
func (s *exactSolver[F]) start() error {
	n, k := s.n, s.k
	tmp := make([]holder, n)
	lab := make([]int32, n)
	chunks := rowChunks(n, k)
	scales := make([]float64, len(chunks))
	bad := make([]int, len(chunks))
	if s.warm == nil {
		s.centre(chunks)
	} else {
		copy(s.p, s.warm)
	}
	p := s.p
	// A NaN or ±Inf score poisons its column's starting price (and so every row's
	// scan): report the first such score before scanning.
	for _, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			for j, l := range s.L {
				if f := float64(l); math.IsNaN(f) || math.IsInf(f, 0) {
					return fmt.Errorf("baselines: exact: logProbs[%d][%d] = %v is not finite: %w", j/k, j%k, f, ErrExactInput)
				}
			}
		}
	}
	parallel(len(chunks), func(c int) {
		bad[c] = -1
		for i := chunks[c][0]; i < chunks[c][1]; i++ {
			r := s.row(i)
			var t topN
			t.reset(track + 2)
			o := i % k
			lo1, hi1, bad1 := scanTopRange(&t, r[o:], p[o:], o)
			lo2, hi2, bad2 := scanTopRange(&t, r[:o], p[:o], 0)
			lo, hi := min(lo1, lo2), max(hi1, hi2)
			if bad1 || bad2 {
				for z, l := range r {
					if v := float64(l); math.IsNaN(v) || math.IsInf(v, 0) {
						bad[c] = i*k + z
						return
					}
				}
			}
			scales[c] = math.Max(scales[c], hi-lo)
			lab[i] = t.z[0]
			h := &tmp[i]
			h.i, h.at = int32(i), float64(r[t.z[0]])
			s.setCache(h, &t, 1)
		}
	})
	for _, j := range bad {
		if j >= 0 {
			return fmt.Errorf("baselines: exact: logProbs[%d][%d] = %v is not finite: %w", j/k, j%k, float64(s.L[j]), ErrExactInput)
		}
	}
	s.scale = slices.Max(scales)
	if s.scale == 0 {
		s.scale = 1 // all rows constant: every balanced assignment is optimal
	}
	for y := range s.hold {
		s.hold[y] = make([]holder, 0, s.sizes[y]+1)
	}
	for i := range tmp {
		s.add(tmp[i], lab[i])
	}
	return nil
}

// centre sets the starting prices to minus the column means, p_y = −mean_i L_iy,
// in parallel with per-chunk partial sums added in chunk order. A shared
// component of the rows (a "collapsed" network that gives every sample nearly
// the same output) then cancels out: otherwise every sample would want the same
// cluster and the auction would move nearly all of them from cluster to cluster
// in steps of ε — the price wars of similar persons that Bertsekas & Castañón
// (1989) discuss. For unstructured scores the means are nearly equal and this
// is the plain p = 0 start.
func (s *exactSolver[F]) centre(chunks [][2]int) {
	k := s.k
	part := make([]float64, len(chunks)*k)
	parallel(len(chunks), func(c int) {
		acc := part[c*k : (c+1)*k]
		for i := chunks[c][0]; i < chunks[c][1]; i++ {
			addRow(acc, s.row(i))
		}
	})
	for y := range s.p {
		sum := 0.0
		for c := range chunks {
			sum += part[c*k+y]
		}
		s.p[y] = -sum / float64(s.n)
	}
}

// addRow sets acc[z] += r[z] for every z, in float64: with a vector routine for
// float32 rows where the CPU has one (elementwise, so the same bits).
func addRow[F float32 | float64](acc []float64, r []F) {
	acc = acc[:len(r)]
	if r32, ok := any(r).([]float32); ok && len(r32) > 0 && addRowImpl(acc, r32) {
		return
	}
	for z, l := range r {
		acc[z] += float64(l)
	}
}

// rowArgmax returns the largest net value float64(r[z]) + p[z] of a row and the
// first z attaining it (−Inf and −1 if no value exceeds −Inf), with a vector
// routine for float32 rows where the CPU has one (the same z, and the value is
// recomputed as the loop computes it, so the same bits).
func rowArgmax[F float32 | float64](r []F, p []float64) (float64, int) {
	p = p[:len(r)]
	if r32, ok := any(r).([]float32); ok && len(r32) > 0 {
		if z, ok := rowArgmaxImpl(r32, p); ok {
			if v := float64(r32[z]) + p[z]; v > math.Inf(-1) {
				return v, z
			}
			return math.Inf(-1), -1
		}
	}
	best, bz := math.Inf(-1), -1
	for z, l := range r {
		if v := float64(l) + p[z]; v > best {
			best, bz = v, z
		}
	}
	return best, bz
}

// auction runs the ε-scaling auction from the start assignment down to
// ε = eps·scale, dividing ε by theta per phase. On return every cluster holds
// exactly its size and every sample is within ε of its best cluster, unless a
// phase exceeded stepCap steps (a safety net: it has not been seen to happen)
// or the work exceeded budget. Then aborted is set, and the exact phase (or,
// for the budget, a warm-started auction) takes over from whatever state the
// auction reached.
func (s *exactSolver[F]) auction(eps0, eps, theta float64) {
	e := eps0 * s.scale
	final := eps * s.scale
	for {
		s.phases++
		if !s.drain(e) {
			s.aborted = true
			return
		}
		if e <= final {
			return
		}
		e = math.Max(e/theta, final)
		// New phase: samples more than e below their best move to it.
		for y := range s.hold {
			for j := 0; j < len(s.hold[y]); {
				h := &s.hold[y][j]
				m, exact := s.margin(h, int32(y))
				if m < -e && !exact {
					s.fix(h, int32(y))
					m, _ = s.margin(h, int32(y))
				}
				if m >= -e {
					j++
					continue
				}
				hs := s.hold[y]
				moved := *h
				hs[j] = hs[len(hs)-1]
				s.hold[y] = hs[:len(hs)-1]
				s.moveToBest(moved, int32(y))
			}
		}
	}
}

// drain steps over-full clusters until none is left (true), or until stepCap
// steps have been taken (false). On success all sizes equal s and every
// sample is within e of its best cluster.
func (s *exactSolver[F]) drain(e float64) bool {
	for taken := 0; len(s.queue) > 0; taken++ {
		if taken >= s.stepCap {
			return false
		}
		if s.budget > 0 && s.work > s.budget {
			s.overBudget = true
			return false
		}
		y := s.queue[0]
		s.queue = s.queue[1:]
		s.inq[y] = false
		if len(s.hold[y]) > s.sizes[y] {
			s.step(y, e)
		}
		if len(s.queue) == 0 {
			s.queue = s.queue[:0:0] // let the backing array go
		}
	}
	return true
}

// step lowers the price of over-full cluster y just enough that its excess
// holders (those with the smallest margins to their best other cluster) prefer
// another cluster by e, and moves them there. The remaining holders stay within
// e of their best. Margins come from the caches: lower bounds are popped from a
// heap, and a popped bound is refreshed (one row scan) and pushed back until the
// excess smallest margins are all exact.
func (s *exactSolver[F]) step(y int32, e float64) {
	s.steps++
	hs := s.hold[y]
	s.work += int64(len(hs))
	excess := len(hs) - s.sizes[y]
	h := s.heap[:0]
	for j := range hs {
		m, _ := s.margin(&hs[j], y)
		h = append(h, marginItem{m, int32(j)})
	}
	ev := s.evict[:0]
	mE := math.Inf(-1)
	if excess == 1 {
		// The common case: a linear scan for the smallest bound beats a heap.
		for {
			b := 0
			for t := 1; t < len(h); t++ {
				if h[t].m < h[b].m {
					b = t
				}
			}
			j := h[b].j
			m, exact := s.margin(&hs[j], y)
			if exact {
				ev, mE = append(ev, j), m
				break
			}
			s.fix(&hs[j], y)
			h[b].m, _ = s.margin(&hs[j], y)
		}
	} else {
		heapify(h)
	}
	for len(ev) < excess {
		j := h[0].j
		m, exact := s.margin(&hs[j], y)
		if !exact {
			s.fix(&hs[j], y)
			h[0].m, _ = s.margin(&hs[j], y)
			siftDown(h, 0)
			continue
		}
		ev = append(ev, j)
		mE = m
		h[0] = h[len(h)-1]
		h = h[:len(h)-1]
		siftDown(h, 0)
	}
	if d := mE + e; d > 0 {
		s.p[y] -= d
	}
	// Remove from the highest index down so that swap-removal keeps the other
	// indices valid, then move.
	slices.Sort(ev)
	moved := s.moved[:0]
	for t := len(ev) - 1; t >= 0; t-- {
		j := ev[t]
		moved = append(moved, hs[j])
		hs[j] = hs[len(hs)-1]
		hs = hs[:len(hs)-1]
	}
	s.hold[y] = hs
	for _, m := range moved {
		s.moveToBest(m, y)
	}
	s.heap, s.evict, s.moved = h[:0], ev[:0], moved[:0]
}

// toSamples converts the auction's holder lists into the per-sample form that
// the exact phase uses.
func (s *exactSolver[F]) toSamples() {
	s.lab = make([]int32, s.n)
	s.at = make([]float64, s.n)
	s.pos = make([]int32, s.n)
	s.mem = make([][]int32, s.k)
	for y, hs := range s.hold {
		m := make([]int32, len(hs), max(len(hs), s.sizes[y])+1)
		for j, h := range hs {
			m[j] = h.i
			s.lab[h.i], s.at[h.i], s.pos[h.i] = int32(y), h.at, int32(j)
		}
		s.mem[y] = m
	}
	s.hold = nil
}

func heapify(h []marginItem) {
	for j := len(h)/2 - 1; j >= 0; j-- {
		siftDown(h, j)
	}
}

func siftDown(h []marginItem, j int) {
	n := len(h)
	for {
		c := 2*j + 1
		if c >= n {
			return
		}
		if c+1 < n && less(h[c+1], h[c]) {
			c++
		}
		if !less(h[c], h[j]) {
			return
		}
		h[j], h[c] = h[c], h[j]
		j = c
	}
}

// less orders by margin, then position, so that steps are deterministic.
func less(a, b marginItem) bool { return a.m < b.m || (a.m == b.m && a.j < b.j) }
