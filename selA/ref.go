package sela

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// solveRef is the official SeLa scheme (yukimasano/self-label, sinkhornknopp.py
// optimize_L_sk and cifar.py optimize_L_sk), step for step, in float64:
//
//	PS = P^λ                      (P = exp(L), formed in probability space)
//	r = 1/K, c = 1/N, err = 1e6, counter = 0
//	while err > tol:
//	    r = r_mass / (PS c)            column sums weighted by c
//	    c_new = (1/N) / (rᵀ PS)        row sums weighted by r
//	    if counter % 10 == 0: err = nansum |c / c_new − 1|
//	    c = c_new; counter++
//	labels = argmax_y (PS_iy · c_i) · r_y
//
// with r_mass = 1/K (or Options.Masses). Differences from their NumPy: the sums run
// sequentially (BLAS blocks them), and P^λ uses math.Pow (glibc's pow may differ in
// the last bits), so results agree to rounding, not bit for bit. Their loop has no
// cap; here MaxIter (default 1e6) guarantees termination, reported as
// Converged = false. Where their code would divide by zero — a row or column of P^λ
// that underflows to 0 (e.g. λ = 1000: 0.4^1000 = 0) — or later produce non-finite
// scalings, this returns ErrNumerical naming the row or column.
func solveRef[T real](w *Workspace, in *input[T], cfg *config) (*Result, error) {
	n, k := in.n, in.k
	t0 := time.Now()
	ps := w.kernel64(n * k)
	for i := range n {
		row := ps[i*k : (i+1)*k]
		nonzero := false
		for y := range row {
			// P as the official code holds it (softmax output, or exp of the given
			// log-probabilities), then PS **= λ.
			p := math.Pow(math.Exp(in.at(i, y)), cfg.lambda)
			row[y] = p
			nonzero = nonzero || p > 0
		}
		if !nonzero {
			return nil, fmt.Errorf("sela: sinkhorn-ref: row %d of P^λ underflows to 0 at λ = %v (the official code would produce NaN; try sinkhorn-log): %w",
				i, cfg.lambda, ErrNumerical)
		}
	}
	for y := range k {
		nonzero := false
		for i := 0; i < n && !nonzero; i++ {
			nonzero = ps[i*k+y] > 0
		}
		if !nonzero {
			return nil, fmt.Errorf("sela: sinkhorn-ref: column %d of P^λ underflows to 0 at λ = %v (try sinkhorn-log): %w",
				y, cfg.lambda, ErrNumerical)
		}
	}
	res := &Result{Rebuilds: 1, KernelBytes: int64(n) * int64(k) * 8}
	t1 := time.Now()
	res.Build = t1.Sub(t0)

	invN := 1 / float64(n)
	r := make([]float64, k)
	c := w.vec(n)
	cNew := w.vec(n)
	for i := range c {
		c[i] = invN
	}
	s := make([]float64, k)
	err := 1e6
	counter := 0
	for err > cfg.tol {
		if counter >= cfg.maxIter {
			res.Reason = fmt.Sprintf("iteration cap %d reached (official error %.3g)", cfg.maxIter, err)
			break
		}
		// r = r_mass / (PS @ c). float64(·) keeps the product rounded (no fused
		// multiply-add), as NumPy computes it.
		clear(s)
		for i := range n {
			row := ps[i*k : (i+1)*k]
			ci := c[i]
			for y, p := range row {
				s[y] += float64(p * ci)
			}
		}
		for y := range r {
			r[y] = cfg.r[y] / s[y]
			if !(r[y] > 0) || math.IsInf(r[y], 1) {
				return nil, fmt.Errorf("sela: sinkhorn-ref: iteration %d: cluster %d: scaling %v: %w", counter+1, y, r[y], ErrNumerical)
			}
		}
		// c_new = (1/N) / (r.T @ PS)
		for i := range n {
			row := ps[i*k : (i+1)*k]
			d := 0.0
			for y, p := range row {
				d += float64(r[y] * p)
			}
			cNew[i] = invN / d
			if !(cNew[i] > 0) || math.IsInf(cNew[i], 1) {
				return nil, fmt.Errorf("sela: sinkhorn-ref: iteration %d: row %d: scaling %v: %w", counter+1, i, cNew[i], ErrNumerical)
			}
		}
		if counter%cfg.checkEvery == 0 {
			err = 0 // np.nansum: NaN terms are skipped
			for i := range c {
				if v := math.Abs(c[i]/cNew[i] - 1); !math.IsNaN(v) {
					err += v
				}
			}
		}
		c, cNew = cNew, c
		counter++
	}
	res.Iterations = counter
	res.StopErr = err
	res.Converged = err <= cfg.tol
	if res.Converged {
		res.Reason = fmt.Sprintf("stopping rule met at iteration %d (official error %.3g)", counter, err)
	}
	res.Passes = 2*counter + 1
	res.Kernel = KernelDense
	res.StreamedBytes = int64(res.Passes) * res.KernelBytes
	t2 := time.Now()
	res.Iterate = t2.Sub(t1)

	// Final plan Q_iy = (PS_iy·c_i)·r_y, as their in-place PS *= c; PS *= r.
	res.Labels = make([]int32, n)
	rows := w.vec(n)
	cols := make([]float64, k)
	for i := range n {
		row := ps[i*k : (i+1)*k]
		best, arg, sum := -1.0, 0, 0.0
		for y, p := range row {
			q := float64(p*c[i]) * r[y]
			sum += q
			cols[y] += q
			if q > best {
				best, arg = q, y
			}
		}
		res.Labels[i] = int32(arg)
		rows[i] = sum
	}
	res.MarginalErr, res.RowMarginalErr = marginalErrors(rows, cols, cfg.r)
	res.LogA = make([]float64, k)
	for y := range r {
		res.LogA[y] = math.Log(r[y])
	}
	res.rows.b = slices.Clone(c)
	res.Final = time.Since(t2)
	finish(res, in)
	return res, nil
}
