// Package eval holds the representation evaluation of selabench: the two standard
// ways of scoring frozen features with labels, used by every method. Neither trains
// the network; both take the features a method's network produces and the true
// classes, and score how well a simple classifier recovers those classes.
//
//   - [LinearProbe]: the "linear evaluation" of self-supervised representations, as
//     SeLa (Asano, Rupprecht & Vedaldi, "Self-labelling via simultaneous clustering
//     and representation learning", ICLR 2020) and most of its successors report
//     it: a multinomial logistic regression (softmax over the classes, with bias) is
//     fitted on the frozen, standardised training features and its accuracy on the
//     test features is the score. Its L2 strength λ is chosen on a seeded held-out
//     part of train (the strongest λ first, each fit warm-started at the previous
//     one; ties go to the larger λ), then the probe is refitted on all of train with
//     that λ. Test labels are used only for the final score.
//   - [KNN]: the weighted k-nearest-neighbour classifier of Wu, Xiong, Yu & Lin,
//     "Unsupervised feature learning via non-parametric instance discrimination",
//     CVPR 2018, which SeLa also reports for CIFAR: features are L2-normalised, each
//     test row takes its k = 200 training rows of largest cosine similarity s, each
//     neighbour votes for its class with weight exp(s/τ), τ = 0.1, and the class of
//     largest total is predicted. It needs no fitting and no hyperparameter search,
//     so it scores the geometry of the features rather than their linear separability.
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
// The probe's cost is that of its L-BFGS iterations (several fits: one per λ on the
// held-out split, plus the refit), each evaluation of the objective being two gemm
// products over the training rows; strongly correlated features need many more
// iterations at weak regularisation. KNN's cost is mostly the similarity products,
// test rows × training rows × D; the candidate buffers are small beside them.
// BenchmarkLinearProbe and BenchmarkKNN time both.
package eval
