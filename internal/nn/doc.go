// Package nn holds the neural-network layers the suite trains: float32
// layers on gorgonia tensors (gorgonia.org/tensor *tensor.Dense) with
// hand-written backward passes, every matrix product through the suite's
// fast SGEMM (internal/gemm).
//
// # Overview
//
// A [Model] is a trunk (a [Sequential] of [Layer]s) producing features and
// T linear heads producing logits, as SeLa's multi-head self-labelling
// network (Asano, Rupprecht & Vedaldi, "Self-labelling via simultaneous
// clustering and representation learning", ICLR 2020); DeepCluster and
// supervised training use T = 1. [NewMLP] builds the 784-512-512-128 MLP
// for 28×28 images and [NewCNN] a small CNN for 28×28×1 or 32×32×3 images.
//
// One training step flows as:
//
//	x (N×D or N×C×H×W) ─Forward(train)─► features ─► logits per head
//	Loss(labels per head)  mean over heads of softmax cross-entropy,
//	                       gradients stored per head
//	Backward               heads then trunk, every Param.G set
//	SGD.Step               momentum + weight decay, as torch.optim.SGD
//
// ([Model.TrainStep] does all four.) For soft targets or custom losses call
// [SoftCrossEntropy] on the logits and pass the gradients to
// [Model.Backward]. [Model.Features] runs the trunk in evaluation mode (the
// features a labeler or a linear probe reads) and [LogSoftmax] turns logits
// into the log-probabilities a labeler consumes. [ResetHead] is
// DeepCluster's per-epoch head re-initialisation. [Model.Save] and
// [Model.Load] store weights (with BatchNorm running statistics) in a small
// versioned, checksummed file. [Augmenter] applies seeded image
// augmentations to a batch before it enters the network.
//
// Layouts follow PyTorch: Linear weights are Out×In, convolution weights
// F×C×KH×KW, images N×C×H×W, and parameter names ("trunk.0.weight",
// "heads.1.bias") follow a state_dict, so weights translate one to one.
//
// # Memory
//
// Each layer owns its output and gradient tensors and reuses them while
// the batch shape stays the same: a tensor returned by Forward or Backward
// is valid until that layer's next call. Hot loops work on the backing
// []float32 ([Data]). An evaluation-mode pass of a network with convolutions
// runs a large batch through its convolutional layers in chunks of 8 samples,
// so that their intermediates stay in cache, gathers the chunks' outputs into a
// whole-batch tensor owned by the [Model], and runs the fully-connected layers
// and heads on it at once: the outputs are those of one pass, bit for bit (see
// Determinism).
//
// # Determinism
//
// Random initialisation, dropout and augmentation draw from
// internal/rng streams given by the caller. The GEMM is bit-identical for
// any number of goroutines, and the package's own reductions (bias and
// BatchNorm sums, col2im) run in a fixed order per output value, split
// across goroutines by output only; sums are accumulated in float64. The
// same seed therefore gives bit-identical weights for any GOMAXPROCS. In
// evaluation mode each output depends on its own sample alone, and a GEMM sums
// each value in an order fixed by the inner dimension, so an evaluation pass
// gives the same bits however its batch is split.
//
// # BLAS
//
// The layers call gemm.Sgemm directly. [UseFastBLAS] additionally installs
// the fast GEMM as gorgonia tensor's BLAS (tensor.Use) and gonum's blas32,
// for code that multiplies tensors itself; it is an explicit call, not an
// init function.
package nn
