// Package metrics holds the one implementation of the clustering scores that every
// method in selabench is judged by: normalised mutual information (NMI), the adjusted
// Rand index (ARI), clustering accuracy (ACC) and the degeneracy statistics of a
// labelling (cluster sizes, empty clusters, size entropy, effective clusters).
//
// # Data flow
//
// Labels are plain []int slices, one entry per sample: truth holds the class of each
// sample, pred the cluster a method assigned it to. Any int values are allowed; they
// are remapped to dense indices in increasing label order (a lookup table when the
// labels span a small range, a hash map otherwise).
//
//  1. [NewContingency] counts, once, how many samples of each class fall in each
//     cluster. The table is stored sparsely (row-major, only non-zero cells), in int64,
//     so K = C = 3000 clusters on 100 000 samples costs memory in proportion to the
//     number of samples, not to K·C.
//  2. [Contingency.NMI], [Contingency.ARI] and [Contingency.ACC] read that table; the
//     functions [NMI], [ARI] and [ACC] are shorthands that build it and call one method.
//     [Score] builds it once and returns all three with the degeneracy statistics.
//  3. [DegeneracyOf] looks only at the predicted labels and the number of clusters K the
//     method was asked for, so that empty clusters are counted.
//
// # Agreement with scikit-learn
//
// NMI and ARI follow scikit-learn 1.2 (normalized_mutual_info_score with its default
// arithmetic-mean normalisation, adjusted_rand_score) operation by operation, edge
// cases included: the ARI agrees bit for bit on the tables tested, the NMI to within
// a few units in the last place (NumPy's log and Go's differ in the last bit):
//
//   - both labelings constant (one class, one cluster): NMI = 1, ARI = 1, ACC = 1;
//   - exactly one labeling constant and the other not: NMI = 0, ARI = 0;
//   - all labels distinct in both labelings (N classes, N clusters): NMI = 1, ARI = 1,
//     ACC = 1; a single sample is both constant and all-distinct: all three are 1;
//   - NMI is not clipped to 1 (neither is scikit-learn's); MI is clipped below at 0.
//
// Unlike scikit-learn, empty input is an error (scikit-learn returns 1.0), and so are
// label slices of different lengths.
//
// ACC has no scikit-learn peer; it is the usual clustering accuracy of the deep
// clustering literature (e.g. Xie, Girshick & Farhadi, "Unsupervised deep embedding
// for clustering analysis", ICML 2016): the fraction of samples whose cluster is
// matched to their class under the best one-to-one matching of clusters to classes,
// found exactly by a shortest augmenting path assignment solver ([MaxMatching]).
// When K ≠ C only min(K, C) pairs can be matched and the samples of unmatched
// clusters count as errors; the value equals the one obtained with
// scipy.optimize.linear_sum_assignment(contingency, maximize=True).
package metrics
