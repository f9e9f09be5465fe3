package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Models lists the network architectures (internal/nn).
var Models = []string{"mlp", "cnn"}

// Augmentations lists the training augmentations; see [Config.Augment].
var Augmentations = []string{"none", "shift", "affine", "strong"}

// ErrConfig marks a configuration that cannot run; Validate's errors wrap it.
var ErrConfig = errors.New("invalid configuration")

// Config is everything that decides a run. Its JSON form is the "config" object of
// the run record; two runs with equal configs (and data) give identical records up
// to timings.
//
// The defaults (see [DefaultConfig]) were chosen a priori from the SeLa and
// DeepCluster papers and code, then a few of them (noted on the fields) on a
// validation split of MNIST's training set (Validation = true), never on test labels.
type Config struct {
	// Method is the name of a registered [Method], one of [Methods].
	Method string `json:"method"`
	// Dataset is "mnist", "fashion-mnist", "cifar10" or "synthetic" (the seeded blobs
	// of datasets.Synthetic, for tests).
	Dataset string `json:"dataset"`
	// Model is "mlp" (784-512-512-128 with BatchNorm) or "cnn" (three conv blocks).
	Model string `json:"model"`

	// Epochs of training; BatchSize samples per step.
	Epochs    int `json:"epochs"`
	BatchSize int `json:"batch_size"`
	// LR is the base learning rate of SGD with Momentum and L2 WeightDecay (the
	// official SeLa code: 0.05, 0.9, 5e-4), annealed by Schedule: "cosine" (to 0
	// over the run) or "constant".
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum"`
	WeightDecay float64 `json:"weight_decay"`
	Schedule    string  `json:"schedule"`
	// Augment is the training augmentation: "none", "shift" (random translation by
	// up to 2 pixels, plus horizontal flips for colour images), "affine" (shift
	// plus rotation ±10° and zoom ±10 %; no flips for digits) or "strong"
	// (translation by up to 3 pixels, rotation ±20°, zoom ±20 % and additive
	// noise N(0, 0.1²), clamped to [0, 1]): the stronger views that
	// self-supervised methods lean on.
	Augment string `json:"augment"`

	// K clusters per head, Heads heads sharing the trunk (SeLa's multi-head
	// self-labelling). Supervised training always uses one head of the dataset's
	// classes; DeepCluster one head. Default K = 10 (the classes of the datasets
	// here) and 5 heads, SeLa's multi-head setting: more heads give the best-head
	// score more chances and the trunk more signal, at the cost of label steps
	// (reports/ablations.md measures heads and K).
	K     int `json:"k"`
	Heads int `json:"heads"`
	// OverHeads extra heads of OverK clusters each (OverK > K: over-clustering,
	// as in SeLa's and IIC's auxiliary heads) train beside the Heads heads of K;
	// they are labelled like the others and shape the shared trunk, but the
	// clustering scores are the best K-head's. Both 0 (absent from the JSON)
	// means none. Only methods that label every head from its own
	// log-probabilities, or online, take them.
	OverHeads int `json:"over_heads,omitempty"`
	OverK     int `json:"over_k,omitempty"`
	// Lambda is SeLa's λ (P^λ); used by sela only.
	Lambda float64 `json:"lambda"`
	// Tau is the weight τ of the penalty τ·KL(Qᵀ1 ‖ r) that replaces the
	// equipartition constraint in sela-unbalanced (selA's Options.Tau): the
	// cluster scalings follow a_y = r_y·s_y^(−φ), φ = τ/(τ + 1/λ), so τ → ∞ is
	// SeLa's hard constraint and τ → 0 lets the clusters take the sizes the
	// network's predictions imply. Read by the methods with [Method.Tau] only and
	// 0 (absent from the JSON, so existing records keep their hash) for all others.
	// The default, [DefaultTau] = 1 (φ = 25/26 at λ = 25), was chosen on the
	// validation split (Validation: a held-out tenth of the training images,
	// never the test split) of long-tailed MNIST: among τ ∈ {0.1, 0.3, 1, 3, 10}
	// at imbalance 10 and 100, two seeds each, under the main job's budget, it
	// had the highest mean validation NMI (bench/sweeps/tau-validation.json;
	// records and figures in reports/tau.md).
	Tau float64 `json:"tau,omitempty"`
	// Nopts is the number of label solves in SeLa's quadratic schedule: solves at
	// (Epochs + 1.01)·N·t² samples seen for t on an even grid of Nopts points in
	// [0, 1] (the last lies past the end of training, so Nopts−1 solves happen).
	// 0 means one solve at the start of every epoch (DeepCluster's rhythm).
	// Used by sela, sela-exact and naive; DeepCluster always labels once per epoch.
	// Default 0, the cheapest schedule: SeLa's quadratic schedule costs more
	// label steps (reports/ablations.md measures it).
	Nopts int `json:"nopts"`
	// Views is how the label step sees the training set: 0 the clean images, A ≥ 1
	// the average of log P over A augmented views (1 is the official code's single
	// augmented view). With Augment "none" every view is clean.
	Views int `json:"views"`

	// Seed decides every random draw of the run (initial weights, labels,
	// augmentations, batches, k-means seeds).
	Seed uint64 `json:"seed"`
	// TrainLimit, if positive, keeps only the first TrainLimit training samples
	// (quick runs and tests). 0 keeps all.
	TrainLimit int `json:"train_limit,omitempty"`
	// Validation holds out the last 10 % of the training set (after a seeded
	// shuffle) and evaluates on it instead of the test split: the setting for
	// choosing hyper-parameters without looking at test labels.
	Validation bool `json:"validation,omitempty"`
	// Imbalance, if above 1, makes the training split long-tailed with
	// largest-to-smallest ratio R = Imbalance: classes in a seeded order keep
	// R^(−j/(C−1)) of their samples (datasets.ImbalanceRatio with the run's
	// Seed), applied after Validation's hold-out and TrainLimit; the evaluation
	// split stays as it is. 0 and 1 keep the data as is.
	Imbalance float64 `json:"imbalance,omitempty"`

	// KNN and KNNTau are the weighted kNN evaluation's neighbours and temperature
	// (SeLa's CIFAR protocol: 200 and 0.1).
	KNN    int     `json:"knn"`
	KNNTau float64 `json:"knn_tau"`
}

// DefaultTau is the default of Config.Tau for the methods that read it, chosen
// on validation data (see the field).
const DefaultTau = 1

// DefaultConfig returns the defaults of every field for method on dataset.
func DefaultConfig(method, dataset string) Config {
	c := Config{
		Method:      method,
		Dataset:     dataset,
		Model:       "mlp",
		Epochs:      15,
		BatchSize:   256,
		LR:          0.05,
		Momentum:    0.9,
		WeightDecay: 5e-4,
		Schedule:    "cosine",
		Augment:     "affine",
		K:           10,
		Heads:       5,
		Lambda:      25,
		Nopts:       0,
		Views:       0,
		KNN:         200,
		KNNTau:      0.1,
	}
	if m, err := lookup(method); err == nil && m.Tau {
		c.Tau = DefaultTau
	}
	return c
}

// Validate checks every field and returns an error wrapping ErrConfig that names
// the first field at fault and, for a closed set, lists the valid values.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	oneOf := func(field, v string, valid []string) error {
		if slices.Contains(valid, v) {
			return nil
		}
		return bad("unknown %s %q (valid: %s)", field, v, strings.Join(valid, ", "))
	}
	m, err := lookup(c.Method)
	if err != nil {
		return err
	}
	if err := oneOf("dataset", c.Dataset, []string{"mnist", "fashion-mnist", "cifar10", "synthetic"}); err != nil {
		return err
	}
	if err := oneOf("model", c.Model, Models); err != nil {
		return err
	}
	if err := oneOf("schedule", c.Schedule, []string{"cosine", "constant"}); err != nil {
		return err
	}
	if err := oneOf("augment", c.Augment, Augmentations); err != nil {
		return err
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.Epochs < 1:
		return bad("epochs must be ≥ 1, got %d", c.Epochs)
	case c.BatchSize < 2:
		return bad("batch size must be ≥ 2 (BatchNorm), got %d", c.BatchSize)
	case !(c.LR > 0) || !finite(c.LR):
		return bad("learning rate must be positive, got %v", c.LR)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return bad("momentum must be in [0, 1), got %v", c.Momentum)
	case !(c.WeightDecay >= 0) || !finite(c.WeightDecay):
		return bad("weight decay must be ≥ 0, got %v", c.WeightDecay)
	case c.K < 2:
		return bad("k must be ≥ 2, got %d", c.K)
	case c.Heads < 1:
		return bad("heads must be ≥ 1, got %d", c.Heads)
	case !(c.Lambda > 0) || !finite(c.Lambda):
		return bad("lambda must be positive and finite, got %v", c.Lambda)
	case c.Nopts < 0 || c.Nopts == 1:
		return bad("nopts must be 0 (one solve per epoch) or ≥ 2, got %d", c.Nopts)
	case c.Views < 0:
		return bad("views must be ≥ 0, got %d", c.Views)
	case c.TrainLimit < 0:
		return bad("train limit must be ≥ 0, got %d", c.TrainLimit)
	case c.KNN < 1:
		return bad("knn neighbours must be ≥ 1, got %d", c.KNN)
	case !(c.KNNTau > 0) || !finite(c.KNNTau):
		return bad("knn temperature must be positive, got %v", c.KNNTau)
	case m.Tau && (!(c.Tau > 0) || !finite(c.Tau)):
		return bad("tau must be positive and finite for %s, got %v (default %v)", c.Method, c.Tau, DefaultTau)
	case !m.Tau && c.Tau != 0:
		return bad("tau = %v is read by %s only, not by %s: leave it unset (0)", c.Tau, strings.Join(tauMethods(), ", "), c.Method)
	case (c.OverHeads == 0) != (c.OverK == 0) || c.OverHeads < 0:
		return bad("over_heads and over_k go together (both 0: none), got over_heads %d, over_k %d", c.OverHeads, c.OverK)
	case c.OverHeads > 0 && c.OverK < 2:
		return bad("over_k must be ≥ 2, got %d", c.OverK)
	case c.OverHeads > 0 && !m.TakesOverHeads():
		return bad("%s takes no over-clustering heads (over_heads, over_k): its labels are not per head from log-probabilities", c.Method)
	case c.Imbalance != 0 && (!(c.Imbalance >= 1) || !finite(c.Imbalance)):
		return bad("imbalance must be ≥ 1 and finite (the largest-to-smallest class share; 0 or 1: the data as is), got %v", c.Imbalance)
	}
	return nil
}

// tauMethods lists the registered methods that read Config.Tau.
func tauMethods() []string {
	var out []string
	for _, m := range RegisteredMethods() {
		if m.Tau {
			out = append(out, m.Name)
		}
	}
	return out
}

// Hash identifies the configuration: the first 16 hex digits of the SHA-256 of
// its JSON form (every field, in declaration order). Sweeps key cells by it, so
// a finished cell is recognised whatever sweep file or shard produced it.
func (c Config) Hash() string {
	b, err := json.Marshal(c)
	if err != nil { // NaN or ±Inf (invalid anyway): hash Go's own spelling
		b = fmt.Appendf(nil, "%#v", c)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
