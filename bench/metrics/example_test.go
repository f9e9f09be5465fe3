package metrics_test

import (
	"fmt"

	"github.com/selabench/selabench/bench/metrics"
)

// Six samples of two classes, put in three of four clusters by some method.
func ExampleScore() {
	truth := []int{0, 0, 0, 1, 1, 1}
	pred := []int{0, 0, 1, 1, 3, 3}
	s, err := metrics.Score(truth, pred, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("NMI %.4f  ARI %.4f  ACC %.4f\n", s.NMI, s.ARI, s.ACC)
	fmt.Printf("%d of %d clusters used, %d empty, largest %.3f, effective %.2f\n",
		s.NonEmpty, s.K, s.Empty, s.LargestFraction, s.EffectiveClusters)
	// Output:
	// NMI 0.5158  ARI 0.2424  ACC 0.6667
	// 3 of 4 clusters used, 1 empty, largest 0.333, effective 3.00
}

// Computing several scores from one contingency table counts the samples once.
func ExampleContingency() {
	truth := []int{7, 7, 7, 9, 9, 9, 9}
	pred := []int{1, 1, 2, 2, 2, 2, 5}
	c, err := metrics.NewContingency(truth, pred)
	if err != nil {
		fmt.Println(err)
		return
	}
	classOf, matched := c.Match()
	for j, i := range classOf {
		if i >= 0 {
			fmt.Printf("cluster %d -> class %d\n", c.Clusters[j], c.Classes[i])
		}
	}
	fmt.Printf("ACC %d/%d = %.4f\n", matched, c.N, c.ACC())
	// Output:
	// cluster 1 -> class 7
	// cluster 2 -> class 9
	// ACC 5/7 = 0.7143
}

func ExampleMaxMatching() {
	// Rows are workers, columns jobs; pick one job per worker, maximising value.
	w := []int64{
		4, 1, 3,
		2, 0, 5,
	}
	assign, total, err := metrics.MaxMatching(w, 2, 3)
	fmt.Println(assign, total, err)
	// Output:
	// [0 2] 9 <nil>
}
