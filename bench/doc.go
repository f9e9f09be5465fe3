// Package bench is the suite's shared harness — one train loop, one label step,
// one evaluation for every pseudo-labelling method — and its `go test -bench`
// suites.
//
// # A run
//
// [Run] takes a [Config] and a dataset and returns a [Record]:
//
//  1. The network (internal/nn: the MLP or the CNN, Config.Heads heads of K
//     outputs sharing the trunk) starts from seeded Kaiming weights; the
//     pseudo-labels of every head start as a random equipartition (i mod K,
//     shuffled), as in the official SeLa code.
//
//  2. Training is SGD with momentum and weight decay on mini-batches of augmented
//     images, the loss being the mean over heads of each head's cross-entropy
//     against its pseudo-labels.
//
//  3. Label steps happen on a schedule — SeLa's quadratic spacing (Config.Nopts)
//     or once at the start of every epoch — and hand the method's [Labeler] the
//     whole training set as the network sees it: each head's log-probabilities
//     (of the clean images, one augmented view, or the mean over several) or the
//     trunk features (DeepCluster). The labeler returns new labels per head.
//
//  4. After training, the evaluation (see [Final]) scores on the test split (or
//     on a validation part of train): every head's cluster predictions with
//     NMI, ARI, Hungarian and many-to-one accuracy, and the frozen trunk features
//     with a linear probe and weighted kNN (package bench/eval).
//
// # Methods
//
// A method is one registration, a [Method] passed to [RegisterMethod]: its name
// and description, how many heads it trains, what its label step needs, a factory
// for its [Labeler], and how it departs from the common loop — fixed labels (no
// labeler), its own initial labels, heads re-initialised every epoch with their
// own optimiser and its own sample order (DeepCluster), no training, or no
// network at all. The train loop and the evaluation read those fields and name
// no method; [Methods], Config.Validate, the command line and sweep files take
// the names from the registry. The built-in methods register in the
// method*_*.go files, each next to its labeler, in the order of the comparison
// table (file-name order is Go's initialisation order); [RegisteredMethods]
// describes each, as `selabench run --help` and the README's method table show.
//
// ExampleRegisterMethod adds a method from another package.
//
// Every random draw comes from a stream named by its purpose and derived from
// Config.Seed (internal/rng), and every parallel reduction below combines its
// parts in a fixed order, so a config gives the same record — labels, curves and
// metrics — for any GOMAXPROCS; only timings and the environment differ.
//
// Records are stored as JSON Lines, one run per line, appended atomically; package
// bench/records writes and reads those files.
//
// # Benchmarks
//
// transport_test.go measures the self-labelling step, solved three ways, on one
// family of seeded inputs (internal/logits, shared with the tests and the CLI's
// --synthetic):
//
//   - BenchmarkSinkhorn/variant=…/kind=…/n=…/k=…/lambda=…[/kernel=dense|sparse]:
//     full solves to the official stopping rule (tol 0.1), reporting iters/op,
//     GB/s (kernel bytes streamed per second of solve), pass-GB/s and ms/iter.
//   - BenchmarkStream/n=…/k=…: a parallel sum (vector adds) over the same number
//     of float32s on the same kind of memory, in the solver's chunks — the
//     machine's streaming-read ceiling for a pass. selA's BenchmarkPass times one
//     dense pass alone, to hold against it.
//   - BenchmarkExact/n=…/k=…/kind=…: the exact equipartition with its certificate,
//     reporting the duality gap.
//
// Compare two runs with benchstat:
//
//	go test ./bench -run '^$' -bench 'Sinkhorn|Stream|Exact' -count 6 > new.txt
//	benchstat old.txt new.txt
package bench
