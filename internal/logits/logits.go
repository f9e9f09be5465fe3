// Package logits generates the seeded synthetic score matrices that tests, benchmarks
// and the CLI's --synthetic flag share, and holds the row-wise log-softmax that turns
// raw logits into log-probabilities.
//
// A matrix is N×K, row-major float32: row i holds sample i's K cluster scores.
package logits

import (
	"fmt"
	"math"

	"github.com/selabench/selabench/internal/rng"
)

// Kind names a family of synthetic inputs.
type Kind string

const (
	// Gaussian: logits = Scale·N(0,1), no structure; the classic random benchmark input.
	Gaussian Kind = "gaussian"
	// Peaked: balanced hidden classes; each sample's own class gets +Scale on top of
	// N(0,1) noise, like a confident network that agrees with an equipartition.
	Peaked Kind = "peaked"
	// Network: hidden classes drawn with Zipf-like popularity (weight 1/(1+y)), and a
	// per-sample confidence uniform in [0, Scale] added to N(0,1) noise. Its argmax is
	// imbalanced, as a real network's is mid-training — the case the equipartition
	// constraint exists for.
	Network Kind = "network"
)

// Kinds lists every generator, in a stable order.
var Kinds = []Kind{Gaussian, Peaked, Network}

// Spec describes one synthetic matrix.
type Spec struct {
	N, K  int
	Scale float64 // 0 means 1
	Kind  Kind    // "" means Gaussian
	Seed  uint64
}

// Generate returns raw logits (not normalised) for spec, N×K row-major.
func Generate(spec Spec) ([]float32, error) {
	if spec.N < 1 || spec.K < 1 {
		return nil, fmt.Errorf("logits: need N ≥ 1 and K ≥ 1, got N=%d K=%d", spec.N, spec.K)
	}
	scale := spec.Scale
	if scale == 0 {
		scale = 1
	}
	if scale < 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("logits: scale must be positive and finite, got %v", spec.Scale)
	}
	kind := spec.Kind
	if kind == "" {
		kind = Gaussian
	}
	n, k := spec.N, spec.K
	out := make([]float32, n*k)
	noise := rng.New(spec.Seed, "logits/noise")
	switch kind {
	case Gaussian:
		for i := range out {
			out[i] = float32(scale * noise.NormFloat64())
		}
	case Peaked:
		class := rng.New(spec.Seed, "logits/class")
		perm := class.Perm(n)
		for i := 0; i < n; i++ {
			row := out[i*k : (i+1)*k]
			for y := range row {
				row[y] = float32(noise.NormFloat64())
			}
			row[perm[i]%k] += float32(scale)
		}
	case Network:
		class := rng.New(spec.Seed, "logits/class")
		conf := rng.New(spec.Seed, "logits/confidence")
		cum := make([]float64, k)
		total := 0.0
		for y := range cum {
			total += 1 / float64(1+y)
			cum[y] = total
		}
		for i := 0; i < n; i++ {
			row := out[i*k : (i+1)*k]
			for y := range row {
				row[y] = float32(noise.NormFloat64())
			}
			u := class.Float64() * total
			home := 0
			for home < k-1 && cum[home] < u {
				home++
			}
			row[home] += float32(scale * conf.Float64())
		}
	default:
		return nil, fmt.Errorf("logits: unknown kind %q (want one of %v)", spec.Kind, Kinds)
	}
	return out, nil
}

// LogSoftmax replaces each of the n rows of x (n×k, row-major) by its log-softmax,
// x_iy − max_y x_iy − log Σ_y exp(x_iy − max_y x_iy), summing in float64. Subtracting
// the row maximum keeps exp from overflowing; the largest term is exp(0) = 1, so the
// log never sees zero.
func LogSoftmax[F float32 | float64](x []F, n, k int) {
	for i := 0; i < n; i++ {
		row := x[i*k : (i+1)*k]
		m := row[0]
		for _, v := range row[1:] {
			if v > m {
				m = v
			}
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(float64(v - m))
		}
		shift := float64(m) + math.Log(s)
		for y, v := range row {
			row[y] = F(float64(v) - shift)
		}
	}
}
