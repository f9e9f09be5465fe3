//go:build openblas

package gemm

import (
	"math"
	"testing"
)

func init() {
	// OpenBLAS as users get it (its default thread count: one per core) and
	// on one thread.
	benchImpls = append(benchImpls,
		benchImpl{"openblas", Sgemm, nil},
		benchImpl{"openblas-1thread", Sgemm, func() func() {
			prev := setOpenBLASThreads(1)
			return func() { setOpenBLASThreads(prev) }
		}},
	)
}

// TestOpenBLASMatchesNaive checks the openblas route of Sgemm on the four
// transpose pairs, including beta == 0 over NaN and padded strides.
func TestOpenBLASMatchesNaive(t *testing.T) {
	t.Logf("Kernel() = %s", Kernel())
	for _, tr := range transposes() {
		for _, ab := range [][2]float32{{1, 0}, {-0.5, 2}} {
			p := problem{tA: tr[0], tB: tr[1], m: 65, n: 63, k: 257, alpha: ab[0], beta: ab[1], padA: 1, padB: 2, padC: 3}
			const pad = -7.25
			a, lda, b, ldb, c, ldc := p.operands(4, pad)
			ref, scale := naive(p, a, lda, b, ldb, c, ldc)
			if p.beta == 0 {
				for i := range c {
					if i%ldc < p.n {
						c[i] = float32(math.NaN())
					}
				}
			}
			Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, a, lda, b, ldb, p.beta, c, ldc)
			checkResult(t, p, c, ldc, ref, scale, pad)
		}
	}
}
