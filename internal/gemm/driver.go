package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// kcMax bounds the k block so that an nr-wide panel of packed B (kc·nr·4
// bytes) stays in the L1 data cache while the mc×kc block of packed A stays
// in L2 (the kernels' mcMax). It must depend neither on the kernel nor on the
// number of goroutines: it fixes the order of the sums, so changing it changes
// the bits of every product with k > kcMax. The value and the kernels' mcMax
// were chosen by timing each kernel on one thread over benchShapes for a grid
// of candidates, on a core with a 48 KiB L1d and a 1 MiB L2; to retune for
// another cache hierarchy, edit them and compare BenchmarkKernels runs.
const kcMax = 512

const (
	// ncMax bounds the columns of a packed B block (kc·ncMax·4 bytes, for L3).
	ncMax = 4096
	// parallelFlops is the work (2mnk) below which one goroutine is used.
	parallelFlops = 1 << 21
	// unitsPerWorker is the number of work units aimed at per goroutine, so
	// that a goroutine slowed down by other load is covered by the others.
	unitsPerWorker = 4
)

// sgemmGo runs the pure-Go/assembly path on the default kernel with up to
// GOMAXPROCS goroutines. Arguments have been checked and m, n > 0.
func sgemmGo(aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmWith(defaultKernel, runtime.GOMAXPROCS(0), aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmWith is sgemmGo on a given kernel with at most workers goroutines.
func sgemmWith(kern *kernel, workers int, aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	g := gemmCall{
		kern: kern, aTrans: aTrans, bTrans: bTrans, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
	}
	nw := 1
	if 2*float64(m)*float64(n)*float64(k) >= parallelFlops {
		nw = min(max(1, workers), maxGoroutines)
	}
	g.run(nw, beta)
}

// gemmCall holds one validated call with alpha ≠ 0 and k > 0.
type gemmCall struct {
	kern           *kernel
	aTrans, bTrans bool
	m, n, k        int
	alpha          float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
}

// workspace is the packing memory of one call, recycled through wsPool.
type workspace struct {
	bp  []float32   // packed B block, shared
	ap  [][]float32 // packed A block, one per worker
	tmp [][]float32 // mr×nr edge tile, one per worker
}

var wsPool sync.Pool

// grow returns s resliced to n elements, reallocated 64-byte aligned if its
// capacity is too small. Contents are unspecified.
func grow(s []float32, n int) []float32 {
	if cap(s) >= n {
		return s[:n]
	}
	buf := make([]float32, n+16)
	off := int((64 - uintptr(unsafe.Pointer(&buf[0]))%64) % 64 / 4)
	return buf[off : off+n : off+n]
}

func (g *gemmCall) run(nw int, beta float32) {
	kern := g.kern
	mr, nr := kern.mr, kern.nr
	m, n, k := g.m, g.n, g.k

	// k blocks of equal size: depends on k only (fixes the summation order).
	kb := ceilDiv(k, kcMax)
	kcBlk := ceilDiv(k, kb)

	// m blocks: a multiple of the worker count when there is enough work, of
	// at most kern.mcMax rows (rounded to whole panels). Affects speed only.
	mBlocks := ceilDiv(m, kern.mcMax)
	if nw > 1 && m >= nw*mr && mBlocks%nw != 0 {
		mBlocks += nw - mBlocks%nw
	}
	mc := roundUp(ceilDiv(m, mBlocks), mr)
	mBlocks = ceilDiv(m, mc)

	ncBlk := min(n, ncMax)
	ws, _ := wsPool.Get().(*workspace)
	if ws == nil {
		ws = new(workspace)
	}
	defer wsPool.Put(ws)
	ws.bp = grow(ws.bp, kcBlk*roundUp(ncBlk, nr))
	for len(ws.ap) < nw {
		ws.ap = append(ws.ap, nil)
		ws.tmp = append(ws.tmp, nil)
	}
	for w := range nw {
		ws.ap[w] = grow(ws.ap[w], mc*kcBlk)
		ws.tmp[w] = grow(ws.tmp[w], mr*nr)
	}

	if nw == 1 {
		g.serial(beta, kcBlk, mc, ncBlk, ws.bp, ws.ap[0], ws.tmp[0])
		return
	}
	g.parallel(nw, beta, kb, kcBlk, mc, mBlocks, ncBlk, ws)
}

// parallel is run's loop nest shared by nw goroutines. The receiver is a
// copy, so that only this path puts the call on the heap.
func (g gemmCall) parallel(nw int, beta float32, kb, kcBlk, mc, mBlocks, ncBlk int, ws *workspace) {
	nr := g.kern.nr
	m, n, k := g.m, g.n, g.k

	// The (jc, pc) steps, run in order by every worker. Within a step the
	// workers first claim chunks of B panels to pack, wait until all are
	// packed, then claim work units (an m block × a range of panels); a step
	// ends when all its units are done (the next step overwrites packed B).
	// Nobody ever waits for a worker to arrive, only for claimed work to
	// finish, so a worker that starts late (or never) costs no waiting.
	nSteps := ceilDiv(n, ncBlk) * kb
	steps := make([]step, nSteps)
	bp := ws.bp
	work := func(w int, ap, tmp []float32) {
		si := 0
		for jc := 0; jc < n; jc += ncBlk {
			nc := min(ncBlk, n-jc)
			nPanels := ceilDiv(nc, nr)
			bChunk := max(1, nPanels/(unitsPerWorker*nw))
			// Column splits of the block: enough units to balance.
			nSplit := min(nPanels, max(1, ceilDiv(unitsPerWorker*nw, mBlocks)))
			units := mBlocks * nSplit
			for pc := 0; pc < k; pc += kcBlk {
				st := &steps[si]
				si++
				kc := min(kcBlk, k-pc)
				b := float32(1)
				if pc == 0 {
					b = beta
				}
				for {
					q0 := int(st.bNext.Add(int64(bChunk))) - bChunk
					if q0 >= nPanels {
						break
					}
					q1 := min(q0+bChunk, nPanels)
					g.packB(bp, pc, kc, jc, nc, q0, q1)
					st.bDone.Add(int64(q1 - q0))
				}
				spinUntil(&st.bDone, nPanels)
				// Units in m-block-major order, cut into one contiguous range
				// per worker; a worker does its own range first (packing the
				// A blocks only it needs), then helps with the others.
				last := -1
				for r := range nw {
					rg := (w + r) % nw
					lo, hi := rg*units/nw, (rg+1)*units/nw
					for {
						u := lo + int(st.uNext[rg].Add(1)) - 1
						if u >= hi {
							break
						}
						mi, s := u/nSplit, u%nSplit
						ic := mi * mc
						mcur := min(mc, m-ic)
						if mi != last {
							g.packA(ap, ic, mcur, pc, kc)
							last = mi
						}
						p0, p1 := s*nPanels/nSplit, (s+1)*nPanels/nSplit
						g.macro(ap, bp, tmp, ic, mcur, jc, nc, kc, p0, p1, b)
						st.uDone.Add(1)
					}
				}
				spinUntil(&st.uDone, units)
			}
		}
	}
	for w := 1; w < nw; w++ {
		post(task{fn: work, w: w, ap: ws.ap[w], tmp: ws.tmp[w]}, nw-1)
	}
	work(0, ws.ap[0], ws.tmp[0])
}

// serial is run's loop nest on one goroutine: the same blocks and kernel
// calls, hence the same roundings, without the work sharing.
func (g *gemmCall) serial(beta float32, kcBlk, mc, ncBlk int, bp, ap, tmp []float32) {
	nr := g.kern.nr
	for jc := 0; jc < g.n; jc += ncBlk {
		nc := min(ncBlk, g.n-jc)
		nPanels := ceilDiv(nc, nr)
		for pc := 0; pc < g.k; pc += kcBlk {
			kc := min(kcBlk, g.k-pc)
			b := float32(1)
			if pc == 0 {
				b = beta
			}
			g.packB(bp, pc, kc, jc, nc, 0, nPanels)
			for ic := 0; ic < g.m; ic += mc {
				mcur := min(mc, g.m-ic)
				g.packA(ap, ic, mcur, pc, kc)
				g.macro(ap, bp, tmp, ic, mcur, jc, nc, kc, 0, nPanels, b)
			}
		}
	}
}

// maxGoroutines bounds the goroutines of one call (the size of a step's
// per-range counters).
const maxGoroutines = 64

// step holds the work counters of one (jc, pc) step.
type step struct {
	bNext, bDone atomic.Int64 // B panels claimed, packed
	uNext        [maxGoroutines]atomic.Int64
	uDone        atomic.Int64 // units done
}

// spinUntil waits until *c reaches target, yielding the processor between
// polls. Waits are short (the tail of one step), far shorter than parking
// and waking a goroutine on a virtual machine.
func spinUntil(c *atomic.Int64, target int) {
	for i := 0; c.Load() < int64(target); i++ {
		if i >= 16 {
			runtime.Gosched()
		}
	}
}

// macro runs the micro-kernel over the tiles of C rows [ic, ic+mcur) and
// column panels [p0, p1) of the block starting at column jc (nc columns),
// from packed A ap and packed B bp.
func (g *gemmCall) macro(ap, bp, tmp []float32, ic, mcur, jc, nc, kc, p0, p1 int, beta float32) {
	kern := g.kern
	mr, nr := kern.mr, kern.nr
	c, ldc, alpha := g.c, g.ldc, g.alpha
	for jp := p0; jp < p1; jp++ {
		j := jp * nr
		ncur := min(nr, nc-j)
		bpan := &bp[jp*nr*kc]
		for i := 0; i < mcur; i += mr {
			mrCur := min(mr, mcur-i)
			apan := &ap[i*kc]
			off := (ic+i)*ldc + jc + j
			if mrCur == mr && ncur == nr {
				kern.fn(kc, apan, bpan, &c[off], ldc, alpha, beta)
				continue
			}
			// Edge tile: run the same kernel on a copy, so that every
			// element sees the same roundings as in a full tile.
			if beta != 0 {
				for r := range mrCur {
					copy(tmp[r*nr:r*nr+ncur], c[off+r*ldc:off+r*ldc+ncur])
				}
			}
			kern.fn(kc, apan, bpan, &tmp[0], nr, alpha, beta)
			for r := range mrCur {
				copy(c[off+r*ldc:off+r*ldc+ncur], tmp[r*nr:r*nr+ncur])
			}
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, b int) int { return ceilDiv(a, b) * b }
