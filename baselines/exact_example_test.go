package baselines_test

import (
	"fmt"
	"math"

	"github.com/selabench/selabench/baselines"
)

// Four samples, two clusters of two. The argmax puts three samples in cluster 0;
// the cheapest fix moves the least confident of them, sample 2 (it loses
// log 0.6 − log 0.4 ≈ 0.41, against log 4 ≈ 1.39 for sample 1 and log 9 ≈ 2.20 for
// sample 0). The optimum is −(log .9 + log .8 + log .4 + log .7) ≈ 1.6015.
func ExampleExact() {
	p := [][]float64{{0.9, 0.1}, {0.8, 0.2}, {0.6, 0.4}, {0.3, 0.7}}
	var L []float64
	for _, row := range p {
		L = append(L, math.Log(row[0]), math.Log(row[1]))
	}
	res, err := baselines.Exact(L, 4, 2, baselines.ExactOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("labels:", res.Labels, "sizes:", res.Sizes)
	fmt.Printf("cost %.4f, optimal %v\n", res.Primal, res.Optimal)
	// Output:
	// labels: [0 0 1 1] sizes: [2 2]
	// cost 1.6015, optimal true
}
