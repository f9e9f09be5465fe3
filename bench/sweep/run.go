package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/bench/records"
	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/internal/atomicfile"
)

// Options are the knobs of Run that do not change any cell's result.
type Options struct {
	// Out is the sweep's directory: results go to Out/results.jsonl (or
	// Out/results-shard-I-of-N.jsonl), each cell's log to Out/logs/HASH.log.
	Out string
	// Jobs is the number of cells run at once (default 1). Each cell's result is
	// the same whatever Jobs is; only the order of the lines differs.
	Jobs int
	// Shard and Shards select shard Shard of Shards (see [Shard]); Shards 0 runs
	// every cell.
	Shard, Shards int
	// Resume skips the cells already in the results file. Without it, a results
	// file that already holds records is an error.
	Resume bool
	// DataDir is the directory of the datasets' files ("" = the default places).
	DataDir string
	// Event, if not nil, is told when a cell starts and ends; calls never overlap.
	Event func(Event)
}

// Event reports a cell starting (Done false) or ending (Done true, with Err or
// Record).
type Event struct {
	Cell    Cell
	Done    bool
	Err     error
	Record  *bench.Record
	Seconds float64
	Log     string // the cell's log file
}

// Summary is what Run did.
type Summary struct {
	Results string // the results file
	Cells   int    // cells of this shard
	Skipped int    // already in the results file (Resume)
	Ran     int    // finished now
	Failed  []Event
	// Repaired, when not empty, says that the results file ended in a partial
	// line (a writer without atomic appends crashed) which Resume dropped.
	Repaired string
}

// ResultsPath is the results file of a sweep in dir (shards 0: unsharded).
func ResultsPath(dir string, shard, shards int) string {
	if shards == 0 {
		return filepath.Join(dir, "results.jsonl")
	}
	return filepath.Join(dir, fmt.Sprintf("results-shard-%d-of-%d.jsonl", shard, shards))
}

// Run runs the sweep's cells (of one shard) and appends each finished cell's
// record to the results file as one JSON line, atomically (records.Append):
// a sweep killed at any moment loses only the cells in flight, and Resume then
// runs just those. A failing cell is logged and reported in the summary; the
// others still run. The datasets are loaded once, before any cell runs, so a
// missing dataset fails at once.
func Run(f *File, opt Options) (*Summary, error) {
	if opt.Out == "" {
		return nil, errors.New("sweep: no output directory")
	}
	if opt.Shards < 0 || (opt.Shards > 0 && (opt.Shard < 0 || opt.Shard >= opt.Shards)) {
		return nil, fmt.Errorf("sweep: shard %d of %d: want 0 ≤ shard < shards", opt.Shard, opt.Shards)
	}
	logs, ckpts := filepath.Join(opt.Out, "logs"), filepath.Join(opt.Out, "checkpoints")
	for _, d := range []string{logs, ckpts} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	results := ResultsPath(opt.Out, opt.Shard, opt.Shards)
	unlock, err := lock(filepath.Join(opt.Out, "."+filepath.Base(results)+".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	var repaired string
	if opt.Resume {
		if repaired, err = dropPartialLine(results); err != nil {
			return nil, err
		}
	}
	todo, skipped, err := Pending(f, opt)
	if err != nil {
		return nil, err
	}
	s := &Summary{Results: results, Cells: len(todo) + skipped, Skipped: skipped, Repaired: repaired}
	data := map[string]*datasets.Dataset{}
	for _, c := range todo {
		if data[c.Config.Dataset] == nil {
			ds, err := bench.LoadDataset(c.Config.Dataset, opt.DataDir)
			if err != nil {
				return nil, fmt.Errorf("sweep: %w", err)
			}
			data[c.Config.Dataset] = ds
		}
	}

	var mu sync.Mutex // guards s, the results file and opt.Event
	event := func(e Event) {
		if opt.Event != nil {
			opt.Event(e)
		}
	}
	queue := make(chan Cell)
	var wg sync.WaitGroup
	for range max(opt.Jobs, 1) {
		wg.Go(func() {
			for c := range queue {
				logPath := filepath.Join(logs, c.Hash+".log")
				mu.Lock()
				event(Event{Cell: c, Log: logPath})
				mu.Unlock()
				start := time.Now()
				ckpt := filepath.Join(ckpts, c.Hash+".ckpt")
				var rec *bench.Record
				var err error
				if !opt.Resume {
					err = os.Remove(ckpt) // a fresh sweep starts every cell afresh
				}
				if err == nil || errors.Is(err, os.ErrNotExist) {
					rec, err = runCell(c, data[c.Config.Dataset], logPath, ckpt)
				}
				e := Event{Cell: c, Done: true, Record: rec, Err: err, Seconds: time.Since(start).Seconds(), Log: logPath}
				mu.Lock()
				if err == nil {
					if err = records.Append(s.Results, rec); err != nil {
						e.Err, e.Record = fmt.Errorf("writing its record: %w", err), nil
					} else if err = os.Remove(ckpt); err != nil && !errors.Is(err, os.ErrNotExist) {
						e.Err = fmt.Errorf("removing its checkpoint: %w", err)
					}
				}
				if e.Err != nil {
					s.Failed = append(s.Failed, e)
				} else {
					s.Ran++
				}
				event(e)
				mu.Unlock()
			}
		})
	}
	for _, c := range todo {
		queue <- c
	}
	close(queue)
	wg.Wait()
	return s, nil
}

// Pending returns the cells of opt's shard that Run would run and the number of
// those already in the results file. Without opt.Resume, a results file that
// already holds records is an error.
func Pending(f *File, opt Options) (todo []Cell, done int, err error) {
	cells := f.Cells
	if opt.Shards > 0 {
		cells = Shard(cells, opt.Shard, opt.Shards)
	}
	path := ResultsPath(opt.Out, opt.Shard, opt.Shards)
	have, err := finished(path)
	if err != nil {
		return nil, 0, err
	}
	if len(have) > 0 && !opt.Resume {
		return nil, 0, fmt.Errorf("sweep: %s already holds %d records: pass --resume to run only the missing cells, or choose another --out", path, len(have))
	}
	for _, c := range cells {
		if have[c.Hash] {
			done++
		} else {
			todo = append(todo, c)
		}
	}
	return todo, done, nil
}

// dropPartialLine rewrites path (atomically) without a last line that lacks its
// newline, and says what it dropped; a complete file is left alone.
func dropPartialLine(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && (len(b) == 0 || b[len(b)-1] == '\n')) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sweep: %w", err)
	}
	keep := bytes.LastIndexByte(b, '\n') + 1
	err = atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(b[:keep])
		return err
	})
	if err != nil {
		return "", fmt.Errorf("sweep: %w", err)
	}
	return fmt.Sprintf("%s: dropped a partial last line (line %d, %d bytes) left by a crashed writer", path, bytes.Count(b[:keep], []byte("\n"))+1, len(b)-keep), nil
}

// finished returns the hashes of the cells recorded in the results file.
func finished(path string) (map[string]bool, error) {
	done := map[string]bool{}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return done, nil
	}
	recs, _, err := records.Read(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	for _, r := range recs {
		done[r.Config.Hash()] = true
	}
	return done, nil
}

// runCell runs one cell with its checkpoint file ckpt, logging its configuration,
// progress and outcome (appended to the log of an earlier, interrupted try).
func runCell(c Cell, ds *datasets.Dataset, logPath, ckpt string) (rec *bench.Record, err error) {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			fmt.Fprintf(lf, "failed: %v\n", err)
		} else {
			f := rec.Final
			fmt.Fprintf(lf, "done in %.1f s: nmi %.4f, acc %.4f, linear probe %.4f, knn %.4f, effective clusters %.2f\n",
				rec.Timings.Total, f.NMI, f.ACC, f.LinearProbe, f.KNN, f.EffectiveClusters)
		}
		if cerr := lf.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	cfg, _ := json.Marshal(c.Config)
	fmt.Fprintf(lf, "cell %d %s: %s\nconfig %s\n", c.Index, c.Hash, c.Label, cfg)
	if _, err := os.Stat(ckpt); err == nil {
		fmt.Fprintf(lf, "resuming from the checkpoint %s\n", ckpt)
	}
	last := -1
	progress := func(p bench.Progress) {
		if p.Epoch == last && p.Phase != "eval" {
			return
		}
		last = p.Epoch
		nmi := "—"
		if !math.IsNaN(p.NMI) {
			nmi = fmt.Sprintf("%.4f", p.NMI)
		}
		var what string
		switch p.Phase {
		case "eval":
			what = "final evaluation"
		case "label":
			what = fmt.Sprintf("epoch %d/%d: label step (step %d/%d; head-0 label NMI so far %s)", p.Epoch+1, p.Epochs, p.Step, p.Steps, nmi)
		default:
			what = fmt.Sprintf("epoch %d/%d: training (step %d/%d, loss %.4f, head-0 label NMI %s)", p.Epoch+1, p.Epochs, p.Step, p.Steps, p.Loss, nmi)
		}
		fmt.Fprintf(lf, "%s %s\n", time.Now().UTC().Format(time.RFC3339), what)
	}
	return bench.Run(c.Config, ds, bench.RunOptions{Progress: progress, Checkpoint: ckpt})
}
