package eval

import (
	"math"
)

// Stopping reasons of the minimiser, reported in ProbeFit.Stop.
const (
	StopGradient   = "gradient"   // ‖∇f‖∞ ≤ GradTol: converged
	StopIterations = "iterations" // MaxIter iterations done
	StopNoProgress = "no progress"
)

const (
	lbfgsMemory   = 10   // correction pairs kept (scipy's L-BFGS-B default)
	armijoC1      = 1e-4 // sufficient-decrease constant (Nocedal & Wright §3.1)
	maxBacktracks = 40   // step halvings (or better) before a line search gives up
	stallIters    = 50   // stop after this many iterations without progress: neither
	stallFactor   = 0.9  // a best ‖∇f‖∞ this factor below the previous best,
	stallRelF     = 1e-9 // nor a best f lower by this much, relative to max(|f|, 1)
	approxEps     = 1e-6 // approximate Wolfe conditions of Hager & Zhang (2005): f tolerance
	approxDelta   = 0.1  // and their δ
)

// minResult describes one run of minimize.
type minResult struct {
	iters, evals int
	f            float64 // objective at the returned point
	gradInf      float64 // ‖∇f‖∞ there
	converged    bool    // gradInf ≤ gtol
	stop         string  // StopGradient, StopIterations or StopNoProgress
}

// minimize minimises a smooth function by limited-memory BFGS (Nocedal & Wright,
// "Numerical Optimization", 2nd ed., 2006, Algorithms 7.4 and 7.5: two-loop recursion
// with the initial scaling γ = sᵀy / yᵀy) starting from x, which it overwrites with the
// final point. fg(x, g) returns f(x) and writes ∇f(x) into g.
//
// The line search backtracks from the unit step (from min(1, 1/‖g‖₂) when there is no
// curvature information yet) with safeguarded quadratic interpolation until either the
// Armijo condition f(x+td) ≤ f(x) + c₁ t ∇fᵀd or the approximate Wolfe conditions of
// Hager & Zhang ("A new conjugate gradient method with guaranteed descent and an
// efficient line search", SIAM J. Optim. 16(1), 2005, eq. 4.1 without the curvature
// half) hold: f(x+td) ≤ f(x) + ε|f(x)| and ∇f(x+td)ᵀd ≤ (2δ−1) ∇f(x)ᵀd. The second test
// relies on the gradient where f's decrease sinks below its rounding error (the
// probe's logits are float32 products), which lets fits converge to ‖∇f‖∞ ≈ 1e-9.
// Backtracking suffices because the probe's objective is strictly convex: every step
// has sᵀy > 0, so the update keeps the inverse Hessian approximation positive
// definite; pairs with sᵀy ≤ 0 (possible only through rounding) are skipped.
//
// A failed line search clears the memory and retries along −g; a second failure, or
// stallIters iterations in which neither ‖∇f‖∞ nor f reached a clearly new best (by
// stallFactor, stallRelF), end the run with StopNoProgress: that is where rounding
// noise, not the tolerance, stops the fit.
func minimize(fg func(x, g []float64) float64, x []float64, maxIter int, gtol float64) minResult {
	n := len(x)
	g := make([]float64, n)
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	s := make([][]float64, lbfgsMemory)
	y := make([][]float64, lbfgsMemory)
	rho := make([]float64, lbfgsMemory)
	alpha := make([]float64, lbfgsMemory)
	for i := range s {
		s[i] = make([]float64, n)
		y[i] = make([]float64, n)
	}
	stored, newest := 0, -1 // ring buffer of correction pairs

	var res minResult
	f := fg(x, g)
	res.evals = 1
	finish := func(stop string) minResult {
		res.f = f
		res.gradInf = normInf(g)
		res.converged = res.gradInf <= gtol
		res.stop = stop
		if res.converged {
			res.stop = StopGradient
		}
		return res
	}
	bestG, bestF, stall := normInf(g), f, 0
	if bestG <= gtol {
		return finish(StopGradient)
	}
	for res.iters < maxIter {
		// Search direction d = −H g by the two-loop recursion.
		for i := range d {
			d[i] = -g[i]
		}
		for j := 0; j < stored; j++ {
			k := (newest - j + lbfgsMemory) % lbfgsMemory
			alpha[k] = rho[k] * dot(s[k], d)
			axpy(-alpha[k], y[k], d)
		}
		t := 1.0
		if stored > 0 {
			gamma := dot(s[newest], y[newest]) / dot(y[newest], y[newest])
			for i := range d {
				d[i] *= gamma
			}
			for j := stored - 1; j >= 0; j-- {
				k := (newest - j + lbfgsMemory) % lbfgsMemory
				beta := rho[k] * dot(y[k], d)
				axpy(alpha[k]-beta, s[k], d)
			}
		} else {
			t = min(1, 1/math.Sqrt(dot(g, g)))
		}
		gd := dot(g, d)
		if !(gd < 0) { // not a descent direction (rounding): restart along −g
			if stored == 0 {
				return finish(StopNoProgress)
			}
			stored = 0
			continue
		}

		// Backtracking line search.
		var fn float64
		ok := false
		for range maxBacktracks {
			for i := range xn {
				xn[i] = x[i] + t*d[i]
			}
			fn = fg(xn, gn)
			res.evals++
			if fn <= f+armijoC1*t*gd || // false for NaN
				(fn <= f+approxEps*math.Abs(f) && dot(gn, d) <= (2*approxDelta-1)*gd) {
				ok = true
				break
			}
			tq := 0.5 * t // minimiser of the quadratic through f, gd and fn, kept in [0.1t, 0.5t]
			if den := 2 * (fn - f - gd*t); den > 0 && !math.IsInf(fn, 0) {
				tq = min(max(-gd*t*t/den, 0.1*t), 0.5*t)
			} else if math.IsNaN(fn) || math.IsInf(fn, 0) {
				tq = 0.1 * t
			}
			t = tq
		}
		if !ok {
			if stored == 0 {
				return finish(StopNoProgress)
			}
			stored = 0
			continue
		}

		// Accept the step and store the correction pair.
		next := (newest + 1) % lbfgsMemory
		for i := range x {
			s[next][i] = xn[i] - x[i]
			y[next][i] = gn[i] - g[i]
		}
		if sy := dot(s[next], y[next]); sy > 0 {
			rho[next] = 1 / sy
			newest = next
			stored = min(stored+1, lbfgsMemory)
		}
		copy(x, xn)
		copy(g, gn)
		f = fn
		res.iters++
		gi := normInf(g)
		if gi <= gtol {
			return finish(StopGradient)
		}
		if gi < stallFactor*bestG || f < bestF-stallRelF*max(math.Abs(bestF), 1) {
			bestG, bestF, stall = min(gi, bestG), min(f, bestF), 0
		} else if stall++; stall >= stallIters {
			return finish(StopNoProgress)
		}
	}
	return finish(StopIterations)
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func axpy(alpha float64, x, y []float64) {
	for i, v := range x {
		y[i] += alpha * v
	}
}

func normInf(a []float64) float64 {
	var m float64
	for _, v := range a {
		m = max(m, math.Abs(v))
	}
	return m
}
