package nn

import (
	"fmt"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// BenchmarkTrainStep measures forward + backward + SGD step (momentum 0.9,
// weight decay 5e-4, one 10-class head) on random data. model=cnn is the
// 1×28×28 CNN, model=cnn-cifar the 3×32×32 one. testdata/torch_trainstep.py
// times PyTorch's CPU step on the same models and prints Go benchmark lines
// (BenchmarkTorchTrainStep/model=…/batch=…) to read beside these.
func BenchmarkTrainStep(b *testing.B) {
	for _, bc := range []struct {
		model string
		batch int
	}{{"mlp", 256}, {"cnn", 256}, {"cnn-cifar", 256}} {
		b.Run(fmt.Sprintf("model=%s/batch=%d", bc.model, bc.batch), func(b *testing.B) {
			m, shape, err := benchModel(bc.model)
			if err != nil {
				b.Skip(err)
			}
			r := rng.New(1, "bench/trainstep")
			x := randTensor(r, append([]int{bc.batch}, shape...)...)
			y := make([]int, bc.batch)
			for i := range y {
				y[i] = r.IntN(10)
			}
			opt := NewSGD(m.Params(), 0.01, 0.9, 5e-4)
			labels := [][]int{y}
			for b.Loop() {
				if _, err := m.TrainStep(x, labels, opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bc.batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

func benchModel(name string) (*Model, []int, error) {
	switch name {
	case "mlp":
		m, err := NewMLP(MLPConfig{})
		return m, []int{784}, err
	case "cnn":
		m, err := NewCNN(CNNConfig{})
		return m, []int{1, 28, 28}, err
	case "cnn-cifar":
		m, err := NewCNN(CNNConfig{C: 3, H: 32, W: 32})
		return m, []int{3, 32, 32}, err
	}
	return nil, nil, fmt.Errorf("no model %q", name)
}

// BenchmarkEvalForward measures the evaluation-mode forward pass (trunk and
// one 10-class head, BatchNorm on its running statistics) at the large batch
// of a label step or evaluation, which streams the whole dataset through it.
func BenchmarkEvalForward(b *testing.B) {
	for _, bc := range []struct {
		model string
		batch int
	}{{"mlp", 1024}, {"cnn", 1024}} {
		b.Run(fmt.Sprintf("model=%s/batch=%d", bc.model, bc.batch), func(b *testing.B) {
			m, shape, err := benchModel(bc.model)
			if err != nil {
				b.Skip(err)
			}
			x := randTensor(rng.New(1, "bench/forward"), append([]int{bc.batch}, shape...)...)
			for b.Loop() {
				m.Forward(x, false)
			}
			b.ReportMetric(float64(bc.batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
