package bench

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/selabench/selabench/internal/atomicfile"
	"github.com/selabench/selabench/internal/nn"
)

// Checkpoints. A run with [RunOptions.Checkpoint] set saves its whole state at
// the end of every epoch but the last, and a run started with the same file and
// the same configuration goes on from the last saved epoch. The resumed run's
// record is the uninterrupted run's, bit for bit, except for the wall times
// (Timings.Total counts the time of every process that worked on the run) and
// Record.PriorEnv (the machines of the earlier processes). That
// holds because every random stream of a run is drawn from (Config.Seed, a name
// fixed by the epoch or label step), so the state at an epoch's end is only:
//
//   - the network's parameters and buffers (BatchNorm statistics);
//   - the optimisers' momentum buffers (the heads' own with Method.FreshHeads);
//   - the current pseudo-labels, the step and label-step counters;
//   - the record so far (its epochs and timings);
//   - the labeler's own state, for a labeler that keeps any between label steps:
//     it must then implement encoding.BinaryMarshaler and BinaryUnmarshaler (the
//     built-in labelers keep none).
//
// The file is a gob of checkpointState followed by the CRC-32 (IEEE) of the gob,
// written atomically.
const checkpointVersion = 1

var checkpointMagic = []byte("SELACKPT")

// checkpointState is what a checkpoint file holds.
type checkpointState struct {
	Version      int
	Config       []byte // the run's Config as JSON: a checkpoint resumes only its own run
	Epochs       int    // epochs finished
	Step, Solves int
	Labels       [][]int
	NMI          float64
	Started      string
	Elapsed      float64 // seconds of the processes that ran the finished epochs
	Envs         []Env   // their machines, oldest first
	Stats        []EpochStats
	Timings      Timings
	Weights      []byte      // nn.WriteWeights of the model
	Momentum     [][]float32 // the shared optimiser's buffers
	HeadMomentum [][][]float32
	Labeler      []byte
}

// saveCheckpoint writes the run's state after its first epochs epochs.
func (r *runner) saveCheckpoint(path string, epochs, step, solves int, opt *nn.SGD, heads *headTrainer, l Labeler) error {
	cfg, err := json.Marshal(r.cfg)
	if err != nil {
		return err
	}
	st := checkpointState{
		Version: checkpointVersion, Config: cfg, Epochs: epochs, Step: step, Solves: solves,
		Labels: r.labels, NMI: r.nmi, Started: r.rec.Started,
		Elapsed: r.elapsed + time.Since(r.start).Seconds(),
		Stats:   r.rec.Epochs, Timings: r.rec.Timings, Momentum: opt.Velocities(),
		Envs: append(slices.Clone(r.rec.PriorEnv), r.rec.Env),
	}
	var w bytes.Buffer
	if err := nn.WriteWeights(&w, r.model.Arch, r.model.Params()); err != nil {
		return err
	}
	st.Weights = w.Bytes()
	for _, o := range heads.opts {
		st.HeadMomentum = append(st.HeadMomentum, o.Velocities())
	}
	if m, ok := l.(encoding.BinaryMarshaler); ok {
		if st.Labeler, err = m.MarshalBinary(); err != nil {
			return fmt.Errorf("bench: checkpoint %s: labeler state: %w", path, err)
		}
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(&st); err != nil {
		return fmt.Errorf("bench: checkpoint %s: %w", path, err)
	}
	err = atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		sum := binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(body.Bytes()))
		for _, b := range [][]byte{checkpointMagic, body.Bytes(), sum} {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bench: checkpoint: %w", err)
	}
	return nil
}

// loadCheckpoint reads the checkpoint at path; it returns nil and no error when
// there is none.
func loadCheckpoint(path string, cfg Config) (*checkpointState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench: checkpoint: %w", err)
	}
	n := len(checkpointMagic)
	if len(b) < n+4 || !bytes.Equal(b[:n], checkpointMagic) {
		return nil, fmt.Errorf("bench: checkpoint %s: not a selabench checkpoint", path)
	}
	body, sum := b[n:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("bench: checkpoint %s: checksum mismatch (file corrupt or truncated)", path)
	}
	var st checkpointState
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&st); err != nil {
		return nil, fmt.Errorf("bench: checkpoint %s: %w", path, err)
	}
	if st.Version != checkpointVersion {
		return nil, fmt.Errorf("bench: checkpoint %s: version %d, want %d", path, st.Version, checkpointVersion)
	}
	want, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(st.Config, want) {
		return nil, fmt.Errorf("bench: checkpoint %s holds a run of another configuration (%s); remove it to start this run afresh", path, st.Config)
	}
	if st.Epochs < 1 || st.Epochs >= cfg.Epochs || len(st.Stats) != st.Epochs {
		return nil, fmt.Errorf("bench: checkpoint %s: %d epochs finished (%d stats) of %d", path, st.Epochs, len(st.Stats), cfg.Epochs)
	}
	return &st, nil
}

// restore puts the run into the state st holds.
func (r *runner) restore(path string, st *checkpointState, opt *nn.SGD, heads *headTrainer, l Labeler) error {
	bad := func(what string, err error) error {
		return fmt.Errorf("bench: checkpoint %s: %s: %w", path, what, err)
	}
	if err := nn.ReadWeights(bytes.NewReader(st.Weights), r.model.Arch, r.model.Params()); err != nil {
		return bad("weights", err)
	}
	if err := opt.SetVelocities(st.Momentum); err != nil {
		return bad("optimiser", err)
	}
	if len(st.HeadMomentum) != len(heads.opts) {
		return bad("heads", fmt.Errorf("%d head optimisers, want %d", len(st.HeadMomentum), len(heads.opts)))
	}
	for h, v := range st.HeadMomentum {
		if err := heads.opts[h].SetVelocities(v); err != nil {
			return bad(fmt.Sprintf("head %d", h), err)
		}
	}
	if len(st.Labels) != len(r.labels) {
		return bad("labels", fmt.Errorf("%d heads, want %d", len(st.Labels), len(r.labels)))
	}
	for h, lab := range st.Labels {
		if len(lab) != len(r.labels[h]) {
			return bad("labels", fmt.Errorf("head %d: %d labels, want %d", h, len(lab), len(r.labels[h])))
		}
		for i, y := range lab {
			if y < 0 || y >= r.ks[h] {
				return bad("labels", fmt.Errorf("head %d, sample %d: label %d outside [0, %d)", h, i, y, r.ks[h]))
			}
		}
	}
	u, isU := l.(encoding.BinaryUnmarshaler)
	switch {
	case len(st.Labeler) > 0 && !isU:
		return bad("labeler", errors.New("the file holds labeler state but the labeler cannot read it"))
	case isU && len(st.Labeler) > 0:
		if err := u.UnmarshalBinary(st.Labeler); err != nil {
			return bad("labeler", err)
		}
	}
	r.labels, r.nmi = st.Labels, st.NMI
	r.rec.Started, r.rec.Epochs, r.rec.Timings = st.Started, st.Stats, st.Timings
	r.rec.PriorEnv = st.Envs
	r.elapsed = st.Elapsed
	return nil
}
