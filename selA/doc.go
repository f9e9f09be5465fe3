// Package sela solves the transport step of self-labelling (SeLa: Asano, Rupprecht
// & Vedaldi, "Self-labelling via simultaneous clustering and representation
// learning", ICLR 2020): given log-probabilities L (N samples × K clusters), find
// the plan
//
//	min_Q ⟨Q, −L⟩ + (1/λ)·KL(Q ‖ r cᵀ)   s.t.  Q 1_K = c = 1/N,  Qᵀ 1_N = r,
//
// whose solution is Q_iy = a_y·exp(λ L_iy)·b_i, found by Sinkhorn–Knopp scaling;
// the pseudo-labels are argmax_y Q_iy. With r uniform this is SeLa's equipartition
// constraint; Options.Masses sets a prior on cluster sizes and Options.Tau relaxes
// it (unbalanced transport).
//
// # Data flow
//
// Solve (float32) or Solve64 takes the matrix row-major with its shape, validates
// it and the Options (errors wrap ErrInput), and runs one Variant:
//
//   - SinkhornRef forms P^λ in float64 and iterates exactly as the official code
//     (sinkhornknopp.py), two sweeps per iteration.
//   - Sinkhorn (the default) stores the stabilised kernel exp(λ(L − max L)) once in
//     float32 and runs one fused sweep per iteration (for each sample: b_i from the
//     current a, then its contribution to the column sums that give the next a),
//     split into fixed chunks of samples on GOMAXPROCS goroutines. Between the
//     iterations at which the official rule is checked, the column scalings are
//     Anderson-extrapolated in log space from the last few iterations (see
//     Acceleration); every checked iteration follows a plain update, so the rule
//     keeps its meaning while far fewer iterations reach it (Options.Accel = Newton
//     takes Newton steps instead, for K ≤ 16). The sweep, and the exponentials of
//     the kernel, are AVX-512 or AVX2 routines on amd64 (build tag purego selects
//     the portable Go, which computes the same bits); both take four samples at a
//     time for K ≤ 16, with the column sums in registers, and with AVX-512 for
//     every K, sharing their loads of a and of the column sums and prefetching
//     the next ones. A dense sweep is bound by memory
//     bandwidth, so for large kernels (Options.Kernel) the iterations run on a
//     truncated copy instead — the entries with G_iy·a_y above a fraction θ of
//     their row's sum, extracted during a dense sweep, in compressed sparse rows
//     (Schmitzer 2019) — as long as a bound on the dropped mass, checked before
//     every sweep, stays below 1e-9 relative; otherwise that iteration is dense
//     (re-extracting when the scalings have settled). The final labelling sweep
//     always reads the full kernel. See sparse.go.
//   - SinkhornLog keeps the same sweep but absorbs the column scalings into the
//     kernel whenever they grow, for λ where the others under- or overflow.
//
// Each returns a Result: labels, log scalings, iterations, the official stopping
// error, the marginal errors of the final plan recomputed after the loop, the
// objective, cluster sizes and timings. Numerical breakdown is an error wrapping
// ErrNumerical, never NaN labels.
//
// For repeated solves (heads, epochs, λ sweeps) a Workspace keeps the N×K kernel
// between calls; on Linux the kernel is backed by transparent huge pages
// (madvise), since a pass streams it and 4 KiB pages cost a TLB miss each.
//
// When two N×K matrices do not fit (ImageNet: N = 1 281 167, K = 3000, 15.4 GB
// each in float32), SolveInPlace runs Sinkhorn with the kernel built in the
// caller's float32 input, which it overwrites: the same results as Solve (the
// objective, recovered from the kernel, to 1.3e-7/λ) in the input's memory plus
// O(N + K) vectors and the truncated kernel.
//
// # Determinism
//
// Results depend only on the input and Options, not on GOMAXPROCS or
// Options.Workers: chunk boundaries are a function of N and K, each chunk has its
// own partial sums, and partials are added in chunk order. The dot products use a
// fixed 32-lane summation order reproduced exactly by every implementation.
//
// # Precision
//
// Sinkhorn and SinkhornLog round the kernel to float32 (relative error 6e-8 per
// entry, which is λ·L perturbed by at most 6e-8) and flush entries below 1.2e-38
// (λ·(max L − L) > 87.3) to zero; everything else — scalings, dot products, sums —
// is float64 with fused multiply-adds. A sweep over Sinkhorn's truncated kernel
// gives the b and s of a dense sweep from the same a to within 1e-9 relative (a
// proven bound, Result.TruncationBound), below that float32 rounding: the solve
// takes the same iterations unless a checked stopping error lies within about
// N·1e-9 of the tolerance, and labels and scalings agree with the dense solve's to
// about 1e-9 (1e-6 is what the tests demand; the Anderson extrapolation amplifies
// such differences somewhat).
//
// The accelerated solve stops at a different point than the plain one, both
// within the same tolerance of the same fixed point: the tests demand that at
// least 99.5 % of its hard labels agree with SinkhornRef's and that the objective
// agree to 1e-4 relative, on synthetic inputs and on a real network's outputs
// (testdata).
package sela
