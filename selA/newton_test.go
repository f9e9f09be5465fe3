package sela

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/logits"
)

// TestGramRowsMatchesGo: the machine's Gram routine (assembly on amd64 with
// AVX-512) gives gramRowsGo's bits in the upper triangle for every row length it
// takes, and both are the sum of the rows' products Σ_i p_iy p_iz.
func TestGramRowsMatchesGo(t *testing.T) {
	for k := 1; k <= gramStride; k++ {
		for _, rows := range []int{1, 2, 5, 37} {
			g, a := kernelCase(rows, k, uint64(300*k+rows))
			a = paddedA(a, k)
			b := make([]float64, rows)
			for i := range b {
				b[i] = 1 / (a[i%k] * float64(i+3))
			}
			got, want := make([]float64, gramStride*gramStride), make([]float64, gramStride*gramStride)
			for i := range got {
				got[i], want[i] = -7, -7 // stale values: the sums start at zero
			}
			gramRows(g, k, a, b, 11, got)
			gramRowsGo(g, k, a, b, 11, want)
			sum := make([]float64, k*k)
			for i, bi := range b {
				p := make([]float64, k)
				for z, e := range g[i*k : (i+1)*k] {
					p[z] = float64(e) * a[z] * bi * 11
				}
				for y := range k {
					for z := range k {
						sum[y*k+z] += p[y] * p[z]
					}
				}
			}
			for y := range k {
				for z := y; z < k; z++ {
					e := y*gramStride + z
					if math.Float64bits(got[e]) != math.Float64bits(want[e]) {
						t.Fatalf("k=%d rows=%d: w[%d][%d] = %v, gramRowsGo %v", k, rows, y, z, got[e], want[e])
					}
					if d := math.Abs(want[e] - sum[y*k+z]); d > 1e-12*math.Abs(sum[y*k+z]) {
						t.Fatalf("k=%d rows=%d: w[%d][%d] = %v, the sum of products %v", k, rows, y, z, want[e], sum[y*k+z])
					}
				}
			}
		}
	}
}

// TestNewtonRelaxedAndPrior: Newton steps serve relaxed marginals (Tau) and
// unequal masses as well: the labels and objective of the plain iteration run to
// a tight tolerance (at the default one, plain Sinkhorn stops farther from the
// fixed point than Newton does), in fewer iterations than plain needs at the
// default tolerance.
func TestNewtonRelaxedAndPrior(t *testing.T) {
	const n, k = 4000, 10
	L := logProbs(t, n, k, logits.Network, 4, 5)
	masses := make([]float64, k)
	for y := range masses {
		masses[y] = float64(y+1) / float64(k*(k+1)/2)
	}
	for _, name := range []string{"tau", "masses"} {
		opt := map[string]Options{
			"tau":    {Lambda: 25, Tau: 0.5},
			"masses": {Lambda: 25, Masses: masses},
		}[name]
		opt.Accel = Newton
		newton := mustSolve(t, L, n, k, opt)
		opt.Accel = Plain
		plainDefault := mustSolve(t, L, n, k, opt)
		opt.Tol, opt.MaxIter = 1e-6, 100000
		plain := mustSolve(t, L, n, k, opt)
		if newton.Accel != Newton || !newton.Converged || newton.AccelSteps == 0 {
			t.Fatalf("%s: acceleration %v, converged %v, %d steps (%s)", name, newton.Accel, newton.Converged, newton.AccelSteps, newton.Reason)
		}
		same := 0
		for i, y := range plain.Labels {
			if newton.Labels[i] == y {
				same++
			}
		}
		if agree := float64(same) / n; agree < 0.995 {
			t.Errorf("%s: %.4f of the labels agree with the plain iteration", name, agree)
		}
		if rel := math.Abs(newton.Objective-plain.Objective) / math.Abs(plain.Objective); rel > 1e-4 {
			t.Errorf("%s: objective %v, plain %v", name, newton.Objective, plain.Objective)
		}
		if newton.Iterations >= plainDefault.Iterations {
			t.Errorf("%s: %d iterations, plain %d", name, newton.Iterations, plainDefault.Iterations)
		}
		t.Logf("%s: %d iterations (%d Newton steps), plain %d (%d to tolerance 1e-6)", name, newton.Iterations, newton.AccelSteps, plainDefault.Iterations, plain.Iterations)
	}
}

// TestNewtonNeedsSmallK: Newton is refused above K = 16.
func TestNewtonNeedsSmallK(t *testing.T) {
	const n, k = 400, 17
	L := logProbs(t, n, k, logits.Gaussian, 2, 1)
	if _, err := Solve(L, n, k, Options{Accel: Newton}); err == nil || !strings.Contains(err.Error(), "K ≤ 16") {
		t.Fatalf("newton at K = 17: error %v", err)
	}
}

// TestAccelBreakdownRunsPlain: a float32-degenerate input (5 000 rows of a head
// whose scalings the float64 range cannot hold; testdata/subset.py says where it
// comes from) on which Newton's steps reach a point whose kernel column carries no
// mass, where the plain scheme runs to its cap without a breakdown. The solve
// starts again as the plain iteration and says so, and its labels and objective are
// then the plain scheme's, bit for bit.
func TestAccelBreakdownRunsPlain(t *testing.T) {
	const path = "testdata/degenerate-013-epoch13-head1.npy"
	L, n, k := readMatrix(t, path)
	plain := mustSolve(t, L, n, k, Options{Accel: Plain})
	res := mustSolve(t, L, n, k, Options{Accel: Newton})
	if want := "newton broke down at iteration"; !strings.Contains(res.Reason, want) {
		t.Fatalf("reason %q does not say %q", res.Reason, want)
	}
	if !res.AccelFallback || res.Converged != plain.Converged || res.Iterations <= plain.Iterations {
		t.Errorf("fallback %v, converged %v (plain %v), %d iterations (plain %d)", res.AccelFallback, res.Converged, plain.Converged, res.Iterations, plain.Iterations)
	}
	if res.Objective != plain.Objective || !slices.Equal(res.Labels, plain.Labels) {
		t.Errorf("objective %v, plain %v; labels equal: %v", res.Objective, plain.Objective, slices.Equal(res.Labels, plain.Labels))
	}
	t.Logf("%s: %s", path, res.Reason)
}
