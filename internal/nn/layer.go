package nn

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Param is one named tensor of a layer: a trainable weight with its
// gradient, or (Buffer set, G nil) a running statistic that is saved and
// loaded but not trained.
type Param struct {
	// Name is the tensor's name within its layer ("weight", "bias",
	// "running_mean", …); models prefix it with the layer's path.
	Name string
	// W holds the values and G the gradient set by the last Backward.
	W, G *tensor.Dense
	// Buffer marks a non-trainable state tensor (BatchNorm running stats).
	Buffer bool
	// NoDecay exempts the parameter from weight decay (default: decayed,
	// as PyTorch's SGD does for every parameter).
	NoDecay bool
}

func newParam(name string, shape ...int) *Param {
	return &Param{Name: name, W: New(nil, shape...), G: New(nil, shape...)}
}

// Layer is one differentiable module working on a batch: the first dimension
// of every tensor is the sample.
//
// Forward's result is owned by the layer and valid until its next Forward.
// Forward may keep a reference to x for Backward, so x must not change
// until then, and no other Forward (such as an evaluation pass) may come
// between a training Forward and its Backward.
// Backward takes the gradient of the loss with respect to that output and
// sets (not accumulates) the gradients of the layer's parameters; it returns
// the gradient with respect to the input when needInput is true (else nil,
// skipping the work — the first layer of a network needs none). Backward
// uses values saved by the last Forward, which must have had train = true
// for layers whose behaviour depends on it.
type Layer interface {
	Forward(x *tensor.Dense, train bool) *tensor.Dense
	Backward(dy *tensor.Dense, needInput bool) *tensor.Dense
	// Params returns the layer's trainable parameters and state buffers.
	Params() []*Param
	// String describes the layer, e.g. "Linear(784, 512)".
	String() string
}

// Sequential applies layers in order.
type Sequential struct {
	Layers []Layer
}

// Forward runs every layer in order.
func (s *Sequential) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	for _, l := range s.Layers {
		x = l.Forward(x, train)
	}
	return x
}

// Backward runs the layers' Backward in reverse order.
func (s *Sequential) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy, needInput || i > 0)
	}
	return dy
}

// Params returns the parameters of every layer, named "<index>.<name>" as
// PyTorch's nn.Sequential state_dict does.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for i, l := range s.Layers {
		for _, p := range l.Params() {
			q := *p
			q.Name = fmt.Sprintf("%d.%s", i, p.Name)
			ps = append(ps, &q)
		}
	}
	return ps
}

func (s *Sequential) String() string {
	str := "Sequential("
	for i, l := range s.Layers {
		if i > 0 {
			str += ", "
		}
		str += l.String()
	}
	return str + ")"
}
