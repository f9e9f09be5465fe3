package nn

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// BatchNorm normalises each channel (a column of an N×C input, or a plane of
// an N×C×H×W input) to zero mean and unit variance over the batch, then
// scales and shifts it: y = γ·(x − μ)/√(σ² + ε) + β (Ioffe & Szegedy,
// "Batch normalization", ICML 2015). It follows torch.nn.BatchNorm1d/2d:
// training uses the batch statistics (biased variance) and updates the running
// statistics with momentum 0.1 (running = 0.9·running + 0.1·batch, with the
// unbiased variance); evaluation uses the running statistics. ε = 1e-5.
type BatchNorm struct {
	C        int
	Momentum float64 // 0.1 by [NewBatchNorm]
	Eps      float64 // 1e-5 by [NewBatchNorm]

	Weight, Bias            *Param // γ and β, length C
	RunningMean, RunningVar *Param // buffers, length C

	x, y, dx     *tensor.Dense
	mean, invStd []float64
}

// NewBatchNorm returns a BatchNorm over c channels with γ = 1, β = 0, running
// mean 0 and running variance 1.
func NewBatchNorm(c int) *BatchNorm {
	if c <= 0 {
		panic(fmt.Sprintf("nn: BatchNorm(%d): size must be positive", c))
	}
	b := &BatchNorm{C: c, Momentum: 0.1, Eps: 1e-5,
		Weight: newParam("weight", c), Bias: newParam("bias", c),
		RunningMean: &Param{Name: "running_mean", W: New(nil, c), Buffer: true},
		RunningVar:  &Param{Name: "running_var", W: New(nil, c), Buffer: true},
	}
	fill(Data(b.Weight.W), 1)
	fill(Data(b.RunningVar.W), 1)
	return b
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}

func (b *BatchNorm) String() string { return fmt.Sprintf("BatchNorm(%d)", b.C) }

// Params returns γ, β and the running mean and variance buffers.
func (b *BatchNorm) Params() []*Param {
	return []*Param{b.Weight, b.Bias, b.RunningMean, b.RunningVar}
}

// layout returns samples, channels and values per channel plane.
func (b *BatchNorm) layout(x *tensor.Dense) (n, s int) {
	sh := x.Shape()
	if len(sh) < 2 || sh[1] != b.C {
		panic(fmt.Sprintf("nn: %v: input shape %v", b, sh))
	}
	n, d := rows(x)
	return n, d / b.C
}

// Forward normalises x with batch statistics (train) or running ones.
//
// Training makes one pass over x for the statistics (Σx and Σx² in
// float64; the variance E[x²] − μ² is exact enough in float64 for
// activations, whose mean is never 10⁸ times their spread) and one pass
// writing y. Backward reads x again instead of a stored x̂, so x must not
// change until then (layers keep their outputs until their next Forward).
// Work is split across goroutines by channel, and each channel's sums run
// over the batch in a fixed order, so results do not depend on GOMAXPROCS.
func (b *BatchNorm) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	n, s := b.layout(x)
	C := b.C
	xs := Data(x)
	b.y = ensure(b.y, x.Shape()...)
	gamma, beta := Data(b.Weight.W), Data(b.Bias.W)
	rm, rv := Data(b.RunningMean.W), Data(b.RunningVar.W)
	scale, shift := make([]float32, C), make([]float32, C)
	if !train {
		for c := range C {
			scale[c] = float32(float64(gamma[c]) / math.Sqrt(float64(rv[c])+b.Eps))
			shift[c] = beta[c] - rm[c]*scale[c]
		}
		b.affine(Data(b.y), xs, scale, shift, n, s)
		return b.y
	}
	m := float64(n * s)
	sum, sq := make([]float64, C), make([]float64, C)
	parallelFor(C, 2*n*s, func(lo, hi int) {
		if s == 1 { // N×C: columns lo…hi, row by row
			for i := range n {
				for c, v := range xs[i*C+lo : i*C+hi] {
					f := float64(v)
					sum[lo+c] += f
					sq[lo+c] += f * f
				}
			}
			return
		}
		planeSums(xs, xs, n, C, s, lo, hi, sum, sq)
	})
	if cap(b.invStd) < C {
		b.invStd, b.mean = make([]float64, C), make([]float64, C)
	}
	b.invStd, b.mean = b.invStd[:C], b.mean[:C]
	for c := range C {
		mean := sum[c] / m
		vr := max(sq[c]/m-mean*mean, 0)
		b.mean[c] = mean
		b.invStd[c] = 1 / math.Sqrt(vr+b.Eps)
		unbiased := vr
		if m > 1 {
			unbiased = vr * m / (m - 1)
		}
		rm[c] = float32((1-b.Momentum)*float64(rm[c]) + b.Momentum*mean)
		rv[c] = float32((1-b.Momentum)*float64(rv[c]) + b.Momentum*unbiased)
		g := float64(gamma[c]) * b.invStd[c]
		scale[c] = float32(g)
		shift[c] = float32(float64(beta[c]) - mean*g)
	}
	b.x = x
	b.affine(Data(b.y), xs, scale, shift, n, s)
	return b.y
}

// affine sets y = x·scale[c] + shift[c] per channel.
func (b *BatchNorm) affine(y, x, scale, shift []float32, n, s int) {
	C := b.C
	parallelFor(n, 2*C*s, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if s == 1 {
				xr, yr := x[i*C:(i+1)*C], y[i*C:(i+1)*C]
				for c, v := range xr {
					yr[c] = v*scale[c] + shift[c]
				}
				continue
			}
			for c := range C {
				o := (i*C + c) * s
				scaleShift(y[o:o+s], x[o:o+s], scale[c], shift[c])
			}
		}
	})
}

// sum4 returns Σ v in float64 with four interleaved accumulators (a fixed
// order).
func sum4(v []float32) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		a0 += float64(v[i])
		a1 += float64(v[i+1])
		a2 += float64(v[i+2])
		a3 += float64(v[i+3])
	}
	for ; i < len(v); i++ {
		a0 += float64(v[i])
	}
	return (a0 + a1) + (a2 + a3)
}

// sumDot4 returns Σ g and Σ g·h in float64 with interleaved accumulators
// (a fixed order, for speed: one chain of dependent additions is
// latency-bound).
func sumDot4(g, h []float32) (float64, float64) {
	h = h[:len(g)]
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	i := 0
	for ; i+4 <= len(g); i += 4 {
		g0, g1, g2, g3 := float64(g[i]), float64(g[i+1]), float64(g[i+2]), float64(g[i+3])
		a0 += g0
		a1 += g1
		a2 += g2
		a3 += g3
		b0 += g0 * float64(h[i])
		b1 += g1 * float64(h[i+1])
		b2 += g2 * float64(h[i+2])
		b3 += g3 * float64(h[i+3])
	}
	for ; i < len(g); i++ {
		a0 += float64(g[i])
		b0 += float64(g[i]) * float64(h[i])
	}
	return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)
}

// sumDot4x4 returns sumDot4 of four consecutive planes of s values each,
// g[p·s:(p+1)·s] and h[p·s:(p+1)·s] for p < 4, with the same bits: on amd64 the
// planes' interleaved accumulators are the lanes of vector registers, four
// planes side by side.
func sumDot4x4(g, h []float32, s int) (a, d [4]float64) {
	var acc [32]float64
	if s < 4 || !sumDot4x4Lanes(g, h, s, &acc) {
		for p := range 4 {
			a[p], d[p] = sumDot4(g[p*s:(p+1)*s], h[p*s:(p+1)*s])
		}
		return a, d
	}
	for p := range 4 {
		l := acc[8*p : 8*p+8]
		a0, b0 := l[0], l[4]
		for i := p*s + s&^3; i < (p+1)*s; i++ {
			a0 += float64(g[i])
			b0 += float64(g[i]) * float64(h[i])
		}
		a[p], d[p] = (a0+l[1])+(l[2]+l[3]), (b0+l[5])+(l[6]+l[7])
	}
	return a, d
}

// planeSums adds to sum[c] and dot[c], for the channels c in [lo, hi) of an
// N×C×S batch, the sumDot4 of each sample's plane of g and h in sample order
// (so the sums do not depend on how channels are split), four channels at a
// time.
func planeSums(g, h []float32, n, C, s, lo, hi int, sum, dot []float64) {
	c := lo
	for ; c+4 <= hi; c += 4 {
		for i := range n {
			o := (i*C + c) * s
			a, d := sumDot4x4(g[o:o+4*s], h[o:o+4*s], s)
			for p := range 4 {
				sum[c+p] += a[p]
				dot[c+p] += d[p]
			}
		}
	}
	for ; c < hi; c++ {
		for i := range n {
			o := (i*C + c) * s
			a, d := sumDot4(g[o:o+s], h[o:o+s])
			sum[c] += a
			dot[c] += d
		}
	}
}

// Backward sets dγ = Σ dy·x̂, dβ = Σ dy and returns
// dx = γ/(σ·M) · (M·dy − dβ − x̂·dγ), M = values per channel in the batch,
// with x̂ = (x − μ)/σ recomputed from the saved input.
func (b *BatchNorm) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	n, s := b.layout(dy)
	C := b.C
	g, xs := Data(dy), Data(b.x)
	db, dyx := make([]float64, C), make([]float64, C)
	parallelFor(C, 2*n*s, func(lo, hi int) {
		if s == 1 {
			for i := range n {
				xr := xs[i*C+lo : i*C+hi]
				for c, v := range g[i*C+lo : i*C+hi] {
					db[lo+c] += float64(v)
					dyx[lo+c] += float64(v) * float64(xr[c])
				}
			}
			return
		}
		planeSums(g, xs, n, C, s, lo, hi, db, dyx)
	})
	dgamma, dbeta := Data(b.Weight.G), Data(b.Bias.G)
	dg := make([]float64, C)
	for c := range C {
		dg[c] = b.invStd[c] * (dyx[c] - b.mean[c]*db[c]) // Σ dy·x̂
		dgamma[c] = float32(dg[c])
		dbeta[c] = float32(db[c])
	}
	if !needInput {
		return nil
	}
	// dx = A·dy + B·x + D per channel.
	m := float64(n * s)
	gamma := Data(b.Weight.W)
	A, B, D := make([]float32, C), make([]float32, C), make([]float32, C)
	for c := range C {
		a := float64(gamma[c]) * b.invStd[c]
		bc := -a * b.invStd[c] * dg[c] / m
		A[c], B[c] = float32(a), float32(bc)
		D[c] = float32(-a*db[c]/m - bc*b.mean[c])
	}
	b.dx = ensure(b.dx, dy.Shape()...)
	dx := Data(b.dx)
	parallelFor(n, 3*C*s, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if s == 1 {
				o := i * C
				gr, xr, dr := g[o:o+C], xs[o:o+C], dx[o:o+C]
				for c, v := range gr {
					dr[c] = A[c]*v + B[c]*xr[c] + D[c]
				}
				continue
			}
			for c := range C {
				o := (i*C + c) * s
				ac, bc, dc := A[c], B[c], D[c]
				xr, dr := xs[o:o+s], dx[o:o+s]
				for k, v := range g[o : o+s] {
					dr[k] = ac*v + bc*xr[k] + dc
				}
			}
		}
	})
	return b.dx
}
