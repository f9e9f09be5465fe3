// Package eval holds the representation evaluation of selabench (DESIGN.md §5): the two
// standard ways of scoring frozen features with labels, used by every method.
//
//   - [LinearProbe]: multinomial logistic regression on standardised features, its L2
//     strength chosen on a held-out part of train, accuracy on test — the "linear
//     evaluation" of self-supervised representations (SeLa: Asano, Rupprecht &
//     Vedaldi, ICLR 2020; 83.4 % on CIFAR-10 by the author's report, DESIGN.md §6).
//   - [KNN]: the weighted k-nearest-neighbour classifier of Wu, Xiong, Yu & Lin,
//     "Unsupervised feature learning via non-parametric instance discrimination",
//     CVPR 2018 (cosine similarity, k = 200, weights exp(s/τ), τ = 0.1), the protocol
//     SeLa reports for CIFAR (77.6 % on CIFAR-10).
//
// # Data flow
//
// Features arrive as a [Set]: N rows of D float32 values, row-major, with an integer
// class per row (classes 0 … max train label). A train and a test Set go in; neither
// is modified. Both evaluators check their input first (shapes, finite features,
// labels, options) and return errors wrapping [ErrEmpty], [ErrShape], [ErrNonFinite],
// [ErrLabel] or [ErrOption], naming the set, row and column at fault; they never panic
// on bad input. Options are structs whose zero values mean the documented defaults;
// results are structs ([ProbeResult], [KNNResult]) with timings.
//
// LinearProbe copies the training and test rows once, standardised, and fits the
// probe by L-BFGS on the training copy: the loss and gradient over fixed chunks of up
// to 512 rows are two float32 products through internal/gemm (logits, then residuals
// × features) and a float64 softmax; chunk results are added in float64 per group of
// 4096 rows, and the groups in a fixed order. KNN L2-normalises copies of both sets,
// forms similarities 256 test rows × 4096 training rows at a time through
// internal/gemm and keeps each test row's best candidates in a buffer pruned by
// quickselect.
//
// # Determinism
//
// Work is split among goroutines by fixed row blocks whose boundaries depend on the
// data sizes only, gemm is bit-reproducible for any number of goroutines, and every
// reduction is taken in a fixed order, so results are bit-identical for any Workers
// and GOMAXPROCS (gemm's portable Go kernel, used off amd64, rounds differently from
// its assembly ones). The only randomness, the probe's validation split, comes from
// internal/rng (seed, "eval/probe/validation").
//
// # Cost
//
// Measured on the suite's 2-core AVX-512 virtual machine (BenchmarkLinearProbe,
// BenchmarkKNN; 10-class Gaussian mixtures, 10 000 test rows): the probe's whole
// protocol (4 strengths on the 90 % split plus the refit) takes about 1 s on
// 60 000 × 128 features and 2–3 s on 60 000 × 512, with 55–70 L-BFGS iterations in
// all; one evaluation of the objective costs about 6 ms at D = 128. Strongly
// correlated features need far more iterations at weak regularisation (1 100 in all,
// about 6 s, on a mixture seen through a random matrix with singular values decaying
// as 0.97^j). KNN of 10 000 test rows against 60 000 training rows of 128 features
// (k = 200) takes about 1.1 s, most of it in the similarity products.
package eval
