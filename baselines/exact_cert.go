package baselines

import (
	"fmt"
	"math"
)

// neumaier is a compensated float64 sum (Neumaier's variant of Kahan summation:
// A. Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
// Summen", ZAMM 54 (1974) 39–51). Its error is O(ε·Σ|x|) independent of the count.
type neumaier struct{ sum, c float64 }

func (a *neumaier) add(x float64) {
	t := a.sum + x
	if math.Abs(a.sum) >= math.Abs(x) {
		a.c += (a.sum - t) + x
	} else {
		a.c += (x - t) + a.sum
	}
	a.sum = t
}

func (a *neumaier) value() float64 { return a.sum + a.c }

// certificate normalises the prices and evaluates primal, dual and gap.
func (s *exactSolver[F]) certificate() (*ExactResult, error) {
	n, k := s.n, s.k
	res := &ExactResult{
		Labels:        make([]int, n),
		Sizes:         s.sizes,
		Prices:        make([]float64, k),
		Phases:        s.phases,
		Steps:         s.steps,
		Refreshes:     s.refreshes,
		WarmStarted:   s.warmStarted,
		Scans:         s.lcScans,
		Fallback:      s.fallback,
		Repaired:      s.repaired,
		Augmentations: s.augments,
	}
	counts := make([]int, k)
	for i, y := range s.lab {
		res.Labels[i] = int(y)
		counts[y]++
	}
	for y, c := range counts {
		if c != s.sizes[y] {
			return nil, fmt.Errorf("baselines: exact: internal error: cluster %d holds %d samples, want %d", y, c, s.sizes[y])
		}
	}
	// Prices are defined up to a common shift (Σ s_y = N): centre them.
	var mean neumaier
	for y, v := range s.p {
		mean.add(float64(s.sizes[y]) * v)
	}
	shift := mean.value() / float64(n)
	for y, v := range s.p {
		res.Prices[y] = v - shift
	}
	p := res.Prices
	// Per-chunk compensated sums, combined in chunk order (deterministic).
	chunks := rowChunks(n, k)
	parts := make([][2]neumaier, len(chunks))
	parallel(len(chunks), func(c int) {
		pr, du := &parts[c][0], &parts[c][1]
		for i := chunks[c][0]; i < chunks[c][1]; i++ {
			r := s.row(i)
			pr.add(-float64(r[s.lab[i]]))
			best, _ := rowArgmax(r, p)
			du.add(-best) // min_y (C_iy − p_y)
		}
	})
	var primal, dual, weighted neumaier
	for _, pt := range parts {
		primal.add(pt[0].sum)
		primal.add(pt[0].c)
		dual.add(pt[1].sum)
		dual.add(pt[1].c)
	}
	for y, v := range p {
		dual.add(float64(s.sizes[y]) * v)
		weighted.add(float64(s.sizes[y]) * math.Abs(v))
	}
	res.Primal, res.Dual = primal.value(), dual.value()
	res.Gap = res.Primal - res.Dual
	scale := math.Max(math.Abs(res.Primal), weighted.value())
	res.Optimal = res.Gap <= 1e-9*scale
	return res, nil
}
