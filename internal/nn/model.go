package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/selabench/selabench/internal/rng"
)

// Model is a multi-head classifier: one trunk maps a batch to features, and
// T linear heads map the features to T sets of logits (SeLa's multi-head
// self-labelling; T = 1 for DeepCluster and supervised training). The loss
// of a step is the mean over heads of each head's cross-entropy.
type Model struct {
	// Arch names the architecture ("mlp", "cnn"); saved with the weights.
	Arch  string
	Trunk *Sequential
	Heads []*Linear
	// Norm, if not nil, L2-normalises the features before the heads: the heads
	// are then bias-free prototypes scoring by cosine similarity once their
	// weight rows are unit ([Model.NormalizeHeads]), as SwAV's. Features and
	// Forward still return the trunk's output, the features probes read.
	Norm *L2Normalize

	logits, dlogits []*tensor.Dense
	dfeat           *tensor.Dense
	// The whole-batch output of the convolutional layers of an evaluation
	// pass run in chunks (evalForward).
	evalMid *tensor.Dense
}

// evalChunk is the number of samples the convolutional layers of an
// evaluation-mode pass take at a time. In evaluation mode every layer maps each
// sample on its own (BatchNorm reads its running statistics), and a product sums
// each output in an order fixed by its inner dimension alone (package gemm), so
// the outputs do not depend on how the batch is split. A convolution's
// intermediates grow with the batch (im2col columns of 225 KB a sample in the
// default CNN's second block, outputs of 100 KB a sample in its first), and in
// chunks this small they stay in a core's own caches instead of streaming
// through memory that other processes share; the fully-connected layers after
// the last convolution gain from large batches instead, so they and the heads
// take the whole batch at once, as do networks without convolutions.
const evalChunk = 8

// Features returns the trunk's output for x in evaluation mode (BatchNorm
// with running statistics, no dropout): the matrix a labeler or probe reads.
// The result is owned by the model and valid until its next forward pass.
func (m *Model) Features(x *tensor.Dense) *tensor.Dense {
	if n, _ := rows(x); n > evalChunk {
		if split := m.convLayers(); split > 0 {
			f, _ := m.evalForward(x, split, false)
			return f
		}
	}
	return m.Trunk.Forward(x, false)
}

// Forward returns the features and each head's logits. In evaluation mode
// (train false) a network with convolutions takes a batch of more than
// evalChunk samples through its convolutional layers in chunks, with the same
// outputs.
func (m *Model) Forward(x *tensor.Dense, train bool) (features *tensor.Dense, logits []*tensor.Dense) {
	if n, _ := rows(x); !train && n > evalChunk {
		if split := m.convLayers(); split > 0 {
			return m.evalForward(x, split, true)
		}
	}
	return m.forward(x, train)
}

// convLayers returns how many leading trunk layers an evaluation pass runs in
// chunks: those up to the first Linear after the last Conv2d (all of them if no
// Linear follows it), or 0 for a network without convolutions.
func (m *Model) convLayers() int {
	layers := m.Trunk.Layers
	last := -1
	for i, l := range layers {
		if _, ok := l.(*Conv2d); ok {
			last = i
		}
	}
	if last < 0 {
		return 0
	}
	for i := last + 1; i < len(layers); i++ {
		if _, ok := layers[i].(*Linear); ok {
			return i
		}
	}
	return len(layers)
}

// evalForward is the evaluation-mode pass over x: the first split trunk layers
// (convLayers) evalChunk samples at a time into a whole-batch buffer owned by
// the model, then the remaining trunk layers and, if heads, the heads over the
// whole batch.
func (m *Model) evalForward(x *tensor.Dense, split int, heads bool) (*tensor.Dense, []*tensor.Dense) {
	n, d := rows(x)
	xd := Data(x)
	shape := x.Shape().Clone()
	conv := m.Trunk.Layers[:split]
	for lo := 0; lo < n; lo += evalChunk {
		hi := min(lo+evalChunk, n)
		shape[0] = hi - lo
		h := New(xd[lo*d:hi*d], shape...)
		for _, l := range conv {
			h = l.Forward(h, false)
		}
		m.evalMid = gather(m.evalMid, h, n, lo)
	}
	f := m.evalMid
	for _, l := range m.Trunk.Layers[split:] {
		f = l.Forward(f, false)
	}
	if !heads {
		return f, nil
	}
	return f, m.headsForward(f, false)
}

// gather copies chunk, the outputs of samples [lo, lo+len) of a batch of n,
// into their rows of dst (made n rows of chunk's shape when lo is 0), and
// returns dst.
func gather(dst, chunk *tensor.Dense, n, lo int) *tensor.Dense {
	c, d := rows(chunk)
	if lo == 0 {
		shape := chunk.Shape().Clone()
		shape[0] = n
		dst = ensure(dst, shape...)
	}
	copy(Data(dst)[lo*d:(lo+c)*d], Data(chunk))
	return dst
}

// forward is Forward on the whole batch at once.
func (m *Model) forward(x *tensor.Dense, train bool) (*tensor.Dense, []*tensor.Dense) {
	f := m.Trunk.Forward(x, train)
	return f, m.headsForward(f, train)
}

// headsForward runs the heads (after Norm, if any) on the features f and
// returns their logits, which Loss then reads.
func (m *Model) headsForward(f *tensor.Dense, train bool) []*tensor.Dense {
	in := f
	if m.Norm != nil {
		in = m.Norm.Forward(f, train)
	}
	m.logits = m.logits[:0]
	for _, h := range m.Heads {
		m.logits = append(m.logits, h.Forward(in, train))
	}
	return m.logits
}

// NormalizeHeads scales every row of every head's weight to unit Euclidean
// norm (a zero row stays zero): SwAV's projection of the prototypes back onto
// the sphere before each training step.
func (m *Model) NormalizeHeads() {
	for _, h := range m.Heads {
		w := Data(h.Weight.W)
		for o := range h.Out {
			row := w[o*h.In : (o+1)*h.In]
			s := 0.0
			for _, v := range row {
				s += float64(v) * float64(v)
			}
			nrm := max(math.Sqrt(s), 1e-12)
			for j, v := range row {
				row[j] = float32(float64(v) / nrm)
			}
		}
	}
}

// Loss computes the mean over heads of the cross-entropy of the last
// Forward's logits against labels[h] (one label slice per head; a single
// slice is used for every head) and stores the gradients for Backward.
func (m *Model) Loss(labels [][]int) (float64, error) {
	if len(labels) != 1 && len(labels) != len(m.Heads) {
		return 0, fmt.Errorf("nn: %d label sets for %d heads", len(labels), len(m.Heads))
	}
	return m.loss(func(h int, z, d *tensor.Dense, scale float64) (float64, error) {
		return SoftmaxCrossEntropy(z, labels[min(h, len(labels)-1)], d, scale)
	})
}

// LossSoft is [Model.Loss] with soft targets: targets[h] (N×K, rows summing
// to 1) for head h, or one tensor for every head ([SoftCrossEntropy]).
func (m *Model) LossSoft(targets []*tensor.Dense) (float64, error) {
	if len(targets) != 1 && len(targets) != len(m.Heads) {
		return 0, fmt.Errorf("nn: %d target sets for %d heads", len(targets), len(m.Heads))
	}
	return m.loss(func(h int, z, d *tensor.Dense, scale float64) (float64, error) {
		return SoftCrossEntropy(z, targets[min(h, len(targets)-1)], d, scale)
	})
}

func (m *Model) loss(head func(h int, z, d *tensor.Dense, scale float64) (float64, error)) (float64, error) {
	if len(m.logits) != len(m.Heads) {
		return 0, errors.New("nn: Loss called before Forward")
	}
	m.dlogits = m.dlogits[:min(len(m.dlogits), len(m.Heads))]
	for len(m.dlogits) < len(m.Heads) {
		m.dlogits = append(m.dlogits, nil)
	}
	scale := 1 / float64(len(m.Heads))
	total := 0.0
	for h, z := range m.logits {
		m.dlogits[h] = ensure(m.dlogits[h], z.Shape()...)
		l, err := head(h, z, m.dlogits[h], scale)
		if err != nil {
			return 0, fmt.Errorf("nn: head %d: %w", h, err)
		}
		total += l
	}
	return total * scale, nil
}

// Backward back-propagates the gradients stored by Loss (or given dlogits,
// one per head, if not nil) through the heads and the trunk, setting every
// parameter's gradient.
func (m *Model) Backward(dlogits []*tensor.Dense) {
	if dlogits == nil {
		dlogits = m.dlogits
	}
	for h, l := range m.Heads {
		d := l.Backward(dlogits[h], true)
		if h == 0 {
			m.dfeat = ensure(m.dfeat, d.Shape()...)
			copy(Data(m.dfeat), Data(d))
			continue
		}
		acc := Data(m.dfeat)
		for i, v := range Data(d) {
			acc[i] += v
		}
	}
	df := m.dfeat
	if m.Norm != nil {
		df = m.Norm.Backward(df, true)
	}
	m.Trunk.Backward(df, false)
}

// TrainStep runs one step of supervised training on a batch: forward in
// training mode, mean cross-entropy over heads, backward, opt.Step. It
// returns the loss before the step.
func (m *Model) TrainStep(x *tensor.Dense, labels [][]int, opt *SGD) (float64, error) {
	m.Forward(x, true)
	loss, err := m.Loss(labels)
	if err != nil {
		return 0, err
	}
	m.Backward(nil)
	opt.Step()
	return loss, nil
}

// Params returns every parameter and buffer, named as a PyTorch state_dict
// of a module with fields trunk and heads: "trunk.0.weight", …,
// "heads.2.bias".
func (m *Model) Params() []*Param {
	ps := m.Trunk.Params()
	for i, p := range ps {
		q := *p
		q.Name = "trunk." + p.Name
		ps[i] = &q
	}
	for h, l := range m.Heads {
		for _, p := range l.Params() {
			q := *p
			q.Name = fmt.Sprintf("heads.%d.%s", h, p.Name)
			ps = append(ps, &q)
		}
	}
	return ps
}

// HeadParams returns the parameters of head h (for a per-head optimiser).
func (m *Model) HeadParams(h int) []*Param { return m.Heads[h].Params() }

// TrunkParams returns the trunk's parameters and buffers.
func (m *Model) TrunkParams() []*Param { return m.Trunk.Params() }

// MLPConfig describes an MLP: In inputs, hidden layers Linear→BatchNorm→ReLU
// of the given widths (the last is the feature dimension) and Heads linear
// heads of K outputs. Zero values mean In = 784, Hidden = [512 512 128],
// Heads = 1, K = 10.
type MLPConfig struct {
	In     int
	Hidden []int
	Heads  int
	K      int
	// Seed selects the initial weights: Kaiming normal for every linear
	// layer, heads included (DeepCluster re-draws its head from N(0, 0.01²)
	// with [ResetHead]).
	Seed uint64
	// Cosine makes the heads bias-free prototypes on L2-normalised features,
	// with unit weight rows (see [Model.Norm]).
	Cosine bool
	// HeadK, if not nil, gives every head its own number of outputs (Heads
	// entries), in place of K: over-clustering heads beside the K ones.
	HeadK []int
}

func (c *MLPConfig) defaults() error {
	if c.In == 0 {
		c.In = 784
	}
	if c.Hidden == nil {
		c.Hidden = []int{512, 512, 128}
	}
	if c.Heads == 0 {
		c.Heads = 1
	}
	if c.K == 0 {
		c.K = 10
	}
	if c.In < 0 || c.Heads < 0 || c.K < 0 || len(c.Hidden) == 0 {
		return fmt.Errorf("nn: MLP config: In %d, Hidden %v, Heads %d, K %d", c.In, c.Hidden, c.Heads, c.K)
	}
	for i, h := range c.Hidden {
		if h <= 0 {
			return fmt.Errorf("nn: MLP config: hidden layer %d has width %d", i, h)
		}
	}
	return nil
}

// NewMLP returns the MLP for flattened 28×28 images (by default
// 784-512-512-128, BatchNorm and ReLU after each linear layer, then heads).
func NewMLP(cfg MLPConfig) (*Model, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	r := rng.New(cfg.Seed, "nn/init")
	seq := &Sequential{}
	in := cfg.In
	for _, h := range cfg.Hidden {
		seq.Layers = append(seq.Layers, NewLinear(in, h, true, r), NewBatchNorm(h), &ReLU{})
		in = h
	}
	m := &Model{Arch: "mlp", Trunk: seq}
	if err := m.addHeads(cfg.Heads, in, cfg.K, cfg.HeadK, cfg.Cosine, r); err != nil {
		return nil, err
	}
	return m, nil
}

// CNNConfig describes the small CNN for C×H×W images: for each width in
// Channels a block Conv2d(3×3, pad 1) → BatchNorm → MaxPool2d(2) → ReLU
// (pooling before the ReLU, which is equivalent to after it), then
// Flatten → Linear(Feature) → BatchNorm → ReLU (the features) and Heads
// linear heads of K outputs. Zero values mean C×H×W = 1×28×28,
// Channels = [32 64 128], Feature = 128, Heads = 1, K = 10; use C = 3,
// H = W = 32 for CIFAR-10.
type CNNConfig struct {
	C, H, W  int
	Channels []int
	Feature  int
	Heads, K int
	// Seed selects the initial weights (Kaiming normal).
	Seed uint64
	// Cosine makes the heads bias-free prototypes on L2-normalised features,
	// with unit weight rows (see [Model.Norm]).
	Cosine bool
	// HeadK, if not nil, gives every head its own number of outputs, as
	// MLPConfig's.
	HeadK []int
}

// NewCNN returns the small CNN described by cfg.
func NewCNN(cfg CNNConfig) (*Model, error) {
	if cfg.C == 0 && cfg.H == 0 && cfg.W == 0 {
		cfg.C, cfg.H, cfg.W = 1, 28, 28
	}
	if cfg.Channels == nil {
		cfg.Channels = []int{32, 64, 128}
	}
	if cfg.Feature == 0 {
		cfg.Feature = 128
	}
	if cfg.Heads == 0 {
		cfg.Heads = 1
	}
	if cfg.K == 0 {
		cfg.K = 10
	}
	if cfg.C <= 0 || cfg.H <= 0 || cfg.W <= 0 || cfg.Feature < 0 || cfg.Heads < 0 || cfg.K < 0 {
		return nil, fmt.Errorf("nn: CNN config: input %d×%d×%d, Feature %d, Heads %d, K %d", cfg.C, cfg.H, cfg.W, cfg.Feature, cfg.Heads, cfg.K)
	}
	r := rng.New(cfg.Seed, "nn/init")
	seq := &Sequential{}
	c, h, w := cfg.C, cfg.H, cfg.W
	for i, out := range cfg.Channels {
		if out <= 0 || h < 2 || w < 2 {
			return nil, fmt.Errorf("nn: CNN config: block %d: %d channels on a %d×%d input", i, out, h, w)
		}
		// Pooling before the ReLU gives the same outputs and gradients as
		// after it (max commutes with the monotone ReLU) on a quarter of
		// the values.
		seq.Layers = append(seq.Layers, NewConv2d(c, out, 3, 1, 1, r), NewBatchNorm(out), NewMaxPool2d(2), &ReLU{})
		c, h, w = out, h/2, w/2
	}
	seq.Layers = append(seq.Layers, &Flatten{}, NewLinear(c*h*w, cfg.Feature, true, r), NewBatchNorm(cfg.Feature), &ReLU{})
	m := &Model{Arch: fmt.Sprintf("cnn%dx%dx%d", cfg.C, cfg.H, cfg.W), Trunk: seq}
	if err := m.addHeads(cfg.Heads, cfg.Feature, cfg.K, cfg.HeadK, cfg.Cosine, r); err != nil {
		return nil, err
	}
	return m, nil
}

// addHeads appends heads linear heads of k outputs (or headK[h], if headK is
// not nil) on dim features, drawn from r; cosine ones are bias-free, with unit
// rows, behind an L2Normalize.
func (m *Model) addHeads(heads, dim, k int, headK []int, cosine bool, r *rand.Rand) error {
	if headK != nil && len(headK) != heads {
		return fmt.Errorf("nn: %d head sizes for %d heads", len(headK), heads)
	}
	for h := range heads {
		kh := k
		if headK != nil {
			kh = headK[h]
		}
		if kh <= 0 {
			return fmt.Errorf("nn: head %d has %d outputs", h, kh)
		}
		m.Heads = append(m.Heads, NewLinear(dim, kh, !cosine, r))
	}
	if cosine {
		m.Norm = &L2Normalize{}
		m.Arch += "-cosine"
		m.NormalizeHeads()
	}
	return nil
}
