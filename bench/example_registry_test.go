package bench_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/selabench/selabench/bench"
)

// A method of one's own is one registration: a name, a description, what its
// label step needs and a factory for its labeler. Registering it in an init
// function makes it known everywhere a method name is: bench.Run, Config.Validate,
// bench.Methods (and so the command line and sweep files of a program that
// imports the registering package).
func init() {
	bench.RegisterMethod(bench.Method{
		Name:        "projection",
		Description: "argmax of a fixed random projection of the trunk features (an example)",
		Heads:       func(*bench.Config) int { return 1 },
		Needs:       bench.Needs{Features: true},
		NewLabeler: func(c *bench.Config, heads int) (bench.Labeler, error) {
			return &projection{r: rand.New(rand.NewPCG(c.Seed, 0))}, nil
		},
	})
}

// projection labels sample i by the largest entry of x_i·W, W a D×K Gaussian
// matrix drawn once, at the first label step (when D is known).
type projection struct {
	r *rand.Rand
	w []float32
}

func (p *projection) Label(in *bench.LabelInput) ([][]int, []bench.LabelStats, error) {
	if p.w == nil {
		p.w = make([]float32, in.D*in.K)
		for i := range p.w {
			p.w[i] = float32(p.r.NormFloat64())
		}
	}
	labels := make([]int, in.N)
	score := make([]float32, in.K)
	for i := range in.N {
		clear(score)
		for d, x := range in.Features[i*in.D : (i+1)*in.D] {
			for k, w := range p.w[d*in.K : (d+1)*in.K] {
				score[k] += x * w
			}
		}
		for k, s := range score {
			if s > score[labels[i]] {
				labels[i] = k
			}
		}
	}
	return [][]int{labels}, []bench.LabelStats{{Converged: true}}, nil
}

// The toy method runs through the shared harness like the built-in ones.
func ExampleRegisterMethod() {
	ds, err := bench.LoadDataset("synthetic", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := bench.DefaultConfig("projection", "synthetic")
	cfg.Epochs, cfg.BatchSize, cfg.KNN = 2, 100, 20
	rec, err := bench.Run(cfg, ds, bench.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("registered last:", bench.Methods[len(bench.Methods)-1])
	fmt.Println("epochs:", len(rec.Epochs), "label steps per epoch:", rec.Epochs[0].LabelSteps, "heads scored:", len(rec.Final.Heads))
	fmt.Println("non-empty clusters of the last labels:", rec.Epochs[1].Heads[0].Clusters, "of", cfg.K)
	_, err = bench.LookupMethod("projektion") // a typo: the error lists the known names
	fmt.Println(err)
	// Output:
	// registered last: projection
	// epochs: 2 label steps per epoch: 1 heads scored: 1
	// non-empty clusters of the last labels: 10 of 10
	// invalid configuration: unknown method "projektion" (valid: sela, sela-exact, deepcluster, naive, random-labels, supervised, random-net, kmeans-pixels, sela-prior, sela-unbalanced, swav, projection)
}
