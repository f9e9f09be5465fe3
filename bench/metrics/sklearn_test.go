package metrics

import (
	"math"
	"testing"
)

// lcgLabels draws n (class, cluster) pairs with Knuth's MMIX linear congruential
// generator, so that testdata/sklearn_values.py can regenerate them exactly in Python:
// class t = draw % c; with probability agree% the cluster is (3t + draw%2) % k
// (correlated), else draw % k (independent).
func lcgLabels(seed uint64, n, c, k, agree int) (truth, pred []int) {
	x := seed
	draw := func() int {
		x = 6364136223846793005*x + 1442695040888963407
		return int(x >> 33)
	}
	truth = make([]int, n)
	pred = make([]int, n)
	for i := range truth {
		t := draw() % c
		if draw()%100 < agree {
			pred[i] = (3*t + draw()%2) % k
		} else {
			pred[i] = draw() % k
		}
		truth[i] = t
	}
	return truth, pred
}

// sklearnCases were produced by testdata/sklearn_values.py (scikit-learn 1.2.1,
// NumPy 1.24.2): nmi = normalized_mutual_info_score(t, p), ari =
// adjusted_rand_score(t, p), printed with repr (exact round trip); matched = the
// sum of contingency_matrix(t, p) over scipy.optimize.linear_sum_assignment(...,
// maximize=True), so ACC = matched / n.
var sklearnCases = []struct {
	seed           uint64
	n, c, k, agree int
	nmi, ari       float64
	matched        int64
}{
	{1, 1000, 7, 10, 0, 0.010703084888903073, -0.0011001046875402628, 139},
	{2, 1000, 7, 10, 0, 0.014419976710131205, 0.0009762427556236897, 139},
	{3, 1000, 7, 10, 0, 0.01359842678391548, 0.00013968401418449117, 138},
	{4, 1000, 7, 10, 60, 0.24841683277785118, 0.17674241384366143, 355},
	{5, 1000, 7, 10, 90, 0.5857342184393697, 0.4090471088951927, 490},
	{6, 1000, 7, 10, 100, 0.7420637299447491, 0.5006084859573585, 542},
	{7, 5000, 20, 50, 50, 0.30597689032505954, 0.16717585507096053, 1368},
	{8, 2000, 30, 5, 70, 0.1645318059758588, 0.04546775772481819, 174},
	{9, 3000, 300, 400, 80, 0.8230132489119252, 0.3482333174770023, 1429},
}

func TestSklearnRandom(t *testing.T) {
	const tol = 1e-12
	exact := 0
	for _, tc := range sklearnCases {
		truth, pred := lcgLabels(tc.seed, tc.n, tc.c, tc.k, tc.agree)
		c, err := NewContingency(truth, pred)
		if err != nil {
			t.Fatal(err)
		}
		nmi, ari := c.NMI(), c.ARI()
		if math.Abs(nmi-tc.nmi) > tol {
			t.Errorf("seed %d: NMI = %.17g, sklearn %.17g (diff %.3g)", tc.seed, nmi, tc.nmi, nmi-tc.nmi)
		}
		if math.Abs(ari-tc.ari) > tol {
			t.Errorf("seed %d: ARI = %.17g, sklearn %.17g (diff %.3g)", tc.seed, ari, tc.ari, ari-tc.ari)
		}
		if nmi == tc.nmi {
			exact++
		}
		if ari == tc.ari {
			exact++
		}
		if _, m := c.Match(); m != tc.matched {
			t.Errorf("seed %d: matched %d samples, scipy %d", tc.seed, m, tc.matched)
		}
		if acc, want := c.ACC(), float64(tc.matched)/float64(tc.n); acc != want {
			t.Errorf("seed %d: ACC = %v, want %v", tc.seed, acc, want)
		}
	}
	t.Logf("%d of %d NMI/ARI values equal scikit-learn's bit for bit", exact, 2*len(sklearnCases))
}
