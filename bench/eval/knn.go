package eval

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/blas"

	"github.com/selabench/selabench/internal/gemm"
	"github.com/selabench/selabench/internal/hugemem"
	"github.com/selabench/selabench/internal/rowops"
)

// Defaults of KNNOptions: k = 200 neighbours and temperature τ = 0.1, the weighted
// kNN protocol of Wu et al. (CVPR 2018) that SeLa (Asano et al., ICLR 2020) reports
// for CIFAR. In Wu et al.'s code (lemniscate.pytorch, test.py) K and σ = τ are arguments; its cifar.py
// passes the NCE temperature, 0.1 by default.
const (
	DefaultK   = 200
	DefaultTau = 0.1
)

// Blocking of KNN: a goroutine takes up to knnBlock test rows at a time and computes
// their similarities to knnTile training rows per gemm call, so it holds one
// knnBlock×knnTile float32 buffer (4 MiB) and the block's candidate buffers (2K
// neighbours per row, 8 bytes each); for large K the block shrinks so that those stay
// within knnBufBytes.
const (
	knnBlock    = 256
	knnTile     = 4096
	knnBufBytes = 16 << 20
)

// KNNOptions configures KNN. The zero value means the documented defaults.
type KNNOptions struct {
	// K is the number of neighbours; 0 means DefaultK. If K exceeds the number of
	// training rows, all training rows are used.
	K int
	// Tau is the temperature τ > 0 of the weights exp(s/τ); 0 means DefaultTau.
	Tau float64
	// Workers caps the goroutines used; 0 means runtime.GOMAXPROCS(0). Results do not
	// depend on it.
	Workers int
}

// KNNResult is the outcome of KNN.
type KNNResult struct {
	Accuracy float64 // Correct / test rows
	Correct  int
	Pred     []int   // predicted class of each test row
	K        int     // neighbours used: min(K, train rows)
	Tau      float64 // temperature used
	Classes  int     // C = max train label + 1
	Seconds  float64 // wall time of the whole call
}

// neighbour packs a training row and its cosine similarity to a test row into one key
// that orders neighbours from the farthest to the nearest: the high 32 bits are the
// similarity's bits mapped to an order-preserving unsigned integer (−0 first made +0,
// so that equal similarities get equal bits), the low 32 bits the complement of the
// row index (at equal similarity, the lower index is nearer). Nearer ⇔ larger key, so
// selection and sorting compare integers.
type neighbour uint64

func newNeighbour(s float32, i int) neighbour {
	b := math.Float32bits(s)
	switch {
	case b == 1<<31: // −0: the key bits of +0
		b = 1 << 31
	case b&(1<<31) != 0:
		b = ^b
	default:
		b |= 1 << 31
	}
	return neighbour(uint64(b)<<32 | uint64(^uint32(i)))
}

func (e neighbour) sim() float32 {
	b := uint32(e >> 32)
	if b&(1<<31) != 0 {
		b &^= 1 << 31
	} else {
		b = ^b
	}
	return math.Float32frombits(b)
}

func (e neighbour) index() int { return int(^uint32(e)) }

// KNN scores frozen features by the weighted k-nearest-neighbour classifier of Wu,
// Xiong, Yu & Lin, "Unsupervised feature learning via non-parametric instance
// discrimination", CVPR 2018 (reference code: github.com/zhirongw/lemniscate.pytorch,
// test.py, kNN, whose class count is also max train label + 1), the protocol SeLa
// (Asano, Rupprecht & Vedaldi, ICLR 2020) reports for CIFAR:
//
//  1. train and test features are L2-normalised (a zero row stays zero, so its
//     similarity to everything is 0);
//  2. for each test row, the K training rows of largest cosine similarity s are
//     found (equal similarities: the lower training index is nearer);
//  3. each neighbour votes for its class with weight exp(s/τ); the predicted class
//     is the one with the largest total (ties: the smallest class).
//
// Weights are computed as exp((s − s₁)/τ), s₁ being the row's largest similarity: the
// same ratios, so the same prediction, without overflow for small τ. The votes are
// added in float64 in order of decreasing similarity, so a class's total depends only
// on the similarities of its neighbours. Similarities are float32 products through
// internal/gemm, bit-identical for any Workers or GOMAXPROCS.
func KNN(train, test Set, opt KNNOptions) (*KNNResult, error) {
	start := time.Now()
	classes, err := checkPair(train, test)
	if err != nil {
		return nil, fmt.Errorf("eval: knn: %w", err)
	}
	if opt.K < 0 {
		return nil, fmt.Errorf("eval: knn: K = %d, want ≥ 1 (0 for the default %d): %w", opt.K, DefaultK, ErrOption)
	}
	if opt.K == 0 {
		opt.K = DefaultK
	}
	if opt.Tau == 0 {
		opt.Tau = DefaultTau
	}
	if !(opt.Tau > 0) || math.IsInf(opt.Tau, 0) {
		return nil, fmt.Errorf("eval: knn: Tau = %v, want a finite τ > 0: %w", opt.Tau, ErrOption)
	}
	nw, err := workers(opt.Workers, "knn")
	if err != nil {
		return nil, err
	}
	k := min(opt.K, train.N)
	d := train.D
	trn := normalised(train.X, d)
	tst := normalised(test.X, d)

	res := &KNNResult{Pred: make([]int, test.N), K: k, Tau: opt.Tau, Classes: classes}
	capacity := 2 * k // candidate buffer per row
	bm := min(max(knnBufBytes/(8*capacity), 1), knnBlock, test.N)
	tn := min(knnTile, train.N)
	nblocks := (test.N + bm - 1) / bm
	var next atomic.Int64
	run := func() {
		sim := make([]float32, bm*tn)
		bufs := make([]neighbour, bm*capacity)
		lens := make([]int, bm)
		thrs := make([]float32, bm)
		scores := make([]float64, classes)
		for {
			blk := int(next.Add(1)) - 1
			if blk >= nblocks {
				return
			}
			r0 := blk * bm
			m := min(bm, test.N-r0)
			clear(lens)
			for i := range thrs {
				thrs[i] = float32(math.Inf(-1))
			}
			for j0 := 0; j0 < train.N; j0 += tn {
				t := min(tn, train.N-j0)
				// S = Q·Tᵀ: similarities of the block's rows to training rows j0…j0+t−1.
				gemm.Sgemm(blas.NoTrans, blas.Trans, m, t, d, 1, tst[r0*d:], d, trn[j0*d:], d, 0, sim, t)
				for i := range m {
					lens[i], thrs[i] = offer(bufs[i*capacity:(i+1)*capacity], lens[i], thrs[i], k, sim[i*t:(i+1)*t], j0)
				}
			}
			for i := range m {
				nb := bufs[i*capacity : i*capacity+lens[i]]
				selectBest(nb, k)
				res.Pred[r0+i] = vote(nb[:k], train.Y, opt.Tau, scores)
			}
		}
	}
	var wg sync.WaitGroup
	for range min(nw, nblocks) - 1 {
		wg.Go(run)
	}
	run()
	wg.Wait()

	for i, p := range res.Pred {
		if p == test.Y[i] {
			res.Correct++
		}
	}
	res.Accuracy = float64(res.Correct) / float64(test.N)
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// offer passes the candidates sims (similarities to training rows j0, j0+1, …) to
// the candidate buffer buf of one test row, which holds n entries, and returns the new
// n and threshold. This is the "reservoir" of faiss (ResultHandler.h, ReservoirTopN):
// a candidate is appended if its similarity exceeds thr; when the buffer is full,
// selectBest keeps its k best entries and thr becomes the lowest similarity among
// them. Candidates come in increasing training index, so one whose similarity equals
// thr is worse than every kept entry and can be dropped. Before the first pruning thr
// is −∞.
func offer(buf []neighbour, n int, thr float32, k int, sims []float32, j0 int) (int, float32) {
	for j := 0; j < len(sims); j++ {
		// Skip runs of 8 candidates none of which beats thr: most of them, once the
		// buffer has been pruned.
		if j&7 == 0 && j+8 <= len(sims) {
			s := sims[j : j+8 : j+8]
			beats := s[0] > thr
			beats = beats || s[1] > thr
			beats = beats || s[2] > thr
			beats = beats || s[3] > thr
			beats = beats || s[4] > thr
			beats = beats || s[5] > thr
			beats = beats || s[6] > thr
			beats = beats || s[7] > thr
			if !beats {
				j += 7
				continue
			}
		}
		s := sims[j]
		if !(s > thr) {
			continue
		}
		if n == len(buf) {
			selectBest(buf, k)
			n = k
			thr = slices.Min(buf[:k]).sim()
			if !(s > thr) {
				continue
			}
		}
		buf[n] = newNeighbour(s, j0+j)
		n++
	}
	return n, thr
}

// selectBest reorders a so that a[:k] holds its k nearest neighbours (in no particular
// order), by Hoare's quickselect with a median-of-three pivot (Hoare, "Algorithm 65:
// Find", CACM 4(7), 1961). Keys are distinct (distinct indices).
func selectBest(a []neighbour, k int) {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] > a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] > a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] > a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] > p {
				i++
			}
			for p > a[j] {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		// a[lo..j] are nearer than p or p itself, a[i..hi] farther or p, j < i.
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// vote returns the weighted-vote class of a test row from its neighbours nb (sorted
// in place); scores is scratch with one entry per class.
func vote(nb []neighbour, y []int, tau float64, scores []float64) int {
	slices.Sort(nb) // farthest first
	clear(scores)
	top := float64(nb[len(nb)-1].sim())
	for _, e := range slices.Backward(nb) {
		scores[y[e.index()]] += math.Exp((float64(e.sim()) - top) / tau)
	}
	best := 0
	for c, v := range scores {
		if v > scores[best] {
			best = c
		}
	}
	return best
}

// normalised returns a copy of the n×d rows of x scaled to unit L2 norm
// (rowops.L2Normalize: norms in float64, a zero row stays zero).
func normalised(x []float32, d int) []float32 {
	out := hugemem.Float32s(len(x))
	copy(out, x)
	rowops.L2Normalize(out, len(x)/d, d)
	return out
}
