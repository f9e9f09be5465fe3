package deepcluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/selabench/selabench/internal/rng"
	"github.com/selabench/selabench/internal/rowops"
	"github.com/selabench/selabench/kmeans"
)

// DefaultPCADims is the PCA output dimension of the official preprocess_features.
const DefaultPCADims = 256

// Options configures a Labeler. Every zero value means the official code's setting.
type Options struct {
	// K is the number of clusters (main.py's --nmb_cluster, 10 000 for ImageNet;
	// ≈ 10× the number of classes is the usual advice on small data). Required.
	K int
	// PCADims is the PCA output dimension: 0 means min(256, D); a negative value
	// skips the PCA (and whitening) altogether.
	PCADims int
	// NoWhiten keeps the PCA but without whitening (official: whitened).
	NoWhiten bool
	// NoL2 skips the row L2 normalisation after the PCA (official: normalised).
	NoL2 bool
	// Iters is the number of Lloyd iterations: 0 means 20 (run_kmeans's niter).
	Iters int
	// Redo is faiss's nredo: 0 means 1.
	Redo int
	// MaxPointsPerCentroid is faiss's max_points_per_centroid: 0 means unlimited
	// (run_kmeans sets 10 000 000, i.e. never subsample).
	MaxPointsPerCentroid int
	// Init is the k-means initialisation: "" means random points, faiss's only one.
	Init kmeans.Init
	// Seed is the run seed. Each epoch's k-means seed is drawn from the stream
	// (Seed, "deepcluster/kmeans/epoch<e>") — the official code draws
	// np.random.randint(1234) per clustering from the run-seeded global NumPy
	// generator, so that initial centroids differ between epochs; ours depends only
	// on (Seed, epoch), not on how many draws came before.
	Seed uint64
}

// Labels is the outcome of one Label call.
type Labels struct {
	// Labels[i] is the pseudo-label (cluster) of sample i, in [0, K).
	Labels []int
	// Sizes[c] counts the samples of cluster c; NonEmpty counts the c with Sizes[c] > 0.
	Sizes    []int
	NonEmpty int
	// Epoch is the epoch passed to Label; KMeansSeed the k-means seed drawn for it.
	Epoch      int
	KMeansSeed uint64
	// Dims is the dimension k-means ran in (after PCA).
	Dims int
	// PCADegenerate counts PCA directions whitening set to 0 (see kmeans.PCA).
	PCADegenerate int
	// KMeans holds the clustering's centroids, objective per iteration, splits,
	// empty clusters and timing.
	KMeans *kmeans.Result
	// PreprocessSeconds covers PCA and normalisation; Seconds the whole call.
	PreprocessSeconds, Seconds float64
}

// Labeler turns each epoch's features into DeepCluster pseudo-labels and remembers
// the previous assignment to report their NMI. It is not safe for concurrent use.
type Labeler struct {
	opt Options
}

// NewLabeler checks opt and returns a Labeler.
func NewLabeler(opt Options) (*Labeler, error) {
	if err := opt.kmeansOptions(0).Check(); err != nil {
		return nil, fmt.Errorf("deepcluster: %w", err)
	}
	return &Labeler{opt: opt}, nil
}

// kmeansOptions are the k-means options of o, with the given seed.
func (o Options) kmeansOptions(seed uint64) kmeans.Options {
	return kmeans.Options{K: o.K, Iters: o.Iters, Init: o.Init, Seed: seed, Redo: o.Redo, MaxPointsPerCentroid: o.MaxPointsPerCentroid}
}

// Features are preprocessed features, as [Preprocess] returns them.
type Features struct {
	// X is n×Dims, row-major; it never shares memory with Preprocess's input.
	X    []float32
	Dims int
	// Degenerate counts the PCA directions whitening set to 0 (see kmeans.PCA).
	Degenerate int
}

// Preprocess is DeepCluster's feature preprocessing (main.py's
// preprocess_features): a PCA to dims dimensions fitted on the n×d features
// themselves, whitened if whiten (faiss's PCAMatrix with eigen_power −0.5),
// then, if l2, every row scaled to unit Euclidean norm. dims = 0 skips the
// PCA. The features are not modified. The harness's labeler and the command
// line's kmeans both preprocess through it.
func Preprocess(features []float32, n, d, dims int, whiten, l2 bool) (Features, error) {
	out := Features{X: features, Dims: d}
	if dims > 0 {
		p, err := kmeans.FitPCA(features, n, d, dims, kmeans.PCAOptions{Whiten: whiten})
		if err != nil {
			return Features{}, err
		}
		if out.X, err = p.Apply(features, n); err != nil {
			return Features{}, err
		}
		out.Dims, out.Degenerate = dims, p.Degenerate
	} else {
		out.X = slices.Clone(features)
	}
	if l2 {
		rowops.L2Normalize(out.X, n, out.Dims)
	}
	return out, nil
}

// Label clusters the n feature rows (n×d, row-major; not modified) of one epoch and
// returns their pseudo-labels: PCA-whitening to min(256, d) dimensions fitted on
// these features, L2 normalisation, k-means with K clusters (see Options). Errors
// name the row or option at fault (NaN/±Inf features, K > n, PCA dims > d).
func (l *Labeler) Label(features []float32, n, d, epoch int) (*Labels, error) {
	start := time.Now()
	opt := l.opt
	if n < 1 || d < 1 || len(features) != n*d {
		return nil, fmt.Errorf("deepcluster: %d feature values for %d×%d", len(features), n, d)
	}
	if opt.K > n {
		return nil, fmt.Errorf("deepcluster: K = %d exceeds the number of samples N = %d", opt.K, n)
	}
	for i, v := range features {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("deepcluster: features: row %d, column %d is %v", i/d, i%d, f)
		}
	}
	out := &Labels{Epoch: epoch}
	dims := 0
	switch {
	case opt.PCADims == 0:
		dims = min(DefaultPCADims, d)
	case opt.PCADims > 0:
		dims = opt.PCADims
	}
	x, err := Preprocess(features, n, d, dims, !opt.NoWhiten, !opt.NoL2)
	if err != nil {
		return nil, fmt.Errorf("deepcluster: features: %w", err)
	}
	out.Dims, out.PCADegenerate = x.Dims, x.Degenerate
	out.PreprocessSeconds = time.Since(start).Seconds()
	out.KMeansSeed = rng.New(opt.Seed, fmt.Sprintf("deepcluster/kmeans/epoch%d", epoch)).Uint64()
	res, err := kmeans.Fit(x.X, n, out.Dims, opt.kmeansOptions(out.KMeansSeed))
	if err != nil {
		return nil, fmt.Errorf("deepcluster: features: %w", err)
	}
	out.KMeans, out.Labels, out.Sizes = res, res.Labels, res.Sizes()
	for _, s := range out.Sizes {
		if s > 0 {
			out.NonEmpty++
		}
	}
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}

// UniformSampler returns the epoch's training order over the samples, uniform over
// the non-empty pseudo-labels, as the official util.UnifLabelSampler with
// N = len(labels) (main.py's --reassign 1): every non-empty cluster contributes
// m = ⌊N/K_nonempty⌋ + 1 sample indices — drawn with replacement when the cluster
// has at most m samples (the official `replace=(len <= m)`), without replacement
// otherwise — the m·K_nonempty indices are shuffled and the first N kept. Empty
// clusters are skipped (the official code would fail on them). Labels must lie in
// [0, k); r is the only source of randomness.
func UniformSampler(labels []int, k int, r *rand.Rand) ([]int, error) {
	if k < 1 {
		return nil, fmt.Errorf("deepcluster: sampler: K must be ≥ 1, got %d", k)
	}
	members := make([][]int, k)
	for i, y := range labels {
		if y < 0 || y >= k {
			return nil, fmt.Errorf("deepcluster: sampler: label of sample %d is %d, outside [0, %d)", i, y, k)
		}
		members[y] = append(members[y], i)
	}
	nonEmpty := 0
	for _, m := range members {
		if len(m) > 0 {
			nonEmpty++
		}
	}
	n := len(labels)
	if nonEmpty == 0 {
		return []int{}, nil
	}
	per := n/nonEmpty + 1
	out := make([]int, 0, per*nonEmpty)
	for _, m := range members {
		switch {
		case len(m) == 0:
		case len(m) <= per:
			for range per {
				out = append(out, m[r.IntN(len(m))])
			}
		default: // per distinct members: a partial Fisher–Yates shuffle
			for j := 0; j < per; j++ {
				t := j + r.IntN(len(m)-j)
				m[j], m[t] = m[t], m[j]
				out = append(out, m[j])
			}
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:n], nil
}

// A Trainer is the training loop DeepCluster's labels are trained by, as far as
// DeepCluster has a say in it; the harness implements it (see [BeginEpoch]).
type Trainer interface {
	// ResetHead replaces head h (DeepCluster trains one: 0) by a new Linear(D_feat,
	// K) — K outputs including empty clusters, as len(images_lists) = K in the
	// official code — with N(0, 0.01²) weights (PyTorch's normal_(0, 0.01)) drawn
	// from r and zero bias, and gives it a new optimiser: plain SGD without
	// momentum, at the trunk's learning rate and weight decay, so that no
	// optimiser state carries over between epochs.
	ResetHead(h int, r *rand.Rand)
}

// BeginEpoch does what the official main.py does before each epoch's training,
// once the epoch's labels are known: it re-initialises the head of t and returns
// the epoch's training order, UniformSampler over labels (in [0, k)). Both draw
// from r, the head first.
func BeginEpoch(t Trainer, labels []int, k int, r *rand.Rand) ([]int, error) {
	t.ResetHead(0, r)
	return UniformSampler(labels, k, r)
}
