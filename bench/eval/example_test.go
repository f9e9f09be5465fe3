package eval_test

import (
	"fmt"

	"github.com/selabench/selabench/bench/eval"
)

// Two classes on either side of the line x₀ = x₁, with a third, uninformative feature.
// Every strength of the default grid separates the held-out rows perfectly, so the
// tie goes to the strongest regularisation, λ = 0.01.
func ExampleLinearProbe() {
	var train, test eval.Set
	for i := range 60 {
		s := &train
		if i%4 == 3 {
			s = &test
		}
		a, b := float32(i%7), float32(i%5)
		y := i % 2
		if y == 1 {
			a += 6
		} else {
			b += 6
		}
		s.X = append(s.X, a, b, float32(i%3))
		s.Y = append(s.Y, y)
		s.N++
	}
	train.D, test.D = 3, 3
	res, err := eval.LinearProbe(train, test, eval.ProbeOptions{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("chosen λ = %g (from %d strengths, %d held-out rows)\n", res.L2, len(res.Grid), res.NVal)
	fmt.Printf("train accuracy %.2f, test accuracy %.2f, converged %v\n", res.TrainAccuracy, res.TestAccuracy, res.Final.Converged)
	// Output:
	// chosen λ = 0.01 (from 4 strengths, 5 held-out rows)
	// train accuracy 1.00, test accuracy 1.00, converged true
}

// The weighted vote of Wu et al. on four training points (worked by hand in
// TestKNNHand): the test point (1, 0.1) is nearest to (1, 0), class 0, but its next
// two neighbours are of class 1. At τ = 0.1 the nearest one dominates the vote; at
// τ = 10 the weights are nearly equal and the majority wins.
func ExampleKNN() {
	train := eval.Set{X: []float32{1, 0, 0, 1, 1, 1, -1, 0}, N: 4, D: 2, Y: []int{0, 1, 1, 0}}
	test := eval.Set{X: []float32{1, 0.1}, N: 1, D: 2, Y: []int{0}}
	for _, tau := range []float64{0.1, 10} {
		res, err := eval.KNN(train, test, eval.KNNOptions{K: 3, Tau: tau})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("τ = %g: class %d, accuracy %.0f%%\n", tau, res.Pred[0], 100*res.Accuracy)
	}
	// Output:
	// τ = 0.1: class 0, accuracy 100%
	// τ = 10: class 1, accuracy 0%
}
