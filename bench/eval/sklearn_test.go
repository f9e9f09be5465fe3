package eval

import (
	"math"
	"slices"
	"testing"
)

// lcgSet draws n labelled rows with Knuth's MMIX linear congruential generator, so that
// testdata/sklearn_probe.py can regenerate them exactly in Python: label t = draw % c;
// features j < d−1 are float32((7t + 3j) mod 5 − 2 + 4(u − ½)) with u = draw / 2³¹, and
// feature d−1 is the constant 3 (it checks the std = 1 rule for constant features).
func lcgSet(seed uint64, n, c, d int) Set {
	x := seed
	draw := func() uint64 {
		x = 6364136223846793005*x + 1442695040888963407
		return x >> 33
	}
	s := Set{X: make([]float32, n*d), N: n, D: d, Y: make([]int, n)}
	for i := range n {
		t := int(draw() % uint64(c))
		s.Y[i] = t
		for j := range d {
			v := 3.0
			if j < d-1 {
				u := float64(draw()) / (1 << 31)
				v = float64((t*7+j*3)%5-2) + 4*(u-0.5)
			}
			s.X[i*d+j] = float32(v)
		}
	}
	return s
}

// sklearnProbes were printed by testdata/sklearn_probe.py (scikit-learn 1.2.1):
// LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1/(n·λ), tol=1e-12)
// on the same standardised features, refitted with warm_start until the largest
// gradient component of the mean-loss objective was below 1e-10 (rounds fits).
// coef is C×D row-major (coef_), intercept is intercept_; trainOK and testOK count
// the correctly predicted rows.
var sklearnProbes = []struct {
	trainSeed, testSeed uint64
	n, m, c, d          int
	lambda              float64
	coef, intercept     []float64
	trainOK, testOK     int
	rounds              int
}{
	{1, 2, 200, 100, 3, 5, 0.01,
		[]float64{-1.912690341488604, 0.7922572622266809, -0.41477871545959955, 0.7374637400010543, 0.0, 0.04467756585427881, -1.1134395862684827, 1.2946245385498318, -0.9494249043178902, 0.0, 1.868012775634325, 0.321182324041802, -0.8798458230902323, 0.21196116431683573, 0.0},
		[]float64{-0.21463314176520193, -0.42621245901860266, 0.6408456007838061},
		192, 98, 30}, // max|grad| 8.7e-11
	{3, 4, 300, 100, 4, 5, 0.0001,
		[]float64{-4.410275539215344, 2.6321539493999073, 0.04042500858637546, 6.706724868941058, 0.0, 1.6503057571477826, -6.802909881881912, 2.9712899843000433, -3.978695515008706, 0.0, 4.5693591819269725, -0.44952128750376813, -3.1746375487676075, 2.937652080432777, 0.0, -1.809389399859424, 4.620277219985795, 0.16292255588118454, -5.665681434365134, 0.0},
		[]float64{-0.35258703339791025, -0.5127070185506301, 0.4029838343092235, 0.46231021763933683},
		291, 96, 47}, // max|grad| 8.4e-11
}

// TestSklearnProbe fits the single strength of each case to a tight tolerance and
// compares the model with scikit-learn's: coefficients and intercepts (float32
// logits limit the agreement to ~1e-6 relative; 1e-5 is asserted), the numbers of
// correct predictions, and the objective, which at our solution must not exceed its
// value at scikit-learn's (both computed in float64 by refObjective).
func TestSklearnProbe(t *testing.T) {
	for _, tc := range sklearnProbes {
		train := lcgSet(tc.trainSeed, tc.n, tc.c, tc.d)
		test := lcgSet(tc.testSeed, tc.m, tc.c, tc.d)
		res, err := LinearProbe(train, test, ProbeOptions{L2: []float64{tc.lambda}, GradTol: 1e-8})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Final.Converged || res.NVal != 0 || len(res.Grid) != 0 || res.L2 != tc.lambda {
			t.Errorf("λ = %g: %+v, NVal %d, %d grid fits", tc.lambda, res.Final, res.NVal, len(res.Grid))
		}
		if res.Mean[tc.d-1] != 3 || res.Std[tc.d-1] != 1 {
			t.Errorf("λ = %g: constant feature standardised by mean %g, std %g; want 3, 1", tc.lambda, res.Mean[tc.d-1], res.Std[tc.d-1])
		}
		for i, v := range tc.coef {
			if math.Abs(res.Coef[i]-v) > 1e-5*max(1, math.Abs(v)) {
				t.Errorf("λ = %g: coef[%d] = %.9g, scikit-learn %.9g", tc.lambda, i, res.Coef[i], v)
			}
		}
		for i, v := range tc.intercept {
			if math.Abs(res.Intercept[i]-v) > 1e-5*max(1, math.Abs(v)) {
				t.Errorf("λ = %g: intercept[%d] = %.9g, scikit-learn %.9g", tc.lambda, i, res.Intercept[i], v)
			}
		}
		if got := res.TrainAccuracy * float64(tc.n); math.Abs(got-float64(tc.trainOK)) > 1e-9 {
			t.Errorf("λ = %g: %g train rows right, scikit-learn %d", tc.lambda, got, tc.trainOK)
		}
		if got := res.TestAccuracy * float64(tc.m); math.Abs(got-float64(tc.testOK)) > 1e-9 {
			t.Errorf("λ = %g: %g test rows right, scikit-learn %d", tc.lambda, got, tc.testOK)
		}

		z := make([]float32, len(train.X))
		standardise(z, train.X, tc.d, nil, res.Mean, res.Std)
		ours, _ := refObjective(z, train.Y, tc.n, tc.d, tc.c, tc.lambda, append(slices.Clone(res.Coef), res.Intercept...))
		theirs, _ := refObjective(z, train.Y, tc.n, tc.d, tc.c, tc.lambda, append(slices.Clone(tc.coef), tc.intercept...))
		if ours > theirs+1e-12 {
			t.Errorf("λ = %g: objective %.15g at our solution, %.15g at scikit-learn's", tc.lambda, ours, theirs)
		}
	}
}
