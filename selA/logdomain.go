package sela

import (
	"fmt"
	"math"
	"time"
)

// solveLog is SinkhornLog: the fused float32 iteration of Sinkhorn on a kernel into
// which the log column scalings α are absorbed (Schmitzer 2016, §3.2 "absorption"),
//
//	G_iy = exp(λ·(L_iy − max L_i) + α_y − m_i),  m_i = max_y (λ·(L_iy − max L_i) + α_y),
//
// so the scalings a that the iteration works with stay near 1 while α carries any
// range. After every iteration the proposed a (see Options.Tau) is checked; when
// max_y |log a_y| > AbsorbAt, or a cluster's column carries no mass in float32 (its
// a would be infinite), log a is folded into α and G is rebuilt. For a cluster whose
// column underflowed, log a is instead computed exactly in float64 from L, as one
// log-domain Sinkhorn update: log a_y = log r_y − φ·log Σ_i exp(λL_iy + α_y − m_i + log b_i).
//
// λ-scaling (LambdaStart > 0): the problem is solved at LambdaStart, 2·LambdaStart, ...,
// λ; between stages the duals α + log a are multiplied by λ_new/λ_old, their scaling
// with λ (ε-scaling, Schmitzer 2016 §3.3).
//
// The first stage starts exactly as Sinkhorn (the official starting point), so
// while no absorption happens the two variants compute the same bits.
func solveLog[T real](w *Workspace, in *input[T], cfg *config) (*Result, error) {
	n, k := in.n, in.k
	kn := newKernel(w, n, k, cfg.workers, nil)
	l := newLoop(w, cfg, n, k)
	res := &Result{KernelBytes: kn.bytes()}
	var alpha []float64 // nil until the first absorption: then G is Sinkhorn's
	logA := make([]float64, k)
	mOld := w.vec(n)
	var buildTime time.Duration
	rebuild := func(lam float64, b0 []float64) {
		t := time.Now()
		build(kn, in, lam, alpha, b0, l.s)
		res.Rebuilds++
		buildTime += time.Since(t)
	}
	// absorb folds log a (logA, already computed) into α, rebuilds G at λ and
	// re-expresses the latest b (in l.prev) in the new kernel's gauge.
	absorb := func(lam float64) {
		if alpha == nil {
			alpha = make([]float64, k)
		}
		for y := range alpha {
			alpha[y] += logA[y]
			l.a[y] = 1
		}
		copy(mOld, kn.m)
		rebuild(lam, nil)
		for i := range l.prev {
			l.prev[i] *= math.Exp(kn.m[i] - mOld[i])
		}
	}

	stages := lambdaStages(cfg)
	t1 := time.Now()
	finished := false
	curLam := stages[0]
	for si, lam := range stages {
		curLam = lam
		if si == 0 {
			b0 := initialB(w, in, lam, kn.p)
			rebuild(lam, b0)
			l.restart(b0)
			if proposeA(l, cfg, logA) {
				// absorb also re-expresses b0 (in l.prev) in the new gauge, so the
				// first check still compares with the official starting point.
				rescue(kn, in, lam, alpha, l.prev, cfg, logA)
				absorb(lam)
			}
		} else {
			if alpha == nil {
				alpha = make([]float64, k)
			}
			ratio := lam / stages[si-1]
			for y := range alpha {
				alpha[y] = (alpha[y] + math.Log(l.a[y])) * ratio
				l.a[y] = 1
			}
			rebuild(lam, nil)
			l.restart(nil)
		}
		for t := 1; ; t++ {
			done, err := l.step(kn.pass, t, cfg.variant)
			if err != nil {
				return nil, err
			}
			if done {
				break
			}
			if l.capped() {
				if si < len(stages)-1 {
					l.reason += fmt.Sprintf(" in the λ = %v stage of %v", lam, stages)
				}
				finished = true
				break
			}
			if proposeA(l, cfg, logA) {
				rescue(kn, in, lam, alpha, l.prev, cfg, logA)
				absorb(lam)
			}
		}
		if finished {
			break
		}
		if si < len(stages)-1 {
			l.converged = false // only the last stage's convergence counts
		}
	}
	t2 := time.Now()
	res.Build = buildTime
	res.Iterate = t2.Sub(t1) - buildTime
	kn.sweep(w, l.a, l.b, cfg.r, res)
	res.Final = time.Since(t2)
	fill(res, l, kn, in, alpha, curLam)
	res.Kernel = KernelDense
	res.StreamedBytes = int64(res.Passes) * res.KernelBytes
	finish(res, in)
	return res, nil
}

// lambdaStages is the λ schedule: LambdaStart, 2·LambdaStart, ... then λ.
func lambdaStages(cfg *config) []float64 {
	if cfg.lambdaStart >= cfg.lambda {
		return []float64{cfg.lambda}
	}
	var st []float64
	for v := cfg.lambdaStart; v < cfg.lambda; v *= 2 {
		st = append(st, v)
	}
	return append(st, cfg.lambda)
}

// proposeA sets l.a to the next scaling (r/s)^φ and logA to its logarithm, and
// reports whether it must be absorbed: a cluster without mass (logA = NaN marks it
// for rescue) or max |log a| > AbsorbAt.
func proposeA(l *loop, cfg *config, logA []float64) bool {
	needs := false
	for y := range l.a {
		q := nextA(cfg.r[y], l.s[y], cfg.phi)
		l.a[y] = q
		if !(q > 0) || math.IsInf(q, 1) {
			logA[y] = math.NaN()
			needs = true
			continue
		}
		logA[y] = math.Log(q)
		if math.Abs(logA[y]) > cfg.absorbAt {
			needs = true
		}
	}
	return needs
}

// rescue replaces each NaN in logA (a cluster whose float32 column carries no
// mass) by the exact log-domain update
// log r_y − φ·log Σ_i exp(v_iy − m_i + log b_i), summed in float64 from L with a
// streaming log-sum-exp per chunk, chunks combined in order.
func rescue[T real](kn *kernel, in *input[T], lam float64, alpha, b []float64, cfg *config, logA []float64) {
	var cols []int
	for y, v := range logA {
		if math.IsNaN(v) {
			cols = append(cols, y)
		}
	}
	if len(cols) == 0 {
		return
	}
	k, nc := kn.k, len(cols)
	pm := make([]float64, kn.p.chunks*nc) // per chunk: running max
	ps := make([]float64, kn.p.chunks*nc) // per chunk: Σ exp(t − max)
	kn.p.run(func(ch, lo, hi int) {
		mx, sm := pm[ch*nc:(ch+1)*nc], ps[ch*nc:(ch+1)*nc]
		for j := range mx {
			mx[j], sm[j] = math.Inf(-1), 0
		}
		for i := lo; i < hi; i++ {
			x := in.x[i*k : (i+1)*k]
			xm := in.xmax[i]
			lb := math.Log(b[i]) - kn.m[i]
			for j, y := range cols {
				t := lam*(float64(x[y])-xm) + lb
				if alpha != nil {
					t += alpha[y]
				}
				switch {
				case t <= mx[j]:
					sm[j] += math.Exp(t - mx[j])
				default:
					sm[j] = sm[j]*math.Exp(mx[j]-t) + 1
					mx[j] = t
				}
			}
		}
	})
	for j, y := range cols {
		m, s := math.Inf(-1), 0.0
		for ch := range kn.p.chunks {
			cm, cs := pm[ch*nc+j], ps[ch*nc+j]
			if cs == 0 {
				continue
			}
			if cm <= m {
				s += cs * math.Exp(cm-m)
			} else {
				s = s*math.Exp(m-cm) + cs
				m = cm
			}
		}
		logA[y] = math.Log(cfg.r[y]) - cfg.phi*(m+math.Log(s))
	}
}
