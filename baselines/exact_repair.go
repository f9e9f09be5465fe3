package baselines

import (
	"fmt"
	"math"
)

// The exact phase works on the K-node cluster graph. Moving one sample from
// cluster u to cluster v changes Σ_i L_{i,y(i)} by −G(u,v), where
//
//	G(u,v) = min_{i∈u} (L_iu − L_iv)   (+Inf when u is empty)
//
// is the cheapest such move (A(u,v) is the sample attaining it). Prices p satisfy
// complementary slackness for the current assignment,
//
//	L_{i,y(i)} + p_{y(i)} ≥ L_iv + p_v   for every sample i and cluster v,   (CS)
//
// exactly when p_v − p_u ≤ G(u,v) on every edge, i.e. when the reduced weights
// w(u,v) = G(u,v) + p_u − p_v are ≥ 0: p is then a feasible potential of the
// graph, and a balanced assignment with such p is optimal (its dual value D(p)
// equals its cost). Ahuja, Magnanti & Orlin, "Network Flows" (1993), §9.3–9.7.
//
// repair first tries the fast path: keep the auction's balanced assignment and
// make its ε-feasible prices exactly feasible with a label-correcting
// shortest-path pass (Bellman–Ford–Moore, FIFO queue) started from them. That
// succeeds whenever the auction's assignment is already optimal, which is the
// usual case. If the pass meets a negative cycle (the assignment can still be
// improved) or runs too long, repair falls back to successive shortest paths.
func (s *exactSolver[F]) repair() error {
	k := s.k
	s.G = make([]float64, k*k)
	s.A = make([]int32, k*k)
	if !s.aborted {
		s.buildG(false)
		if s.feasiblePrices() {
			return nil
		}
	}
	s.fallback = true
	s.buildG(true)
	return s.augment()
}

// buildG computes G and A from scratch, in parallel over clusters. With best
// set, it first moves every sample to a cluster of maximal L_iy + p_y (keeping
// its cluster on ties), which establishes CS and leaves only the sizes to repair.
func (s *exactSolver[F]) buildG(best bool) {
	n, k, p := s.n, s.k, s.p
	if best {
		to := make([]int32, n)
		chunks := rowChunks(n, k)
		parallel(len(chunks), func(c int) {
			for i := chunks[c][0]; i < chunks[c][1]; i++ {
				top, bz := rowArgmax(s.row(i), p)
				to[i] = -1
				if s.at[i]+p[s.lab[i]] < top {
					to[i] = int32(bz)
				}
			}
		})
		for i, z := range to {
			if z >= 0 {
				s.leave(i)
				s.put(i, int(z))
			}
		}
	}
	parallel(k, func(u int) {
		g, a := s.G[u*k:(u+1)*k], s.A[u*k:(u+1)*k]
		for v := range g {
			g[v], a[v] = math.Inf(1), -1
		}
		// Members in order with a strict < : the first of equal moves wins. The
		// loop includes v = u (d = 0), reset afterwards, to stay branch-light.
		for _, i := range s.mem[u] {
			r := s.row(int(i))
			minMoves(r, float64(r[u]), g, a, i)
		}
		g[u], a[u] = math.Inf(1), -1
	})
}

// minMoves folds sample i's moves out of its cluster into G's row: for every
// cluster v, where d = lu − r[v] is below g[v] (a strict, ordered <, so that the
// first of equal moves stays), g[v] = d and a[v] = i. Float32 rows go to a
// vector routine where the CPU has one (elementwise, so the same bits).
func minMoves[F float32 | float64](r []F, lu float64, g []float64, a []int32, i int32) {
	g, a = g[:len(r)], a[:len(r)]
	if r32, ok := any(r).([]float32); ok && len(r32) > 0 && minMovesImpl(r32, lu, g, a, i) {
		return
	}
	for v, l := range r {
		if d := lu - float64(l); d < g[v] {
			g[v], a[v] = d, i
		}
	}
}

// feasiblePrices lowers prices along violated edges (p_v > p_u + G(u,v)) until
// none is left, and reports success. It gives up, leaving p changed but harmless,
// on finding a cycle in the predecessor graph (a negative cycle of G, checked
// every K scans, Cherkassky & Goldberg's "amortized search") or after 32·K scans.
// Comparisons are exact float64 ones, so success means CS holds as computed.
func (s *exactSolver[F]) feasiblePrices() bool {
	k, p, G := s.k, s.p, s.G
	pred := make([]int32, k)
	inq := make([]bool, k)
	queue := make([]int32, 0, k)
	for v := range k {
		pred[v] = -1
		inq[v] = true
		queue = append(queue, int32(v))
	}
	mark := make([]int32, k)
	for head, scans := 0, 0; len(queue) > head; scans++ {
		if scans >= 32*k {
			return false
		}
		if scans%k == k-1 && predCycle(pred, mark) {
			return false
		}
		u := int(queue[head])
		head++
		inq[u] = false
		if head > k { // compact: at most K entries are live
			queue = append(queue[:0], queue[head:]...)
			head = 0
		}
		s.lcScans++
		pu := p[u]
		for v, g := range G[u*k : (u+1)*k] {
			if nv := pu + g; nv < p[v] {
				p[v] = nv
				pred[v] = int32(u)
				if !inq[v] {
					inq[v] = true
					queue = append(queue, int32(v))
				}
			}
		}
	}
	return true
}

// predCycle reports whether the predecessor pointers contain a cycle, in O(K).
func predCycle(pred, mark []int32) bool {
	for v := range mark {
		mark[v] = -1
	}
	for v := range pred {
		u := int32(v)
		for u >= 0 && mark[u] < 0 {
			mark[u] = int32(v)
			u = pred[u]
		}
		if u >= 0 && mark[u] == int32(v) {
			return true
		}
	}
	return false
}

// augment is successive shortest paths on the cluster graph, starting from an
// assignment that satisfies CS (see buildG(true)). Each round runs Dijkstra on
// the reduced weights w ≥ 0 from all over-full clusters to the nearest
// under-full one t (distance D), subtracts D − d_v from p_v for every settled
// cluster v (Johnson's reweighting with distances capped at D: w stays ≥ 0 and
// the path becomes tight), and moves one sample along each edge of the path.
// Every move is along a tight edge, so CS survives; the excess drops by one per
// round, and when it is zero the prices certify optimality.
func (s *exactSolver[F]) augment() error {
	k, p, G, A := s.k, s.p, s.G, s.A
	for y := 0; y < k; y++ {
		if d := len(s.mem[y]) - s.sizes[y]; d > 0 {
			s.repaired += d
		}
	}
	dist := make([]float64, k)
	pred := make([]int32, k)
	done := make([]bool, k)
	type move struct{ i, from, to int32 }
	var path []move
	for {
		// Dijkstra from every over-full cluster, stopping at the first under-full one.
		over := false
		for v := 0; v < k; v++ {
			done[v] = false
			pred[v] = -1
			dist[v] = math.Inf(1)
			if len(s.mem[v]) > s.sizes[v] {
				dist[v] = 0
				over = true
			}
		}
		if !over {
			return nil
		}
		s.augments++
		t := -1
		for {
			u, du := -1, math.Inf(1)
			for v := 0; v < k; v++ {
				if !done[v] && dist[v] < du {
					u, du = v, dist[v]
				}
			}
			if u < 0 {
				// Cannot happen: Σ sizes = N = Σ holdings, so an under-full
				// cluster exists, and a non-empty cluster has edges to all others.
				return fmt.Errorf("baselines: exact: internal error: no augmenting path in repair round %d", s.augments)
			}
			done[u] = true
			if len(s.mem[u]) < s.sizes[u] {
				t = u
				break
			}
			gu, pu := G[u*k:(u+1)*k], p[u]
			for v, g := range gu {
				if done[v] || A[u*k+v] < 0 {
					continue
				}
				w := g + pu - p[v]
				if w < 0 {
					w = 0 // rounding: CS holds exactly in real arithmetic
				}
				if nd := du + w; nd < dist[v] {
					dist[v] = nd
					pred[v] = int32(u)
				}
			}
		}
		D := dist[t]
		for v := 0; v < k; v++ {
			if done[v] {
				p[v] -= D - dist[v]
			}
		}
		// Collect the moves first: each edge moves the sample that was its argmin
		// when the path was found, whatever arrives in between.
		path = path[:0]
		for v := t; pred[v] >= 0; v = int(pred[v]) {
			u := pred[v]
			path = append(path, move{A[int(u)*k+v], u, int32(v)})
		}
		for _, m := range path {
			s.leave(int(m.i))
			s.put(int(m.i), int(m.to))
			s.addToG(int(m.i), int(m.to))
			s.rebuildG(int(m.from), m.i)
		}
	}
}

// leave removes sample i from its cluster's member list (swap with the last).
func (s *exactSolver[F]) leave(i int) {
	m := s.mem[s.lab[i]]
	last := m[len(m)-1]
	m[s.pos[i]] = last
	s.pos[last] = s.pos[i]
	s.mem[s.lab[i]] = m[:len(m)-1]
}

// put appends sample i to cluster z (the repair keeps no queue of over-full clusters).
func (s *exactSolver[F]) put(i, z int) {
	s.lab[i] = int32(z)
	s.at[i] = float64(s.L[i*s.k+z])
	s.pos[i] = int32(len(s.mem[z]))
	s.mem[z] = append(s.mem[z], int32(i))
}

// addToG folds sample i, now in cluster u, into row u of G (ties go to the lower
// sample index, so G and A do not depend on the order samples arrive in).
func (s *exactSolver[F]) addToG(i, u int) {
	k := s.k
	r := s.row(i)
	lu := float64(r[u])
	g, a := s.G[u*k:(u+1)*k], s.A[u*k:(u+1)*k]
	for v, l := range r {
		if v == u {
			continue
		}
		d := lu - float64(l)
		if d < g[v] || (d == g[v] && int32(i) < a[v]) {
			g[v], a[v] = d, int32(i)
		}
	}
}

// rebuildG recomputes the entries of row u of G whose argmin was sample gone,
// which has just left cluster u.
func (s *exactSolver[F]) rebuildG(u int, gone int32) {
	k := s.k
	g, a := s.G[u*k:(u+1)*k], s.A[u*k:(u+1)*k]
	stale := 0
	for v := range a {
		if a[v] == gone {
			stale++
		}
	}
	if stale == 0 {
		return
	}
	mem := s.mem[u]
	if stale*8 >= k {
		// Many entries: rebuild the whole row with contiguous row reads.
		for v := range g {
			g[v], a[v] = math.Inf(1), -1
		}
		for _, i := range mem {
			s.addToG(int(i), u)
		}
		return
	}
	for v := range a {
		if a[v] != gone {
			continue
		}
		g[v], a[v] = math.Inf(1), -1
		for _, i := range mem {
			d := s.at[i] - float64(s.L[int(i)*k+v])
			if d < g[v] || (d == g[v] && i < a[v]) {
				g[v], a[v] = d, i
			}
		}
	}
}
