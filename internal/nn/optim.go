package nn

import (
	"fmt"
	"math"
	"slices"
)

// SGD is stochastic gradient descent with momentum and L2 weight decay,
// exactly as torch.optim.SGD (dampening 0):
//
//	g = grad + WeightDecay·w;  v = Momentum·v + g  (v = g on the first step);
//	w = w − LR·v   (Nesterov: w = w − LR·(g + Momentum·v)).
//
// Zero Momentum and WeightDecay mean plain SGD. Buffers are skipped, and
// parameters with NoDecay are not decayed.
type SGD struct {
	LR, Momentum, WeightDecay float64
	Nesterov                  bool

	params []*Param
	vel    [][]float32
}

// NewSGD returns an optimiser over the trainable parameters in params.
func NewSGD(params []*Param, lr, momentum, weightDecay float64) *SGD {
	o := &SGD{LR: lr, Momentum: momentum, WeightDecay: weightDecay}
	for _, p := range params {
		if !p.Buffer {
			o.params = append(o.params, p)
			o.vel = append(o.vel, nil)
		}
	}
	return o
}

// Step updates every parameter from its gradient.
func (o *SGD) Step() {
	lr, mom := float32(o.LR), float32(o.Momentum)
	for i, p := range o.params {
		w, g := Data(p.W), Data(p.G)
		wd := float32(o.WeightDecay)
		if p.NoDecay {
			wd = 0
		}
		if mom == 0 {
			for j := range w {
				w[j] -= lr * (g[j] + wd*w[j])
			}
			continue
		}
		v := o.vel[i]
		first := v == nil
		if first {
			v = make([]float32, len(w))
			o.vel[i] = v
		}
		v = v[:len(w)]
		g = g[:len(w)]
		switch {
		case o.Nesterov:
			for j := range w {
				gj := g[j] + wd*w[j]
				vj := gj
				if !first {
					vj = mom*v[j] + gj
				}
				v[j] = vj
				w[j] -= lr * (gj + mom*vj)
			}
		case first:
			for j := range w {
				vj := g[j] + wd*w[j]
				v[j] = vj
				w[j] -= lr * vj
			}
		default:
			for j := range w {
				vj := mom*v[j] + (g[j] + wd*w[j])
				v[j] = vj
				w[j] -= lr * vj
			}
		}
	}
}

// Schedule maps a step (or epoch) number t ≥ 0 to a learning rate.
type Schedule interface {
	LR(t int) float64
}

// StepLR multiplies Base by Gamma every Every steps
// (torch.optim.lr_scheduler.StepLR). Zero Gamma means 0.1; zero Every means
// a constant rate.
type StepLR struct {
	Base  float64
	Every int
	Gamma float64
}

// LR returns Base·Gamma^⌊t/Every⌋.
func (s StepLR) LR(t int) float64 {
	if s.Every <= 0 {
		return s.Base
	}
	g := s.Gamma
	if g == 0 {
		g = 0.1
	}
	return s.Base * math.Pow(g, float64(t/s.Every))
}

// CosineLR anneals from Base to Min over Total steps after a linear warm-up
// of Warmup steps (Loshchilov & Hutter, "SGDR", ICLR 2017, without
// restarts; torch's CosineAnnealingLR): lr = Min + (Base−Min)·(1+cos(π·u))/2
// with u = (t−Warmup)/(Total−Warmup) clamped to [0, 1].
type CosineLR struct {
	Base, Min     float64
	Total, Warmup int
}

// LR returns the rate at step t.
func (s CosineLR) LR(t int) float64 {
	if t < s.Warmup {
		return s.Base * float64(t+1) / float64(s.Warmup)
	}
	span := s.Total - s.Warmup
	u := 1.0
	if span > 0 {
		u = min(max(float64(t-s.Warmup)/float64(span), 0), 1)
	}
	return s.Min + (s.Base-s.Min)*(1+math.Cos(math.Pi*u))/2
}

// Velocities returns the momentum buffers, one per trainable parameter in order
// (nil before the parameter's first step): with the parameters themselves, the
// whole state of the optimiser, which a checkpoint saves.
func (o *SGD) Velocities() [][]float32 { return o.vel }

// SetVelocities restores buffers that Velocities returned (it copies them; an
// empty buffer is nil). It is an error if they do not fit the optimiser's
// parameters.
func (o *SGD) SetVelocities(v [][]float32) error {
	if len(v) != len(o.vel) {
		return fmt.Errorf("nn: %d momentum buffers for %d parameters", len(v), len(o.vel))
	}
	for i, b := range v {
		if len(b) != 0 && len(b) != len(Data(o.params[i].W)) {
			return fmt.Errorf("nn: momentum buffer of %s: %d values for %d weights", o.params[i].Name, len(b), len(Data(o.params[i].W)))
		}
	}
	for i, b := range v {
		o.vel[i] = nil // empty (as an encoding may give nil): no step yet
		if len(b) > 0 {
			o.vel[i] = slices.Clone(b)
		}
	}
	return nil
}
