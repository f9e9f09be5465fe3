package sela

import (
	"sync"
	"sync/atomic"
)

// Chunking of the samples. A chunk is a contiguous block of rows whose size depends
// only on N and K — never on the number of workers — so every per-chunk partial sum,
// and their combination in chunk order, is the same for any GOMAXPROCS.
//
// A chunk holds at most chunkBytes of float32 kernel (it stays in a core's cache
// while its rows are swept), and a problem of more than minChunkRows·minChunks rows
// has at least minChunks chunks, so that the workers, which take chunks
// dynamically, end within a small fraction of a pass of each other even when K is
// small and one chunk would otherwise hold most rows.
const (
	chunkBytes   = 2 << 20 // largest float32 bytes per chunk
	minChunks    = 16      // chunks of a problem large enough to share
	minChunkRows = 1024    // no chunk is made smaller than this, so solves of up to 1024 rows (SwAV's batches) stay in one piece
	maxChunks    = 256     // bounds the memory of the per-chunk partial column sums
)

// plan is a fixed split of n rows into chunks, run on up to workers goroutines.
type plan struct {
	n, k    int
	rows    int // rows per chunk (the last chunk may be shorter)
	chunks  int
	workers int
}

func newPlan(n, k, workers int) plan {
	rows := max(1, chunkBytes/(4*k))
	rows = min(rows, max(minChunkRows, (n+minChunks-1)/minChunks))
	if (n+rows-1)/rows > maxChunks {
		rows = (n + maxChunks - 1) / maxChunks
	}
	chunks := (n + rows - 1) / rows
	return plan{n: n, k: k, rows: rows, chunks: chunks, workers: max(1, min(workers, chunks))}
}

// bounds returns the rows [lo, hi) of chunk c.
func (p plan) bounds(c int) (lo, hi int) {
	lo = c * p.rows
	return lo, min(lo+p.rows, p.n)
}

// run calls f(c, lo, hi) once for every chunk c. Chunks are handed to the workers
// dynamically; f must write only to chunk-owned memory.
func (p plan) run(f func(c, lo, hi int)) {
	if p.workers == 1 {
		for c := range p.chunks {
			lo, hi := p.bounds(c)
			f(c, lo, hi)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range p.workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= p.chunks {
					return
				}
				lo, hi := p.bounds(c)
				f(c, lo, hi)
			}
		})
	}
	wg.Wait()
}

// reduce sets dst[y] = Σ_c part[c·k+y], adding the chunks in order 0, 1, 2, ...
func (p plan) reduce(dst, part []float64) {
	k := p.k
	copy(dst[:k], part[:k])
	for c := 1; c < p.chunks; c++ {
		pc := part[c*k : (c+1)*k]
		for y, v := range pc {
			dst[y] += v
		}
	}
}

// StreamSum is the streaming-read ceiling the fused Sinkhorn pass is judged
// against: it reads the n×k matrix x once, split into the solver's chunks and run
// on the same number of workers (0 means GOMAXPROCS), and returns the sum of all
// entries so that the read cannot be optimised away. The loop is the lightest
// read we have (sum32: vector adds into four float32 accumulators), so that it
// measures the memory, not the loop: a scalar Go loop is limited by its own
// instructions before the memory is.
func StreamSum(x []float32, n, k, workers int) float64 {
	if workers <= 0 {
		workers = defaultWorkers()
	}
	p := newPlan(n, k, workers)
	part := make([]float64, p.chunks)
	p.run(func(c, lo, hi int) { part[c] = float64(sum32(x[lo*k : hi*k])) })
	sum := 0.0
	for _, v := range part {
		sum += v
	}
	return sum
}

// sum32 returns the sum of v in float32, in vector lanes where the CPU has them
// (the order of the additions is the implementation's).
func sum32(v []float32) float32 {
	done, s := sum32Impl(v)
	v = v[done:]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	for len(v) >= 8 {
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
		s4 += v[4]
		s5 += v[5]
		s6 += v[6]
		s7 += v[7]
		v = v[8:]
	}
	for _, e := range v {
		s0 += e
	}
	return s + (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)))
}
