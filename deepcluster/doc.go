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
//  3. UniformSampler draws the epoch's training order uniformly over the non-empty
//     pseudo-labels (util.UnifLabelSampler).
//  4. The harness re-initialises the classifier head and trains (see below).
//
// # The head-reinitialisation contract (for the harness)
//
// DeepCluster's pseudo-labels are a fresh permutation-free naming of clusters each
// epoch, so the head cannot be kept. Before each epoch's training the harness must,
// as main.py does:
//
//   - replace the top layer by a new Linear(D_feat, K) — K outputs including empty
//     clusters (len(images_lists) = K in the official code) — with weights drawn from
//     N(0, 0.01²) (std 0.01, PyTorch's normal_(0, 0.01)) and zero bias: internal/nn.ResetHead;
//   - give the head its own optimiser, created anew each epoch (plain SGD, no
//     momentum, the trunk's learning rate and weight decay), so no optimiser state
//     carries over between epochs; the trunk's optimiser (SGD with momentum) persists;
//   - train on the sample order given by UniformSampler, the target of sample i
//     being Labels.Labels[i].
package deepcluster
