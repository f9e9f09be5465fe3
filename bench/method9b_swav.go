package bench

import (
	"fmt"
	"math"

	sela "github.com/selabench/selabench/selA"
)

// MethodSwAV names SwAV-style online codes (Caron et al., "Unsupervised learning
// of visual features by contrasting cluster assignments", NeurIPS 2020), as the
// official main_swav.py trains them, on this harness's network:
//
//   - Every step feeds two augmented views of the batch through the network
//     together. The heads are prototypes: bias-free, with unit weight rows
//     (renormalised before each step), on L2-normalised trunk features, so that
//     their scores are cosine similarities.
//   - Each view's codes are Sinkhorn's on exp(scores/ε), ε = 0.05, 3 iterations
//     ([sela.OnlineCodes], the official distributed_sinkhorn), computed without
//     gradient. The other view predicts them: the loss is the cross-entropy of
//     the codes against softmax(scores/T), T = 0.1, averaged over the two
//     (assigning view, predicting view) pairs, over the batch and over heads.
//   - The prototypes stay frozen for the first 313 steps (the official
//     freeze_prototypes_niters default).
//
// There is no label step over the whole training set; the pseudo-labels the
// epoch statistics describe are the argmax of the first view's codes, from
// the batch each sample was last seen in.
//
// Left out of the official recipe: multi-crop (two views of one size only),
// the queue of past embeddings (the official code adds it only for batches
// smaller than the number of prototypes would need; K = 10 here is tiny next to
// a batch of 256), the projection MLP (the trunk's output is the embedding),
// and LARS with its warm-up (the harness's SGD and schedule, as every method's).
const MethodSwAV = "swav"

// SwAV's constants, the official defaults.
const (
	swavEpsilon     = 0.05
	swavIterations  = 3
	swavTemperature = 0.1
	swavFrozenSteps = 313
)

func init() {
	RegisterMethod(Method{
		Name:        MethodSwAV,
		Description: "SwAV: online Sinkhorn codes per batch (ε = 0.05, 3 iterations) on cosine prototypes, swapped prediction between two views",
		CosineHeads: true,
		Online:      &Online{Views: 2, FrozenHeadSteps: swavFrozenSteps, Loss: swavLoss},
	})
}

// swavLoss is SwAV's swapped-prediction loss over every head; see [Online.Loss].
func swavLoss(scores, grad [][]float32, b int, ks []int, labels [][]int) (float64, error) {
	heads := float64(len(scores))
	total := 0.0
	for h, s := range scores {
		k := ks[h]
		views := len(s) / (b * k)
		pairs := float64(views * (views - 1)) // (assigning, predicting) view pairs
		codes := make([][]float64, views)
		for v := range codes {
			codes[v] = make([]float64, b*k)
		}
		logp := make([]float64, b*k) // log-softmax(scores/T) of one view
		prob := make([]float64, b*k)
		gsum := make([]float64, views*b*k)
		for v := range views {
			if err := sela.OnlineCodes(codes[v], s[v*b*k:(v+1)*b*k], b, k, swavEpsilon, swavIterations); err != nil {
				return 0, fmt.Errorf("head %d, view %d: %w", h, v, err)
			}
		}
		loss := 0.0
		for u := range views { // the predicting view
			tempered(logp, prob, s[u*b*k:(u+1)*b*k], b, k)
			for v := range views { // the assigning view
				if v == u {
					continue
				}
				q := codes[v]
				g := gsum[u*b*k : (u+1)*b*k]
				for i, qi := range q {
					loss -= qi * logp[i]
					// d/dscore of −q·log softmax(score/T) = (softmax − q)/T,
					// with Σ_y q_y = 1.
					g[i] += (prob[i] - qi) / swavTemperature
				}
			}
		}
		// Mean over the batch, the view pairs and the heads.
		scale := 1 / (float64(b) * pairs * heads)
		total += loss * scale
		for i, g := range gsum {
			grad[h][i] = float32(g * scale)
		}
		for i := range b {
			row := codes[0][i*k : (i+1)*k]
			best := 0
			for y, c := range row {
				if c > row[best] {
					best = y
				}
			}
			labels[h][i] = best
		}
	}
	return total, nil
}

// tempered writes log-softmax(s/T) and softmax(s/T) of the b×k scores s,
// row by row, in float64.
func tempered(logp, prob []float64, s []float32, b, k int) {
	for i := range b {
		row := s[i*k : (i+1)*k]
		top := math.Inf(-1)
		for _, v := range row {
			top = max(top, float64(v)/swavTemperature)
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(float64(v)/swavTemperature - top)
		}
		lse := top + math.Log(sum)
		for y, v := range row {
			logp[i*k+y] = float64(v)/swavTemperature - lse
			prob[i*k+y] = math.Exp(logp[i*k+y])
		}
	}
}
