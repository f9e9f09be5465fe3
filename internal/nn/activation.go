package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// ReLU is the rectifier max(x, 0).
type ReLU struct {
	y, dx *tensor.Dense
}

func (*ReLU) String() string   { return "ReLU" }
func (*ReLU) Params() []*Param { return nil }

// Forward returns max(x, 0).
func (l *ReLU) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	l.y = ensure(l.y, x.Shape()...)
	y, xs := Data(l.y), Data(x)
	parallelFor(len(xs), 1, func(lo, hi int) {
		for i, v := range xs[lo:hi] {
			y[lo+i] = max(v, 0)
		}
	})
	return l.y
}

// Backward passes dy where the output was positive.
func (l *ReLU) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	if !needInput {
		return nil
	}
	l.dx = ensure(l.dx, dy.Shape()...)
	dx, g, y := Data(l.dx), Data(dy), Data(l.y)
	parallelFor(len(dx), 1, func(lo, hi int) { reluGrad(dx[lo:hi], g[lo:hi], y[lo:hi]) })
	return l.dx
}

// Flatten reshapes N×C×H×W (or any N×…) to N×(C·H·W) without copying.
type Flatten struct {
	in tensor.Shape
	dx *tensor.Dense
}

func (*Flatten) String() string   { return "Flatten" }
func (*Flatten) Params() []*Param { return nil }

// Forward returns a 2-D view of x.
func (l *Flatten) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	l.in = x.Shape().Clone()
	n, d := rows(x)
	return New(Data(x), n, d)
}

// Backward returns a view of dy with the input's shape.
func (l *Flatten) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	if !needInput {
		return nil
	}
	return New(Data(dy), l.in...)
}

// Dropout zeroes each value with probability P during training and scales
// the rest by 1/(1−P) (inverted dropout, as torch.nn.Dropout); it is the
// identity in evaluation. Masks are drawn from Rand, so a seeded stream gives
// reproducible training.
type Dropout struct {
	P    float64
	Rand *rand.Rand

	mask   []float32
	y, dx  *tensor.Dense
	active bool
}

// NewDropout returns a Dropout layer drawing its masks from r.
func NewDropout(p float64, r *rand.Rand) *Dropout {
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("nn: Dropout(%v): p must be in [0, 1)", p))
	}
	return &Dropout{P: p, Rand: r}
}

func (l *Dropout) String() string { return fmt.Sprintf("Dropout(%v)", l.P) }
func (*Dropout) Params() []*Param { return nil }

// Forward applies a fresh mask in training, nothing in evaluation.
func (l *Dropout) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	l.active = train && l.P > 0
	if !l.active {
		return x
	}
	xs := Data(x)
	if cap(l.mask) < len(xs) {
		l.mask = make([]float32, len(xs))
	}
	l.mask = l.mask[:len(xs)]
	scale := float32(1 / (1 - l.P))
	for i := range l.mask {
		if l.Rand.Float64() < l.P {
			l.mask[i] = 0
		} else {
			l.mask[i] = scale
		}
	}
	l.y = ensure(l.y, x.Shape()...)
	y := Data(l.y)
	for i, v := range xs {
		y[i] = v * l.mask[i]
	}
	return l.y
}

// Backward multiplies dy by the last mask.
func (l *Dropout) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	if !needInput {
		return nil
	}
	if !l.active {
		return dy
	}
	l.dx = ensure(l.dx, dy.Shape()...)
	dx := Data(l.dx)
	for i, g := range Data(dy) {
		dx[i] = g * l.mask[i]
	}
	return l.dx
}

// reluGrad sets dx = dy where y > 0, else 0, without branches (y ≥ 0 is a
// ReLU output, so y > 0 exactly when its bits are not zero).
func reluGrad(dx, dy, y []float32) {
	dy = dy[:len(dx)]
	y = y[:len(dx)]
	for i, g := range dy {
		b := math.Float32bits(y[i])
		mask := -((b | -b) >> 31) // all ones if b != 0
		dx[i] = math.Float32frombits(math.Float32bits(g) & mask)
	}
}

// L2Normalize scales each row of its N×D input to unit Euclidean norm,
// y = x / max(‖x‖, 1e-12), as torch.nn.functional.normalize(x, dim=1): the
// embedding SwAV's prototypes score by cosine similarity. Norms are summed in
// float64.
type L2Normalize struct {
	norm  []float64 // per row, clamped
	y, dx *tensor.Dense
}

func (*L2Normalize) String() string   { return "L2Normalize()" }
func (*L2Normalize) Params() []*Param { return nil }

// Forward normalises every row of x.
func (l *L2Normalize) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	n, d := rows(x)
	l.y = ensure(l.y, n, d)
	l.norm = append(l.norm[:0], make([]float64, n)...)
	xs, ys := Data(x), Data(l.y)
	for i := range n {
		s := 0.0
		for _, v := range xs[i*d : (i+1)*d] {
			s += float64(v) * float64(v)
		}
		nrm := max(math.Sqrt(s), 1e-12)
		l.norm[i] = nrm
		for j, v := range xs[i*d : (i+1)*d] {
			ys[i*d+j] = float32(float64(v) / nrm)
		}
	}
	return l.y
}

// Backward maps dy to dx = (dy − y·(y·dy)) / ‖x‖ row by row: the projection of
// dy onto the tangent plane of the unit sphere at y, scaled by 1/‖x‖.
func (l *L2Normalize) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	if !needInput {
		return nil
	}
	n, d := rows(dy)
	l.dx = ensure(l.dx, n, d)
	ys, gs, dxs := Data(l.y), Data(dy), Data(l.dx)
	for i := range n {
		dot := 0.0
		for j := range d {
			dot += float64(ys[i*d+j]) * float64(gs[i*d+j])
		}
		for j := range d {
			dxs[i*d+j] = float32((float64(gs[i*d+j]) - float64(ys[i*d+j])*dot) / l.norm[i])
		}
	}
	return l.dx
}
