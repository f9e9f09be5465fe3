package sela

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/selabench/selabench/internal/hugemem"
)

// Variant selects a Sinkhorn scheme. The zero value is the default, Sinkhorn.
type Variant int

const (
	// Sinkhorn is the fast default: the stabilised kernel
	// G_iy = exp(λ(L_iy − max_y L_iy)) stored once in float32, float64 scalings and
	// accumulation, one fused pass over G per iteration, parallel over fixed chunks of
	// samples, and Anderson acceleration of the column scalings between the
	// iterations at which the official stopping rule is checked (Options.Accel).
	// It fails (with ErrNumerical) when λ·range(L) is so large that a cluster's
	// kernel column underflows or a scaling overflows; use SinkhornLog then.
	Sinkhorn Variant = iota
	// SinkhornRef is the official SeLa scheme (yukimasano/self-label,
	// sinkhornknopp.py optimize_L_sk), kept faithful: float64, P^λ formed in
	// probability space, the same update order and stopping rule. Simple, not fast.
	SinkhornRef
	// SinkhornLog is for large λ (≳100, or λ·range(L) beyond float range): the fast
	// fused iteration on a kernel into which the log column scalings are absorbed
	// (Schmitzer 2016, "Stabilized sparse scaling algorithms for entropy regularized
	// transport problems", §3), with exact log-domain updates for clusters whose
	// kernel column underflows, and optional λ-scaling (Options.LambdaStart).
	SinkhornLog
)

// Variants lists every variant in the order the CLI shows them.
var Variants = []Variant{SinkhornRef, Sinkhorn, SinkhornLog}

// String returns the CLI name: "sinkhorn-ref", "sinkhorn" or "sinkhorn-log".
func (v Variant) String() string {
	switch v {
	case Sinkhorn:
		return "sinkhorn"
	case SinkhornRef:
		return "sinkhorn-ref"
	case SinkhornLog:
		return "sinkhorn-log"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// ParseVariant returns the variant whose String is name.
func ParseVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if v.String() == name {
			return v, nil
		}
	}
	return 0, fmt.Errorf("sela: unknown variant %q (want sinkhorn-ref, sinkhorn or sinkhorn-log): %w", name, ErrInput)
}

// Defaults used when the corresponding Options field is zero.
const (
	DefaultLambda      = 25        // official ImageNet value (10 in their CIFAR code)
	DefaultTol         = 0.1       // official stopping tolerance (0.01 in their CIFAR code)
	DefaultCheckEvery  = 10        // the official rule is evaluated every 10 iterations
	DefaultMaxIter     = 10000     // iteration cap of Sinkhorn
	DefaultMaxIterLog  = 100_000   // SinkhornLog: iterations grow about linearly with λ
	DefaultMaxIterRef  = 1_000_000 // SinkhornRef: the official code has no cap; this one only guarantees termination
	DefaultAbsorbAt    = 30.0      // SinkhornLog: absorb once some |log a_y| exceeds 30
	DefaultLambdaStart = 25.0      // SinkhornLog: λ-scaling starts here (when λ is larger)
)

// Errors returned (wrapped, with context) by Solve and Solve64.
var (
	// ErrInput reports an invalid argument: shape, λ, masses, options or a
	// non-finite entry of L.
	ErrInput = errors.New("invalid input")
	// ErrNumerical reports that a scheme broke down in floating point: P^λ or a
	// kernel column underflowed to zero, or a scaling overflowed. The message names
	// the row or cluster; SinkhornLog avoids most of these.
	ErrNumerical = errors.New("numerical breakdown")
)

// Options configures a solve. The zero value means: variant Sinkhorn, λ = 25,
// uniform cluster masses, input already log-probabilities, the official stopping
// rule with tolerance 0.1 checked every 10 iterations, the variant's iteration cap,
// balanced marginals, GOMAXPROCS workers.
type Options struct {
	Variant Variant

	// Lambda is λ, the inverse entropic regularisation: larger is closer to the
	// hard assignment. 0 means DefaultLambda; negative, NaN or Inf is an error.
	Lambda float64

	// Masses are the cluster masses r (length K, positive, summing to 1 within
	// 1e-6) — a prior on cluster sizes. nil means uniform, 1/K each. Samples always
	// have mass c_i = 1/N.
	Masses []float64

	// Logits says the input holds raw scores rather than log-probabilities: each row
	// is then log-softmax-normalised, L_iy = x_iy − log Σ_y' exp(x_iy'), computed in
	// float64 on the fly. The caller's slice is not modified, with or without it
	// (except by SolveInPlace, which overwrites it with the kernel).
	Logits bool

	// Tol is the tolerance of the official stopping rule
	// err = Σ_i |b_i^prev / b_i − 1| (relative change of the sample scalings between
	// consecutive iterations), evaluated every CheckEvery iterations. 0 means
	// DefaultTol; a negative value disables the rule (then MarginalTol must be set).
	Tol float64

	// CheckEvery is how often (in iterations) the stopping rules are evaluated:
	// after iterations 1, 1+CheckEvery, 1+2·CheckEvery, ... as in the official code.
	// 0 means DefaultCheckEvery.
	CheckEvery int

	// MarginalTol, if positive, is a second stopping rule for Sinkhorn and
	// SinkhornLog with balanced marginals: ‖Qᵀ1 − r‖₁ ≤ MarginalTol, where Q is the
	// plan of the iteration (its rows sum to c exactly). When both rules are
	// enabled, both must hold. 0 disables it.
	MarginalTol float64

	// MaxIter caps the iterations (summed over λ stages for SinkhornLog); a solve
	// that reaches it returns Converged = false and no error. 0 means DefaultMaxIter
	// for Sinkhorn, DefaultMaxIterLog for SinkhornLog, DefaultMaxIterRef for
	// SinkhornRef.
	MaxIter int

	// Tau relaxes the cluster marginal (unbalanced transport): the constraint
	// Qᵀ1 = r is replaced by the penalty τ·KL(Qᵀ1 ‖ r) while the rows keep Q1 = c.
	// With the entropy taken relative to r cᵀ, as in the balanced objective, the
	// optimality condition gives the update a_y = r_y · s_y^(−φ), φ = τ/(τ+1/λ), with
	// s = Σ_i G_iy b_i (Chizat, Peyré, Schmitzer & Vialard 2018, "Scaling algorithms
	// for unbalanced optimal transport problems", Prop. 3.1, with kernel r_y c_i G_iy).
	// For uniform r this is the textbook (r_y/s_y)^φ up to a constant that b
	// absorbs; for non-uniform r it keeps r acting as a prior as τ → 0 (Q_iy ∝ r_y·P_iy^λ
	// per row) instead of dropping it. Both 0 (the zero value) and +Inf mean the
	// hard, balanced constraint. Sinkhorn and SinkhornLog only.
	Tau float64

	// LambdaStart is where SinkhornLog's λ-scaling starts: it solves at LambdaStart,
	// 2·LambdaStart, ... and finally λ, warm-starting each stage from the previous
	// duals. 0 means DefaultLambdaStart (25); a value ≥ Lambda (or +Inf) means a
	// single stage at λ.
	LambdaStart float64

	// AbsorbAt is SinkhornLog's absorption threshold: when some |log a_y| exceeds
	// it, log a is folded into the kernel, which is rebuilt. 0 means DefaultAbsorbAt.
	AbsorbAt float64

	// Kernel selects the storage Sinkhorn's iterations stream: KernelAuto (the zero
	// value), KernelDense or KernelSparse, the truncated kernel with a checked error
	// bound (see KernelMode and sparse.go). SinkhornRef and SinkhornLog are always
	// dense: for them only KernelAuto and KernelDense are accepted.
	Kernel KernelMode

	// Accel selects how Sinkhorn picks the scalings between checked iterations:
	// Anderson (the zero value), Plain, or Newton (K ≤ 16). All stop by the same
	// rule, evaluated after a plain update (see Acceleration). SinkhornRef and
	// SinkhornLog always iterate plainly: for them only the zero value is accepted.
	Accel Acceleration

	// Workers caps the goroutines used; 0 means runtime.GOMAXPROCS(0). Results are
	// bit-for-bit identical for any value: the work is split into chunks that depend
	// only on N and K, and partial sums are combined in chunk order.
	Workers int
}

// Result is the outcome of a solve. The transport plan is
//
//	Q_iy = exp(λ·L_iy + LogA_y + LogB_i),
//
// with L the log-probabilities (after log-softmax when Options.Logits is set) and
// the gauge fixed by max_y LogA_y = 0. The scalings are kept as logarithms because
// at large λ they leave the float64 range; the N row ones are formed only when
// asked for (Result.LogB), since a label step needs the labels alone. (A
// SinkhornLog solve capped before its last λ stage reports the plan of that
// stage's λ, named in Reason.)
type Result struct {
	Variant Variant
	Lambda  float64
	N, K    int

	// Labels are the hard labels argmax_y Q_iy (the first maximum on ties).
	Labels []int32
	// LogA (length K) are the log column scalings, see above; LogB gives the row
	// ones.
	LogA []float64
	rows rowScalings

	// Iterations counts Sinkhorn iterations (one a and one b update each).
	Iterations int
	// StopErr is the last value of the official rule Σ_i |b_i^prev/b_i − 1|
	// (+Inf if it was never evaluated).
	StopErr float64
	// MarginalErr = Σ_y |(Qᵀ1)_y − r_y| and RowMarginalErr = Σ_i |(Q1)_i − 1/N|,
	// recomputed in float64 from the final scalings and kernel after the loop, with
	// Q normalised to total mass 1. With Tau > 0 MarginalErr measures how far the
	// relaxed plan departs from the prior r, and is not expected to vanish.
	MarginalErr, RowMarginalErr float64
	// Objective is the mean of −L_{i,Labels[i]} over samples (the cross-entropy the
	// network is trained on).
	Objective float64
	// MinSize and MaxSize are the smallest and largest cluster sizes of Labels
	// (MinSize is 0 if a cluster is empty).
	MinSize, MaxSize int

	// Converged is true when the stopping rule(s) held; false when MaxIter was hit.
	Converged bool
	// Reason says why the loop stopped, in words.
	Reason string

	// Rebuilds counts how often the kernel was (re)built: 1 for Sinkhorn and
	// SinkhornRef, more for SinkhornLog (absorptions and λ stages).
	Rebuilds int
	// Passes counts sweeps over a stored kernel (iterations, times two for
	// SinkhornRef, plus the final labelling sweep, which always reads the dense
	// kernel); KernelBytes is the dense kernel's size (N·K·4 for float32, N·K·8 for
	// SinkhornRef's float64 P^λ) and StreamedBytes the kernel bytes all passes read.
	Passes        int
	KernelBytes   int64
	StreamedBytes int64

	// Kernel is KernelSparse when some iterations ran on Sinkhorn's truncated
	// kernel, else KernelDense. SparsePasses counts those iterations and Extractions
	// the dense passes that (re)extracted it; Density is the fraction of entries the
	// last extraction kept, SparseBytes its size, and TruncationBound the largest
	// relative error bound of any sparse pass (each is at most 1e-9: the b and s of a
	// sparse pass agree with those of a dense pass from the same a to that relative
	// accuracy, before rounding).
	Kernel          KernelMode
	SparsePasses    int
	Extractions     int
	Density         float64
	SparseBytes     int64
	TruncationBound float64
	// Accel is the acceleration Sinkhorn ran with (Newton, Anderson or Plain;
	// Plain for the other variants). AccelSteps counts its accelerated iterations
	// (Newton steps or extrapolations) and AccelRestarts the steps its safeguard
	// rejected; AccelFallback is true when it gave up and ran plain iterations to
	// the end, or broke down numerically and ran the plain iteration again from
	// the start (Reason says which; Iterations then counts both runs).
	Accel         Acceleration
	AccelSteps    int
	AccelRestarts int
	AccelFallback bool
	// Build, Iterate and Final split Duration: forming the kernel (including
	// rebuilds), the iterations, and the final labelling sweep.
	Build, Iterate, Final time.Duration
	// Duration is the wall time of the whole solve, validation included.
	Duration time.Duration
}

// Solve runs the transport step on L, an n×k row-major matrix of float32
// log-probabilities (or raw logits with Options.Logits), and returns the plan's
// scalings, hard labels and diagnostics. L is not modified. Each call allocates its
// buffers afresh; a Workspace reuses them across calls.
func Solve(L []float32, n, k int, opt Options) (*Result, error) {
	return solve(new(Workspace), L, n, k, opt, false)
}

// Solve64 is Solve for float64 input.
func Solve64(L []float64, n, k int, opt Options) (*Result, error) {
	return solve(new(Workspace), L, n, k, opt, false)
}

// SolveInPlace is Solve for the Sinkhorn variant without a second N×K buffer: it
// overwrites L with the kernel instead of allocating one, so a solve needs the
// input plus O(N + K) float64 vectors, the labels and, when the iterations use it,
// the truncated kernel (Options.Kernel; about 6 bytes per kept entry) — for
// N = 1 281 167 and K = 3000, 15.4 GB instead of 30.8 GB. Options.Variant must be
// Sinkhorn: SinkhornLog rebuilds its kernel from L after every absorption, which
// the stored kernel cannot reproduce where entries underflowed, and SinkhornRef
// needs a float64 kernel. Options.Logits is honoured as in Solve.
//
// Every field of the Result is bit for bit that of Solve on the same input and
// Options, except Objective and the timings: the kernel is computed row by row, each
// row read whole before it is overwritten, so it holds the same bits as Solve's,
// and nothing after it reads L. Objective recovers −L_{i,Labels[i]} from the kernel,
// L_iy = max_y' L_iy' + log(G_iy)/λ. That entry is never 0: the label maximises
// a_y·G_iy, which is at least a_y' > 0 at the row's own maximum (G = 1 there). Each
// G_iy is exp(λ(L_iy − max L_i)) within one float32 ulp (relative 1.2e-7, see
// expKernel), so every recovered L, and the Objective, are within 1.3e-7/λ of
// Solve's (plus float64 rounding; the tests observe at most 6e-8/λ).
//
// On return L holds the kernel G_iy = exp(λ·(L_iy − max_y' L_iy')) in float32, with
// L the log-probabilities (after the log-softmax when Options.Logits is set, which
// cancels): every row's largest entry is exactly 1, and entries below 2⁻¹²⁶ (where
// λ·(max L − L) > 87.3) are 0. L is untouched when the call fails validation (an
// error wrapping ErrInput: shape, Options, a non-finite entry); after an
// ErrNumerical it holds the kernel. For speed back L with huge pages, as a
// Workspace's kernel is (internal/hugemem), since every pass streams it.
func SolveInPlace(L []float32, n, k int, opt Options) (*Result, error) {
	return solve(new(Workspace), L, n, k, opt, true)
}

// Workspace keeps the large buffers of a solve — the N×K kernel (N·K·4 bytes;
// N·K·8 for SinkhornRef) and the per-sample vectors — so that later solves reuse
// them instead of allocating and first-touching fresh memory, which costs as much
// as tens of Sinkhorn iterations (about a second for 240 MB on a virtual machine).
// Use one per goroutine for repeated solves (training heads, λ sweeps). The zero
// value is ready to use; a Workspace is not safe for concurrent use, and holds its
// memory until it is dropped. Results never alias it.
type Workspace struct {
	g      []float32
	sparse []sparseChunk
	ps     []float64
	vecs   [][]float64
	used   int
}

// Solve is the package-level Solve on the workspace's buffers.
func (w *Workspace) Solve(L []float32, n, k int, opt Options) (*Result, error) {
	return solve(w, L, n, k, opt, false)
}

// Solve64 is the package-level Solve64 on the workspace's buffers.
func (w *Workspace) Solve64(L []float64, n, k int, opt Options) (*Result, error) {
	return solve(w, L, n, k, opt, false)
}

// SolveInPlace is the package-level SolveInPlace on the workspace's vectors and
// truncated kernel; it neither uses nor allocates the workspace's N×K kernel.
func (w *Workspace) SolveInPlace(L []float32, n, k int, opt Options) (*Result, error) {
	return solve(w, L, n, k, opt, true)
}

// kernel32 returns a float32 buffer of length n with unspecified contents.
func (w *Workspace) kernel32(n int) []float32 {
	if cap(w.g) < n {
		w.g = nil // let the old buffer go before allocating the new one
		w.g = hugemem.Float32s(n)
	}
	return w.g[:n]
}

// NewStreamBuffer returns a float32 slice of length n backed like a Workspace's
// kernel (transparent huge pages on Linux), so that a benchmark measuring the
// machine's streaming-read ceiling (StreamSum) reads the same kind of memory as
// the solver's passes.
func NewStreamBuffer(n int) []float32 { return new(Workspace).kernel32(n) }

// kernel64 returns a float64 buffer of length n with unspecified contents.
func (w *Workspace) kernel64(n int) []float64 {
	if cap(w.ps) < n {
		w.ps = nil
		w.ps = hugemem.Float64s(n)
	}
	return w.ps[:n]
}

// vec returns the next float64 buffer of length n in this solve, with unspecified
// contents.
func (w *Workspace) vec(n int) []float64 {
	if w.used == len(w.vecs) {
		w.vecs = append(w.vecs, nil)
	}
	v := &w.vecs[w.used]
	w.used++
	if cap(*v) < n {
		*v = make([]float64, n)
	}
	return (*v)[:n]
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// real is the element type of an input matrix.
type real interface{ ~float32 | ~float64 }

// config is Options with defaults applied and everything validated.
type config struct {
	variant     Variant
	lambda      float64
	r           []float64
	uniform     bool
	logits      bool
	tol         float64 // < 0: disabled
	checkEvery  int
	marginalTol float64 // 0: disabled
	maxIter     int
	phi         float64 // exponent of the a update: 1 balanced, τ/(τ+1/λ) relaxed
	lambdaStart float64
	absorbAt    float64
	kernel      KernelMode
	accel       Acceleration
	workers     int
}

func (c *config) balanced() bool { return c.phi == 1 }

func newConfig(n, k int, opt Options) (*config, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("sela: "+format+": %w", append(args, ErrInput)...)
	}
	c := &config{variant: opt.Variant, logits: opt.Logits}
	switch opt.Variant {
	case Sinkhorn, SinkhornRef, SinkhornLog:
	default:
		return nil, bad("unknown variant %d", int(opt.Variant))
	}
	switch {
	case opt.Lambda == 0:
		c.lambda = DefaultLambda
	case math.IsNaN(opt.Lambda) || math.IsInf(opt.Lambda, 0) || opt.Lambda < 0:
		return nil, bad("lambda must be positive and finite, got %v", opt.Lambda)
	default:
		c.lambda = opt.Lambda
	}
	if opt.Masses == nil {
		c.uniform = true
		c.r = make([]float64, k)
		for y := range c.r {
			c.r[y] = 1 / float64(k)
		}
	} else {
		if len(opt.Masses) != k {
			return nil, bad("masses: length %d, want K = %d", len(opt.Masses), k)
		}
		sum := 0.0
		for y, m := range opt.Masses {
			if !(m > 0) || math.IsInf(m, 0) {
				return nil, bad("masses[%d] = %v, want positive and finite", y, m)
			}
			sum += m
		}
		if math.Abs(sum-1) > 1e-6 {
			return nil, bad("masses sum to %v, want 1 (within 1e-6)", sum)
		}
		c.r = append([]float64(nil), opt.Masses...)
	}
	switch {
	case math.IsNaN(opt.Tol):
		return nil, bad("tol is NaN")
	case opt.Tol == 0:
		c.tol = DefaultTol
	default:
		c.tol = opt.Tol
	}
	switch {
	case opt.CheckEvery < 0:
		return nil, bad("check-every must be ≥ 0, got %d", opt.CheckEvery)
	case opt.CheckEvery == 0:
		c.checkEvery = DefaultCheckEvery
	default:
		c.checkEvery = opt.CheckEvery
	}
	if math.IsNaN(opt.MarginalTol) || opt.MarginalTol < 0 || math.IsInf(opt.MarginalTol, 0) {
		return nil, bad("marginal-tol must be ≥ 0 and finite, got %v", opt.MarginalTol)
	}
	c.marginalTol = opt.MarginalTol
	switch {
	case opt.MaxIter < 0:
		return nil, bad("max-iter must be ≥ 0, got %d", opt.MaxIter)
	case opt.MaxIter > 0:
		c.maxIter = opt.MaxIter
	case opt.Variant == SinkhornRef:
		c.maxIter = DefaultMaxIterRef
	case opt.Variant == SinkhornLog:
		c.maxIter = DefaultMaxIterLog
	default:
		c.maxIter = DefaultMaxIter
	}
	switch {
	case math.IsNaN(opt.Tau) || opt.Tau < 0:
		return nil, bad("tau must be ≥ 0, got %v", opt.Tau)
	case opt.Tau == 0 || math.IsInf(opt.Tau, 1):
		c.phi = 1
	default:
		c.phi = opt.Tau / (opt.Tau + 1/c.lambda)
	}
	switch {
	case math.IsNaN(opt.LambdaStart) || opt.LambdaStart < 0:
		return nil, bad("lambda-start must be ≥ 0, got %v", opt.LambdaStart)
	case opt.LambdaStart == 0:
		c.lambdaStart = DefaultLambdaStart
	default:
		c.lambdaStart = opt.LambdaStart
	}
	switch {
	case math.IsNaN(opt.AbsorbAt) || opt.AbsorbAt < 0 || math.IsInf(opt.AbsorbAt, 0):
		return nil, bad("absorb-at must be ≥ 0 and finite, got %v", opt.AbsorbAt)
	case opt.AbsorbAt == 0:
		c.absorbAt = DefaultAbsorbAt
	default:
		c.absorbAt = opt.AbsorbAt
	}
	switch opt.Kernel {
	case KernelAuto, KernelDense:
	case KernelSparse:
		if opt.Variant != Sinkhorn {
			return nil, bad("kernel sparse applies to sinkhorn only, not %v", opt.Variant)
		}
	default:
		return nil, bad("unknown kernel mode %d", int(opt.Kernel))
	}
	c.kernel = opt.Kernel
	switch {
	case opt.Accel < Anderson || opt.Accel > Newton:
		return nil, bad("unknown acceleration %d", int(opt.Accel))
	case opt.Variant != Sinkhorn && opt.Accel != Anderson:
		return nil, bad("acceleration applies to sinkhorn only, not %v", opt.Variant)
	case opt.Accel == Newton && k > newtonMaxK:
		return nil, bad("acceleration newton needs K ≤ %d, not %d (use anderson)", newtonMaxK, k)
	case opt.Variant == Sinkhorn:
		c.accel = opt.Accel
	default:
		c.accel = Plain
	}
	switch {
	case opt.Workers < 0:
		return nil, bad("workers must be ≥ 0, got %d", opt.Workers)
	case opt.Workers == 0:
		c.workers = defaultWorkers()
	default:
		c.workers = opt.Workers
	}
	if c.tol < 0 && c.marginalTol == 0 {
		return nil, bad("no stopping rule: tol < 0 disables the official rule and marginal-tol is 0")
	}
	if c.marginalTol > 0 && !c.balanced() {
		return nil, bad("marginal-tol needs balanced marginals (tau = 0 or +Inf), got tau = %v", opt.Tau)
	}
	v := opt.Variant
	if v == SinkhornRef {
		if !c.balanced() {
			return nil, bad("sinkhorn-ref is the official balanced scheme: tau is not supported")
		}
		if c.marginalTol > 0 {
			return nil, bad("sinkhorn-ref has only the official stopping rule: marginal-tol is not supported")
		}
	}
	if v != SinkhornLog && (opt.LambdaStart != 0 || opt.AbsorbAt != 0) {
		return nil, bad("lambda-start and absorb-at apply to sinkhorn-log only, not %v", v)
	}
	return c, nil
}

// input is the validated N×K matrix: L_iy = x_iy − shift_i (shift nil: L = x).
type input[T real] struct {
	x     []T
	n, k  int
	xmax  []float64 // max_y x_iy of every row
	shift []float64 // log-sum-exp of each row when the input holds logits

	// After an in-place build (SolveInPlace) x is nil and its memory holds the
	// kernel g = exp(λ·(L − max L)) at λ = lam, from which at recovers L.
	g   []float32
	lam float64
}

// clobber records that x has been overwritten by the kernel g built at λ = lam.
func (in *input[T]) clobber(g []float32, lam float64) {
	in.x, in.g, in.lam = nil, g, lam
}

// at returns L_iy in float64 — after an in-place build, max_y L_iy + log(g_iy)/λ,
// within 1.3e-7/λ of L_iy (see SolveInPlace). An entry that underflowed to 0 (never
// a label's, which is the only use) gives the upper bound max L + log(2⁻¹²⁶)/λ.
func (in *input[T]) at(i, y int) float64 {
	if in.g != nil {
		g := float64(in.g[i*in.k+y])
		if g == 0 {
			return in.lmax(i) + logMinNormal32/in.lam
		}
		return in.lmax(i) + math.Log(g)/in.lam
	}
	v := float64(in.x[i*in.k+y])
	if in.shift != nil {
		v -= in.shift[i]
	}
	return v
}

// lmax returns max_y L_iy.
func (in *input[T]) lmax(i int) float64 {
	if in.shift != nil {
		return in.xmax[i] - in.shift[i]
	}
	return in.xmax[i]
}

// checkShape validates N, K and len(x).
func checkShape(lenX, n, k int) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("sela: "+format+": %w", append(args, ErrInput)...)
	}
	switch {
	case n <= 0:
		return bad("N = %d, want at least one sample", n)
	case k <= 0:
		return bad("K = %d, want at least one cluster", k)
	case k > n:
		return bad("K = %d clusters exceed N = %d samples", k, n)
	case n > math.MaxInt/k || lenX != n*k:
		return bad("len(L) = %d, want N·K = %d·%d", lenX, n, k)
	}
	return nil
}

// newInput scans x once, in parallel: it records every row's maximum and reports
// the first non-finite entry (the lowest index, whatever the scheduling).
func newInput[T real](w *Workspace, x []T, n, k, workers int) (*input[T], error) {
	in := &input[T]{x: x, n: n, k: k, xmax: w.vec(n)}
	p := newPlan(n, k, workers)
	firstBad := make([]int, p.chunks)
	p.run(func(ch, lo, hi int) {
		firstBad[ch] = -1
		var bad int
		if x32, ok := any(x).([]float32); ok {
			bad = scanRows32(x32[lo*k:hi*k], k, in.xmax[lo:hi])
		} else {
			bad = scanRowsGo(x[lo*k:hi*k], k, in.xmax[lo:hi])
		}
		if bad >= 0 {
			i := lo + bad
			for y, v := range x[i*k : (i+1)*k] {
				if f := float64(v); f-f != 0 { // NaN or ±Inf
					firstBad[ch] = i*k + y
					return
				}
			}
		}
	})
	for _, j := range firstBad {
		if j >= 0 {
			return nil, fmt.Errorf("sela: L row %d, column %d is %v: %w", j/k, j%k, float64(x[j]), ErrInput)
		}
	}
	return in, nil
}

// scanRowsGo is the portable scanRows32 for either input type: xmax[i] = max of
// row i until the first row with a non-finite entry, whose index it returns (-1 if
// none).
func scanRowsGo[T real](x []T, k int, xmax []float64) int {
	for i := range xmax {
		m, ok := rowMax(x[i*k : (i+1)*k])
		if !ok {
			return i
		}
		xmax[i] = float64(m)
	}
	return -1
}

// rowMax returns the largest entry of a non-empty row and whether every entry is
// finite: four running maxima, and the sum of v − v, which is 0 unless some v is
// NaN or ±Inf (then it is NaN).
func rowMax[T real](row []T) (m T, finite bool) {
	m0, m1, m2, m3 := row[0], row[0], row[0], row[0]
	var z0, z1 T
	y := 0
	for ; y+4 <= len(row); y += 4 {
		r := row[y : y+4 : y+4]
		v0, v1, v2, v3 := r[0], r[1], r[2], r[3]
		z0 += (v0 - v0) + (v1 - v1)
		z1 += (v2 - v2) + (v3 - v3)
		if v0 > m0 {
			m0 = v0
		}
		if v1 > m1 {
			m1 = v1
		}
		if v2 > m2 {
			m2 = v2
		}
		if v3 > m3 {
			m3 = v3
		}
	}
	for _, v := range row[y:] {
		z0 += v - v
		if v > m0 {
			m0 = v
		}
	}
	if m1 > m0 {
		m0 = m1
	}
	if m3 > m2 {
		m2 = m3
	}
	if m2 > m0 {
		m0 = m2
	}
	return m0, z0+z1 == 0
}

// logSoftmax sets in.shift to the log-sum-exp of every row (float64, math.Exp),
// so that L = x − shift: Options.Logits.
func (in *input[T]) logSoftmax(w *Workspace, workers int) {
	k := in.k
	in.shift = w.vec(in.n)
	newPlan(in.n, k, workers).run(func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			m := in.xmax[i]
			s := 0.0
			for _, v := range in.x[i*k : (i+1)*k] {
				s += math.Exp(float64(v) - m)
			}
			in.shift[i] = m + math.Log(s)
		}
	})
}

// solve validates and dispatches. With inPlace (x is then []float32) the Sinkhorn
// kernel is built in x's memory; every check that can fail with ErrInput runs
// before that.
func solve[T real](w *Workspace, x []T, n, k int, opt Options, inPlace bool) (*Result, error) {
	start := time.Now()
	w.used = 0
	if err := checkShape(len(x), n, k); err != nil {
		return nil, err
	}
	cfg, err := newConfig(n, k, opt)
	if err != nil {
		return nil, err
	}
	var g []float32 // the kernel's memory: nil means the workspace's
	if inPlace {
		if cfg.variant != Sinkhorn {
			return nil, fmt.Errorf("sela: in-place solve: variant %v rebuilds its kernel from L or stores it in float64; only sinkhorn solves in place: %w", cfg.variant, ErrInput)
		}
		g = any(x).([]float32)
	}
	in, err := newInput(w, x, n, k, cfg.workers)
	if err != nil {
		return nil, err
	}
	if cfg.logits {
		in.logSoftmax(w, cfg.workers)
	}
	var res *Result
	switch cfg.variant {
	case SinkhornRef:
		res, err = solveRef(w, in, cfg)
	case Sinkhorn:
		res, err = solveFast(w, in, cfg, g)
	case SinkhornLog:
		res, err = solveLog(w, in, cfg)
	}
	if err != nil {
		return nil, err
	}
	res.Variant, res.Lambda, res.N, res.K = cfg.variant, cfg.lambda, n, k
	res.Duration = time.Since(start)
	return res, nil
}

// finish fills the label statistics of res and fixes the gauge of the log scalings.
func finish[T real](res *Result, in *input[T]) {
	counts := make([]int, in.k)
	obj := 0.0
	for i, y := range res.Labels {
		counts[y]++
		obj -= in.at(i, int(y))
	}
	res.Objective = obj / float64(in.n)
	res.MinSize, res.MaxSize = counts[0], counts[0]
	for _, c := range counts[1:] {
		res.MinSize = min(res.MinSize, c)
		res.MaxSize = max(res.MaxSize, c)
	}
	shift := math.Inf(-1)
	for _, v := range res.LogA {
		shift = math.Max(shift, v)
	}
	for y := range res.LogA {
		res.LogA[y] -= shift
	}
	res.rows.shift = shift
}

// rowScalings holds what LogB is formed from: LogB_i = (log b_i − off_i) + shift,
// with off nil meaning 0.
type rowScalings struct {
	b, off []float64
	shift  float64
}

// LogB returns the N log row scalings LogB_i of the plan (see Result), in a new
// slice. It takes N logarithms on each call.
func (r *Result) LogB() []float64 {
	rs := r.rows
	out := make([]float64, len(rs.b))
	for i, b := range rs.b {
		v := math.Log(b)
		if rs.off != nil {
			v -= rs.off[i]
		}
		out[i] = v + rs.shift
	}
	return out
}
