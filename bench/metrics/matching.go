package metrics

import (
	"fmt"
	"math"
)

// MaxMatching solves the rectangular linear assignment problem on the row-major
// rows×cols weight matrix w, maximising: it returns a matching of min(rows, cols)
// pairs of maximum total weight, as scipy.optimize.linear_sum_assignment(w,
// maximize=True). assign[i] is the column matched to row i, or −1 if row i is
// unmatched (only when rows > cols). Weights may be negative; they must satisfy
// |w| ≤ 2⁶¹ / (min(rows, cols) + 1) so that no potential overflows, which holds for
// any contingency table of fewer than 2³¹ samples.
//
// The algorithm is the shortest augmenting path method of Jonker & Volgenant
// ("A shortest augmenting path algorithm for dense and sparse linear assignment
// problems", Computing 1987) in the rectangular form of Crouse ("On implementing 2D
// rectangular assignment algorithms", IEEE TAES 2016), which is also scipy's: one
// Dijkstra search per row of the smaller side, in exact int64 arithmetic. Time is
// O(m² · M) at worst for m = min(rows, cols), M = max(rows, cols), usually far less;
// memory is O(rows + cols) beyond w (plus a transposed copy of w when rows > cols).
func MaxMatching(w []int64, rows, cols int) (assign []int, total int64, err error) {
	if rows < 0 || cols < 0 {
		return nil, 0, fmt.Errorf("metrics: MaxMatching: negative shape %d×%d", rows, cols)
	}
	if len(w) != rows*cols {
		return nil, 0, fmt.Errorf("metrics: MaxMatching: %d weights for a %d×%d matrix", len(w), rows, cols)
	}
	limit := int64(1<<61) / int64(min(rows, cols)+1)
	for k, v := range w {
		if v > limit || v < -limit {
			return nil, 0, fmt.Errorf("metrics: MaxMatching: weight %d at row %d, column %d exceeds ±%d", v, k/cols, k%cols, limit)
		}
	}
	if rows <= cols {
		assign, total = maxMatching(w, rows, cols)
		return assign, total, nil
	}
	wt := make([]int64, len(w))
	for i := range rows {
		for j := range cols {
			wt[j*rows+i] = w[i*cols+j]
		}
	}
	colAssign, total := maxMatching(wt, cols, rows)
	assign = make([]int, rows)
	for i := range assign {
		assign[i] = -1
	}
	for j, i := range colAssign {
		assign[i] = j
	}
	return assign, total, nil
}

// maxMatching is MaxMatching for rows ≤ cols and valid weights. It minimises the cost
// −w, following scipy's rectangular_lsap.cpp (Crouse 2016, Algorithm 1 with the
// dual updates of its Section IV).
func maxMatching(w []int64, rows, cols int) (assign []int, total int64) {
	const inf = math.MaxInt64
	u := make([]int64, rows) // row potentials
	v := make([]int64, cols) // column potentials
	dist := make([]int64, cols)
	path := make([]int32, cols)
	col4row := make([]int32, rows)
	row4col := make([]int32, cols)
	scannedRow := make([]bool, rows)
	scannedCol := make([]bool, cols)
	remaining := make([]int32, cols)
	for i := range col4row {
		col4row[i] = -1
	}
	for j := range row4col {
		row4col[j] = -1
	}

	for cur := range rows {
		// Dijkstra from row cur over reduced costs −w_ij − u_i − v_j ≥ 0.
		var minVal int64
		nRem := cols
		for it := range cols {
			remaining[it] = int32(cols - it - 1)
		}
		clear(scannedRow)
		clear(scannedCol)
		for j := range dist {
			dist[j] = inf
		}
		sink := int32(-1)
		i := int32(cur)
		for sink < 0 {
			scannedRow[i] = true
			index := -1
			lowest := int64(inf)
			wi := w[int(i)*cols : int(i+1)*cols]
			base := minVal - u[i]
			for it, j := range remaining[:nRem] {
				r := base - wi[j] - v[j]
				if r < dist[j] {
					path[j] = i
					dist[j] = r
				}
				if d := dist[j]; d < lowest || (d == lowest && row4col[j] < 0) {
					lowest = d
					index = it
				}
			}
			minVal = lowest
			j := remaining[index]
			if row4col[j] < 0 {
				sink = j
			} else {
				i = row4col[j]
			}
			scannedCol[j] = true
			nRem--
			remaining[index] = remaining[nRem]
		}
		// Dual update.
		u[cur] += minVal
		for r := range rows {
			if scannedRow[r] && r != cur {
				u[r] += minVal - dist[col4row[r]]
			}
		}
		for j := range cols {
			if scannedCol[j] {
				v[j] -= minVal - dist[j]
			}
		}
		// Augment along the path back to row cur.
		j := sink
		for {
			r := path[j]
			row4col[j] = r
			j, col4row[r] = col4row[r], j
			if int(r) == cur {
				break
			}
		}
	}
	assign = make([]int, rows)
	for i, j := range col4row {
		assign[i] = int(j)
		total += w[i*cols+int(j)]
	}
	return assign, total
}

// sparseMaxMatching finds a maximum-weight matching (not necessarily of maximum
// size) in the bipartite graph whose edges are the cells of a sparse row-major
// matrix with positive weights: row i has edges to columns col[start[i]:start[i+1]]
// with weights wt[...]. Absent cells weigh 0, so the total equals that of
// MaxMatching on the dense matrix. It returns, for each row, its column or −1.
//
// It is the shortest augmenting path method of maxMatching run on a sparse graph
// (Jonker & Volgenant 1987 treat the sparse case too): each row i gets a private
// dummy column of cost 0 standing for "unmatched", so every row is assigned; each
// Dijkstra search uses a binary heap and touches only the edges of the rows it
// scans, and only what it touched is reset afterwards. Work per search is
// proportional to the explored part of the graph instead of to the number of
// columns, and memory to rows + cols + edges instead of to rows·cols.
func sparseMaxMatching(start []int, col []int32, wt []int64, rows, cols int) (assign []int, total int64) {
	const inf = math.MaxInt64
	nc := cols + rows // real columns, then dummy column cols+i of row i
	u := make([]int64, rows)
	v := make([]int64, nc)
	dist := make([]int64, nc)
	path := make([]int32, nc)
	done := make([]bool, nc)
	col4row := make([]int32, rows)
	row4col := make([]int32, nc)
	for j := range dist {
		dist[j] = inf
		row4col[j] = -1
	}
	for i := range col4row {
		col4row[i] = -1
	}
	var touched, scanned []int32
	var h pathHeap

	for cur := range rows {
		for _, j := range touched {
			dist[j] = inf
			done[j] = false
		}
		touched, scanned, h = touched[:0], scanned[:0], h[:0]
		var minVal int64
		i := int32(cur)
		var sink int32
		for {
			scanned = append(scanned, i)
			base := minVal - u[i]
			relax := func(j int32, cost int64) {
				if done[j] {
					return
				}
				if r := base + cost - v[j]; r < dist[j] {
					if dist[j] == inf {
						touched = append(touched, j)
					}
					dist[j] = r
					path[j] = i
					h.push(pathItem{dist: r, busy: row4col[j] >= 0, col: j})
				}
			}
			for p := start[i]; p < start[i+1]; p++ {
				relax(col[p], -wt[p])
			}
			relax(int32(cols)+i, 0)
			// Pop the closest unfinished column (ties: free columns first). The
			// heap cannot run dry: cur's own dummy column is free until popped.
			var e pathItem
			for {
				e = h.pop()
				if !done[e.col] && e.dist == dist[e.col] {
					break
				}
			}
			done[e.col] = true
			minVal = e.dist
			if !e.busy {
				sink = e.col
				break
			}
			i = row4col[e.col]
		}
		// Dual update, as in maxMatching, over the scanned rows and finished columns.
		u[cur] += minVal
		for _, r := range scanned[1:] {
			u[r] += minVal - dist[col4row[r]]
		}
		for _, j := range touched {
			if done[j] {
				v[j] -= minVal - dist[j]
			}
		}
		j := sink
		for {
			r := path[j]
			row4col[j] = r
			j, col4row[r] = col4row[r], j
			if int(r) == cur {
				break
			}
		}
	}
	assign = make([]int, rows)
	for i, j := range col4row {
		assign[i] = -1
		if int(j) < cols {
			assign[i] = int(j)
			for p := start[i]; p < start[i+1]; p++ {
				if col[p] == j {
					total += wt[p]
					break
				}
			}
		}
	}
	return assign, total
}

// pathItem is a tentative distance in the Dijkstra searches of sparseMaxMatching.
type pathItem struct {
	dist int64
	busy bool // column assigned to some row; free columns win ties
	col  int32
}

func (a pathItem) less(b pathItem) bool {
	return a.dist < b.dist || (a.dist == b.dist && !a.busy && b.busy)
}

// pathHeap is a binary min-heap of pathItems (lazy deletion: stale items are skipped
// by the caller).
type pathHeap []pathItem

func (h *pathHeap) push(x pathItem) {
	*h = append(*h, x)
	s := *h
	k := len(s) - 1
	for k > 0 {
		p := (k - 1) / 2
		if !s[k].less(s[p]) {
			break
		}
		s[k], s[p] = s[p], s[k]
		k = p
	}
}

func (h *pathHeap) pop() pathItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	k := 0
	for {
		l := 2*k + 1
		if l >= len(s) {
			break
		}
		m := l
		if r := l + 1; r < len(s) && s[r].less(s[l]) {
			m = r
		}
		if !s[m].less(s[k]) {
			break
		}
		s[k], s[m] = s[m], s[k]
		k = m
	}
	*h = s
	return top
}
