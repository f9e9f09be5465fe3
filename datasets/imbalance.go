package datasets

import (
	"fmt"

	"github.com/selabench/selabench/internal/rng"
)

// Imbalance modes.
const (
	// ImbalanceNone keeps every sample.
	ImbalanceNone = "none"
	// ImbalanceLight keeps 50 % of the last class (truck in CIFAR-10) and all of
	// the others.
	ImbalanceLight = "light"
	// ImbalanceHeavy keeps a share falling linearly with the class index, from
	// 100 % of class 0 to 10 % of class K−1: f_c = 1 − 0.9·c/(K−1), that is 100 %,
	// 90 %, …, 10 % for CIFAR-10.
	ImbalanceHeavy = "heavy"
)

// ImbalanceFractions returns the share of each of k classes' training samples that
// [Imbalance] keeps in the given mode.
//
// The modes follow the imbalanced CIFAR-10 experiment of SeLa (Asano, Rupprecht &
// Vedaldi, "Self-labelling via simultaneous clustering and representation
// learning", ICLR 2020), which trains on a "light" and a "heavy" imbalanced version
// of the training set and leaves the test set unchanged. The exact per-class shares
// of the paper could not be checked here (neither the paper's text nor the official
// code, which has no imbalance option, was available), so these are our
// documented choice: "light" halves a single class (the last one), "heavy" keeps
// 1 − 0.9·c/(K−1) of class c, a linear profile with a 10:1 largest-to-smallest ratio.
func ImbalanceFractions(mode string, k int) ([]float64, error) {
	num, den, err := imbalanceRatios(mode, k)
	if err != nil {
		return nil, err
	}
	f := make([]float64, k)
	for c := range f {
		f[c] = float64(num[c]) / float64(den)
	}
	return f, nil
}

// imbalanceRatios returns the kept shares as exact fractions num[c]/den, so that
// counts can be rounded without floating-point surprises at halves.
func imbalanceRatios(mode string, k int) (num []int, den int, err error) {
	if k <= 0 {
		return nil, 0, fmt.Errorf("datasets: imbalance: %d classes", k)
	}
	num = make([]int, k)
	switch mode {
	case ImbalanceNone, "":
		den = 1
		for c := range num {
			num[c] = 1
		}
	case ImbalanceLight:
		den = 2
		for c := range num {
			num[c] = 2
		}
		num[k-1] = 1
	case ImbalanceHeavy:
		// 1 − 0.9·c/(K−1) = (10(K−1) − 9c) / (10(K−1)); for K = 1 the one class is
		// also the last and keeps 1/10.
		den = 10 * max(k-1, 1)
		for c := range num {
			num[c] = den - 9*c
		}
		if k == 1 {
			num[0] = 1
		}
	default:
		return nil, 0, fmt.Errorf("datasets: imbalance mode %q is not one of %q, %q, %q", mode, ImbalanceNone, ImbalanceLight, ImbalanceHeavy)
	}
	return num, den, nil
}

// Imbalance returns a copy of d whose training split keeps, of each class c with n_c
// samples, n_c·f_c of them rounded half up (at least one), f being
// [ImbalanceFractions]. Which samples are kept is drawn from seed (internal/rng
// stream "datasets/imbalance/<mode>"); kept samples stay in their original order.
// The test split is not changed (its slices are shared with d). The name gets the
// suffix "-imbalance-<mode>". Mode "none" (or "") returns d itself.
func Imbalance(d *Dataset, mode string, seed uint64) (*Dataset, error) {
	k := d.K()
	for _, y := range d.Train.Y {
		if y < 0 {
			return nil, fmt.Errorf("datasets: imbalance: %s: negative label %d", d.Name, y)
		}
		k = max(k, y+1)
	}
	num, den, err := imbalanceRatios(mode, max(k, 1))
	if err != nil {
		return nil, err
	}
	if mode == ImbalanceNone || mode == "" {
		return d, nil
	}
	byClass := make([][]int, k)
	for i, y := range d.Train.Y {
		byClass[y] = append(byClass[y], i)
	}
	r := rng.New(seed, "datasets/imbalance/"+mode)
	keep := make([]bool, d.Train.N)
	kept := 0
	for c, idx := range byClass {
		if len(idx) == 0 {
			continue
		}
		m := max(1, (2*len(idx)*num[c]+den)/(2*den))
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:m] {
			keep[i] = true
		}
		kept += m
	}
	rows := make([]int, 0, kept)
	for i, ok := range keep {
		if ok {
			rows = append(rows, i)
		}
	}
	out := *d
	out.Name = d.Name + "-imbalance-" + mode
	out.Train = d.Train.Select(rows)
	out.Classes = cloneNames(d.Classes)
	return &out, nil
}
