package sela

import "math"

// lanes is the number of independent float64 accumulators in a row's dot product.
// The value fixes the summation order and hence the bits of every result; the
// assembly kernels (AVX2: 8×4 lanes, AVX-512: 4×8 lanes) reproduce it exactly.
const lanes = 32

// fusedRows is the fused Sinkhorn pass over the rows of g (len(b) rows of k
// float32 values, row-major): for each row i it sets
//
//	b[i] = c / Σ_y g[i,y]·a[y]      (the row scaling, from the current column scaling a)
//	s[y] = fma(g[i,y], b[i], s[y])  (the column sums that give the next a)
//
// It dispatches to an assembly routine when the CPU has one; every implementation
// computes exactly what fusedRowsGo computes. The assembly reads a up to
// padded(k) = k rounded up to a multiple of 32: when a's capacity allows, the
// padding must be zero (newScaling allocates it so); otherwise a padded copy is made.
func fusedRows(g []float32, k int, a []float64, c float64, b, s []float64) {
	rows := len(b)
	if rows == 0 {
		return
	}
	if len(g) < rows*k || len(a) < k || len(s) < k {
		panic("sela: fusedRows: bad slice lengths")
	}
	fusedRowsImpl(g, k, a, c, b, s)
}

// padded returns k rounded up to a multiple of lanes.
func padded(k int) int { return (k + lanes - 1) &^ (lanes - 1) }

// newScaling returns a zeroed scaling vector of length k whose capacity holds the
// zero padding the assembly kernels read.
func newScaling(k int) []float64 { return make([]float64, k, padded(k)) }

// paddedA returns a with zeros up to padded(k), copying only if a's capacity does
// not already hold a zero padding.
func paddedA(a []float64, k int) []float64 {
	p := padded(k)
	if cap(a) >= p {
		full := a[:p]
		ok := true
		for _, v := range full[k:] {
			ok = ok && v == 0
		}
		if ok {
			return full
		}
	}
	full := make([]float64, p)
	copy(full, a[:k])
	return full
}

// fusedRowsGo is the canonical definition of fusedRows, in portable Go.
func fusedRowsGo(g []float32, k int, a []float64, c float64, b, s []float64) {
	a = a[:k]
	s = s[:k]
	for i := range b {
		row := g[i*k : (i+1)*k : (i+1)*k]
		bi := c / dotGo(row, a)
		b[i] = bi
		for y, v := range row {
			s[y] = math.FMA(float64(v), bi, s[y])
		}
	}
}

// dotGo is Σ_y row[y]·a[y] in the canonical order: element y is added to
// accumulator y mod 32 by fused multiply-add, in increasing y; the 32 accumulators
// are then added as a fixed tree, u[l] = (acc[l]+acc[8+l]) + (acc[16+l]+acc[24+l]),
// v[l] = u[l]+u[4+l], w[l] = v[l]+v[2+l], d = w[0]+w[1].
func dotGo(row []float32, a []float64) float64 {
	var acc [lanes]float64
	k := len(row)
	y := 0
	for ; y+lanes <= k; y += lanes {
		r := row[y : y+lanes : y+lanes]
		aa := a[y : y+lanes : y+lanes]
		for l := range acc {
			acc[l] = math.FMA(float64(r[l]), aa[l], acc[l])
		}
	}
	for l := 0; y+l < k; l++ {
		acc[l] = math.FMA(float64(row[y+l]), a[y+l], acc[l])
	}
	var u [8]float64
	for l := range u {
		u[l] = (acc[l] + acc[8+l]) + (acc[16+l] + acc[24+l])
	}
	v0, v1, v2, v3 := u[0]+u[4], u[1]+u[5], u[2]+u[6], u[3]+u[7]
	return (v0 + v2) + (v1 + v3)
}

// axpyRow sets s[y] = fma(g[y], b, s[y]) for every y < len(g), with vector
// instructions where the CPU has them (elementwise, so every implementation gives
// the same bits).
func axpyRow(s []float64, g []float32, b float64) {
	s = s[:len(g)]
	done := axpyRowImpl(s, g, b)
	for y := done; y < len(g); y++ {
		s[y] = math.FMA(float64(g[y]), b, s[y])
	}
}

// axpyRows sets s[y] = fma(g[i,y], b[i], s[y]) for the len(b) rows of k values of
// g, row after row: axpyRow on each row in turn, in one call (the same bits).
func axpyRows(g []float32, k int, b, s []float64) {
	if len(b) == 0 {
		return
	}
	if len(g) < len(b)*k || len(s) < k {
		panic("sela: axpyRows: bad slice lengths")
	}
	if axpyRowsImpl(g, k, b, s) {
		return
	}
	for i, bi := range b {
		axpyRow(s, g[i*k:(i+1)*k], bi)
	}
}

// goodScaling reports whether a row scaling b_i is usable: finite and positive.
func goodScaling(b float64) bool { return b > 0 && b <= math.MaxFloat64 }

// firstBad returns the index of the first b[i] that is not finite and positive,
// or -1.
func firstBad(b []float64) int {
	bad, done := firstBadImpl(b)
	if bad >= 0 {
		return bad
	}
	for i, v := range b[done:] {
		if !goodScaling(v) {
			return done + i
		}
	}
	return -1
}

// sweepRows is the dense pass of the final labelling sweep: for each row i of g
// (len(b) rows of k values) it sets d[i] = Σ_y g[i,y]·a[y] in the order of dotGo,
// and s[y] = fma(g[i,y], b[i], s[y]) with b given. Like fusedRows it dispatches to
// assembly that computes exactly what sweepRowsGo computes.
func sweepRows(g []float32, k int, a, b, d, s []float64) {
	rows := len(b)
	if rows == 0 {
		return
	}
	if len(g) < rows*k || len(a) < k || len(s) < k || len(d) < rows {
		panic("sela: sweepRows: bad slice lengths")
	}
	sweepRowsImpl(g, k, a, b, d, s)
}

// sweepRowsGo is the canonical definition of sweepRows.
func sweepRowsGo(g []float32, k int, a, b, d, s []float64) {
	a = a[:k]
	s = s[:k]
	for i, bi := range b {
		row := g[i*k : (i+1)*k : (i+1)*k]
		d[i] = dotGo(row, a)
		for y, v := range row {
			s[y] = math.FMA(float64(v), bi, s[y])
		}
	}
}

// sparseRows is the fused pass over one chunk of the truncated kernel (see
// sparseRowsGo), in assembly where the CPU has FMA.
func sparseRows(sc *sparseChunk, a []float64, c float64, b, s []float64) {
	if len(b) == 0 {
		return
	}
	if len(sc.off) != len(b)+1 || len(sc.col) != len(sc.val) || int(sc.off[len(b)]) != len(sc.val) {
		panic("sela: sparseRows: malformed chunk")
	}
	sparseRowsImpl(sc, a, c, b, s)
}

// extractRows appends the rows of g to the truncated chunk sc (see extractRowsGo),
// in assembly where the CPU has AVX2 and FMA. The caller has reserved len(b)·k
// entries in sc.
func extractRows(sc *sparseChunk, g []float32, k int, a []float64, c, theta float64, b []float64) {
	if len(b) == 0 {
		return
	}
	if len(g) < len(b)*k || len(a) < k || k > sparseMaxK || cap(sc.val)-len(sc.val) < len(b)*k || cap(sc.col) < cap(sc.val) {
		panic("sela: extractRows: bad slice lengths")
	}
	extractRowsImpl(sc, g, k, a, c, theta, b)
}
