package bench

import (
	"math/rand/v2"

	"github.com/selabench/selabench/deepcluster"
)

// MethodDeepCluster names DeepCluster: PCA-whitened k-means labels on the trunk
// features, the head re-initialised every epoch (package deepcluster).
const MethodDeepCluster = "deepcluster"

// The registration lives here, not in package deepcluster, because deepcluster is
// a solver and must not import the harness; its contract with the harness is
// deepcluster.Trainer and deepcluster.BeginEpoch, which the hooks below call.
func init() {
	RegisterMethod(Method{
		Name:        MethodDeepCluster,
		Description: "PCA-whitened, L2-normalised features → k-means; head re-initialised per epoch; batches uniform over clusters",
		Heads:       func(*Config) int { return 1 },
		Needs:       Needs{Features: true},
		NewLabeler: func(c *Config, _ int) (Labeler, error) {
			l, err := deepcluster.NewLabeler(deepcluster.Options{K: c.K, Seed: c.Seed})
			if err != nil {
				return nil, err
			}
			return &deepclusterLabeler{l: l}, nil
		},
		EveryEpoch: true,
		FreshHeads: true,
		BeginEpoch: func(t EpochTrainer, labels [][]int, k int, r *rand.Rand) ([]int, error) {
			return deepcluster.BeginEpoch(t, labels[0], k, r)
		},
	})
}

// deepclusterLabeler clusters the PCA-whitened, L2-normalised features with k-means.
type deepclusterLabeler struct{ l *deepcluster.Labeler }

func (d *deepclusterLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	res, err := d.l.Label(in.Features, in.N, in.D, in.Epoch)
	if err != nil {
		return nil, nil, err
	}
	st := LabelStats{Seconds: res.Seconds, Converged: true}
	if res.KMeans != nil {
		st.Iterations = res.KMeans.Iterations
		st.Inertia = res.KMeans.Inertia
	}
	return [][]int{res.Labels}, []LabelStats{st}, nil
}
