package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// project returns Σ r·y in float64: a scalar loss whose gradient with
// respect to y is r.
func project(y *tensor.Dense, r []float32) float64 {
	s := 0.0
	for i, v := range Data(y) {
		s += float64(v) * float64(r[i])
	}
	return s
}

func randTensor(rnd *rand.Rand, shape ...int) *tensor.Dense {
	t := New(nil, shape...)
	for i := range Data(t) {
		Data(t)[i] = float32(rnd.NormFloat64())
	}
	return t
}

// checkClose compares an analytic and a numeric derivative with a mixed
// absolute/relative tolerance suited to float32 central differences.
func checkClose(t *testing.T, what string, ana, num, tol float64) {
	t.Helper()
	if math.Abs(ana-num) > tol*(1+math.Abs(num)) {
		t.Errorf("%s: analytic %.6g, finite difference %.6g", what, ana, num)
	}
}

// gradCheck checks a layer's input and parameter gradients by central
// differences of L = Σ r·Forward(x) with step eps (float32 forward passes,
// float64 loss).
func gradCheck(t *testing.T, l Layer, x *tensor.Dense, train bool, eps, tol float64) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(7, 7))
	y := l.Forward(x, train)
	r := make([]float32, len(Data(y)))
	for i := range r {
		r[i] = float32(rnd.NormFloat64())
	}
	dx := l.Backward(New(append([]float32(nil), r...), y.Shape()...), true)
	ana := append([]float64(nil), f64(Data(dx))...)
	var pg [][]float64
	for _, p := range l.Params() {
		if !p.Buffer {
			pg = append(pg, f64(Data(p.G)))
		}
	}
	loss := func() float64 { return project(l.Forward(x, train), r) }
	num := func(v []float32, i int) float64 {
		old := v[i]
		v[i] = old + float32(eps)
		lp := loss()
		v[i] = old - float32(eps)
		lm := loss()
		v[i] = old
		return (lp - lm) / (2 * eps)
	}
	xs := Data(x)
	for i := range xs {
		checkClose(t, fmt.Sprintf("%v dx[%d]", l, i), ana[i], num(xs, i), tol)
	}
	k := 0
	for _, p := range l.Params() {
		if p.Buffer {
			continue
		}
		w := Data(p.W)
		for i := range w {
			checkClose(t, fmt.Sprintf("%v d%s[%d]", l, p.Name, i), pg[k][i], num(w, i), tol)
		}
		k++
	}
}

func f64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

func TestGradLinear(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, bias := range []bool{true, false} {
		l := NewLinear(5, 4, bias, rnd)
		if bias {
			for i := range Data(l.Bias.W) {
				Data(l.Bias.W)[i] = float32(rnd.NormFloat64())
			}
		}
		gradCheck(t, l, randTensor(rnd, 3, 5), true, 1e-2, 2e-3)
	}
}

func TestGradReLU(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 3))
	x := randTensor(rnd, 4, 6)
	for i, v := range Data(x) { // keep clear of the kink at 0
		if math.Abs(float64(v)) < 0.05 {
			Data(x)[i] = 0.5
		}
	}
	gradCheck(t, &ReLU{}, x, true, 1e-2, 2e-3)
}

func TestGradBatchNorm(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 4))
	for _, shape := range [][]int{{6, 3}, {3, 2, 2, 3}} {
		b := NewBatchNorm(shape[1])
		for i := range b.C {
			Data(b.Weight.W)[i] = float32(0.5 + rnd.Float64())
			Data(b.Bias.W)[i] = float32(rnd.NormFloat64())
		}
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			gradCheck(t, b, randTensor(rnd, shape...), true, 1e-2, 5e-3)
		})
	}
}

func TestGradL2Normalize(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 9))
	l := &L2Normalize{}
	x := randTensor(rnd, 4, 5)
	y := Data(l.Forward(x, true))
	for i := range 4 {
		s := 0.0
		for _, v := range y[i*5 : (i+1)*5] {
			s += float64(v) * float64(v)
		}
		if math.Abs(s-1) > 1e-6 {
			t.Errorf("row %d: squared norm %v, want 1", i, s)
		}
	}
	gradCheck(t, l, x, true, 1e-2, 2e-3)
}

func TestGradDropout(t *testing.T) {
	// Dropout draws a new mask per Forward; a zero rate checks the plumbing
	// and evaluation mode the identity.
	rnd := rand.New(rand.NewPCG(1, 5))
	gradCheck(t, NewDropout(0, rnd), randTensor(rnd, 3, 4), true, 1e-2, 2e-3)
	gradCheck(t, NewDropout(0.5, rnd), randTensor(rnd, 3, 4), false, 1e-2, 2e-3)
}

func TestGradCrossEntropy(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 6))
	const n, k = 4, 5
	z := randTensor(rnd, n, k)
	labels := []int{0, 4, 2, 2}
	soft := New(nil, n, k)
	for i := range n { // random distributions
		s := 0.0
		for y := range k {
			v := rnd.Float64()
			Data(soft)[i*k+y] = float32(v)
			s += v
		}
		for y := range k {
			Data(soft)[i*k+y] /= float32(s)
		}
	}
	for _, tc := range []struct {
		name string
		f    func(d *tensor.Dense) float64
	}{
		{"hard", func(d *tensor.Dense) float64 {
			l, err := SoftmaxCrossEntropy(z, labels, d, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			return 0.5 * l
		}},
		{"soft", func(d *tensor.Dense) float64 {
			l, err := SoftCrossEntropy(z, soft, d, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			return 0.5 * l
		}},
	} {
		d := New(nil, n, k)
		tc.f(d)
		zs := Data(z)
		const eps = 1e-2
		for i := range zs {
			old := zs[i]
			zs[i] = old + eps
			lp := tc.f(nil)
			zs[i] = old - eps
			lm := tc.f(nil)
			zs[i] = old
			checkClose(t, fmt.Sprintf("%s dz[%d]", tc.name, i), float64(Data(d)[i]), (lp-lm)/(2*eps), 1e-3)
		}
	}
}

// TestCrossEntropyValue checks a value worked by hand: logits (0, ln 3) give
// softmax (1/4, 3/4), so label 1 costs −ln(3/4) and label 0 costs ln 4.
func TestCrossEntropyValue(t *testing.T) {
	z := New([]float32{0, float32(math.Log(3)), 0, float32(math.Log(3))}, 2, 2)
	l, err := SoftmaxCrossEntropy(z, []int{1, 0}, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := (-math.Log(0.75) + math.Log(4)) / 2
	if math.Abs(l-want) > 1e-6 {
		t.Errorf("loss %v, want %v", l, want)
	}
	if _, err := SoftmaxCrossEntropy(z, []int{1, 2}, nil, 1); err == nil {
		t.Error("label 2 of 2 classes accepted")
	}
}

// TestGradModel checks the whole multi-head MLP (loss = mean over heads), with
// linear and with cosine heads.
func TestGradModel(t *testing.T) {
	for _, cosine := range []bool{false, true} {
		t.Run(fmt.Sprint("cosine=", cosine), func(t *testing.T) { testGradModel(t, cosine) })
	}
}

func testGradModel(t *testing.T, cosine bool) {
	m, err := NewMLP(MLPConfig{In: 6, Hidden: []int{5, 4}, Heads: 3, K: 3, Seed: 1, Cosine: cosine})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 3))
	x := randTensor(rnd, 5, 6)
	labels := [][]int{{0, 1, 2, 0, 1}, {2, 2, 1, 0, 0}, {1, 0, 0, 2, 2}}
	loss := func() float64 {
		m.Forward(x, true)
		l, err := m.Loss(labels)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	loss()
	m.Backward(nil)
	var grads [][]float64
	ps := m.Params()
	for _, p := range ps {
		if !p.Buffer {
			grads = append(grads, f64(Data(p.G)))
		}
	}
	k := 0
	// A smaller step than the single-layer checks: with 3 BatchNorm+ReLU
	// layers a 1e-2 step can push a unit across the ReLU kink.
	const eps = 2e-3
	for _, p := range ps {
		if p.Buffer {
			continue
		}
		w := Data(p.W)
		for i := range w {
			old := w[i]
			w[i] = old + eps
			lp := loss()
			w[i] = old - eps
			lm := loss()
			w[i] = old
			checkClose(t, fmt.Sprintf("%s[%d]", p.Name, i), grads[k][i], (lp-lm)/(2*eps), 2e-3)
		}
		k++
	}
}

// TestCosineHeads checks that cosine heads score by cosine similarity: unit
// prototypes without bias on unit features, and NormalizeHeads restores unit
// rows after a step moved them.
func TestCosineHeads(t *testing.T) {
	m, err := NewMLP(MLPConfig{In: 6, Hidden: []int{5, 4}, Heads: 2, K: 3, Seed: 1, Cosine: true})
	if err != nil {
		t.Fatal(err)
	}
	if m.Arch != "mlp-cosine" || m.Heads[0].Bias != nil || m.Norm == nil {
		t.Fatalf("arch %q, bias %v, norm %v", m.Arch, m.Heads[0].Bias, m.Norm)
	}
	unit := func(what string) {
		for h, l := range m.Heads {
			w := Data(l.Weight.W)
			for o := range l.Out {
				s := 0.0
				for _, v := range w[o*l.In : (o+1)*l.In] {
					s += float64(v) * float64(v)
				}
				if math.Abs(s-1) > 1e-6 {
					t.Errorf("%s: head %d row %d: squared norm %v", what, h, o, s)
				}
			}
		}
	}
	unit("new model")
	x := randTensor(newRand(5), 7, 6)
	f, z := m.Forward(x, false)
	fd, zd := Data(f), Data(z[1])
	w := Data(m.Heads[1].Weight.W)
	for i := range 7 {
		var ff float64
		for _, v := range fd[i*4 : (i+1)*4] {
			ff += float64(v) * float64(v)
		}
		for o := range 3 {
			var dot float64
			for j := range 4 {
				dot += float64(fd[i*4+j]) * float64(w[o*4+j])
			}
			if want := dot / max(math.Sqrt(ff), 1e-12); math.Abs(float64(zd[i*3+o])-want) > 1e-5 {
				t.Errorf("sample %d prototype %d: score %v, want cosine %v", i, o, zd[i*3+o], want)
			}
		}
	}
	for i := range w {
		w[i] *= 1.5 + float32(i%3)
	}
	m.NormalizeHeads()
	unit("after NormalizeHeads")
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

func TestGradConv2d(t *testing.T) {
	rnd := newRand(11)
	for _, tc := range []struct{ in, out, k, stride, pad, h, w int }{
		{2, 3, 3, 1, 1, 5, 4},
		{1, 2, 3, 2, 1, 6, 5},
		{2, 2, 2, 1, 0, 4, 4},
	} {
		c := NewConv2d(tc.in, tc.out, tc.k, tc.stride, tc.pad, rnd)
		for i := range Data(c.Bias.W) {
			Data(c.Bias.W)[i] = float32(rnd.NormFloat64())
		}
		t.Run(c.String(), func(t *testing.T) {
			gradCheck(t, c, randTensor(rnd, 2, tc.in, tc.h, tc.w), true, 1e-2, 2e-3)
		})
	}
}

// TestConv2dValue checks a convolution worked by hand: a 1×1×3×3 input
// 1…9, a 2×2 kernel of ones, stride 1, no padding, bias 0.5: each output is
// the sum of a 2×2 window plus 0.5: 1+2+4+5 = 12 → 12.5, 16.5, 24.5, 28.5.
func TestConv2dValue(t *testing.T) {
	c := NewConv2d(1, 1, 2, 1, 0, newRand(1))
	fill(Data(c.Weight.W), 1)
	Data(c.Bias.W)[0] = 0.5
	y := c.Forward(New([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3), false)
	if got, want := Data(y), []float32{12.5, 16.5, 24.5, 28.5}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestIm2colShifts checks the patch matrix of stride-1 convolutions against its
// definition, cols[(ch·KH+ki)·KW+kj][(i·OH+oy)·OW+ox] = x[i, ch, oy−pad+ki,
// ox−pad+kj] (0 outside the image), for kernels with the output the input's
// size (the one-copy path) and without; the matrix starts as NaN, so an entry
// left unwritten fails too.
func TestIm2colShifts(t *testing.T) {
	rnd := newRand(5)
	for _, tc := range []struct{ in, k, pad, h, w int }{
		{2, 3, 1, 5, 4}, {1, 5, 2, 3, 6}, {1, 3, 1, 1, 1}, {2, 1, 0, 3, 2}, {1, 7, 3, 2, 3}, {1, 3, 0, 4, 4},
	} {
		c := NewConv2d(tc.in, 1, tc.k, 1, tc.pad, rnd)
		x := randTensor(rnd, 2, tc.in, tc.h, tc.w)
		c.n, c.h, c.w = 2, tc.h, tc.w
		c.oh, c.ow = tc.h+2*tc.pad-tc.k+1, tc.w+2*tc.pad-tc.k+1
		np := c.n * c.oh * c.ow
		c.cols = make([]float32, tc.in*tc.k*tc.k*np)
		for i := range c.cols {
			c.cols[i] = float32(math.NaN())
		}
		c.im2col(Data(x))
		xs := Data(x)
		for ch := range tc.in {
			for ki := range tc.k {
				for kj := range tc.k {
					r := (ch*tc.k+ki)*tc.k + kj
					for i := range c.n {
						for oy := range c.oh {
							for ox := range c.ow {
								iy, ix := oy-tc.pad+ki, ox-tc.pad+kj
								want := float32(0)
								if iy >= 0 && iy < tc.h && ix >= 0 && ix < tc.w {
									want = xs[((i*tc.in+ch)*tc.h+iy)*tc.w+ix]
								}
								if got := c.cols[r*np+(i*c.oh+oy)*c.ow+ox]; got != want {
									t.Fatalf("%+v: cols[%d][image %d, %d, %d] = %v, want %v", tc, r, i, oy, ox, got, want)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestGradMaxPoolFlatten(t *testing.T) {
	rnd := newRand(12)
	// Distinct values (a shuffled ramp) so no window has a tie.
	x := New(nil, 2, 2, 5, 4)
	for i, p := range rnd.Perm(len(Data(x))) {
		Data(x)[i] = float32(p) * 0.1
	}
	gradCheck(t, NewMaxPool2d(2), x, true, 1e-2, 2e-3)
	gradCheck(t, &Sequential{Layers: []Layer{NewMaxPool2d(2), &Flatten{}}}, x, true, 1e-2, 2e-3)
}

func TestGradCNN(t *testing.T) {
	m, err := NewCNN(CNNConfig{C: 2, H: 6, W: 6, Channels: []int{3, 2}, Feature: 4, Heads: 2, K: 3, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	// A small step: a weight of the first convolution moves every
	// activation, and steps of 1e-2 or 1e-3 push some across ReLU kinks or
	// max-pool switches (the finite difference then converges to the
	// analytic value as the step shrinks: 1.061, 1.177, 1.193 for 2e-3,
	// 1e-3, 5e-4 against 1.1927 on one entry).
	gradCheck(t, &headWrap{m}, randTensor(newRand(13), 4, 2, 6, 6), true, 5e-4, 5e-3)
}

// headWrap exposes a model's trunk and first head as one Layer.
type headWrap struct{ m *Model }

func (h *headWrap) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	return h.m.Heads[0].Forward(h.m.Trunk.Forward(x, train), train)
}
func (h *headWrap) Backward(dy *tensor.Dense, need bool) *tensor.Dense {
	return h.m.Trunk.Backward(h.m.Heads[0].Backward(dy, true), need)
}
func (h *headWrap) Params() []*Param {
	return append(h.m.Trunk.Params(), h.m.Heads[0].Params()...)
}
func (h *headWrap) String() string { return "cnn" }

// TestMaxPoolValues checks 2×2 pooling worked by hand, including negative
// values, a tie (the first maximum gets the gradient, as in PyTorch) and the
// generic path (3×3 windows) on the same data.
func TestMaxPoolValues(t *testing.T) {
	x := New([]float32{
		-1, -2, 5, 5,
		-3, -0.5, 1, 2,
		7, 0, -4, -4,
		0, 7, -4, -4,
	}, 1, 1, 4, 4)
	p := NewMaxPool2d(2)
	y := p.Forward(x, true)
	if got, want := Data(y), []float32{-0.5, 5, 7, -4}; !slices.Equal(got, want) {
		t.Errorf("pooled %v, want %v", got, want)
	}
	dx := p.Backward(New([]float32{1, 2, 3, 4}, 1, 1, 2, 2), true)
	want := []float32{
		0, 0, 2, 0,
		0, 1, 0, 0,
		3, 0, 4, 0,
		0, 0, 0, 0,
	}
	if got := Data(dx); !slices.Equal(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
	for _, f := range []float32{-3.5, -1e-30, 0, 1e-30, 2, float32(math.Inf(1)), float32(math.Inf(-1))} {
		if keyFloat(floatKey(f)) != f {
			t.Errorf("keyFloat(floatKey(%v)) = %v", f, keyFloat(floatKey(f)))
		}
		if floatKey(f) >= floatKey(f+1) && !math.IsInf(float64(f), 0) {
			t.Errorf("floatKey(%v) ≥ floatKey(%v)", f, f+1)
		}
	}
	// 3×3 windows at (0,0), (0,1), (1,0), (1,1): the 7 of row 2 is in all
	// but the top-right one, whose maximum is 5.
	q := &MaxPool2d{K: 3, Stride: 1}
	if got, want := Data(q.Forward(x, true)), []float32{7, 5, 7, 7}; !slices.Equal(got, want) {
		t.Errorf("3×3 stride 1: %v, want %v", got, want)
	}
}

// TestMaxPoolEvalMatchesTrain: the evaluation-mode 2×2 pool (maxima without
// positions) gives the training-mode outputs bit for bit, on planes full of
// ties, signed zeros, infinities and NaN, and an odd width; a Backward after
// it is refused.
func TestMaxPoolEvalMatchesTrain(t *testing.T) {
	rnd := newRand(9)
	nan := float32(math.NaN())
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, float32(math.Inf(1)), float32(math.Inf(-1)), nan, -nan}
	for _, sh := range [][4]int{{2, 3, 6, 6}, {1, 2, 5, 7}, {3, 1, 2, 2}} {
		x := New(make([]float32, sh[0]*sh[1]*sh[2]*sh[3]), sh[:]...)
		for i := range Data(x) {
			Data(x)[i] = vals[rnd.IntN(len(vals))]
		}
		p := NewMaxPool2d(2)
		train := slices.Clone(Data(p.Forward(x, true)))
		eval := Data(p.Forward(x, false))
		for i := range train {
			if math.Float32bits(train[i]) != math.Float32bits(eval[i]) {
				t.Fatalf("shape %v, output %d: eval %v, train %v", sh, i, eval[i], train[i])
			}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("shape %v: Backward after an evaluation-mode Forward did not panic", sh)
				}
			}()
			p.Backward(New(make([]float32, len(eval)), p.y.Shape()...), true)
		}()
	}
}

// TestLossSoftMatchesHard: one-hot soft targets give the hard-label loss
// and gradients.
func TestLossSoftMatchesHard(t *testing.T) {
	m, _ := NewMLP(MLPConfig{In: 4, Hidden: []int{6}, Heads: 2, K: 3, Seed: 2})
	x := randTensor(newRand(8), 5, 4)
	labels := [][]int{{0, 1, 2, 1, 0}, {2, 2, 0, 1, 1}}
	m.Forward(x, true)
	hard, err := m.Loss(labels)
	if err != nil {
		t.Fatal(err)
	}
	gh := [][]float32{slices.Clone(Data(m.dlogits[0])), slices.Clone(Data(m.dlogits[1]))}
	targets := []*tensor.Dense{New(nil, 5, 3), New(nil, 5, 3)}
	for h := range labels {
		for i, y := range labels[h] {
			Data(targets[h])[i*3+y] = 1
		}
	}
	soft, err := m.LossSoft(targets)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(soft-hard) > 1e-12 {
		t.Errorf("soft loss %v, hard %v", soft, hard)
	}
	for h := range gh {
		for i, v := range Data(m.dlogits[h]) {
			if math.Abs(float64(v-gh[h][i])) > 1e-7 {
				t.Fatalf("head %d gradient %d: soft %v, hard %v", h, i, v, gh[h][i])
			}
		}
	}
	if _, err := m.Loss([][]int{{0, 1, 2, 3, 0}}); err == nil {
		t.Error("label 3 of 3 classes accepted")
	}
}
