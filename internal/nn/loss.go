package nn

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// SoftmaxCrossEntropy returns the mean over the N rows of logits (N×K) of
// −log softmax(logits_i)[labels_i], and, if dlogits is not nil (N×K), sets
// dlogits = scale·(softmax(logits) − onehot(labels))/N, the gradient of
// scale times the loss (torch.nn.functional.cross_entropy). Sums are in
// float64. A label outside [0, K) is an error naming its row.
func SoftmaxCrossEntropy(logits *tensor.Dense, labels []int, dlogits *tensor.Dense, scale float64) (float64, error) {
	n, k := rows(logits)
	if len(labels) != n {
		return 0, fmt.Errorf("nn: cross-entropy: %d labels for %d rows", len(labels), n)
	}
	for i, y := range labels {
		if y < 0 || y >= k {
			return 0, fmt.Errorf("nn: cross-entropy: label %d at row %d is outside [0, %d)", y, i, k)
		}
	}
	return crossEntropy(logits, dlogits, scale, func(i int, lse float64, z []float32, d []float32, s float32) float64 {
		y := labels[i]
		if d != nil {
			d[y] -= s
		}
		return lse - float64(z[y])
	})
}

// SoftCrossEntropy is [SoftmaxCrossEntropy] with soft targets (N×K, rows
// normally summing to 1): the mean of −Σ_y targets_iy·log softmax(logits_i)_y,
// with gradient scale·(softmax·Σ_y targets_iy − targets)/N.
func SoftCrossEntropy(logits, targets, dlogits *tensor.Dense, scale float64) (float64, error) {
	n, k := rows(logits)
	if tn, tk := rows(targets); tn != n || tk != k {
		return 0, fmt.Errorf("nn: soft cross-entropy: targets %v for logits %v", targets.Shape(), logits.Shape())
	}
	t := Data(targets)
	return crossEntropy(logits, dlogits, scale, func(i int, lse float64, z []float32, d []float32, s float32) float64 {
		ti := t[i*k : (i+1)*k]
		loss, sum := 0.0, 0.0
		for y, v := range ti {
			loss += float64(v) * (lse - float64(z[y]))
			sum += float64(v)
		}
		if d != nil {
			for y, v := range ti {
				d[y] = d[y]*float32(sum) - s*v
			}
		}
		return loss
	})
}

// crossEntropy computes each row's log-sum-exp, writes scale·softmax/N into
// dlogits (if any) and lets row finish the row's loss and gradient.
func crossEntropy(logits, dlogits *tensor.Dense, scale float64, row func(i int, lse float64, z, d []float32, s float32) float64) (float64, error) {
	n, k := rows(logits)
	if dlogits != nil {
		if dn, dk := rows(dlogits); dn != n || dk != k {
			return 0, fmt.Errorf("nn: cross-entropy: gradient %v for logits %v", dlogits.Shape(), logits.Shape())
		}
	}
	if n == 0 {
		return 0, nil
	}
	z := Data(logits)
	var dz []float32
	if dlogits != nil {
		dz = Data(dlogits)
	}
	s := float32(scale / float64(n))
	total := 0.0
	for i := range n {
		zi := z[i*k : (i+1)*k]
		mx := zi[0]
		for _, v := range zi {
			mx = max(mx, v)
		}
		sum := 0.0
		for _, v := range zi {
			sum += math.Exp(float64(v - mx))
		}
		lse := float64(mx) + math.Log(sum)
		var di []float32
		if dz != nil {
			di = dz[i*k : (i+1)*k]
			for y, v := range zi {
				di[y] = s * float32(math.Exp(float64(v)-lse))
			}
		}
		total += row(i, lse, zi, di, s)
	}
	return total / float64(n), nil
}
