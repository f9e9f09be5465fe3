package eval

import (
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// refObjective is the probe's objective written naively in float64 from its
// definition: (1/N) Σᵢ [log Σ_c exp(zᵢc) − zᵢ,yᵢ] + (λ/2)‖W‖², zᵢ = W xᵢ + b, params =
// W (C×D row-major) then b. It returns f and the gradient.
func refObjective(x []float32, y []int, n, d, c int, lambda float64, params []float64) (float64, []float64) {
	w, b := params[:c*d], params[c*d:]
	grad := make([]float64, len(params))
	var f float64
	z := make([]float64, c)
	for i := range n {
		zmax := math.Inf(-1)
		for k := range c {
			z[k] = b[k]
			for j := range d {
				z[k] += w[k*d+j] * float64(x[i*d+j])
			}
			zmax = max(zmax, z[k])
		}
		var sum float64
		for k := range c {
			sum += math.Exp(z[k] - zmax)
		}
		f += math.Log(sum) + zmax - z[y[i]]
		for k := range c {
			r := math.Exp(z[k]-zmax) / sum
			if k == y[i] {
				r--
			}
			for j := range d {
				grad[k*d+j] += r * float64(x[i*d+j]) / float64(n)
			}
			grad[c*d+k] += r / float64(n)
		}
	}
	f /= float64(n)
	for k, v := range w {
		f += 0.5 * lambda * v * v
		grad[k] += lambda * v
	}
	return f, grad
}

// TestObjective compares the chunked float32-gemm objective with refObjective, on
// more rows than one group (4096) so that chunk and group boundaries are crossed, with
// chunks of 512 and of 256 rows, and checks refObjective's gradient by central
// differences.
func TestObjective(t *testing.T) {
	const lambda = 0.01
	for _, tc := range []struct{ n, d, c, chunk int }{{5000, 7, 5, 512}, {4500, 200, 20, 256}} {
		n, d, c := tc.n, tc.d, tc.c
		s := mixture(n, d, c, 0.5, 1, "eval/test/objective")
		r := rng.New(1, "eval/test/params")
		params := make([]float64, c*d+c)
		for i := range params {
			params[i] = 0.5 * r.NormFloat64() / math.Sqrt(float64(d))
		}
		ob := newObjective(s.X, s.Y, n, d, c, 3)
		if ob.chunk != tc.chunk {
			t.Errorf("C = %d, D = %d: chunks of %d rows, want %d", c, d, ob.chunk, tc.chunk)
		}
		ob.lambda = lambda
		grad := make([]float64, len(params))
		f := ob.eval(params, grad)
		fRef, gRef := refObjective(s.X, s.Y, n, d, c, lambda, params)
		// float32 logits and residuals: errors of a few 1e-7 relative.
		if math.Abs(f-fRef) > 1e-6*fRef {
			t.Errorf("D = %d: f = %.12g, reference %.12g", d, f, fRef)
		}
		for i := range grad {
			if math.Abs(grad[i]-gRef[i]) > 1e-6 {
				t.Errorf("D = %d: grad[%d] = %.9g, reference %.9g", d, i, grad[i], gRef[i])
			}
		}
	}

	// Central differences of the float64 reference (step 1e-5: truncation error
	// ~1e-10·f''', rounding ~1e-16/1e-5).
	small := mixture(50, 3, 4, 0.5, 2, "eval/test/objective")
	p := make([]float64, 4*3+4)
	r := rng.New(2, "eval/test/params")
	for i := range p {
		p[i] = r.NormFloat64()
	}
	_, g := refObjective(small.X, small.Y, 50, 3, 4, lambda, p)
	for i := range p {
		const h = 1e-5
		q := slices.Clone(p)
		q[i] += h
		fp, _ := refObjective(small.X, small.Y, 50, 3, 4, lambda, q)
		q[i] -= 2 * h
		fm, _ := refObjective(small.X, small.Y, 50, 3, 4, lambda, q)
		if fd := (fp - fm) / (2 * h); math.Abs(fd-g[i]) > 1e-8 {
			t.Errorf("reference grad[%d] = %.10g, central difference %.10g", i, g[i], fd)
		}
	}
}

func TestMinimize(t *testing.T) {
	// A separable quadratic with curvatures 1 … 1000: minimum at c.
	cs := []float64{1, -2, 3, 0.5, -7}
	as := []float64{1, 10, 100, 1000, 3}
	quad := func(x, g []float64) float64 {
		var f float64
		for i := range x {
			e := x[i] - cs[i]
			f += 0.5 * as[i] * e * e
			g[i] = as[i] * e
		}
		return f
	}
	// Rosenbrock's function, minimum 0 at (1, 1), from the classic start (−1.2, 1).
	rosen := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	for _, tc := range []struct {
		name string
		fg   func(x, g []float64) float64
		x0   []float64
		want []float64
		tol  float64
	}{
		{"quadratic", quad, make([]float64, 5), cs, 1e-9},
		{"rosenbrock", rosen, []float64{-1.2, 1}, []float64{1, 1}, 1e-6},
	} {
		x := slices.Clone(tc.x0)
		r := minimize(tc.fg, x, 1000, 1e-10)
		if !r.converged || r.stop != StopGradient {
			t.Errorf("%s: %+v, want convergence", tc.name, r)
		}
		for i, v := range tc.want {
			if math.Abs(x[i]-v) > tc.tol {
				t.Errorf("%s: x[%d] = %.12g, want %g", tc.name, i, x[i], v)
			}
		}
		// Iteration cap.
		x = slices.Clone(tc.x0)
		if r := minimize(tc.fg, x, 3, 1e-10); r.iters != 3 || r.converged || r.stop != StopIterations {
			t.Errorf("%s with MaxIter 3: %+v", tc.name, r)
		}
	}
}

// TestExpNeg checks expNeg against math.Exp on a grid of [−700, 0] (the bound was
// measured: 6 ulps on 10⁷ points) and the flush to 0 below −700.
func TestExpNeg(t *testing.T) {
	for i := 0; i <= 1_000_000; i++ {
		x := -float64(i) * 7e-4
		if i%3 == 1 {
			x += 1e-9 * float64(i%7) // off-grid points too
		}
		want, got := math.Exp(x), expNeg(x)
		if math.Abs(got-want) > 8*0x1p-53*want {
			t.Fatalf("expNeg(%g) = %.17g, math.Exp %.17g", x, got, want)
		}
	}
	for _, x := range []float64{-700.5, -1e4, math.Inf(-1), math.NaN()} {
		if got := expNeg(x); got != 0 {
			t.Errorf("expNeg(%g) = %g, want 0", x, got)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		n       int
		frac    float64
		wantVal int
	}{{1000, 0.1, 100}, {10, 0.1, 1}, {2, 0.1, 1}, {2, 0.9, 1}, {7, 0.5, 4}} {
		sub, val := split(tc.n, tc.frac, 5)
		if len(val) != tc.wantVal || len(sub)+len(val) != tc.n {
			t.Errorf("split(%d, %g): %d + %d rows, want %d held out", tc.n, tc.frac, len(sub), len(val), tc.wantVal)
		}
		all := append(slices.Clone(sub), val...)
		slices.Sort(all)
		for i, v := range all {
			if v != i {
				t.Fatalf("split(%d, %g): rows %v + %v are not a partition", tc.n, tc.frac, sub, val)
			}
		}
		if !slices.IsSorted(sub) || !slices.IsSorted(val) {
			t.Errorf("split(%d, %g): unsorted", tc.n, tc.frac)
		}
	}
	_, a := split(1000, 0.1, 1)
	_, b := split(1000, 0.1, 1)
	_, c := split(1000, 0.1, 2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Error("split is not a function of the seed")
	}
}

func TestChooseFit(t *testing.T) {
	for i, tc := range []struct {
		l2, acc []float64
		want    int
	}{
		{[]float64{1e-5, 1e-4, 1e-3}, []float64{0.5, 0.7, 0.6}, 1},
		{[]float64{1e-5, 1e-4, 1e-3}, []float64{0.7, 0.7, 0.6}, 1}, // tie → larger λ
		{[]float64{1e-2, 1e-4, 1e-3}, []float64{0.7, 0.7, 0.7}, 0}, // grid order does not matter
		{[]float64{1e-3, 1e-3}, []float64{0.7, 0.7}, 0},            // same λ: the first
	} {
		fits := make([]GridFit, len(tc.l2))
		for j := range fits {
			fits[j] = GridFit{ProbeFit{L2: tc.l2[j]}, tc.acc[j]}
		}
		if got := chooseFit(fits); got != tc.want {
			t.Errorf("case %d: chose %d, want %d", i, got, tc.want)
		}
	}
}

// TestProbeSelection runs the whole protocol with one absurdly strong λ in the grid
// (W ≈ 0: the bias, that is the majority class, decides) and checks the bookkeeping.
func TestProbeSelection(t *testing.T) {
	train := mixture(2000, 10, 4, 1, 3, "eval/test/train")
	test := mixture(500, 10, 4, 1, 3, "eval/test/test")
	grid := []float64{1e-4, 1e4, 1e-2}
	res, err := LinearProbe(train, test, ProbeOptions{L2: grid, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Classes != 4 || res.NVal != 200 || len(res.Grid) != 3 {
		t.Fatalf("Classes %d, NVal %d, %d grid fits", res.Classes, res.NVal, len(res.Grid))
	}
	for i, f := range res.Grid {
		if f.L2 != grid[i] || !f.Converged || f.Stop != StopGradient {
			t.Errorf("grid fit %d: %+v", i, f)
		}
	}
	if res.Grid[1].ValAccuracy > 0.4 || res.Grid[0].ValAccuracy < 0.8 {
		t.Errorf("held-out accuracies %v %v %v: the mixture should be easy, λ = 1e4 useless",
			res.Grid[0].ValAccuracy, res.Grid[1].ValAccuracy, res.Grid[2].ValAccuracy)
	}
	if best := res.Grid[chooseFit(res.Grid)]; res.L2 != best.L2 || res.L2 == 1e4 {
		t.Errorf("chose λ = %g, best held-out fit %+v", res.L2, best)
	}
	if res.Final.L2 != res.L2 || !res.Final.Converged {
		t.Errorf("final fit %+v", res.Final)
	}
	if res.TestAccuracy < 0.8 || res.TrainAccuracy < 0.8 {
		t.Errorf("train %.3f, test %.3f", res.TrainAccuracy, res.TestAccuracy)
	}
	if len(res.Coef) != 4*10 || len(res.Intercept) != 4 || len(res.Mean) != 10 || len(res.Std) != 10 {
		t.Errorf("model sizes %d %d %d %d", len(res.Coef), len(res.Intercept), len(res.Mean), len(res.Std))
	}
	if _, err := json.Marshal(res); err != nil { // results go into JSON run records
		t.Error(err)
	}
}

// TestProbeTestLabelsUnused permutes the test labels: everything but the test
// accuracy must stay bit for bit the same.
func TestProbeTestLabelsUnused(t *testing.T) {
	train := mixture(1500, 8, 3, 0.3, 4, "eval/test/train")
	test := mixture(400, 8, 3, 0.3, 4, "eval/test/test")
	a, err := LinearProbe(train, test, ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shuffled := test
	shuffled.Y = slices.Clone(test.Y)
	rng.New(1, "eval/test/shuffle").Shuffle(len(shuffled.Y), func(i, j int) {
		shuffled.Y[i], shuffled.Y[j] = shuffled.Y[j], shuffled.Y[i]
	})
	b, err := LinearProbe(train, shuffled, ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.L2 != b.L2 || !slices.Equal(a.Coef, b.Coef) || !slices.Equal(a.Intercept, b.Intercept) ||
		!slices.Equal(a.Grid, b.Grid) || a.TrainAccuracy != b.TrainAccuracy {
		t.Error("the fit depends on the test labels")
	}
	if a.TestAccuracy == b.TestAccuracy {
		t.Error("test accuracy unchanged by shuffled labels")
	}
}

// TestProbeDeterminism: bit-identical results for any Workers and GOMAXPROCS, on
// enough rows for several row groups.
func TestProbeDeterminism(t *testing.T) {
	train := mixture(9000, 16, 5, 0.3, 5, "eval/test/train")
	test := mixture(1000, 16, 5, 0.3, 5, "eval/test/test")
	opt := ProbeOptions{L2: []float64{1e-4, 1e-2}, MaxIter: 60}
	ref, err := LinearProbe(train, test, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 3} {
		opt.Workers = w
		got, err := LinearProbe(train, test, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Coef, ref.Coef) || !slices.Equal(got.Grid, ref.Grid) || got.TestAccuracy != ref.TestAccuracy {
			t.Errorf("Workers = %d changes the result", w)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	opt.Workers = 0
	got, err := LinearProbe(train, test, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Coef, ref.Coef) || got.Final != ref.Final {
		t.Error("GOMAXPROCS = 1 changes the result")
	}
}

// TestProbeDegenerate: a class absent from train (its bias sinks until the gradient
// tolerance is met) and a single class (zero loss from the start).
func TestProbeDegenerate(t *testing.T) {
	train := mixture(600, 4, 3, 1, 6, "eval/test/train")
	for i, y := range train.Y {
		if y == 1 {
			train.Y[i] = 2
		}
	}
	res, err := LinearProbe(train, train, ProbeOptions{L2: []float64{1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Classes != 3 || !res.Final.Converged || res.Intercept[1] > -5 {
		t.Errorf("absent class: classes %d, %+v, intercepts %v", res.Classes, res.Final, res.Intercept)
	}
	one := Set{X: []float32{1, 2, 3, 4}, N: 2, D: 2, Y: []int{0, 0}}
	res, err = LinearProbe(one, one, ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.TestAccuracy != 1 || !res.Final.Converged || res.Final.Iterations != 0 {
		t.Errorf("one class: %+v", res)
	}
}

func TestProbeErrors(t *testing.T) {
	good := func() Set { return Set{X: []float32{0, 1, 2, 3, 4, 5}, N: 3, D: 2, Y: []int{0, 1, 0}} }
	nan := good()
	nan.X[5] = float32(math.NaN())
	inf := good()
	inf.X[2] = float32(math.Inf(-1))
	neg := good()
	neg.Y[1] = -1
	big := good()
	big.Y[2] = 2 // class 2 is not in train
	for _, tc := range []struct {
		name        string
		train, test Set
		opt         ProbeOptions
		want        error
		msg         string
	}{
		{"empty train", Set{D: 2}, good(), ProbeOptions{}, ErrEmpty, "N = 0"},
		{"zero D", Set{N: 2, Y: []int{0, 0}}, good(), ProbeOptions{}, ErrEmpty, "D = 0"},
		{"short X", Set{X: make([]float32, 5), N: 3, D: 2, Y: []int{0, 1, 0}}, good(), ProbeOptions{}, ErrShape, "len(X) = 5"},
		{"short Y", Set{X: make([]float32, 6), N: 3, D: 2, Y: []int{0, 1}}, good(), ProbeOptions{}, ErrShape, "len(Y) = 2"},
		{"D mismatch", good(), Set{X: make([]float32, 3), N: 1, D: 3, Y: []int{0}}, ProbeOptions{}, ErrShape, "D = 3"},
		{"NaN train", nan, good(), ProbeOptions{}, ErrNonFinite, "train set: row 2, column 1: feature is NaN"},
		{"Inf test", good(), inf, ProbeOptions{}, ErrNonFinite, "test set: row 1, column 0: feature is -Inf"},
		{"negative label", neg, good(), ProbeOptions{}, ErrLabel, "row 1: label -1"},
		{"test label", good(), big, ProbeOptions{}, ErrLabel, "row 2: label 2"},
		{"L2 empty", good(), good(), ProbeOptions{L2: []float64{}}, ErrOption, "empty grid"},
		{"L2 zero", good(), good(), ProbeOptions{L2: []float64{1e-3, 0}}, ErrOption, "L2[1] = 0"},
		{"L2 NaN", good(), good(), ProbeOptions{L2: []float64{math.NaN()}}, ErrOption, "L2[0] = NaN"},
		{"ValFraction", good(), good(), ProbeOptions{ValFraction: 1}, ErrOption, "ValFraction = 1"},
		{"MaxIter", good(), good(), ProbeOptions{MaxIter: -1}, ErrOption, "MaxIter = -1"},
		{"GradTol", good(), good(), ProbeOptions{GradTol: -1}, ErrOption, "GradTol = -1"},
		{"Workers", good(), good(), ProbeOptions{Workers: -2}, ErrOption, "Workers = -2"},
		{"one row, grid", Set{X: []float32{1}, N: 1, D: 1, Y: []int{0}}, Set{X: []float32{1}, N: 1, D: 1, Y: []int{0}}, ProbeOptions{}, ErrEmpty, "1 training row"},
	} {
		res, err := LinearProbe(tc.train, tc.test, tc.opt)
		if !errors.Is(err, tc.want) || res != nil {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.msg)
		}
	}
}
