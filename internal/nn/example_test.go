package nn_test

import (
	"fmt"

	"github.com/selabench/selabench/internal/nn"
	"github.com/selabench/selabench/internal/rng"
)

// Train a small two-head MLP on four points with fixed labels per head
// until it fits them, then read its features and head scores (logits; the harness log-softmaxes
// them with logits.LogSoftmax before labelling).
func Example() {
	m, err := nn.NewMLP(nn.MLPConfig{In: 2, Hidden: []int{16, 8}, Heads: 2, K: 2, Seed: 1})
	if err != nil {
		panic(err)
	}
	x := nn.New([]float32{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)
	labels := [][]int{
		{0, 1, 1, 0}, // head 0: XOR
		{0, 0, 1, 1}, // head 1: first coordinate
	}
	opt := nn.NewSGD(m.Params(), 0.1, 0.9, 0)
	sched := nn.CosineLR{Base: 0.1, Total: 200}
	var loss float64
	for step := range 200 {
		opt.LR = sched.LR(step)
		if loss, err = m.TrainStep(x, labels, opt); err != nil {
			panic(err)
		}
	}
	fmt.Printf("loss below 0.05: %v\n", loss < 0.05)
	fmt.Println("features:", m.Features(x).Shape())
	_, logits := m.Forward(x, true) // batch statistics, as in training
	z := nn.Data(logits[0])
	fmt.Print("head 0 predicts:")
	for i := range 4 {
		fmt.Print(" ", map[bool]int{true: 0, false: 1}[z[2*i] > z[2*i+1]])
	}
	fmt.Println()
	nn.ResetHead(m.Heads[0], rng.New(1, "example/reset"))
	// Output:
	// loss below 0.05: true
	// features: (4, 8)
	// head 0 predicts: 0 1 1 0
}
