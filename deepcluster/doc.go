// Package deepcluster holds DeepCluster's pseudo-labelling step (M. Caron, P.
// Bojanowski, A. Joulin, M. Douze, "Deep clustering for unsupervised learning of
// visual features", ECCV 2018), as the official code (facebookresearch/deepcluster:
// clustering.py, util.py, main.py) runs it, for the suite's shared training harness.
//
// # Data flow, once per epoch
//
//  1. The harness computes the features of the whole training set with the trunk in
//     evaluation mode (N×D, row-major float32).
//  2. Labeler.Label preprocesses them as clustering.preprocess_features does — a PCA
//     to min(256, D) dimensions with whitening (faiss PCAMatrix, eigen_power −0.5),
//     fitted afresh on these features, then row L2 normalisation — and clusters
//     them with k-means (package kmeans: 20 Lloyd iterations, one run, no
//     subsampling, a k-means seed drawn for this epoch from the run seed, as
//     run_kmeans does), the final labels by a fresh nearest-centroid search (so
//     clusters can be empty). It records the NMI between this assignment and the
//     previous one (main.py's "NMI against previous assignment").
//  3. BeginEpoch has the harness re-initialise the classifier head (see below), and
//     UniformSampler draws the epoch's training order uniformly over the non-empty
//     pseudo-labels (util.UnifLabelSampler).
//  4. The harness trains the epoch on that order.
//
// # The harness's side: Trainer and BeginEpoch
//
// DeepCluster's pseudo-labels are a fresh permutation-free naming of clusters each
// epoch, so the head cannot be kept. A training harness implements [Trainer] —
// re-initialise a head with its own optimiser — and calls [BeginEpoch] before each
// epoch's training, which does what main.py does: re-initialise the head, then draw
// the epoch's order with UniformSampler. Besides, as main.py, the harness keeps the
// head out of the trunk's optimiser (SGD with momentum, which persists across
// epochs) and starts the head from the same N(0, 0.01²) initialisation; the target
// of sample i is Labels.Labels[i].
package deepcluster
