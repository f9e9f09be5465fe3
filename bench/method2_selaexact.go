package bench

import (
	"fmt"

	"github.com/selabench/selabench/baselines"
)

// MethodSeLaExact names SeLa's transport problem solved exactly by the
// equipartition LP (baselines.Exact) instead of Sinkhorn-Knopp.
const MethodSeLaExact = "sela-exact"

func init() {
	RegisterMethod(Method{
		Name:        MethodSeLaExact,
		Description: "the same problem solved exactly (integral, equal cluster sizes) by the LP baseline",
		Needs:       Needs{LogProbs: true},
		NewLabeler:  func(*Config, int) (Labeler, error) { return exactLabeler{}, nil },
	})
}

// exactLabeler solves the same problem exactly: integral, equal cluster sizes.
type exactLabeler struct{}

func (exactLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	return eachHead(in, func(h, k int, lp []float32) ([]int, LabelStats, error) {
		res, err := baselines.Exact(lp, in.N, k, baselines.ExactOptions{})
		if err != nil {
			return nil, LabelStats{}, fmt.Errorf("sela-exact: head %d: %w", h, err)
		}
		return res.Labels, ExactStats(res, in.N), nil
	})
}
