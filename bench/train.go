package bench

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/selabench/selabench/bench/metrics"
	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/nn"
	"github.com/selabench/selabench/internal/rng"
)

// Progress is one progress report of a run, sent after every training step and
// when a phase starts.
type Progress struct {
	Phase         string // "train", "label" or "eval"
	Epoch, Epochs int    // current epoch (0-based) and total
	Step, Steps   int    // training steps done and total
	Loss          float64
	// NMI is the latest per-epoch NMI of head 0's pseudo-labels to the truth (NaN
	// before the first epoch ends).
	NMI float64
}

// RunOptions are the knobs of a run that do not change its result.
type RunOptions struct {
	// Progress, if not nil, receives progress reports (from the run's goroutine).
	Progress func(Progress)
	// TrainLogProbs, if not nil, receives the trained network's log-probabilities
	// on the (clean) training images, N×K row-major, of the best head (see Final),
	// at the end of the run: real inputs for the transport solvers (λ sweeps).
	// Methods without a network ([Method.NoNetwork]) never call it.
	TrainLogProbs func(lp []float32, n, k int)
	// LabelInput, if not nil, receives what every label step hands the labeler
	// (step counts label steps from 0), before the labeler sees it: the inputs of
	// real solves, for benchmarking the solvers on them. It must not keep or
	// modify in after it returns.
	LabelInput func(step int, in *LabelInput)
	// Checkpoint, if not empty, is the run's checkpoint file: the run's state is
	// saved there at the end of every epoch but the last, and a run that finds the
	// file resumes from it (see checkpointState). The caller removes it once the
	// record is safe.
	Checkpoint string
}

// EpochStats are one epoch's curves.
type EpochStats struct {
	Epoch   int     `json:"epoch"`
	Loss    float64 `json:"loss"` // mean training loss over the epoch's steps
	LR      float64 `json:"lr"`   // learning rate of the epoch's last step
	Seconds float64 `json:"seconds"`
	// LabelSteps counts the label steps in the epoch; LabelSeconds is their wall
	// time (forward passes and solves), SolveSeconds the solves alone.
	LabelSteps   int     `json:"label_steps"`
	LabelSeconds float64 `json:"label_seconds"`
	SolveSeconds float64 `json:"solve_seconds"`
	// SolveIterations sums the solvers' iterations over the epoch's label steps
	// and heads (Sinkhorn iterations, auction phases, Lloyd iterations).
	SolveIterations int `json:"solve_iterations"`
	// Unconverged counts solves of the epoch that stopped at their iteration cap.
	Unconverged int `json:"unconverged,omitempty"`
	// Notes are the solvers' remarks ("head 1: …"): why a solve did not
	// converge, or a fallback the labeler took (see [LabelStats.Note]).
	Notes []string `json:"notes,omitempty"`
	// Heads describe each head's pseudo-labels at the end of the epoch.
	Heads []HeadEpoch `json:"heads"`
}

// HeadEpoch describes one head's pseudo-labels at the end of an epoch.
type HeadEpoch struct {
	// NMI to the true training labels, and to the same head's labels at the end
	// of the previous epoch (the initial labels for epoch 0).
	NMI     float64 `json:"nmi"`
	NMIPrev float64 `json:"nmi_prev"`
	// Degeneracy of the labels: non-empty clusters, effective clusters exp(H),
	// largest-cluster fraction.
	Clusters          int     `json:"clusters"`
	EffectiveClusters float64 `json:"effective_clusters"`
	LargestFraction   float64 `json:"largest_fraction"`
	// Sizes are the labels' cluster sizes, by cluster index.
	Sizes []int `json:"sizes"`
	// SizeL1, for a run with Config.Imbalance set (≥ 1) only, is the L1
	// distance between the sorted fractions of Sizes and the sorted class
	// fractions of the training split (0: the classes' size profile; at most 2):
	// whether the labels follow the long tail, whichever cluster takes which class.
	SizeL1 *float64 `json:"size_l1,omitempty"`
}

// Run trains and evaluates one configuration on ds and returns its record.
// Every random draw derives from cfg.Seed through named streams, and every
// parallel reduction has a fixed order, so equal configs give equal records
// (timings and Env aside) for any GOMAXPROCS.
func Run(cfg Config, ds *datasets.Dataset, opt RunOptions) (*Record, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	r, err := newRunner(cfg, ds, opt)
	if err != nil {
		return nil, err
	}
	r.start = start
	r.rec.Started = start.UTC().Format(time.RFC3339)
	if r.method.trains() {
		if err := r.fit(); err != nil {
			return nil, err
		}
	}
	t := time.Now()
	if err := r.evaluate(); err != nil {
		return nil, err
	}
	r.rec.Timings.Eval = time.Since(t).Seconds()
	r.rec.Timings.Total = r.elapsed + time.Since(start).Seconds()
	return r.rec, nil
}

// runner holds one run's state.
type runner struct {
	cfg               Config
	method            *Method
	opt               RunOptions
	trainSet, evalSet datasets.Split
	shape             datasets.Shape
	classes           int
	heads, k          int
	ks                []int // clusters of each head: k, then Config.OverK for the over-clustering heads
	mainHeads         int   // heads of k clusters, the first ones; the clustering scores are theirs
	model             *nn.Model
	aug               *nn.Augmenter
	labels            [][]int // current pseudo-labels per head
	classSizes        []int   // the training split's class sizes, for a method with Needs.ClassSizes
	rec               *Record
	nmi               float64 // last epoch's head-0 NMI, for progress
	start             time.Time
	elapsed           float64 // seconds of the earlier processes of a resumed run
}

func newRunner(cfg Config, ds *datasets.Dataset, opt RunOptions) (*runner, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	m, err := lookup(cfg.Method)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, method: m, opt: opt, shape: ds.Shape, classes: ds.K(), mainHeads: m.heads(&cfg), k: cfg.K, nmi: math.NaN()}
	if m.ClassHeads {
		r.k = r.classes
	}
	r.heads = r.mainHeads + cfg.OverHeads
	for h := range r.heads {
		r.ks = append(r.ks, r.k)
		if h >= r.mainHeads {
			r.ks[h] = cfg.OverK
		}
	}
	r.trainSet, r.evalSet = ds.Train, ds.Test
	evalSplit := "test"
	if cfg.Validation {
		perm := rng.New(cfg.Seed, "bench/validation").Perm(ds.Train.N)
		nv := ds.Train.N / 10
		r.trainSet, r.evalSet = ds.Train.Select(perm[:ds.Train.N-nv]), ds.Train.Select(perm[ds.Train.N-nv:])
		evalSplit = "validation"
	}
	if cfg.TrainLimit > 0 && cfg.TrainLimit < r.trainSet.N {
		idx := make([]int, cfg.TrainLimit)
		for i := range idx {
			idx[i] = i
		}
		r.trainSet = r.trainSet.Select(idx)
	}
	var trainCounts []int // reported for runs with an imbalance set only, so other records keep their bytes
	if cfg.Imbalance >= 1 {
		part := *ds
		part.Train = r.trainSet
		lt, err := datasets.ImbalanceRatio(&part, cfg.Imbalance, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("%w: imbalance = %v: %s", ErrConfig, cfg.Imbalance, strings.TrimPrefix(err.Error(), "datasets: "))
		}
		r.trainSet = lt.Train
		trainCounts = r.trainSet.ClassCounts(r.classes)
	}
	if m.Needs.ClassSizes {
		if cfg.K != r.classes {
			return nil, fmt.Errorf("%w: k = %d: %s takes the class proportions as cluster masses, so k must equal the %d classes of %s", ErrConfig, cfg.K, m.Name, r.classes, ds.Name)
		}
		r.classSizes = r.trainSet.ClassCounts(r.classes)
	}
	if r.trainSet.N < cfg.BatchSize && m.trains() {
		return nil, fmt.Errorf("%w: batch size %d exceeds the %d training samples", ErrConfig, cfg.BatchSize, r.trainSet.N)
	}
	if k := slices.Max(r.ks); k > r.trainSet.N {
		return nil, fmt.Errorf("%w: k = %d exceeds the %d training samples", ErrConfig, k, r.trainSet.N)
	}
	if r.evalSet.N == 0 {
		return nil, fmt.Errorf("bench: %s: the %s split is empty", ds.Name, evalSplit)
	}
	r.rec = &Record{
		Version: RecordVersion, Config: cfg, Cell: cfg.Hash(), Env: CurrentEnv(),
		Data: DataInfo{Dataset: ds.Name, Train: r.trainSet.N, Eval: r.evalSet.N, EvalSplit: evalSplit, Dim: r.trainSet.D, Classes: r.classes,
			TrainClassCounts: trainCounts},
		Epochs: []EpochStats{},
	}
	if !m.HasNetwork() {
		return r, nil
	}
	switch cfg.Model {
	case "mlp":
		r.model, err = nn.NewMLP(nn.MLPConfig{In: ds.Shape.Dim(), Heads: r.heads, K: r.k, HeadK: r.overKs(), Seed: cfg.Seed, Cosine: m.CosineHeads})
	case "cnn":
		s := ds.Shape
		r.model, err = nn.NewCNN(nn.CNNConfig{C: s.C, H: s.H, W: s.W, Heads: r.heads, K: r.k, HeadK: r.overKs(), Seed: cfg.Seed, Cosine: m.CosineHeads})
	}
	if err != nil {
		return nil, fmt.Errorf("bench: model: %w", err)
	}
	if ao, ok := augmentOptions(cfg.Augment, ds.Shape); ok {
		if r.aug, err = nn.NewAugmenter(ds.Shape.C, ds.Shape.H, ds.Shape.W, ao); err != nil {
			return nil, fmt.Errorf("bench: augment %q on %s: %w", cfg.Augment, ds.Name, err)
		}
	}
	return r, nil
}

// overKs is the heads' clusters for the model when some differ from k (over-
// clustering heads), nil otherwise.
func (r *runner) overKs() []int {
	if r.heads == r.mainHeads {
		return nil
	}
	return r.ks
}

// augmentOptions maps Config.Augment to the augmenter's options; false for none.
// Horizontal flips only for colour images (digits and clothes are not symmetric
// in the way natural images are).
func augmentOptions(name string, s datasets.Shape) (nn.AugmentOptions, bool) {
	var o nn.AugmentOptions
	switch name {
	case "shift":
		o.Pad = 2
	case "affine":
		o.Pad, o.Rotate, o.Scale = 2, 10, 0.1
	case "strong":
		o.Pad, o.Rotate, o.Scale, o.Noise = 3, 20, 0.2, 0.1
	default:
		return o, false
	}
	o.Flip = s.C == 3
	if s.H < 8 || s.W < 8 {
		return o, false // too small to shift meaningfully (synthetic vectors)
	}
	return o, true
}

// input wraps n rows of the split's layout as the model's input tensor.
func (r *runner) input(x []float32, n int) *tensor.Dense {
	if r.cfg.Model == "cnn" {
		return nn.New(x, n, r.shape.C, r.shape.H, r.shape.W)
	}
	return nn.New(x, n, len(x)/n)
}

// schedule returns the numbers of samples seen at which label steps happen in
// SeLa's quadratic spacing, in increasing order, or nil for one step per epoch.
func (r *runner) schedule(n int) []float64 {
	if r.cfg.Nopts == 0 || r.method.EveryEpoch {
		return nil
	}
	out := make([]float64, r.cfg.Nopts)
	for i := range out {
		t := float64(i) / float64(r.cfg.Nopts-1)
		out[i] = (float64(r.cfg.Epochs) + 1.01) * float64(n) * t * t
	}
	return out
}

func (r *runner) report(p Progress) {
	if r.opt.Progress != nil {
		p.Epochs, p.NMI = r.cfg.Epochs, r.nmi
		r.opt.Progress(p)
	}
}

func (r *runner) fit() error {
	cfg, tr, m := r.cfg, r.trainSet, r.method
	var labeler Labeler
	if m.NewLabeler != nil {
		var err error
		if labeler, err = m.NewLabeler(&cfg, r.heads); err != nil {
			return err
		}
	}
	if m.InitialLabels != nil {
		r.labels = m.InitialLabels(&cfg, tr.Y, r.heads, r.k)
	} else {
		r.labels = equipartitions(&cfg, tr.Y, r.ks)
	}
	bs := cfg.BatchSize
	perEpoch := tr.N / bs // the last partial batch is dropped (drop_last)
	steps := cfg.Epochs * perEpoch
	var sched nn.Schedule = nn.CosineLR{Base: cfg.LR, Total: steps}
	if cfg.Schedule == "constant" {
		sched = constantLR(cfg.LR)
	}
	var times []float64
	if labeler != nil {
		times = r.schedule(tr.N)
	}

	var opt *nn.SGD
	heads := &headTrainer{r: r}
	if m.FreshHeads {
		// The heads start from N(0, 0.01²) like every re-initialised one.
		opt = nn.NewSGD(r.model.TrunkParams(), cfg.LR, cfg.Momentum, cfg.WeightDecay)
		heads.opts = make([]*nn.SGD, r.heads)
		init := rng.New(cfg.Seed, fmt.Sprintf("bench/%s/head/init", m.Name))
		for h := range heads.opts {
			heads.ResetHead(h, init)
		}
	} else {
		opt = nn.NewSGD(r.model.Params(), cfg.LR, cfg.Momentum, cfg.WeightDecay)
	}
	st := r.newStepper(bs, opt, heads)
	step, solves, first := 0, 0, 0
	if r.opt.Checkpoint != "" {
		ck, err := loadCheckpoint(r.opt.Checkpoint, cfg)
		if err != nil {
			return err
		}
		if ck != nil {
			if err := r.restore(r.opt.Checkpoint, ck, opt, heads, labeler); err != nil {
				return err
			}
			first, step, solves = ck.Epochs, ck.Step, ck.Solves
			if times != nil {
				times = times[min(solves, len(times)):] // each solve took one point
			}
		}
	}
	prev := cloneLabels(r.labels)
	for epoch := first; epoch < cfg.Epochs; epoch++ {
		epochStart := time.Now()
		es := EpochStats{Epoch: epoch}
		labelStep := func() error {
			t := time.Now()
			r.report(Progress{Phase: "label", Epoch: epoch, Step: step, Steps: steps})
			solve, iters, unconverged, notes, err := r.labelStep(labeler, epoch, solves)
			if err != nil {
				return fmt.Errorf("bench: label step %d (epoch %d): %w", solves, epoch, err)
			}
			solves++
			es.LabelSteps++
			es.LabelSeconds += time.Since(t).Seconds()
			es.SolveSeconds += solve
			es.SolveIterations += iters
			es.Unconverged += unconverged
			es.Notes = append(es.Notes, notes...)
			return nil
		}
		if labeler != nil && times == nil {
			if err := labelStep(); err != nil {
				return err
			}
		}
		var order []int
		if m.BeginEpoch != nil {
			er := rng.New(cfg.Seed, fmt.Sprintf("bench/%s/head/epoch%d", m.Name, epoch))
			var err error
			if order, err = m.BeginEpoch(heads, r.labels, r.k, er); err == nil {
				err = heads.err
			}
			if err != nil {
				return fmt.Errorf("bench: %s: epoch %d: %w", m.Name, epoch, err)
			}
		}
		if order == nil {
			order = rng.New(cfg.Seed, fmt.Sprintf("bench/order/epoch%d", epoch)).Perm(tr.N)
		}
		augRand := rng.New(cfg.Seed, fmt.Sprintf("bench/augment/epoch%d", epoch))
		lossSum := 0.0
		for b := 0; b+bs <= len(order); b += bs {
			for len(times) > 0 && float64(step*bs) >= times[0] {
				times = times[1:]
				if err := labelStep(); err != nil {
					return err
				}
			}
			lr := sched.LR(step)
			loss, err := st.step(order[b:b+bs], step, lr, augRand)
			if err != nil {
				return fmt.Errorf("bench: step %d: %w", step, err)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return fmt.Errorf("bench: step %d (epoch %d): the loss is %v; lower --lr", step, epoch, loss)
			}
			lossSum += loss
			es.LR = lr
			step++
			r.report(Progress{Phase: "train", Epoch: epoch, Step: step, Steps: steps, Loss: loss})
		}
		es.Loss = lossSum / float64(perEpoch)
		for h, l := range r.labels {
			he, err := headEpoch(tr.Y, l, prev[h], r.ks[h])
			if err != nil {
				return err
			}
			if counts := r.rec.Data.TrainClassCounts; counts != nil {
				d := sortedSizeL1(he.Sizes, counts)
				he.SizeL1 = &d
			}
			es.Heads = append(es.Heads, he)
		}
		r.nmi = es.Heads[0].NMI
		prev = cloneLabels(r.labels)
		es.Seconds = time.Since(epochStart).Seconds()
		r.rec.Timings.Train += es.Seconds - es.LabelSeconds
		r.rec.Timings.Label += es.LabelSeconds
		r.rec.Timings.Solve += es.SolveSeconds
		r.rec.Epochs = append(r.rec.Epochs, es)
		if r.opt.Checkpoint != "" && epoch+1 < cfg.Epochs {
			if err := r.saveCheckpoint(r.opt.Checkpoint, epoch+1, step, solves, opt, heads, labeler); err != nil {
				return err
			}
			if checkpointed != nil && checkpointed(epoch+1) {
				return errCheckpointStop
			}
		}
	}
	return nil
}

// checkpointed, if not nil, is told after each checkpoint is saved and may stop
// the run there (with errCheckpointStop): the tests' interruption.
var checkpointed func(epochs int) bool

var errCheckpointStop = errors.New("bench: stopped after a checkpoint")

// stepper runs training steps: cross-entropy on the current pseudo-labels of
// one augmented view, or a method's [Online] loss on several.
type stepper struct {
	r       *runner
	opt     *nn.SGD
	heads   *headTrainer
	bs      int
	views   int         // augmented views per step
	xb, xa  []float32   // the batch's clean samples; its augmented views
	yb      [][]int     // pseudo-labels of the batch, per head
	grad    [][]float32 // Online: the loss's gradient per head
	dlogits []*tensor.Dense
}

func (r *runner) newStepper(bs int, opt *nn.SGD, heads *headTrainer) *stepper {
	d := r.trainSet.D
	st := &stepper{r: r, opt: opt, heads: heads, bs: bs, views: 1}
	if o := r.method.Online; o != nil {
		st.views = o.Views
		st.grad = make([][]float32, r.heads)
		for h := range st.grad {
			st.grad[h] = make([]float32, st.views*bs*r.ks[h])
			st.dlogits = append(st.dlogits, nn.New(st.grad[h], st.views*bs, r.ks[h]))
		}
	}
	st.xb = make([]float32, bs*d)
	st.xa = make([]float32, st.views*bs*d)
	st.yb = make([][]int, r.heads)
	for h := range st.yb {
		st.yb[h] = make([]int, bs)
	}
	return st
}

// step trains on the samples idx of the training split at learning rate lr and
// returns the loss before the update. An online method's batch labels are
// written back into the runner's pseudo-labels.
func (st *stepper) step(idx []int, step int, lr float64, augRand *rand.Rand) (float64, error) {
	r, bs := st.r, st.bs
	tr := &r.trainSet
	d := tr.D
	for j, i := range idx {
		copy(st.xb[j*d:(j+1)*d], tr.Row(i))
		for h := range st.yb {
			st.yb[h][j] = r.labels[h][i]
		}
	}
	x := st.xb
	if r.aug != nil {
		for v := range st.views {
			r.aug.Apply(st.xa[v*bs*d:(v+1)*bs*d], st.xb, augRand)
		}
		x = st.xa
	} else if st.views > 1 {
		for v := range st.views {
			copy(st.xa[v*bs*d:(v+1)*bs*d], st.xb)
		}
		x = st.xa
	}
	if r.method.CosineHeads {
		r.model.NormalizeHeads()
	}
	st.opt.LR = lr
	_, z := r.model.Forward(r.input(x, st.views*bs), true)
	var loss float64
	var err error
	if o := r.method.Online; o != nil {
		scores := make([][]float32, len(z))
		for h := range z {
			scores[h] = nn.Data(z[h])
		}
		if loss, err = o.Loss(scores, st.grad, bs, r.ks, st.yb); err != nil {
			return 0, fmt.Errorf("%s: %w", r.method.Name, err)
		}
		for j, i := range idx {
			for h := range st.yb {
				r.labels[h][i] = st.yb[h][j]
			}
		}
		r.model.Backward(st.dlogits)
		if step < o.FrozenHeadSteps {
			for h := range r.model.Heads {
				for _, p := range r.model.HeadParams(h) {
					clear(nn.Data(p.G))
				}
			}
		}
	} else {
		if loss, err = r.model.Loss(st.yb); err != nil {
			return 0, err
		}
		r.model.Backward(nil)
	}
	st.opt.Step()
	for _, o := range st.heads.opts {
		o.LR = lr
		o.Step()
	}
	return loss, nil
}

// headTrainer is the train loop's [EpochTrainer]: the heads' own optimisers of a
// method with FreshHeads (nil otherwise), stepped after the trunk's.
type headTrainer struct {
	r    *runner
	opts []*nn.SGD
	err  error // the first misuse, reported after BeginEpoch returns
}

func (t *headTrainer) ResetHead(h int, r *rand.Rand) {
	switch {
	case t.err != nil: // keep the first misuse
	case t.opts == nil:
		t.err = fmt.Errorf("ResetHead(%d) called by a method without FreshHeads", h)
	case h < 0 || h >= len(t.opts):
		t.err = fmt.Errorf("ResetHead(%d): the method trains %d heads", h, len(t.opts))
	}
	if t.err != nil {
		return
	}
	cfg := &t.r.cfg
	nn.ResetHead(t.r.model.Heads[h], r) // N(0, 0.01²) weights, zero bias
	t.opts[h] = nn.NewSGD(t.r.model.HeadParams(h), cfg.LR, 0, cfg.WeightDecay)
}

type constantLR float64

func (c constantLR) LR(int) float64 { return float64(c) }

func headEpoch(truth, labels, prev []int, k int) (HeadEpoch, error) {
	s, err := metrics.Score(truth, labels, k)
	if err != nil {
		return HeadEpoch{}, err
	}
	c, err := metrics.NewContingency(prev, labels)
	if err != nil {
		return HeadEpoch{}, err
	}
	return HeadEpoch{NMI: s.NMI, NMIPrev: c.NMI(), Clusters: s.NonEmpty,
		EffectiveClusters: s.EffectiveClusters, LargestFraction: s.LargestFraction, Sizes: s.Sizes}, nil
}

func cloneLabels(l [][]int) [][]int {
	out := make([][]int, len(l))
	for h := range l {
		out[h] = append([]int(nil), l[h]...)
	}
	return out
}

// labelStep computes what the labeler needs on the whole training set and
// replaces the pseudo-labels. It returns the solver seconds and iterations and
// the number of heads whose solve did not converge.
func (r *runner) labelStep(l Labeler, epoch, index int) (solve float64, iters, unconverged int, notes []string, err error) {
	needF, needLP := r.method.Needs.Features, r.method.Needs.LogProbs
	in := &LabelInput{Epoch: epoch, N: r.trainSet.N, K: r.k, HeadK: r.ks, ClassSizes: r.classSizes}
	views := r.cfg.Views
	if r.aug == nil {
		views = 0
	}
	// One pass gives both when the log-probabilities are of the clean images.
	together := needF && needLP && views == 0
	if needF && !together {
		f, _, err := r.pass(&r.trainSet, 0, nil, true, false)
		if err != nil {
			return 0, 0, 0, nil, err
		}
		in.Features, in.D = f, len(f)/r.trainSet.N
	}
	if needLP {
		augRand := rng.New(r.cfg.Seed, fmt.Sprintf("bench/label/step%d", index))
		f, lp, err := r.pass(&r.trainSet, views, augRand, together, true)
		if err != nil {
			return 0, 0, 0, nil, err
		}
		in.LogProbs = lp
		if together {
			in.Features, in.D = f, len(f)/r.trainSet.N
		}
	}
	if r.opt.LabelInput != nil {
		r.opt.LabelInput(index, in)
	}
	labels, stats, err := l.Label(in)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	for h, s := range stats {
		solve += s.Seconds
		iters += s.Iterations
		if !s.Converged {
			unconverged++
		}
		if s.Note != "" {
			notes = append(notes, fmt.Sprintf("head %d: %s", h, s.Note))
		}
	}
	r.labels = labels
	return solve, iters, unconverged, notes, nil
}

// evalBatch is the batch size of forward passes in evaluation mode.
const evalBatch = 1000

// pass runs the model in evaluation mode over a split and returns, if
// withFeatures, the trunk features of the clean images (views must be 0 then)
// and, if withHeads, each head's
// log-probabilities: of the clean images when views == 0, else averaged over
// `views` augmented views drawn from augRand, accumulated in float64.
func (r *runner) pass(s *datasets.Split, views int, augRand *rand.Rand, withFeatures, withHeads bool) ([]float32, [][]float32, error) {
	n, d := s.N, s.D
	var feats []float32
	var lps [][]float32
	if withHeads {
		lps = make([][]float32, r.heads)
		for h := range lps {
			lps[h] = make([]float32, n*r.ks[h])
		}
	}
	nv := max(views, 1)
	xa := make([]float32, evalBatch*d)
	one := make([]float64, evalBatch*slices.Max(r.ks))
	sums := make([][]float64, len(lps))
	for b := 0; b < n; b += evalBatch {
		m := min(evalBatch, n-b)
		src := s.X[b*d : (b+m)*d]
		for v := range nv {
			x := src
			if views > 0 {
				r.aug.Apply(xa[:m*d], src, augRand)
				x = xa[:m*d]
			}
			f, z := r.model.Forward(r.input(x, m), false)
			if withFeatures {
				fd := nn.Data(f)
				if feats == nil {
					feats = make([]float32, 0, n*(len(fd)/m))
				}
				feats = append(feats, fd...)
			}
			for h := range lps {
				k := r.ks[h]
				zd := nn.Data(z[h])
				if nv == 1 {
					out := lps[h][b*k : (b+m)*k]
					copy(out, zd)
					logits.LogSoftmax(out, m, k)
					continue
				}
				lp := one[:m*k]
				for i, x := range zd {
					lp[i] = float64(x)
				}
				logits.LogSoftmax(lp, m, k)
				if v == 0 {
					sums[h] = append(sums[h][:0], lp...)
					continue
				}
				for i, x := range lp {
					sums[h][i] += x
				}
			}
		}
		if nv > 1 {
			for h := range lps {
				k := r.ks[h]
				out := lps[h][b*k : (b+m)*k]
				for i, x := range sums[h] {
					out[i] = float32(x / float64(nv))
				}
			}
		}
	}
	for h, lp := range lps {
		if err := checkFinite(lp, r.ks[h]); err != nil {
			return nil, nil, fmt.Errorf("head %d log-probabilities: %w", h, err)
		}
	}
	return feats, lps, nil
}

func checkFinite(x []float32, k int) error {
	for i, v := range x {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("row %d, column %d is %v (the network diverged)", i/k, i%k, f)
		}
	}
	return nil
}

// sortedSizeL1 is Σ_j |p_(j) − q_(j)| between the cluster-size fractions p of
// sizes and the class-size fractions q of counts, each sorted in decreasing
// order (the shorter padded with zeros): how far the labels' size profile is
// from the classes', whichever cluster takes which class. 0 is the same profile,
// 2 the farthest.
func sortedSizeL1(sizes, counts []int) float64 {
	frac := func(x []int, n int) []float64 {
		total := 0
		for _, v := range x {
			total += v
		}
		out := make([]float64, n)
		for i, v := range x {
			if total > 0 {
				out[i] = float64(v) / float64(total)
			}
		}
		slices.SortFunc(out, func(a, b float64) int { return cmp.Compare(b, a) })
		return out
	}
	n := max(len(sizes), len(counts))
	p, q := frac(sizes, n), frac(counts, n)
	d := 0.0
	for j := range p {
		d += math.Abs(p[j] - q[j])
	}
	return d
}
