package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/tensor"

	"github.com/selabench/selabench/internal/gemm"
)

// Linear is a fully connected layer y = x·Wᵀ + b with W stored out×in, as
// PyTorch's nn.Linear (so weights translate one to one).
type Linear struct {
	In, Out int
	Weight  *Param // Out×In
	Bias    *Param // Out; nil without bias

	x, y, dx *tensor.Dense
}

// NewLinear returns a Linear layer with Kaiming-normal weights drawn from r
// (see [KaimingNormal]) and zero bias.
func NewLinear(in, out int, bias bool, r *rand.Rand) *Linear {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn: Linear(%d, %d): sizes must be positive", in, out))
	}
	l := &Linear{In: in, Out: out, Weight: newParam("weight", out, in)}
	if bias {
		l.Bias = newParam("bias", out)
	}
	KaimingNormal(Data(l.Weight.W), in, r)
	return l
}

func (l *Linear) String() string { return fmt.Sprintf("Linear(%d, %d)", l.In, l.Out) }

// Params returns the weight and, if present, the bias.
func (l *Linear) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Weight}
	}
	return []*Param{l.Weight, l.Bias}
}

// Forward computes x·Wᵀ + b for x of shape N×In.
func (l *Linear) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	n, d := rows(x)
	if d != l.In {
		panic(fmt.Sprintf("nn: %v: input has %d values per sample", l, d))
	}
	l.x = x
	l.y = ensure(l.y, n, l.Out)
	y := Data(l.y)
	beta := float32(0)
	if l.Bias != nil {
		b := Data(l.Bias.W)
		for i := range n {
			copy(y[i*l.Out:(i+1)*l.Out], b)
		}
		beta = 1
	}
	gemm.Sgemm(blas.NoTrans, blas.Trans, n, l.Out, l.In, 1, Data(x), l.In, Data(l.Weight.W), l.In, beta, y, l.Out)
	return l.y
}

// Backward sets dW = dyᵀ·x and db = Σ_rows dy and returns dy·W.
func (l *Linear) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	n, _ := rows(dy)
	g := Data(dy)
	gemm.Sgemm(blas.Trans, blas.NoTrans, l.Out, l.In, n, 1, g, l.Out, Data(l.x), l.In, 0, Data(l.Weight.G), l.In)
	if l.Bias != nil {
		colSums(Data(l.Bias.G), g, n, l.Out)
	}
	if !needInput {
		return nil
	}
	l.dx = ensure(l.dx, l.x.Shape()...)
	gemm.Sgemm(blas.NoTrans, blas.NoTrans, n, l.In, l.Out, 1, g, l.Out, Data(l.Weight.W), l.In, 0, Data(l.dx), l.In)
	return l.dx
}

// colSums sets dst[j] = Σ_i a[i*d+j] for an n×d matrix a, summing in
// float64 in row order.
func colSums(dst, a []float32, n, d int) {
	acc := make([]float64, d)
	for i := range n {
		row := a[i*d : (i+1)*d]
		for j, v := range row {
			acc[j] += float64(v)
		}
	}
	for j, v := range acc {
		dst[j] = float32(v)
	}
}

// KaimingNormal fills w with N(0, 2/fanIn) draws from r: He et al., "Delving
// deep into rectifiers", ICCV 2015 (torch.nn.init.kaiming_normal_ with
// mode="fan_in", nonlinearity="relu").
func KaimingNormal(w []float32, fanIn int, r *rand.Rand) {
	std := math.Sqrt(2 / float64(fanIn))
	for i := range w {
		w[i] = float32(r.NormFloat64() * std)
	}
}

// ResetHead re-initialises a classifier head as DeepCluster does every epoch
// (facebookresearch/deepcluster, main.py: weight.normal_(0, 0.01),
// bias.zero_()): weights N(0, 0.01²) from r, zero bias.
func ResetHead(l *Linear, r *rand.Rand) {
	w := Data(l.Weight.W)
	for i := range w {
		w[i] = float32(r.NormFloat64() * 0.01)
	}
	if l.Bias != nil {
		clear(Data(l.Bias.W))
	}
}
