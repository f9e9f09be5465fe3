package sela

import "math"

// newtonMaxK is the largest K for which Sinkhorn takes Newton steps: the Gram
// matrix each step needs costs N·K²/2 multiply-adds, which the AVX-512 routine
// keeps in registers up to K = 16 (the AVX2 one in a 16×16 block in cache).
const newtonMaxK = 16

// gramStride is the row stride of a Gram matrix: newtonMaxK.
const gramStride = newtonMaxK

// chordBelow is the residual variation below which a Newton step reuses the last
// Jacobian: it is then within about that relative distance of the current one,
// so each chord step still shrinks the residual by about that factor.
const chordBelow = 1e-3

// newtonFloor is the residual variation below which a Newton step cannot improve
// on a plain one: the Jacobian is then as uncertain as the residual is small, so
// the remaining iterations before the next check are plain.
const newtonFloor = 1e-10

// gramRows sets w to the Gram matrix Σ_i p_i p_iᵀ of the rows
// p_iz = g_iz·(a_z·(b_i·scale)) of g (len(b) rows of k ≤ 16 values), in the upper
// triangle of the 16×16 row-major w (z ≥ y; the entries below the diagonal are
// unspecified), in assembly where the CPU has AVX-512 or AVX2. a must be
// zero-padded to padded(k) (paddedA).
func gramRows(g []float32, k int, a, b []float64, scale float64, w []float64) {
	if k > gramStride || len(g) < len(b)*k || len(a) < padded(k) || len(w) < gramStride*gramStride {
		panic("sela: gramRows: bad slice lengths")
	}
	if len(b) == 0 || !gramRowsImpl(g, k, a, b, scale, w) {
		gramRowsGo(g, k, a, b, scale, w)
	}
}

// gramRowsGo is the canonical definition of gramRows: each entry is a chain of
// fused multiply-adds over the rows in order, starting at zero.
func gramRowsGo(g []float32, k int, a, b []float64, scale float64, w []float64) {
	for y := range k {
		clear(w[y*gramStride+y : y*gramStride+k])
	}
	var p [gramStride]float64
	for i, bi := range b {
		t := bi * scale
		for z, e := range g[i*k : (i+1)*k] {
			p[z] = float64(e) * (a[z] * t)
		}
		for y := range k {
			wy := w[y*gramStride : y*gramStride+k]
			for z := y; z < k; z++ {
				wy[z] = math.FMA(p[y], p[z], wy[z])
			}
		}
	}
}

// gram returns the Gram matrix W = N² Σ_i π_i π_iᵀ of the plan π_iy = a_y G_iy b_i
// (whose rows sum to 1/N, so N·π_i sums to 1), k×k with stride gramStride, summed
// over the chunks in order.
func (kn *kernel) gram(a, b []float64) []float64 {
	k, sz := kn.k, gramStride*gramStride
	if kn.gpart == nil {
		kn.gpart = make([]float64, kn.p.chunks*sz)
		kn.gsum = make([]float64, sz)
	}
	ap := paddedA(a, k)
	scale := float64(kn.n)
	kn.p.run(func(ch, lo, hi int) {
		gramRows(kn.g[lo*k:hi*k], k, ap, b[lo:hi], scale, kn.gpart[ch*sz:(ch+1)*sz])
	})
	w := kn.gsum
	for y := range k {
		for z := y; z < k; z++ {
			v := 0.0
			for ch := range kn.p.chunks {
				v += kn.gpart[ch*sz+y*gramStride+z]
			}
			w[y*gramStride+z], w[z*gramStride+y] = v, v
		}
	}
	return w
}

// newtonStep writes into a the Newton step from the current point u = log a for the
// fixed-point equation f(u) = 0 of the accelerator, f(u) = log(r_y s_y^(−φ)) − u_y
// (see accel), given W = gram(a, b) at u. With the plan's column masses
// m_y = Σ_z W_yz / N and M = W/N², the Jacobian of f is
//
//	∂f_y/∂u_z = −δ_yz + φ·N·M_yz/m_y,
//
// so the step δ solves (diag(W·1) − φW) δ = (W·1) ∘ f, a symmetric system (scaled
// by N). For φ = 1 (balanced) the system is singular along the constant vector,
// the gauge a ↦ t·a, b ↦ b/t that changes nothing; adding (Σ_y m_y·N / K²)·11ᵀ
// fixes the gauge, so Cholesky applies. Once the residual variation rho is below
// chordBelow, the steps reuse the last factor (chord method) instead of forming a
// new Gram matrix. It reports false, leaving a alone, when the system is not
// positive definite or the step is not finite.
func (ac *accel) newtonStep(a []float64, rho float64, gram func() []float64) bool {
	k := ac.k
	A, rhs := ac.jac, ac.rhsK
	if ac.factored && rho < chordBelow {
		// Chord step: the factor of the last Jacobian, which near the fixed point
		// changes less per step than the residual shrinks.
		for y := range k {
			rhs[y] = ac.mass[y] * ac.f[y]
		}
		cholSubst(A, rhs, k)
	} else {
		ac.factored = false
		W := gram()
		tr := 0.0
		for y := range k {
			m := 0.0
			for z := range k {
				m += W[y*gramStride+z]
			}
			for z := range k {
				A[y*k+z] = -ac.phi * W[y*gramStride+z]
			}
			A[y*k+y] += m
			ac.mass[y] = m
			rhs[y] = m * ac.f[y]
			tr += m
		}
		if !(tr > 0) || math.IsInf(tr, 0) {
			return false
		}
		if ac.phi == 1 {
			t := tr / float64(k*k)
			for i := range A {
				A[i] += t
			}
		}
		if !cholSolve(A, rhs, k) {
			return false
		}
		ac.factored = true
	}
	// A step longer than andersonMaxStep in some log a_y is shortened to that
	// length along the same direction (damped Newton), far from the fixed point.
	long := 0.0
	for _, d := range rhs {
		long = max(long, math.Abs(d))
	}
	if !(long <= math.MaxFloat64) {
		return false
	}
	damp := min(1, andersonMaxStep/long)
	for y := range k {
		rhs[y] = math.Exp(ac.u[y] + damp*rhs[y])
		if !(rhs[y] > 0) || math.IsInf(rhs[y], 1) {
			return false
		}
	}
	copy(a, rhs)
	return true
}
