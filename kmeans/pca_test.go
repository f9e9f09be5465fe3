package kmeans

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// pcaTrain is an 8×4 integer training set made up by hand; pcaTest one test row.
var (
	pcaTrain = []float32{
		2, 0, 1, 3,
		1, 1, 0, 2,
		4, 2, 1, 0,
		0, 3, 2, 1,
		3, 1, 4, 2,
		1, 0, 2, 5,
		2, 4, 0, 1,
		5, 2, 3, 3,
	}
	pcaTest = []float32{1, 2, 3, 4}
)

// TestPCAMatchesNumPy checks eigenvalues, components and the transform of a test row
// against NumPy 1.24 (/usr/bin/python3):
//
//	C = np.cov(X, rowvar=False, bias=True); w, V = np.linalg.eigh(C)
//	o = np.argsort(-w); w, V = w[o], V[:, o]
//	flip each column of V so that its largest-magnitude entry is positive
//	plain = (t - X.mean(0)) @ V[:, :2];  white = plain / np.sqrt(w[:2])
//
// faiss.PCAMatrix(4, 2, -0.5) gives white/√8 (it whitens the scatter matrix, N = 8),
// up to the sign of each component — checked by hand with faiss 1.7.3.
func TestPCAMatchesNumPy(t *testing.T) {
	wantEig := []float64{3.5147897245845567, 2.8675506867190657, 1.078096035801897, 0.5551885528944819}
	wantComp := []float64{
		-0.00529844871349931, -0.6083860809304521, 0.3501092130786988, 0.7122231685986709,
		0.8743170931142367, 0.08500162101838576, 0.4554028359357685, -0.14475013690555674,
	}
	for _, test := range []struct {
		whiten bool
		want   []float64
	}{
		{false, []float64{1.5952968896486732, -0.7062483657971382}},
		{true, []float64{0.8509260993501606, -0.41706323186542943}},
	} {
		p, err := FitPCA(pcaTrain, 8, 4, 2, PCAOptions{Whiten: test.whiten})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range wantEig {
			if math.Abs(p.Eigenvalues[i]-w) > 1e-12 {
				t.Errorf("eigenvalue %d = %v, NumPy %v", i, p.Eigenvalues[i], w)
			}
		}
		for i, w := range wantComp {
			if math.Abs(p.Components[i]-w) > 1e-12 {
				t.Errorf("component value %d = %v, NumPy %v", i, p.Components[i], w)
			}
		}
		y, err := p.Apply(pcaTest, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range test.want {
			// float32 centring and product: ~1e-7 relative.
			if math.Abs(float64(y[i])-w) > 1e-6 {
				t.Errorf("whiten=%v: output %d = %v, NumPy %v", test.whiten, i, y[i], w)
			}
		}
	}
}

// correlated returns n rows of dimension d mixing d independent N(0,1) draws through
// a fixed triangular matrix (so columns are correlated with unequal variances), plus
// an offset, as float32.
func correlated(n, d int, seed uint64) []float32 {
	r := rng.New(seed, "test/correlated")
	x := make([]float32, n*d)
	z := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := range z {
			z[j] = r.NormFloat64()
		}
		for j := 0; j < d; j++ {
			s := 5.0 + float64(j)
			for l := 0; l <= j; l++ {
				s += z[l] * float64(l+1) / float64(j+1)
			}
			x[i*d+j] = float32(s)
		}
	}
	return x
}

func TestWhiteningGivesIdentityCovariance(t *testing.T) {
	const n, d, dims = 3000, 6, 4
	x := correlated(n, d, 1)
	p, err := FitPCA(x, n, d, dims, PCAOptions{Whiten: true})
	if err != nil {
		t.Fatal(err)
	}
	y, err := p.Apply(x, n)
	if err != nil {
		t.Fatal(err)
	}
	// The transformed training rows have mean 0 and covariance I (dims×dims).
	mean := make([]float64, dims)
	for i := 0; i < n; i++ {
		for j := 0; j < dims; j++ {
			mean[j] += float64(y[i*dims+j]) / n
		}
	}
	for a := 0; a < dims; a++ {
		if math.Abs(mean[a]) > 1e-5 {
			t.Errorf("mean of output %d = %v, want 0", a, mean[a])
		}
		for b := 0; b < dims; b++ {
			c := 0.0
			for i := 0; i < n; i++ {
				c += (float64(y[i*dims+a]) - mean[a]) * (float64(y[i*dims+b]) - mean[b])
			}
			c /= n
			want := 0.0
			if a == b {
				want = 1
			}
			if math.Abs(c-want) > 1e-4 {
				t.Errorf("covariance[%d][%d] = %v, want %v", a, b, c, want)
			}
		}
	}
	for i := 1; i < d; i++ {
		if p.Eigenvalues[i] > p.Eigenvalues[i-1] {
			t.Errorf("eigenvalues not descending: %v", p.Eigenvalues)
		}
	}
}

func TestPCADegenerateDirection(t *testing.T) {
	// Column 2 is constant: its direction has eigenvalue 0, which whitening outputs
	// as 0 (faiss would output Inf/NaN) and counts.
	const n, d = 50, 3
	x := correlated(n, d, 2)
	for i := 0; i < n; i++ {
		x[i*d+2] = 7
	}
	p, err := FitPCA(x, n, d, 3, PCAOptions{Whiten: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Degenerate != 1 || p.Eigenvalues[2] != 0 {
		t.Fatalf("degenerate = %d, eigenvalues %v; want 1 and a last eigenvalue of 0", p.Degenerate, p.Eigenvalues)
	}
	y, _ := p.Apply(x, n)
	for i := 0; i < n; i++ {
		if v := y[i*3+2]; v != 0 {
			t.Fatalf("row %d: degenerate output %v, want 0", i, v)
		}
	}
	// With Epsilon the direction is kept, scaled by ε^(−1/2).
	p, _ = FitPCA(x, n, d, 3, PCAOptions{Whiten: true, Epsilon: 1e-3})
	if p.Degenerate != 0 {
		t.Errorf("epsilon 1e-3: degenerate = %d, want 0", p.Degenerate)
	}
}

func TestPCAErrors(t *testing.T) {
	p, err := FitPCA(pcaTrain, 8, 4, 2, PCAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bad := []float32{1, 2, float32(math.Inf(1)), 4}
	for i, test := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := FitPCA(pcaTrain, 8, 4, 5, PCAOptions{}); return err }(), "PCA to 5 dimensions from 4"},
		{func() error { _, err := FitPCA(pcaTrain, 8, 4, 0, PCAOptions{}); return err }(), "want 1 ≤ dims ≤ 4"},
		{func() error { _, err := FitPCA(pcaTrain, 4, 8, 2, PCAOptions{Epsilon: -1}); return err }(), "epsilon"},
		{func() error { _, err := FitPCA(append(pcaTrain[:4:4], bad...), 2, 4, 2, PCAOptions{}); return err }(), "row 1, column 2 is +Inf"},
		{func() error { _, err := p.Apply(make([]float32, 6), 2); return err }(), "PCA fitted on 4 dimensions, applied to 6 values"},
		{func() error { _, err := p.Apply(bad, 1); return err }(), "row 0, column 2 is +Inf"},
		{func() error { _, err := (&PCA{}).Apply(bad, 1); return err }(), "unfitted"},
	} {
		if test.err == nil || !strings.Contains(test.err.Error(), test.want) {
			t.Errorf("case %d: err = %v, want it to mention %q", i, test.err, test.want)
		}
	}
}

func TestPCADeterministicAcrossGOMAXPROCS(t *testing.T) {
	const n, d = 2500, 20 // several covariance blocks
	x := correlated(n, d, 3)
	run := func(procs int) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		p, err := FitPCA(x, n, d, 5, PCAOptions{Whiten: true})
		if err != nil {
			t.Fatal(err)
		}
		y, _ := p.Apply(x, n)
		return y
	}
	a, b := run(1), run(4)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("output value %d differs: %v vs %v", i, a[i], b[i])
		}
	}
}

func ExampleFitPCA() {
	// Points on the line y = 2x (plus an offset): one direction carries all variance.
	x := []float32{0, 1, 1, 3, 2, 5, 3, 7}
	p, err := FitPCA(x, 4, 2, 1, PCAOptions{Whiten: true})
	if err != nil {
		panic(err)
	}
	y, _ := p.Apply(x, 4)
	fmt.Printf("eigenvalues %.3f, whitened %.3f\n", p.Eigenvalues, y)
	// Output: eigenvalues [6.250 0.000], whitened [-1.342 -0.447 0.447 1.342]
}
