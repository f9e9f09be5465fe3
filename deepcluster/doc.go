// Package deepcluster will hold DeepCluster's labeler (Caron et al., ECCV 2018):
// features → PCA-whitening → L2 normalisation → k-means → pseudo-labels, with a
// uniform-over-clusters sampler. It is not written yet; k-means itself is in package
// kmeans.
package deepcluster
