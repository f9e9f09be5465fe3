package eval

import (
	"github.com/selabench/selabench/internal/rng"
)

// mixture draws a labelled Gaussian mixture in d dimensions: c class means with
// independent N(0, sep²) coordinates (stream "eval/test/means", shared by every set of
// the same seed), then n samples with a uniform label and features mean + N(0, 1)
// (stream purpose), so train and test sets of one seed come from the same classes.
func mixture(n, d, c int, sep float64, seed uint64, purpose string) Set {
	rm := rng.New(seed, "eval/test/means")
	means := make([]float64, c*d)
	for i := range means {
		means[i] = sep * rm.NormFloat64()
	}
	r := rng.New(seed, purpose)
	s := Set{X: make([]float32, n*d), N: n, D: d, Y: make([]int, n)}
	for i := range n {
		y := r.IntN(c)
		s.Y[i] = y
		for j := range d {
			s.X[i*d+j] = float32(means[y*d+j] + r.NormFloat64())
		}
	}
	return s
}
