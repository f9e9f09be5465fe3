package nn

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/tensor"

	"github.com/selabench/selabench/internal/rng"
)

// TestSGD checks two steps of torch.optim.SGD worked by hand: w = 1,
// gradient 0.5 both times, lr 0.1, momentum 0.9, weight decay 0.01.
// Step 1: g = 0.5 + 0.01·1 = 0.51, v = 0.51, w = 1 − 0.051 = 0.949.
// Step 2: g = 0.5 + 0.00949 = 0.50949, v = 0.9·0.51 + 0.50949 = 0.96849,
// w = 0.949 − 0.096849 = 0.852151. Nesterov step 1: w = 1 − 0.1·(0.51 +
// 0.9·0.51) = 0.9031. A NoDecay parameter and a buffer are checked too.
func TestSGD(t *testing.T) {
	for _, tc := range []struct {
		name     string
		nesterov bool
		noDecay  bool
		want     []float64
	}{
		{"momentum", false, false, []float64{0.949, 0.852151}},
		{"nesterov", true, false, []float64{0.9031}},
		{"nodecay", false, true, []float64{0.95, 0.855}}, // v = 0.5, then 0.95
	} {
		p := &Param{Name: "w", W: New([]float32{1}, 1), G: New([]float32{0.5}, 1), NoDecay: tc.noDecay}
		buf := &Param{Name: "b", W: New([]float32{3}, 1), Buffer: true}
		opt := NewSGD([]*Param{p, buf}, 0.1, 0.9, 0.01)
		opt.Nesterov = tc.nesterov
		for i, want := range tc.want {
			opt.Step()
			if got := float64(Data(p.W)[0]); math.Abs(got-want) > 1e-6 {
				t.Errorf("%s step %d: w = %.7f, want %.7f", tc.name, i+1, got, want)
			}
		}
		if Data(buf.W)[0] != 3 {
			t.Errorf("%s: buffer changed", tc.name)
		}
	}
}

// TestSchedules: values worked by hand.
func TestSchedules(t *testing.T) {
	for _, tc := range []struct {
		s    Schedule
		t    int
		want float64
	}{
		{StepLR{Base: 0.1, Every: 10}, 9, 0.1},
		{StepLR{Base: 0.1, Every: 10}, 10, 0.01},
		{StepLR{Base: 0.1, Every: 10, Gamma: 0.5}, 25, 0.025},
		{StepLR{Base: 0.3}, 1000, 0.3},
		{CosineLR{Base: 0.1, Total: 100}, 0, 0.1},
		{CosineLR{Base: 0.1, Total: 100}, 50, 0.05}, // cos(π/2) = 0
		{CosineLR{Base: 0.1, Total: 100}, 100, 0},   // cos(π) = −1
		{CosineLR{Base: 0.1, Min: 0.01, Total: 100}, 200, 0.01},
		{CosineLR{Base: 0.1, Total: 110, Warmup: 10}, 4, 0.05}, // (4+1)/10 of Base
		{CosineLR{Base: 0.1, Total: 110, Warmup: 10}, 60, 0.05},
	} {
		if got := tc.s.LR(tc.t); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%+v at %d: %v, want %v", tc.s, tc.t, got, tc.want)
		}
	}
}

// TestBatchNormStats: a column (1, 2, 3, 6) has mean 3, biased variance
// 3.5 and unbiased variance 14/3, so after one training step the running
// mean is 0.9·0 + 0.1·3 = 0.3 and the running variance
// 0.9·1 + 0.1·14/3 = 1.36667 (torch.nn.BatchNorm1d); the output of the value
// 6 is (6 − 3)/√(3.5 + 1e-5).
func TestBatchNormStats(t *testing.T) {
	b := NewBatchNorm(1)
	y := b.Forward(New([]float32{1, 2, 3, 6}, 4, 1), true)
	if got, want := float64(Data(y)[3]), 3/math.Sqrt(3.5+1e-5); math.Abs(got-want) > 1e-6 {
		t.Errorf("y = %v, want %v", got, want)
	}
	if rm, rv := Data(b.RunningMean.W)[0], Data(b.RunningVar.W)[0]; math.Abs(float64(rm)-0.3) > 1e-7 || math.Abs(float64(rv)-(0.9+0.1*14.0/3)) > 1e-6 {
		t.Errorf("running mean %v, variance %v; want 0.3, 1.36667", rm, rv)
	}
	// Evaluation uses the running statistics: (6 − 0.3)/√(1.36667 + 1e-5).
	y = b.Forward(New([]float32{6}, 1, 1), false)
	if got, want := float64(Data(y)[0]), 5.7/math.Sqrt(0.9+0.1*14.0/3+1e-5); math.Abs(got-want) > 1e-5 {
		t.Errorf("eval y = %v, want %v", got, want)
	}
}

// TestDropoutTrain: in training about P of the values are zeroed and the
// rest scaled by 1/(1−P); the same seed gives the same mask.
func TestDropoutTrain(t *testing.T) {
	x := New(nil, 100, 100)
	fill(Data(x), 1)
	d := NewDropout(0.25, newRand(3))
	y := slices.Clone(Data(d.Forward(x, true)))
	zeros := 0
	for _, v := range y {
		switch v {
		case 0:
			zeros++
		case float32(1 / 0.75):
		default:
			t.Fatalf("value %v", v)
		}
	}
	if zeros < 2300 || zeros > 2700 { // 10 000 draws of p = 0.25: sd 43
		t.Errorf("%d zeros in 10 000, want about 2500", zeros)
	}
	dx := d.Backward(x, true) // gradient of ones → the mask itself
	if !slices.Equal(Data(dx), y) {
		t.Error("backward mask differs from forward mask")
	}
	d2 := NewDropout(0.25, newRand(3))
	if !slices.Equal(Data(d2.Forward(x, true)), y) {
		t.Error("same seed, different mask")
	}
}

// TestUseFastBLAS: after UseFastBLAS, gorgonia's MatMul goes through the
// fast GEMM and gives the product worked by hand.
func TestUseFastBLAS(t *testing.T) {
	prev := tensor.WhichBLAS()
	defer tensor.Use(prev)
	UseFastBLAS()
	if _, ok := tensor.WhichBLAS().(FastBLAS); !ok {
		t.Fatalf("tensor BLAS is %T", tensor.WhichBLAS())
	}
	a := New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := New([]float32{1, 0, 0, 1, 1, 1}, 3, 2)
	c, err := a.MatMul(b)
	if err != nil {
		t.Fatal(err)
	}
	// Row 1: (1+3, 2+3) = (4, 5); row 2: (4+6, 5+6) = (10, 11).
	if got := c.Data().([]float32); !slices.Equal(got, []float32{4, 5, 10, 11}) {
		t.Errorf("MatMul = %v", got)
	}
	var _ blas.Float32Level3 = FastBLAS{}
}

func TestDataDtype(t *testing.T) {
	d := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	defer func() {
		if recover() == nil {
			t.Error("Data accepted a float64 tensor")
		}
	}()
	Data(d)
}

// TestResetHead: DeepCluster's head re-initialisation (main.py:
// weight.normal_(0, 0.01), bias.zero_()).
func TestResetHead(t *testing.T) {
	l := NewLinear(200, 100, true, rng.New(2, "test/head/init"))
	copy(Data(l.Bias.W), []float32{1, 2, 3})
	ResetHead(l, rng.New(1, "test/head"))
	w := Data(l.Weight.W)
	s, ss := 0.0, 0.0
	for _, v := range w {
		s += float64(v)
		ss += float64(v) * float64(v)
	}
	mean, std := s/float64(len(w)), math.Sqrt(ss/float64(len(w)))
	// 20 000 draws: the sample std is within ~1% of 0.01, the mean within ~3·0.01/√20000.
	if math.Abs(std-0.01) > 3e-4 || math.Abs(mean) > 3e-4 || slices.ContainsFunc(Data(l.Bias.W), func(v float32) bool { return v != 0 }) {
		t.Errorf("weights mean %v std %v, bias %v", mean, std, Data(l.Bias.W)[:3])
	}
}

// TestSGDVelocities: an optimiser given another's momentum buffers with
// SetVelocities takes the same steps; an empty buffer means no step yet, as nil
// does; buffers of the wrong number or size are refused.
func TestSGDVelocities(t *testing.T) {
	params := func() []*Param {
		a, b := newParam("a", 3), newParam("b", 2)
		copy(Data(a.W), []float32{1, 2, 3})
		copy(Data(b.W), []float32{-1, 1})
		return []*Param{a, b}
	}
	step := func(o *SGD, ps []*Param, g float32) {
		for _, p := range ps {
			for j := range Data(p.G) {
				Data(p.G)[j] = g * float32(j+1)
			}
		}
		o.Step()
	}
	p1 := params()
	o1 := NewSGD(p1, 0.1, 0.9, 5e-4)
	step(o1, p1, 0.5)
	for _, v := range [][][]float32{o1.Velocities(), {o1.Velocities()[0], nil}, {o1.Velocities()[0], {}}} {
		p2 := params()
		for i := range p2 {
			copy(Data(p2[i].W), Data(p1[i].W))
		}
		o2 := NewSGD(p2, 0.1, 0.9, 5e-4)
		if err := o2.SetVelocities(v); err != nil {
			t.Fatal(err)
		}
		want := params()
		for i := range want {
			copy(Data(want[i].W), Data(p1[i].W))
		}
		ow := NewSGD(want, 0.1, 0.9, 5e-4)
		ow.vel[0] = slices.Clone(o1.vel[0])
		if len(v[1]) > 0 {
			ow.vel[1] = slices.Clone(o1.vel[1])
		}
		step(o2, p2, -0.25)
		step(ow, want, -0.25)
		for i := range p2 {
			if !slices.Equal(Data(p2[i].W), Data(want[i].W)) {
				t.Errorf("buffers %v: param %d = %v after a step, want %v", v, i, Data(p2[i].W), Data(want[i].W))
			}
		}
	}
	o := NewSGD(params(), 0.1, 0.9, 0)
	if err := o.SetVelocities(o1.Velocities()[:1]); err == nil {
		t.Error("one buffer for two parameters: no error")
	}
	if err := o.SetVelocities([][]float32{o1.Velocities()[0], {1}}); err == nil {
		t.Error("a buffer of the wrong size: no error")
	}
}
