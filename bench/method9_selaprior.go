package bench

import (
	"fmt"

	sela "github.com/selabench/selabench/selA"
)

// MethodSeLaPrior names SeLa with the cluster masses set to the training split's
// true class proportions. It is an oracle: it reads the training labels, which
// no self-labelling method may, and so gives the upper bound of what a known
// prior on cluster sizes buys over the equipartition (on long-tailed data,
// Config.Imbalance, the two differ).
const MethodSeLaPrior = "sela-prior"

func init() {
	RegisterMethod(Method{
		Name:        MethodSeLaPrior,
		Description: "oracle: SeLa with cluster masses r = the true class proportions of the training split (needs k = classes); the upper bound of what a known prior buys",
		Needs:       Needs{LogProbs: true, ClassSizes: true},
		NewLabeler: func(c *Config, heads int) (Labeler, error) {
			return &priorLabeler{selaLabeler{opt: sela.Options{Lambda: c.Lambda}, ws: make([]sela.Workspace, heads)}}, nil
		},
	})
}

// priorLabeler is SeLa's labeler whose masses are the class proportions of the
// LabelInput's ClassSizes, set at its first label step (they do not change).
type priorLabeler struct{ selaLabeler }

func (p *priorLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	if p.opt.Masses == nil {
		m, err := classMasses(in.ClassSizes, in.K)
		if err != nil {
			return nil, nil, fmt.Errorf("sela-prior: %w", err)
		}
		p.opt.Masses = m
	}
	return p.selaLabeler.Label(in)
}

// classMasses returns the class proportions n_c/N of the k class sizes: cluster
// masses for selA, which wants them positive.
func classMasses(sizes []int, k int) ([]float64, error) {
	if len(sizes) != k {
		return nil, fmt.Errorf("%w: k = %d: the masses need one cluster per class, and the data has %d classes", ErrConfig, k, len(sizes))
	}
	n := 0
	for _, s := range sizes {
		n += s
	}
	out := make([]float64, k)
	for c, s := range sizes {
		if s <= 0 {
			return nil, fmt.Errorf("class %d has no training sample, so its cluster would get mass 0", c)
		}
		out[c] = float64(s) / float64(n)
	}
	return out, nil
}
