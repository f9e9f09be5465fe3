package metrics

import (
	"fmt"
	"testing"

	"github.com/selabench/selabench/internal/rng"
)

// bruteMax returns the largest total weight of a matching of min(rows, cols) pairs
// of the row-major matrix w, by trying every injection of the smaller side.
func bruteMax(w []int64, rows, cols int) int64 {
	at := func(i, j int) int64 { return w[i*cols+j] }
	if rows > cols {
		rows, cols = cols, rows
		at = func(i, j int) int64 { return w[j*rows+i] }
	}
	used := make([]bool, cols)
	best := int64(-1 << 62)
	var rec func(i int, sum int64)
	rec = func(i int, sum int64) {
		if i == rows {
			best = max(best, sum)
			return
		}
		for j := range cols {
			if !used[j] {
				used[j] = true
				rec(i+1, sum+at(i, j))
				used[j] = false
			}
		}
	}
	rec(0, 0)
	return best
}

// checkAssign verifies that assign is a valid matching of w with the given total,
// and returns the number of matched rows.
func checkAssign(t *testing.T, name string, w []int64, rows, cols int, assign []int, total int64) int {
	t.Helper()
	if len(assign) != rows {
		t.Fatalf("%s: %d assignments for %d rows", name, len(assign), rows)
	}
	seen := make([]bool, cols)
	var sum int64
	matched := 0
	for i, j := range assign {
		if j < 0 {
			continue
		}
		if j >= cols || seen[j] {
			t.Fatalf("%s: row %d assigned column %d twice or out of range", name, i, j)
		}
		seen[j] = true
		sum += w[i*cols+j]
		matched++
	}
	if sum != total {
		t.Errorf("%s: assignment sums to %d, total says %d", name, sum, total)
	}
	return matched
}

// TestMatchingBruteForce compares MaxMatching (dense, any sign) and
// sparseMaxMatching (non-negative, sparse) with exhaustive search on every shape up
// to 6×6, square and rectangular, on small-integer tables with many zeros and ties.
func TestMatchingBruteForce(t *testing.T) {
	r := rng.New(7, "metrics/test/brute")
	for rows := 1; rows <= 6; rows++ {
		for cols := 1; cols <= 6; cols++ {
			for trial := range 30 {
				name := fmt.Sprintf("%dx%d trial %d", rows, cols, trial)
				w := make([]int64, rows*cols)
				neg := make([]int64, rows*cols)
				for k := range w {
					if r.IntN(3) > 0 { // about a third of the cells empty
						w[k] = int64(r.IntN(5))
					}
					neg[k] = int64(r.IntN(21) - 10)
				}
				want := bruteMax(w, rows, cols)
				assign, total, err := MaxMatching(w, rows, cols)
				if err != nil {
					t.Fatal(err)
				}
				if total != want {
					t.Errorf("%s: MaxMatching total %d, brute force %d (w = %v)", name, total, want, w)
				}
				if m := checkAssign(t, name, w, rows, cols, assign, total); m != min(rows, cols) {
					t.Errorf("%s: MaxMatching matched %d pairs, want %d", name, m, min(rows, cols))
				}

				// Negative weights: a full matching is still required.
				assign, total, err = MaxMatching(neg, rows, cols)
				if err != nil {
					t.Fatal(err)
				}
				if want := bruteMax(neg, rows, cols); total != want {
					t.Errorf("%s: MaxMatching with negative weights total %d, brute force %d (w = %v)", name, total, want, neg)
				}
				checkAssign(t, name+" negative", neg, rows, cols, assign, total)

				// The sparse solver takes the smaller side as rows, as Match does.
				sr, sc, sw := rows, cols, w
				if rows > cols {
					sr, sc = cols, rows
					sw = make([]int64, len(w))
					for i := range rows {
						for j := range cols {
							sw[j*rows+i] = w[i*cols+j]
						}
					}
				}
				start, col, cnt := sparseOf(sw, sr, sc)
				assign, total = sparseMaxMatching(start, col, cnt, sr, sc)
				if total != want {
					t.Errorf("%s: sparse total %d, brute force %d (w = %v)", name, total, want, w)
				}
				checkAssign(t, name+" sparse", sw, sr, sc, assign, total)
			}
		}
	}
}

// sparseOf returns the non-zero cells of a row-major matrix in the form taken by
// sparseMaxMatching.
func sparseOf(w []int64, rows, cols int) (start []int, col []int32, cnt []int64) {
	start = make([]int, rows+1)
	for i := range rows {
		for j := range cols {
			if v := w[i*cols+j]; v != 0 {
				col = append(col, int32(j))
				cnt = append(cnt, v)
			}
		}
		start[i+1] = len(col)
	}
	return start, col, cnt
}

// TestMatchingDenseVsSparse compares the two solvers on larger random contingency
// tables, from very sparse to full, where brute force is out of reach.
func TestMatchingDenseVsSparse(t *testing.T) {
	sizes := []struct {
		rows, cols, n int
	}{{20, 20, 50}, {20, 20, 400}, {30, 200, 300}, {50, 60, 5000}, {100, 100, 300}, {200, 300, 2000}}
	if testing.Short() {
		sizes = sizes[:4]
	}
	for _, sz := range sizes {
		for seed := range uint64(4) {
			r := rng.New(seed, "metrics/test/densesparse")
			w := make([]int64, sz.rows*sz.cols)
			for range sz.n {
				// Skewed cells, so that the optimum is contested.
				i, j := r.IntN(sz.rows), r.IntN(sz.cols)
				if r.IntN(2) == 0 {
					j = (i*7 + r.IntN(3)) % sz.cols
				}
				w[i*sz.cols+j]++
			}
			_, want, err := MaxMatching(w, sz.rows, sz.cols)
			if err != nil {
				t.Fatal(err)
			}
			start, col, cnt := sparseOf(w, sz.rows, sz.cols)
			assign, total := sparseMaxMatching(start, col, cnt, sz.rows, sz.cols)
			name := fmt.Sprintf("%dx%d n=%d seed %d", sz.rows, sz.cols, sz.n, seed)
			if total != want {
				t.Errorf("%s: sparse total %d, dense %d", name, total, want)
			}
			checkAssign(t, name, w, sz.rows, sz.cols, assign, total)
		}
	}
}

func TestMaxMatchingErrors(t *testing.T) {
	for _, test := range []struct {
		w          []int64
		rows, cols int
	}{
		{make([]int64, 5), 2, 3},
		{nil, -1, 0},
		{[]int64{1 << 62, 0}, 1, 2},
	} {
		if _, _, err := MaxMatching(test.w, test.rows, test.cols); err == nil {
			t.Errorf("MaxMatching(len %d, %d, %d): no error", len(test.w), test.rows, test.cols)
		}
	}
	// Empty matrices are fine: nothing to match.
	if a, total, err := MaxMatching(nil, 0, 3); err != nil || len(a) != 0 || total != 0 {
		t.Errorf("MaxMatching(0×3) = %v, %d, %v", a, total, err)
	}
	if a, total, err := MaxMatching(nil, 2, 0); err != nil || len(a) != 2 || a[0] != -1 || total != 0 {
		t.Errorf("MaxMatching(2×0) = %v, %d, %v", a, total, err)
	}
}

// TestACCBruteForce checks Contingency.Match and ACC end to end (orientation, solver
// choice, cluster-to-class map) against exhaustive search on labellings with up to 6
// classes and 6 clusters, sparse and dense.
func TestACCBruteForce(t *testing.T) {
	r := rng.New(3, "metrics/test/accbrute")
	for trial := range 400 {
		c, k := 1+r.IntN(6), 1+r.IntN(6)
		n := 1 + r.IntN(40)
		truth := make([]int, n)
		pred := make([]int, n)
		for i := range truth {
			truth[i] = r.IntN(c)*3 - 4 // spaced, some negative
			pred[i] = r.IntN(k)
		}
		ct, err := NewContingency(truth, pred)
		if err != nil {
			t.Fatal(err)
		}
		nr, nc := len(ct.Classes), len(ct.Clusters)
		w := ct.Dense()
		want := bruteMax(w, nr, nc)
		classOf, matched := ct.Match()
		if matched != want {
			t.Errorf("trial %d (%d×%d, n=%d): matched %d, brute force %d", trial, nr, nc, n, matched, want)
		}
		if acc := ct.ACC(); acc != float64(want)/float64(n) {
			t.Errorf("trial %d: ACC %v, want %d/%d", trial, acc, want, n)
		}
		used := make([]bool, nr)
		var sum int64
		for j, i := range classOf {
			if i < 0 {
				continue
			}
			if used[i] || w[i*nc+j] == 0 {
				t.Fatalf("trial %d: class %d matched twice or on an empty cell: %v", trial, i, classOf)
			}
			used[i] = true
			sum += w[i*nc+j]
		}
		if sum != matched {
			t.Errorf("trial %d: classOf covers %d samples, matched says %d", trial, sum, matched)
		}
	}
}
