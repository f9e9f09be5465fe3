package bench_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/selabench/selabench/bench"
)

// A SeLa run on the synthetic blobs: two heads, labels re-solved with
// Sinkhorn-Knopp at the start of every epoch, scored on the test split.
func ExampleRun() {
	ds, err := bench.LoadDataset("synthetic", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := bench.DefaultConfig(bench.MethodSeLa, "synthetic")
	cfg.Epochs, cfg.Heads, cfg.BatchSize, cfg.KNN = 3, 2, 100, 20
	rec, err := bench.Run(cfg, ds, bench.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	last := rec.Epochs[len(rec.Epochs)-1]
	fmt.Println("epochs:", len(rec.Epochs), "heads scored:", len(rec.Final.Heads), "split:", rec.Final.Split)
	fmt.Println("label steps per epoch:", last.LabelSteps)
	fmt.Println("non-empty clusters of head 0's labels:", last.Heads[0].Clusters)
	// Output:
	// epochs: 3 heads scored: 2 split: test
	// label steps per epoch: 1
	// non-empty clusters of head 0's labels: 10
}

// A run with a checkpoint file: the state is saved after every epoch, so a run
// killed midway and started again with the same file goes on from its last
// epoch (and ends with the same record); the caller removes the file once the
// record is safe.
func ExampleRunOptions_checkpoint() {
	ds, err := bench.LoadDataset("synthetic", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "selabench-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cfg := bench.DefaultConfig(bench.MethodSeLa, "synthetic")
	cfg.Epochs, cfg.Heads, cfg.BatchSize, cfg.KNN = 3, 2, 100, 20
	ckpt := filepath.Join(dir, "run.ckpt")
	rec, err := bench.Run(cfg, ds, bench.RunOptions{Checkpoint: ckpt})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = os.Stat(ckpt)
	fmt.Println("epochs:", len(rec.Epochs), "checkpoint left:", err == nil, "resumed:", len(rec.PriorEnv))
	os.Remove(ckpt)
	// Output:
	// epochs: 3 checkpoint left: true resumed: 0
}
