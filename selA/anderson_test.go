package sela

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/npy"
)

// agreeWithRef checks the promise of an acceleration against the official scheme
// on one input: at least 99.5 % of the hard labels agree and the objective agrees
// to 1e-4 relative, with no more iterations than the plain scheme.
func agreeWithRef(t *testing.T, name string, L []float32, n, k int, lam float64, accel Acceleration) (ref, acc *Result) {
	t.Helper()
	name = fmt.Sprintf("%s/%v", name, accel)
	ref = mustSolve(t, L, n, k, Options{Variant: SinkhornRef, Lambda: lam})
	acc = mustSolve(t, L, n, k, Options{Lambda: lam, Accel: accel})
	if !acc.Converged || acc.Accel != accel || acc.AccelFallback {
		t.Errorf("%s: converged %v, acceleration %v, fallback %v (%s)", name, acc.Converged, acc.Accel, acc.AccelFallback, acc.Reason)
	}
	same := 0
	for i, y := range ref.Labels {
		if acc.Labels[i] == y {
			same++
		}
	}
	if agree := float64(same) / float64(n); agree < 0.995 {
		t.Errorf("%s: %.4f of the labels agree with sinkhorn-ref, want ≥ 0.995", name, agree)
	}
	if rel := math.Abs(acc.Objective-ref.Objective) / math.Abs(ref.Objective); rel > 1e-4 {
		t.Errorf("%s: objective %v, sinkhorn-ref %v (relative %.2g, want ≤ 1e-4)", name, acc.Objective, ref.Objective, rel)
	}
	if acc.Iterations > ref.Iterations {
		t.Errorf("%s: %d iterations, the plain scheme %d", name, acc.Iterations, ref.Iterations)
	}
	if acc.StopErr > DefaultTol {
		t.Errorf("%s: stopped at official error %v > %v", name, acc.StopErr, DefaultTol)
	}
	return ref, acc
}

// TestAccelSynthetic: the accelerated Sinkhorn gives the official scheme's labels
// and objective on every synthetic input kind and several λ: Anderson (the
// default) at K = 20 and 10, and Newton at K = 10 and 3.
func TestAccelSynthetic(t *testing.T) {
	const n = 4000
	for _, c := range []struct {
		k     int
		accel Acceleration
	}{{20, Anderson}, {10, Anderson}, {10, Newton}, {3, Newton}} {
		for _, kind := range logits.Kinds {
			L := logProbs(t, n, c.k, kind, 4, 11)
			for _, lam := range []float64{10, 25, 50} {
				name := fmt.Sprintf("K=%d/%v/λ=%v", c.k, kind, lam)
				ref, acc := agreeWithRef(t, name, L, n, c.k, lam, c.accel)
				t.Logf("%s/%v: %d iterations (%d accelerated, %d rejected), sinkhorn-ref %d", name, c.accel, acc.Iterations, acc.AccelSteps, acc.AccelRestarts, ref.Iterations)
			}
		}
	}
}

// TestAndersonRealInputs runs the same comparison on log-probabilities of a real
// network: three heads of the default SeLa run on MNIST at epochs 2, 7 and 14
// (10 000 rows each; testdata/subset.py says how they were made). These are the
// hard cases, a confident network on which the plain scheme needs thousands of
// iterations.
func TestAndersonRealInputs(t *testing.T) {
	files, err := filepath.Glob("testdata/mnist-*.npy")
	if err != nil || len(files) != 3 {
		t.Fatalf("testdata: %v, %d files", err, len(files))
	}
	for _, path := range files {
		L, n, k := readMatrix(t, path)
		for _, accel := range []Acceleration{Anderson, Newton} {
			ref, acc := agreeWithRef(t, path, L, n, k, DefaultLambda, accel)
			if 10*acc.Iterations > ref.Iterations {
				t.Errorf("%s/%v: %d iterations against the plain scheme's %d: the acceleration saves less than 10×", path, accel, acc.Iterations, ref.Iterations)
			}
			t.Logf("%s/%v: %d iterations (%d accelerated, %d rejected), sinkhorn-ref %d", path, accel, acc.Iterations, acc.AccelSteps, acc.AccelRestarts, ref.Iterations)
		}
	}
}

// TestAndersonChecksFollowPlainSteps: the scalings of every checked iteration are
// the plain update of the iteration before, bit for bit, so the official rule is
// evaluated on one plain Sinkhorn step.
func TestAndersonChecksFollowPlainSteps(t *testing.T) {
	const k = 5
	r := []float64{0.1, 0.2, 0.3, 0.25, 0.15}
	for _, phi := range []float64{1, 0.7} {
		ac := newAccel(k, phi, false)
		a := []float64{1, 1, 1, 1, 1}
		for it := 1; it <= 30; it++ {
			// Column sums of a made-up contraction, as a pass would return.
			s := make([]float64, k)
			for y := range s {
				s[y] = math.Pow(a[y], 0.8) * (1 + 0.1*float64(y)) / float64(k)
			}
			plain := it%3 == 0
			if bad := ac.update(a, r, s, plain, nil); bad >= 0 {
				t.Fatalf("φ=%v: cluster %d reported bad", phi, bad)
			}
			if plain {
				for y := range a {
					if want := nextA(r[y], s[y], phi); a[y] != want {
						t.Fatalf("φ=%v iteration %d: a[%d] = %v, the plain update %v", phi, it, y, a[y], want)
					}
				}
			}
		}
		if ac.steps == 0 {
			t.Errorf("φ=%v: no step was extrapolated", phi)
		}
	}
}

// TestAndersonFallback: when the safeguard keeps rejecting extrapolations, the
// solve falls back to the plain iteration, converges all the same, and says so.
func TestAndersonFallback(t *testing.T) {
	const n, k = 3000, 20
	L := logProbs(t, n, k, logits.Network, 4, 2)
	defer func(v int) { maxRestarts = v }(maxRestarts)
	maxRestarts = 0 // the first rejection turns the accelerator off
	res := mustSolve(t, L, n, k, Options{Lambda: 50})
	if !res.AccelFallback || !res.Converged || res.AccelRestarts != 1 {
		t.Fatalf("fallback %v, converged %v, %d rejections (%s)", res.AccelFallback, res.Converged, res.AccelRestarts, res.Reason)
	}
	if want := "fell back to the plain iteration"; !strings.Contains(res.Reason, want) {
		t.Errorf("reason %q does not say %q", res.Reason, want)
	}
	plain := mustSolve(t, L, n, k, Options{Lambda: 50, Accel: Plain})
	if res.Iterations > plain.Iterations {
		t.Errorf("%d iterations after the fallback, plain %d", res.Iterations, plain.Iterations)
	}
}

// readMatrix reads an N×K float32 .npy matrix.
func readMatrix(tb testing.TB, path string) (L []float32, n, k int) {
	tb.Helper()
	a, err := npy.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	L, ok := a.Data.([]float32)
	if !ok || len(a.Shape) != 2 {
		tb.Fatalf("%s: %s %v, want a float32 matrix", path, a.DType, a.Shape)
	}
	return L, a.Shape[0], a.Shape[1]
}
