package sela

import (
	"fmt"
	"math"
)

// Acceleration selects how Sinkhorn chooses the column scalings between the
// iterations at which the stopping rule is checked. Whatever it is, every checked
// iteration follows a plain update, so the official stopping rule keeps its
// meaning (see accel).
type Acceleration int

const (
	// Anderson (the zero value, the default) is Anderson acceleration of the
	// scaling map in log a, with a safeguard and a fallback to the plain
	// iteration: see accel.
	Anderson Acceleration = iota
	// Plain is the textbook iteration a ← r/s, as the official code runs it.
	Plain
	// Newton takes damped Newton steps on log a from the plan's Gram matrix
	// (K ≤ 16 only; see accel.newtonStep), with Anderson's safeguard and fallback.
	Newton
)

// Accelerations lists every acceleration in the order the CLI shows them.
var Accelerations = []Acceleration{Anderson, Plain, Newton}

// String returns the CLI name: "anderson", "plain" or "newton".
func (m Acceleration) String() string {
	switch m {
	case Anderson:
		return "anderson"
	case Plain:
		return "plain"
	case Newton:
		return "newton"
	}
	return fmt.Sprintf("Acceleration(%d)", int(m))
}

// ParseAcceleration returns the acceleration whose String is name.
func ParseAcceleration(name string) (Acceleration, error) {
	for _, m := range Accelerations {
		if m.String() == name {
			return m, nil
		}
	}
	return 0, fmt.Errorf("sela: unknown acceleration %q (want anderson, plain or newton): %w", name, ErrInput)
}

// Parameters of the Anderson accelerator.
const (
	// andersonMemory is the number of past differences the extrapolation uses.
	andersonMemory = 6
	// andersonMaxStep bounds an extrapolated step: no log a_y may move more than
	// this from the plain update's value, so that one bad extrapolation cannot push
	// a scaling out of float range.
	andersonMaxStep = 30.0
)

// maxRestarts is how many rejected extrapolations a solve tolerates before it
// falls back to the plain iteration for good (a variable so that a test can force
// the fallback).
var maxRestarts = 20

// accel is Anderson acceleration (type II, Walker & Ni 2011, "Anderson
// acceleration for fixed-point iterations") of the Sinkhorn map in log space,
//
//	u = log a  ↦  G(u) = log(r / s(u)),   s(u) = Gᵀ (c / (G e^u)),
//
// (r·s^(−φ) when relaxed), whose residual f(u) = G(u) − u is the log ratio of the
// target to the current column masses, log(r_y / (a_y s_y)). From the last m pairs
// it takes the combination of past residual differences closest to f and steps to
//
//	u⁺ = G(u) − ΔG γ,   γ = argmin ‖f − ΔF γ‖₂,
//
// at the cost of an m×m least-squares problem per iteration; the sweep over the
// N×K kernel that evaluates G dominates as before, so every saved iteration is a
// saved sweep.
//
// Stopping rule. The official rule compares the sample scalings b of consecutive
// iterations. accel makes every iteration at which it is checked (1, 1+CheckEvery,
// ...) a plain update a ← r/s of the iteration before, so a check measures, as in
// the official scheme, how much one plain Sinkhorn iteration still changes b: the
// rule, its tolerance and its meaning stay those of the plain scheme, and only the
// points at which it is evaluated are better.
//
// Newton steps. For small K the accelerator can instead solve for the root of f
// directly: one Gram matrix of the plan's rows (gram, one sweep of the kernel)
// gives f's Jacobian exactly, and a Newton step from it converges quadratically
// where Anderson's secant model converges linearly (newtonStep). Near the fixed
// point (variation below newtonFloor, where rounding dominates the Jacobian's
// information) the steps become plain.
//
// Safeguard. Plain Sinkhorn contracts the Hilbert projective metric (Franklin &
// Lorenz 1989), so the residual's variation max f − min f never grows under plain
// steps (balanced marginals; with relaxed marginals the map contracts by φ in the
// sup norm, which is the norm used then). An extrapolated point whose residual is
// larger than that of the point it came from is rejected: the history is cleared
// and the next step is plain; so is a Newton step that cannot be formed (a system
// that is not positive definite, a step that is not finite). After more than
// maxRestarts rejections the solve runs plain iterations to the end and says so in
// Result.Reason (Result.AccelFallback).
//
// Breakdown. On a float32 kernel whose columns underflow, accelerated steps can
// reach scalings at which a pass or a plain update is not finite, where the plain
// scheme itself would not have gone. The solve then starts again from its starting
// point as the plain iteration (solveFast), so its result is the plain scheme's,
// and Result.Reason says where the acceleration broke down.
type accel struct {
	k, m    int
	phi     float64
	g, f    []float64   // G and f at the previous point
	dg, df  [][]float64 // ring of the last m differences of G and f
	n, head int         // differences stored, next slot
	have    bool        // g and f hold a point
	lastRho float64     // residual norm at the previous point
	lastAA  bool        // the current point was extrapolated
	newton  bool        // Newton steps instead of Anderson's

	gram     []float64 // m×m normal matrix
	rhs      []float64
	u, q     []float64 // scratch: log a, plain update
	jac      []float64 // k×k Newton system, or its Cholesky factor
	rhsK     []float64
	mass     []float64 // the factored system's column masses W·1
	factored bool      // jac holds the factor of the current Jacobian

	steps, restarts int
	off             bool
}

func newAccel(k int, phi float64, newton bool) *accel {
	m := andersonMemory
	ac := &accel{k: k, m: m, phi: phi, newton: newton,
		g: make([]float64, k), f: make([]float64, k),
		gram: make([]float64, m*m), rhs: make([]float64, m),
		u: make([]float64, k), q: make([]float64, k),
	}
	if newton {
		ac.jac, ac.rhsK, ac.mass = make([]float64, k*k), make([]float64, k), make([]float64, k)
	}
	ac.dg, ac.df = make([][]float64, m), make([][]float64, m)
	for j := range m {
		ac.dg[j], ac.df[j] = make([]float64, k), make([]float64, k)
	}
	return ac
}

// norm is the residual's size: its variation (balanced) or sup norm (relaxed).
func (ac *accel) norm(f []float64) float64 {
	if ac.phi == 1 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range f {
			lo, hi = min(lo, v), max(hi, v)
		}
		return hi - lo
	}
	m := 0.0
	for _, v := range f {
		m = max(m, math.Abs(v))
	}
	return m
}

// update sets a to the scalings of the next iteration from the current a and its
// column sums s. With plain set (the next iteration is checked) or the
// accelerator off, the next a is exactly the plain update r/s (r·s^(−φ)). gram
// returns the Gram matrix at the current point (kernel.gram); it is called only
// for a Newton step. It returns the first cluster whose plain update is not finite
// and positive, or -1, as updateA does.
func (ac *accel) update(a, r, s []float64, plain bool, gram func() []float64) int {
	q := ac.q
	for y := range a {
		q[y] = nextA(r[y], s[y], ac.phi)
		if !(q[y] > 0) || math.IsInf(q[y], 1) {
			return y
		}
	}
	u := ac.u
	for y := range a {
		u[y] = math.Log(a[y])
	}
	// f and G at the current point go into slots of the ring as differences from
	// the previous point.
	slot := ac.head
	dg, df := ac.dg[slot], ac.df[slot]
	for y := range a {
		gy := math.Log(q[y])
		fy := gy - u[y]
		dg[y] = gy - ac.g[y]
		df[y] = fy - ac.f[y]
		ac.g[y], ac.f[y] = gy, fy
	}
	rho := ac.norm(ac.f)
	switch {
	case ac.lastAA && !(rho <= ac.lastRho):
		ac.reject()
	case ac.have:
		ac.head = (ac.head + 1) % ac.m
		ac.n = min(ac.n+1, ac.m)
	}
	ac.have, ac.lastRho, ac.lastAA = true, rho, false
	var moved bool
	switch {
	case plain || ac.off:
	case ac.newton && rho > newtonFloor:
		// A step that cannot be formed costs a Gram matrix, so it counts as a
		// rejection: a stalled solve turns plain after maxRestarts of them.
		if moved = ac.newtonStep(a, rho, gram); !moved {
			ac.reject()
		}
	case ac.newton:
	default:
		moved = ac.n > 0 && ac.extrapolate(a)
	}
	if !moved {
		copy(a, q)
		return -1
	}
	ac.lastAA = true
	ac.steps++
	return -1
}

// reject counts a rejected step and clears the history; after more than
// maxRestarts the accelerator is off for the rest of the solve.
func (ac *accel) reject() {
	ac.restarts++
	ac.n, ac.head, ac.factored = 0, 0, false
	if ac.restarts > maxRestarts {
		ac.off = true
	}
}

// extrapolate solves the regularised normal equations of the least-squares
// problem over the stored differences (oldest first, a fixed order) and writes
// e^(G − ΔG γ) into a. It reports false, leaving a alone, when the system is
// singular or the step is too long.
func (ac *accel) extrapolate(a []float64) bool {
	n, m := ac.n, ac.m
	first := (ac.head - n + m) % m
	idx := func(j int) int { return (first + j) % m }
	g, rhs := ac.gram[:n*n], ac.rhs[:n]
	trace := 0.0
	for i := range n {
		di := ac.df[idx(i)]
		for j := 0; j <= i; j++ {
			v := dot(di, ac.df[idx(j)])
			g[i*n+j], g[j*n+i] = v, v
		}
		rhs[i] = dot(di, ac.f)
		trace += g[i*n+i]
	}
	if !(trace > 0) || math.IsInf(trace, 0) {
		return false
	}
	reg := 1e-10 * trace / float64(n)
	for i := range n {
		g[i*n+i] += reg
	}
	if !cholSolve(g, rhs, n) {
		return false
	}
	for y := range a {
		step := 0.0
		for j := range n {
			step += ac.dg[idx(j)][y] * rhs[j]
		}
		if !(math.Abs(step) <= andersonMaxStep) {
			return false
		}
		ac.u[y] = ac.g[y] - step
	}
	for y := range a {
		v := math.Exp(ac.u[y])
		if !(v > 0) || math.IsInf(v, 1) {
			return false
		}
		ac.u[y] = v
	}
	copy(a, ac.u)
	return true
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// cholSolve solves A x = b in place (b becomes x) for the n×n symmetric positive
// definite A, which it overwrites with its Cholesky factor. It reports false when
// A is not numerically positive definite.
func cholSolve(A, b []float64, n int) bool {
	if !cholFactor(A, n) {
		return false
	}
	cholSubst(A, b, n)
	return true
}

// cholFactor overwrites the lower triangle of A with its Cholesky factor.
func cholFactor(A []float64, n int) bool {
	for j := range n {
		d := A[j*n+j]
		for p := range j {
			d -= A[j*n+p] * A[j*n+p]
		}
		if !(d > 0) {
			return false
		}
		d = math.Sqrt(d)
		A[j*n+j] = d
		for i := j + 1; i < n; i++ {
			v := A[i*n+j]
			for p := range j {
				v -= A[i*n+p] * A[j*n+p]
			}
			A[i*n+j] = v / d
		}
	}
	return true
}

// cholSubst solves L Lᵀ x = b in place for the factor L from cholFactor.
func cholSubst(A, b []float64, n int) {
	for i := range n {
		v := b[i]
		for p := range i {
			v -= A[i*n+p] * b[p]
		}
		b[i] = v / A[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		v := b[i]
		for p := i + 1; p < n; p++ {
			v -= A[p*n+i] * b[p]
		}
		b[i] = v / A[i*n+i]
	}
}
