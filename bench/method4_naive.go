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
	return eachHead(in, func(_, k int, lp []float32) ([]int, LabelStats, error) {
		t := time.Now()
		labels := argmaxRows(lp, in.N, k)
		return labels, LabelStats{Seconds: time.Since(t).Seconds(), Converged: true}, nil
	})
}
