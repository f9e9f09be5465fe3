package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/selabench/selabench/bench/metrics"
	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/kmeans"
	"github.com/selabench/selabench/reports"
)

// mainConfig is the main job's configuration.
type mainConfig struct {
	dataset string
	dataDir string
	k       int
	iters   int
	seed    uint64
	init    string
	json    bool
}

func mainFlags(errOut io.Writer) (*flagSet, *mainConfig) {
	fs := newFlags("selabench", "selabench [--dataset mnist] [--k 10] [--iters 20] [--seed 0] [--init random|kmeans++] [--json]", errOut)
	c := &mainConfig{}
	fs.StringVar(&c.dataset, "dataset", "mnist", "dataset to cluster: mnist, fashion-mnist or cifar10")
	fs.StringVar(&c.dataDir, "data", "", "directory holding the dataset's files (default: $SELABENCH_DATA/NAME, then the built-in places)")
	fs.IntVar(&c.k, "k", 10, "number of clusters")
	fs.IntVar(&c.iters, "iters", 20, "k-means iterations")
	fs.Uint64Var(&c.seed, "seed", 0, "random seed")
	fs.StringVar(&c.init, "init", "random", "k-means initialisation: random or kmeans++")
	fs.BoolVar(&c.json, "json", false, "print one JSON object instead of tables")
	return fs, c
}

// mainRecord is the main job's result, as printed with --json.
type mainRecord struct {
	Dataset     string         `json:"dataset"`
	Split       string         `json:"split"`
	N           int            `json:"n"`
	D           int            `json:"d"`
	K           int            `json:"k"`
	Iterations  int            `json:"iters"`
	Seed        uint64         `json:"seed"`
	Init        string         `json:"init"`
	LoadSeconds float64        `json:"load_seconds"`
	Seconds     float64        `json:"seconds"`
	Inertia     float64        `json:"inertia"`
	Scores      metrics.Scores `json:"scores"`
	Sizes       []int          `json:"sizes"`
	Majority    []int          `json:"majority_class"`
}

// runMain is the suite's main job for now: k-means on the raw pixels of a dataset's
// train split, scored against the true classes.
func runMain(args []string, out, errOut io.Writer) error {
	fs, c := mainFlags(errOut)
	if err := fs.parse(args, out); err != nil {
		return err
	}
	if c.k < 1 {
		return usagef("--k must be ≥ 1, got %d", c.k)
	}
	if c.iters < 1 {
		return usagef("--iters must be ≥ 1, got %d", c.iters)
	}
	if c.init != string(kmeans.Random) && c.init != string(kmeans.PlusPlus) {
		return usagef("--init must be random or kmeans++, got %q", c.init)
	}
	t0 := time.Now()
	ds, err := datasets.Load(c.dataset, datasets.LoadOptions{Dir: c.dataDir})
	if err != nil {
		return err
	}
	load := time.Since(t0).Seconds()
	tr := ds.Train
	res, err := kmeans.Fit(tr.X, tr.N, tr.D, kmeans.Options{K: c.k, Iters: c.iters, Seed: c.seed, Init: kmeans.Init(c.init)})
	if err != nil {
		return err
	}
	scores, err := metrics.Score(tr.Y, res.Labels, c.k)
	if err != nil {
		return err
	}
	rec := mainRecord{
		Dataset: ds.Name, Split: "train", N: tr.N, D: tr.D, K: c.k, Iterations: res.Iterations,
		Seed: c.seed, Init: c.init, LoadSeconds: load, Seconds: res.Seconds, Inertia: res.Inertia,
		Scores: scores, Sizes: scores.Sizes, Majority: majority(tr.Y, res.Labels, c.k, ds.K()),
	}
	if c.json {
		return json.NewEncoder(out).Encode(rec)
	}
	return printMain(out, rec, ds.Classes)
}

// majority returns, for each cluster, the most frequent true class (-1 when empty).
func majority(truth, pred []int, k, classes int) []int {
	counts := make([]int, k*classes)
	for i, y := range pred {
		counts[y*classes+truth[i]]++
	}
	out := make([]int, k)
	for c := range out {
		out[c] = -1
		best := 0
		for y := 0; y < classes; y++ {
			if n := counts[c*classes+y]; n > best {
				out[c], best = y, n
			}
		}
	}
	return out
}

func printMain(out io.Writer, r mainRecord, classes []string) error {
	fmt.Fprintf(out, "k-means on raw pixels: %s %s split, N = %d, D = %d, K = %d, %d iterations, %s init, seed %d\n",
		r.Dataset, r.Split, r.N, r.D, r.K, r.Iterations, r.Init, r.Seed)
	fmt.Fprintf(out, "loaded in %.2f s, clustered in %.2f s\n\n", r.LoadSeconds, r.Seconds)
	s := r.Scores
	err := reports.Table{
		Header: []string{"method", "NMI", "ARI", "ACC", "clusters", "effective clusters", "largest fraction", "inertia"},
		Rows: [][]string{{
			"kmeans-pixels", f4(s.NMI), f4(s.ARI), f4(s.ACC), fmt.Sprint(s.NonEmpty),
			fmt.Sprintf("%.2f", s.EffectiveClusters), f4(s.LargestFraction), fmt.Sprintf("%.3f", r.Inertia),
		}},
	}.Markdown(out)
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	rows := make([][]string, len(r.Sizes))
	for c, n := range r.Sizes {
		maj := "—"
		if r.Majority[c] >= 0 {
			maj = classes[r.Majority[c]]
		}
		rows[c] = []string{fmt.Sprint(c), fmt.Sprint(n), fmt.Sprintf("%.4f", float64(n)/float64(r.N)), maj}
	}
	return reports.Table{Header: []string{"cluster", "size", "fraction", "majority class"}, Rows: rows, Align: "rrrl"}.Markdown(out)
}
