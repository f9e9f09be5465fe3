package bench

import "time"

// MethodNaive names naive self-labelling: the argmax of the network's own
// predictions, without the equipartition constraint.
const MethodNaive = "naive"

func init() {
	RegisterMethod(Method{
		Name:        MethodNaive,
		Description: `argmax of the network's own predictions, no constraint: it collapses (watch "min effective")`,
		Needs:       Needs{LogProbs: true},
		NewLabeler:  func(*Config, int) (Labeler, error) { return naiveLabeler{}, nil },
	})
}

// naiveLabeler takes the argmax of each head's own predictions: self-labelling
// without the equipartition constraint, which collapses.
type naiveLabeler struct{}

func (naiveLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	labels := make([][]int, len(in.LogProbs))
	stats := make([]LabelStats, len(in.LogProbs))
	for h, lp := range in.LogProbs {
		t := time.Now()
		labels[h] = argmaxRows(lp, in.N, in.K)
		stats[h] = LabelStats{Seconds: time.Since(t).Seconds(), Converged: true}
	}
	return labels, stats, nil
}
