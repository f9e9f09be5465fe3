package sela_test

import (
	"fmt"

	sela "github.com/selabench/selabench/selA"
)

// Six samples, three clusters: raw network scores (Options.Logits applies the
// log-softmax). By argmax, four samples (0, 1, 5 and, on a tie, 4) would share
// cluster 0; the equipartition constraint moves sample 1 to cluster 1 and sample 4
// to cluster 2, two per cluster.
func Example() {
	scores := []float32{
		2.0, 0.5, -1.0,
		1.5, 1.0, 0.0,
		0.0, 2.5, 0.3,
		-0.5, 0.2, 1.8,
		0.7, 0.7, 0.7,
		3.0, -2.0, 0.1,
	}
	res, err := sela.Solve(scores, 6, 3, sela.Options{Lambda: 10, Logits: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("labels:", res.Labels)
	fmt.Println("cluster sizes:", res.MinSize, "to", res.MaxSize)
	fmt.Println("converged:", res.Converged)
	// Output:
	// labels: [0 1 1 2 2 0]
	// cluster sizes: 2 to 2
	// converged: true
}

// The same problem solved in place: the labels are Solve's, and the scores are
// overwritten by the kernel exp(λ·(x − max x)) — row 0 at λ = 10 holds exp(0),
// exp(−15) and exp(−30).
func ExampleSolveInPlace() {
	scores := []float32{
		2.0, 0.5, -1.0,
		1.5, 1.0, 0.0,
		0.0, 2.5, 0.3,
		-0.5, 0.2, 1.8,
		0.7, 0.7, 0.7,
		3.0, -2.0, 0.1,
	}
	res, err := sela.SolveInPlace(scores, 6, 3, sela.Options{Lambda: 10, Logits: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("labels:", res.Labels)
	fmt.Printf("row 0 now: %.3g\n", scores[:3])
	// Output:
	// labels: [0 1 1 2 2 0]
	// row 0 now: [1 3.06e-07 9.36e-14]
}
