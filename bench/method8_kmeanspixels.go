package bench

import (
	"fmt"

	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/kmeans"
)

// MethodKMeansPixels names k-means on the raw pixels: no network.
const MethodKMeansPixels = "kmeans-pixels"

func init() {
	RegisterMethod(Method{
		Name:        MethodKMeansPixels,
		Description: "k-means on the raw pixels, no network",
		NoNetwork:   kmeansPixels,
	})
}

// kmeansPixels clusters the training pixels with k-means (seeded by the run) and
// assigns the evaluation pixels to the nearest centroid.
func kmeansPixels(c *Config, tr, ev *datasets.Split, k int) (trPred, evPred []int, err error) {
	res, err := kmeans.Fit(tr.X, tr.N, tr.D, kmeans.Options{K: k, Seed: c.Seed})
	if err != nil {
		return nil, nil, fmt.Errorf("kmeans-pixels: %w", err)
	}
	ep, _, err := kmeans.Assign(ev.X, ev.N, ev.D, res.Centroids, k)
	if err != nil {
		return nil, nil, fmt.Errorf("kmeans-pixels: %w", err)
	}
	return res.Labels, ep, nil
}
