package sela

import (
	"fmt"
	"math"
)

// OnlineCodes computes SwAV's soft codes for one batch (Caron et al., "Unsupervised
// learning of visual features by contrasting cluster assignments", NeurIPS 2020):
// the plan Q ∝ exp(S/ε) between the batch's n samples and k prototypes, scaled
// by iters alternating Sinkhorn sweeps towards equal prototype masses 1/k and
// equal sample masses 1/n, the last sweep normalising the samples, and returned
// with each sample's row summing to 1 — the targets its other views predict. S
// holds the n×k scores row-major (cosine similarities of unit embeddings and
// prototypes in SwAV) and dst receives the n×k codes.
//
// This is the official distributed_sinkhorn on one machine: the total mass is
// normalised first, then each of the iters iterations divides every prototype's
// column by its sum times k and every sample's row by its sum times n, and
// finally the rows are multiplied by n. Unlike [Solve] it runs a fixed number of
// iterations (SwAV uses ε = 0.05 and 3) and has no stopping rule: the codes are
// deliberately only approximately balanced. The exponentials are of
// (S − max S)/ε, which changes nothing after the normalisations but keeps them
// finite for any scale of scores; sums are in float64 in a fixed order. A
// non-finite score, or a prototype or sample whose mass underflows to zero, is
// an error wrapping [ErrNumerical]; bad shapes or parameters wrap [ErrInput].
func OnlineCodes(dst []float64, scores []float32, n, k int, eps float64, iters int) error {
	switch {
	case n <= 0 || k <= 0:
		return fmt.Errorf("sela: online codes: %d×%d scores: %w", n, k, ErrInput)
	case len(scores) != n*k || len(dst) != n*k:
		return fmt.Errorf("sela: online codes: %d scores and %d codes for %d×%d: %w", len(scores), len(dst), n, k, ErrInput)
	case !(eps > 0) || math.IsInf(eps, 1):
		return fmt.Errorf("sela: online codes: ε = %v must be positive and finite: %w", eps, ErrInput)
	case iters < 1:
		return fmt.Errorf("sela: online codes: %d iterations, want at least 1: %w", iters, ErrInput)
	}
	top := math.Inf(-1)
	for i, s := range scores {
		v := float64(s)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("sela: online codes: score of sample %d, prototype %d is %v: %w", i/k, i%k, v, ErrNumerical)
		}
		top = max(top, v)
	}
	total := 0.0
	for i, s := range scores {
		dst[i] = math.Exp((float64(s) - top) / eps)
		total += dst[i]
	}
	for i := range dst {
		dst[i] /= total
	}
	col := make([]float64, k)
	for range iters {
		clear(col)
		for i := range n {
			for y, q := range dst[i*k : (i+1)*k] {
				col[y] += q
			}
		}
		for y, c := range col {
			if !(c > 0) {
				return fmt.Errorf("sela: online codes: prototype %d has no mass (ε = %v too small for these scores): %w", y, eps, ErrNumerical)
			}
			col[y] = 1 / (c * float64(k))
		}
		for i := range n {
			row := dst[i*k : (i+1)*k]
			s := 0.0
			for y := range row {
				row[y] *= col[y]
				s += row[y]
			}
			if !(s > 0) {
				return fmt.Errorf("sela: online codes: sample %d has no mass (ε = %v too small for these scores): %w", i, eps, ErrNumerical)
			}
			// Divide by the row sum times n, then the final ·n: rows sum to 1.
			for y := range row {
				row[y] /= s
			}
		}
	}
	return nil
}
