package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/selabench/selabench/datasets"
)

// A Method is one pseudo-labelling method as the harness runs it: everything
// that sets it apart from the others. The zero value of every optional field is
// the common case — Config.Heads heads of Config.K outputs starting from random
// equipartitions, trained by one SGD optimiser on a seeded shuffle, relabelled by
// the method's [Labeler] on the label schedule — so a registration spells out only
// how the method differs. The train loop and the evaluation read these fields and
// never a method's name.
//
// A method becomes known to [Run], [Config.Validate], [Methods], the command
// line's --method and --methods and sweep files by [RegisterMethod]; the
// built-in ones register themselves in the method*_*.go files of this package,
// each next to its labeler. See the package's example of RegisterMethod for a method of one's own.
type Method struct {
	// Name is the Config.Method value that selects the method, e.g. "sela".
	Name string
	// Description says in one line what the method does (the README's method table
	// and the command line's help print it).
	Description string

	// Heads returns how many heads the method trains under c; nil means c.Heads.
	Heads func(c *Config) int
	// ClassHeads makes the heads' outputs the dataset's classes instead of
	// Config.K clusters (supervised training against the true labels).
	ClassHeads bool

	// Needs says what the label step computes on the whole training set for the
	// labeler: the trunk features, the heads' log-probabilities, or both.
	Needs Needs
	// NewLabeler returns the labeler of one run with the given number of heads; nil
	// means fixed labels: the initial labels are trained on and never relabelled
	// (random labels, supervised training).
	NewLabeler func(c *Config, heads int) (Labeler, error)
	// InitialLabels returns the labels training starts from, one []int per head,
	// each of the training samples' len(truth) labels in [0, k); truth holds the
	// training split's classes. Nil means one random equipartition per head (i mod
	// k, shuffled), each from its own stream, as the official SeLa code starts.
	InitialLabels func(c *Config, truth []int, heads, k int) [][]int
	// EveryEpoch makes the method relabel once at the start of every epoch
	// whatever Config.Nopts says (DeepCluster's rhythm).
	EveryEpoch bool

	// FreshHeads gives the heads their own optimisers, created anew whenever a head
	// is re-initialised (through [EpochTrainer.ResetHead] in BeginEpoch): the
	// shared optimiser then holds the trunk's parameters only, and the heads start
	// from re-initialised weights (N(0, 0.01²), zero bias) drawn from the stream
	// (Config.Seed, "bench/NAME/head/init"). DeepCluster's pseudo-labels name the
	// clusters afresh every epoch, so its head cannot be kept.
	FreshHeads bool
	// BeginEpoch, if not nil, runs before each epoch's training steps, after the
	// epoch's first label step: it may re-initialise heads through t and returns
	// the epoch's sample order (indices into the training split; nil means the
	// default seeded shuffle). labels are the current pseudo-labels per head, k
	// their number of clusters; r is the epoch's stream (Config.Seed,
	// "bench/NAME/head/epoch<e>"), the method's only source of randomness here.
	BeginEpoch func(t EpochTrainer, labels [][]int, k int, r *rand.Rand) ([]int, error)

	// Online, if not nil, makes the method label online, batch by batch, with
	// no label step: NewLabeler must be nil, and Online.Loss replaces the
	// cross-entropy on pseudo-labels (SwAV's swapped prediction of per-batch
	// Sinkhorn codes).
	Online *Online
	// CosineHeads makes the heads bias-free prototypes on L2-normalised
	// features; their weight rows are put back on the unit sphere before every
	// training step, so that the heads' outputs are cosine similarities (SwAV's
	// prototypes). The probes still read the trunk's unnormalised features.
	CosineHeads bool

	// Tau says the method reads Config.Tau (the relaxed cluster marginal of
	// unbalanced transport): Validate then requires a positive, finite tau, and it
	// rejects a non-zero tau for every other method, so that no record carries a τ
	// that changed nothing.
	Tau bool

	// Untrained skips training altogether: the initial network is evaluated.
	Untrained bool
	// NoNetwork, if not nil, replaces the network: the method clusters the raw
	// training and evaluation samples itself into k clusters, and the probes score
	// the raw samples as features.
	NoNetwork func(c *Config, train, eval *datasets.Split, k int) (trainPred, evalPred []int, err error)
}

// Online is a method's per-batch training objective (see [Method.Online]).
type Online struct {
	// Views is the number of augmented views of every batch, at least 1: each
	// step draws them in turn from the epoch's augmentation stream and feeds
	// them through the network as one batch (so BatchNorm sees them all), view v
	// of the batch's B samples in rows v·B … (v+1)·B − 1.
	Views int
	// FrozenHeadSteps is the number of first training steps in which the heads
	// are not updated (SwAV freezes its prototypes at the start).
	FrozenHeadSteps int
	// Loss computes one step's loss from every head's scores, scores[h] being
	// (Views·B)×ks[h] row-major (ks[h] is Config.K, or Config.OverK for an
	// over-clustering head). It writes the gradient of the loss with respect to
	// the scores into grad[h] (same shape; the harness passes it back through
	// the network) and each of the B samples' hard pseudo-label for head h into
	// labels[h], which the epoch's label statistics read. It must not keep
	// scores, grad or labels after it returns.
	Loss func(scores, grad [][]float32, b int, ks []int, labels [][]int) (float64, error)
}

// Needs says what a label step hands its labeler (see [LabelInput]).
type Needs struct {
	// Features is the N×D trunk output in evaluation mode.
	Features bool
	// LogProbs is every head's N×K log-probabilities (or their mean over
	// augmented views, Config.Views).
	LogProbs bool
	// ClassSizes is the training split's number of samples of each class, read
	// from its true labels: only an oracle asks for it (sela-prior, whose labeler
	// takes the class proportions as cluster masses). Such a run needs K equal to
	// the dataset's number of classes, which the harness checks before training.
	ClassSizes bool
}

// An EpochTrainer is the part of the train loop a method's BeginEpoch drives.
type EpochTrainer interface {
	// ResetHead replaces head h's weights by draws from N(0, 0.01²) taken from r,
	// zeroes its bias, and gives it a new optimiser — plain SGD without momentum,
	// the run's learning rate and weight decay — so that no optimiser state
	// carries over. Only methods with FreshHeads may call it.
	ResetHead(h int, r *rand.Rand)
}

// TakesOverHeads reports whether the method can train over-clustering heads
// (Config.OverHeads): it labels every head from that head's own
// log-probabilities, or online, and its heads have Config.K outputs.
func (m *Method) TakesOverHeads() bool {
	return !m.ClassHeads && !m.Needs.ClassSizes && (m.Online != nil || m.NewLabeler != nil && m.Needs.LogProbs)
}

// trains reports whether the method trains a network.
func (m *Method) trains() bool { return !m.Untrained && m.NoNetwork == nil }

// HasNetwork reports whether the method has a network at all (and so
// log-probabilities to save).
func (m *Method) HasNetwork() bool { return m.NoNetwork == nil }

// heads returns the number of heads the method trains under c.
func (m *Method) heads(c *Config) int {
	if m.Heads != nil {
		return m.Heads(c)
	}
	return c.Heads
}

// registry holds the registered methods in registration order.
var registry struct {
	sync.RWMutex
	methods []*Method
	byName  map[string]*Method
}

// Methods lists the registered methods' names in registration order: the
// built-in ones first, in the order the comparison table shows them (their files'
// names, method1_… to method9_…, set it: Go runs a package's init functions in
// file-name order, compared as strings, so a tenth file would be method9b_…, as
// method10_ sorts before method1_), then any registered by other packages. [RegisterMethod]
// updates it; read it, do not modify it.
var Methods []string

// RegisterMethod makes m known under m.Name. Like database/sql.Register it is
// meant for init functions and panics if the name is empty or already taken, or
// if m.Online is incomplete or combined with a labeler: a programming error, found as soon as the program starts. It is the one panic of
// the package.
func RegisterMethod(m Method) {
	registry.Lock()
	defer registry.Unlock()
	switch {
	case m.Name == "":
		panic("bench: RegisterMethod: empty method name")
	case registry.byName[m.Name] != nil:
		panic(fmt.Sprintf("bench: RegisterMethod: method %q registered twice", m.Name))
	case m.Online != nil && (m.NewLabeler != nil || m.Online.Loss == nil || m.Online.Views < 1):
		panic(fmt.Sprintf("bench: RegisterMethod: method %q: an Online method needs a Loss and at least one view, and no NewLabeler", m.Name))
	}
	if registry.byName == nil {
		registry.byName = map[string]*Method{}
	}
	registry.byName[m.Name] = &m
	registry.methods = append(registry.methods, &m)
	Methods = append(Methods[:len(Methods):len(Methods)], m.Name)
}

// LookupMethod returns the method registered as name, or an error wrapping
// [ErrConfig] that lists the known names.
func LookupMethod(name string) (Method, error) {
	m, err := lookup(name)
	if err != nil {
		return Method{}, err
	}
	return *m, nil
}

// RegisteredMethods returns every registered method in registration order (the
// order of [Methods]).
func RegisteredMethods() []Method {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]Method, len(registry.methods))
	for i, m := range registry.methods {
		out[i] = *m
	}
	return out
}

func lookup(name string) (*Method, error) {
	registry.RLock()
	defer registry.RUnlock()
	if m := registry.byName[name]; m != nil {
		return m, nil
	}
	names := make([]string, len(registry.methods))
	for i, m := range registry.methods {
		names[i] = m.Name
	}
	return nil, fmt.Errorf("%w: unknown method %q (valid: %s)", ErrConfig, name, strings.Join(names, ", "))
}
