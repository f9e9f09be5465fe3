package plots_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/selabench/selabench/reports/plots"
)

func ExampleLambdaSweep() {
	dir, err := os.MkdirTemp("", "plots-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	pts := []plots.LambdaPoint{
		{Solver: "sinkhorn", Lambda: 1, Iterations: 12, Seconds: 0.002, Gap: 0.5, Agreement: 71},
		{Solver: "sinkhorn", Lambda: 10, Iterations: 60, Seconds: 0.01, Gap: 0.02, Agreement: 96.5},
		{Solver: "sinkhorn", Lambda: 100, Iterations: 400, Seconds: 0.08, Gap: 0, Agreement: 100},
	}
	paths, err := plots.LambdaSweep(dir, "mnist-lambda", pts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// mnist-lambda-iterations.png
	// mnist-lambda-seconds.png
	// mnist-lambda-gap.png
	// mnist-lambda-agreement.png
}
