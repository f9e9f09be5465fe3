package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

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
	k, err := trainClasses(d)
	if err != nil {
		return nil, err
	}
	num, den, err := imbalanceRatios(mode, max(k, 1))
	if err != nil {
		return nil, err
	}
	if mode == ImbalanceNone || mode == "" {
		return d, nil
	}
	return keepShares(d, "-imbalance-"+mode, rng.New(seed, "datasets/imbalance/"+mode), func(c, n int) (int, error) {
		return max(1, (2*n*num[c]+den)/(2*den)), nil
	})
}

// ImbalanceRatioFractions returns the share of each of k classes' training
// samples that [ImbalanceRatio] keeps at ratio R: the classes are put in a seeded
// order (internal/rng stream "datasets/imbalance/ratio/order" of seed), and the
// class at place j = 0, …, k−1 of that order keeps R^(−j/(k−1)), from all of the
// first class to 1/R of the last (k = 1: all). This is the long-tailed profile of
// Cao, Wei, Gaidon, Arechiga & Ma, "Learning imbalanced datasets with
// label-distribution-aware margin loss" (NeurIPS 2019), where class c of a
// balanced set of n_max images per class keeps n_max·R^(−c/(k−1)); the seeded
// order keeps the head and tail classes from always being the same digits.
// R must be ≥ 1 and finite.
func ImbalanceRatioFractions(ratio float64, k int, seed uint64) ([]float64, error) {
	switch {
	case !(ratio >= 1) || math.IsInf(ratio, 0):
		return nil, fmt.Errorf("datasets: imbalance ratio %v must be ≥ 1 and finite (the largest-to-smallest kept share)", ratio)
	case k <= 0:
		return nil, fmt.Errorf("datasets: imbalance: %d classes", k)
	}
	f := make([]float64, k)
	for j, c := range rng.New(seed, "datasets/imbalance/ratio/order").Perm(k) {
		f[c] = 1
		if k > 1 {
			f[c] = math.Pow(ratio, -float64(j)/float64(k-1))
		}
	}
	return f, nil
}

// ImbalanceRatio returns a copy of d whose training split is long-tailed: of each
// class c with n_c samples it keeps ⌊n_c·f_c + ½⌋ (rounded half up), f being
// [ImbalanceRatioFractions] — for MNIST's training set at R = 10 about 41 % of
// the images. Which samples are kept is drawn from seed (stream
// "datasets/imbalance/ratio"); kept samples stay in their original order. A ratio
// under which a class present in d would keep no sample is an error rather than
// raised to one sample, so that the kept profile is the asked one. The test split
// is not changed (its slices are shared with d). The name gets the suffix
// "-imbalance-<R>". R = 1 returns d itself.
func ImbalanceRatio(d *Dataset, ratio float64, seed uint64) (*Dataset, error) {
	k, err := trainClasses(d)
	if err != nil {
		return nil, err
	}
	f, err := ImbalanceRatioFractions(ratio, max(k, 1), seed)
	if err != nil {
		return nil, err
	}
	if ratio == 1 {
		return d, nil
	}
	suffix := "-imbalance-" + strconv.FormatFloat(ratio, 'g', -1, 64)
	return keepShares(d, suffix, rng.New(seed, "datasets/imbalance/ratio"), func(c, n int) (int, error) {
		m := int(math.Floor(float64(n)*f[c] + 0.5))
		if m < 1 {
			return 0, fmt.Errorf("datasets: imbalance ratio %v: class %d would keep %.3g of its %d samples, which rounds to none: use a smaller ratio", ratio, c, float64(n)*f[c], n)
		}
		return m, nil
	})
}

// trainClasses returns the number of classes of d's training split: d.K(), or
// more if a label is ≥ d.K(); negative labels are an error.
func trainClasses(d *Dataset) (int, error) {
	k := d.K()
	for _, y := range d.Train.Y {
		if y < 0 {
			return 0, fmt.Errorf("datasets: imbalance: %s: negative label %d", d.Name, y)
		}
		k = max(k, y+1)
	}
	return k, nil
}

// keepShares is the one subsampler of the imbalance transforms: it returns a copy
// of d whose training split keeps count(c, n_c) of the n_c samples of each class c
// present in it (count must return a number in [1, n_c]), chosen by shuffling the
// class's indices with r, class by class in index order; kept samples stay in
// their original order, and the test split is shared with d.
func keepShares(d *Dataset, suffix string, r *rand.Rand, count func(c, n int) (int, error)) (*Dataset, error) {
	var byClass [][]int
	for i, y := range d.Train.Y {
		if y >= len(byClass) {
			byClass = append(byClass, make([][]int, y+1-len(byClass))...)
		}
		byClass[y] = append(byClass[y], i)
	}
	keep := make([]bool, d.Train.N)
	kept := 0
	for c, idx := range byClass {
		if len(idx) == 0 {
			continue
		}
		m, err := count(c, len(idx))
		if err != nil {
			return nil, err
		}
		if m < 1 || m > len(idx) {
			return nil, fmt.Errorf("datasets: imbalance: class %d would keep %d of its %d samples", c, m, len(idx))
		}
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
	out.Name = d.Name + suffix
	out.Train = d.Train.Select(rows)
	out.Classes = cloneNames(d.Classes)
	return &out, nil
}
