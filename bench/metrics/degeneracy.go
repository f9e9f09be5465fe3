package metrics

import (
	"fmt"
	"math"
)

// Degeneracy describes how a labelling spreads N samples over K clusters, to detect
// the collapse self-labelling methods are prone to (everything in a few clusters).
// JSON keys are those of the CLI's --json output; Sizes is left out of JSON.
type Degeneracy struct {
	Sizes    []int `json:"-"`        // samples per cluster, len K
	K        int   `json:"k"`        // clusters considered, including empty ones
	NonEmpty int   `json:"clusters"` // clusters with at least one sample
	Empty    int   `json:"empty"`    // K − NonEmpty
	// LargestFraction is the size of the largest cluster over N, in [1/K, 1].
	LargestFraction float64 `json:"largest_fraction"`
	// Entropy is H = −Σ p_k ln p_k over non-empty clusters, p_k = size_k / N, in nats,
	// in [0, ln K] up to rounding; 0·ln 0 = 0. It is computed as scikit-learn's
	// cluster entropy, so it equals H(pred) of the NMI bit for bit.
	Entropy float64 `json:"entropy"`
	// EffectiveClusters is exp(H), the number of equal clusters with the same size
	// entropy: 1 when all samples share one cluster, K when all sizes are equal.
	EffectiveClusters float64 `json:"effective_clusters"`
}

// DegeneracyOf returns the degeneracy statistics of pred, whose labels are cluster
// indices in [0, k). k = 0 means max(pred)+1. It returns an error wrapping
// [ErrEmpty] for empty pred, and [ErrLabel] (naming the sample) for a negative label
// or one ≥ k, or when k < 0 or k > 4N + 2²⁰ (a guard against allocating Sizes for a
// stray huge label).
func DegeneracyOf(pred []int, k int) (Degeneracy, error) {
	if len(pred) == 0 {
		return Degeneracy{}, fmt.Errorf("metrics: degeneracy: %w", ErrEmpty)
	}
	if k < 0 {
		return Degeneracy{}, fmt.Errorf("metrics: degeneracy: k = %d: %w", k, ErrLabel)
	}
	if k == 0 {
		for i, l := range pred {
			if l < 0 {
				return Degeneracy{}, fmt.Errorf("metrics: degeneracy: sample %d has label %d < 0: %w", i, l, ErrLabel)
			}
			k = max(k, l+1)
		}
	}
	if k > 4*len(pred)+1<<20 {
		return Degeneracy{}, fmt.Errorf("metrics: degeneracy: k = %d clusters for %d samples: %w", k, len(pred), ErrLabel)
	}
	sizes := make([]int, k)
	for i, l := range pred {
		if l < 0 || l >= k {
			return Degeneracy{}, fmt.Errorf("metrics: degeneracy: sample %d has label %d outside [0, %d): %w", i, l, k, ErrLabel)
		}
		sizes[l]++
	}
	d := Degeneracy{Sizes: sizes, K: k}
	n := float64(len(pred))
	largest := 0
	for _, s := range sizes {
		if s > 0 {
			d.NonEmpty++
			largest = max(largest, s)
		}
	}
	d.Empty = k - d.NonEmpty
	d.LargestFraction = float64(largest) / n
	// The same computation as H(pred) in the NMI; rounding cannot make it negative
	// (each term is ≤ 0) but can put it a few ulps above ln K.
	d.Entropy = entropy(sizes, len(pred))
	d.EffectiveClusters = math.Exp(d.Entropy)
	return d, nil
}

// Scores holds every clustering score of one labelling against the truth; its JSON
// form is one line of the CLI's --json output:
//
//	{"n":…,"nmi":…,"ari":…,"acc":…,"k":…,"clusters":…,"empty":…,
//	 "largest_fraction":…,"entropy":…,"effective_clusters":…}
//
// where "clusters" counts non-empty clusters and "k" all clusters considered.
type Scores struct {
	N   int     `json:"n"`   // number of samples
	NMI float64 `json:"nmi"` // see Contingency.NMI
	ARI float64 `json:"ari"` // see Contingency.ARI
	ACC float64 `json:"acc"` // see Contingency.ACC
	Degeneracy
}

// Score computes NMI, ARI and ACC of pred against truth from one contingency table,
// and the degeneracy of pred over k clusters (k = 0: max(pred)+1). Truth labels may
// be any ints; pred labels must be cluster indices in [0, k). Errors are those of
// [NewContingency] and [DegeneracyOf].
func Score(truth, pred []int, k int) (Scores, error) {
	c, err := NewContingency(truth, pred)
	if err != nil {
		return Scores{}, err
	}
	d, err := DegeneracyOf(pred, k)
	if err != nil {
		return Scores{}, err
	}
	return Scores{N: c.N, NMI: c.NMI(), ARI: c.ARI(), ACC: c.ACC(), Degeneracy: d}, nil
}
