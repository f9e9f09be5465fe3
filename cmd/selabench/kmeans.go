package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/selabench/selabench/bench/metrics"
	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/deepcluster"
	"github.com/selabench/selabench/internal/npy"
	"github.com/selabench/selabench/kmeans"
	"github.com/selabench/selabench/reports"
)

func init() {
	register(&command{
		name:    "kmeans",
		summary: "k-means (faiss-style Lloyd) on a dataset or a .npy matrix, with optional PCA/whitening/L2",
		run:     runKMeans,
	})
}

// kmeansOut is one clustering, as `selabench kmeans --json` prints it.
type kmeansOut struct {
	N     int    `json:"n"`
	D     int    `json:"d"`    // input dimension
	Dims  int    `json:"dims"` // dimension clustered (after --pca)
	K     int    `json:"k"`
	Iters int    `json:"iters"`
	Init  string `json:"init"`
	Seed  uint64 `json:"seed"`
	// Seconds is the k-means time; PreprocessSeconds PCA and normalisation.
	Seconds           float64 `json:"seconds"`
	PreprocessSeconds float64 `json:"preprocess_seconds"`
	// Inertia is the mean squared distance to the assigned centroid; Objective the
	// per-iteration sums over the training rows.
	Inertia   float64   `json:"inertia"`
	Objective []float64 `json:"objective"`
	Empty     int       `json:"empty"`
	Splits    int       `json:"splits"`
	TrainRows int       `json:"train_rows"`
	NMI       *float64  `json:"nmi,omitempty"` // with true labels only
	ACC       *float64  `json:"acc,omitempty"`
}

func runKMeans(args []string, out, errOut io.Writer) error {
	fs := newFlags("kmeans", "selabench kmeans (--dataset mnist|fashion-mnist|cifar10 | --features X.npy) --k K [--iters 20] [--seed 0] [--init random|kmeans++] [--pca 0|256] [--whiten] [--l2] [--redo 1] [--max-points-per-centroid 0] [--spherical] [--labels Y.npy] [--out labels.npy] [--json]", errOut)
	dataset := fs.String("dataset", "", "cluster this dataset's train split (pixels in [0, 1]): mnist, fashion-mnist or cifar10")
	dataPath := fs.String("features", "", "cluster the rows of this N×D float32 or float64 `.npy` matrix instead")
	k := fs.Int("k", 0, "number of clusters K, 1 ≤ K ≤ N (required)")
	iters := fs.Int("iters", 20, "Lloyd iterations (0: 20)")
	seed := fs.Uint64("seed", 0, "seed of the initialisation, subsampling and splits")
	initName := fs.String("init", string(kmeans.Random), "initialisation: random (K distinct points, as faiss) or kmeans++")
	pcaDims := fs.Int("pca", 0, "reduce to this many dimensions by PCA before clustering (0: no PCA; DeepCluster uses 256)")
	whiten := fs.Bool("whiten", false, "whiten the PCA output (needs --pca; faiss's eigen_power −0.5)")
	l2 := fs.Bool("l2", false, "L2-normalise every row (after --pca) before clustering")
	redo := fs.Int("redo", 1, "run k-means this many times from different initialisations and keep the best (faiss's nredo)")
	maxPPC := fs.Int("max-points-per-centroid", 0, "train on a random subsample of K·this many rows when N is larger, then label all rows (0: unlimited)")
	spherical := fs.Bool("spherical", false, "spherical k-means: unit-norm centroids")
	labelsPath := fs.String("labels", "", "true labels of the --features rows: a 1-D integer .npy `file`, for nmi and acc")
	outPath := fs.String("out", "", "write the cluster labels to this .npy `file` (int32, length N)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.parse(args, out); err != nil {
		return err
	}
	switch {
	case (*dataset == "") == (*dataPath == ""):
		return usagef("give exactly one of --dataset and --features")
	case *dataset != "" && *labelsPath != "":
		return usagef("--labels goes with --features (a dataset has its own labels)")
	case *pcaDims < 0:
		return usagef("--pca must be ≥ 0, got %d", *pcaDims)
	case *whiten && *pcaDims == 0:
		return usagef("--whiten needs --pca")
	}
	opt := kmeans.Options{
		K: *k, Iters: *iters, Init: kmeans.Init(*initName), Seed: *seed, Redo: *redo,
		MaxPointsPerCentroid: *maxPPC, Spherical: *spherical,
	}
	if err := opt.Check(); err != nil {
		return kmeansUsage(err, "")
	}
	var x []float32
	var n, d int
	var truth []int
	if *dataset != "" {
		ds, err := datasets.Load(*dataset, datasets.LoadOptions{})
		if err != nil {
			return err
		}
		x, n, d, truth = ds.Train.X, ds.Train.N, ds.Train.D, ds.Train.Y
	} else {
		a, err := npy.ReadFile(*dataPath)
		if err != nil {
			return err
		}
		if len(a.Shape) != 2 {
			return fmt.Errorf("%s: want a 2-D N×D matrix, got shape %v", *dataPath, a.Shape)
		}
		n, d = a.Shape[0], a.Shape[1]
		if a.DType != npy.Float32 && a.DType != npy.Float64 {
			return fmt.Errorf("%s: want float32 or float64 values, got dtype %s", *dataPath, a.DType)
		}
		if x, err = a.Float32s(); err != nil {
			return fmt.Errorf("%s: %w", *dataPath, err)
		}
		if *labelsPath != "" {
			if truth, err = readLabels(*labelsPath); err != nil {
				return err
			}
			if len(truth) != n {
				return fmt.Errorf("%s has %d labels but %s has %d rows", *labelsPath, len(truth), *dataPath, n)
			}
		}
	}
	src := *dataPath
	if src == "" {
		src = *dataset
	}
	if *pcaDims > d {
		return usagef("--pca %d exceeds the dimension D = %d of %s", *pcaDims, d, src)
	}
	o := kmeansOut{N: n, D: d, Dims: d, K: *k, Init: *initName, Seed: *seed}
	start := time.Now()
	pre, err := deepcluster.Preprocess(x, n, d, *pcaDims, *whiten, *l2)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	x, o.Dims = pre.X, pre.Dims
	o.PreprocessSeconds = time.Since(start).Seconds()
	res, err := kmeans.Fit(x, n, o.Dims, opt)
	if errors.Is(err, kmeans.ErrOption) {
		return kmeansUsage(err, src)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	o.Seconds, o.Iters, o.Inertia, o.Objective = res.Seconds, res.Iterations, res.Inertia, res.Objective
	o.Empty, o.Splits, o.TrainRows = res.Empty, res.Splits, res.TrainRows
	if truth != nil {
		s, err := metrics.Score(truth, res.Labels, *k)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		o.NMI, o.ACC = &s.NMI, &s.ACC
	}
	if *outPath != "" {
		labels := make([]int32, n)
		for i, y := range res.Labels {
			labels[i] = int32(y)
		}
		if err := makeParent("--out", *outPath); err != nil {
			return err
		}
		if err := npy.WriteFile(*outPath, []int{n}, labels); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(o)
	}
	nmi, acc := "—", "—"
	if o.NMI != nil {
		nmi, acc = f4(*o.NMI), f4(*o.ACC)
	}
	return reports.Table{
		Header: []string{"N", "D", "dims", "K", "iterations", "seconds", "inertia", "empty", "splits", "NMI", "ACC"},
		Rows: [][]string{{fmt.Sprint(o.N), fmt.Sprint(o.D), fmt.Sprint(o.Dims), fmt.Sprint(o.K), fmt.Sprint(o.Iters),
			fmt.Sprintf("%.3f", o.Seconds), fmt.Sprintf("%.6g", o.Inertia), fmt.Sprint(o.Empty), fmt.Sprint(o.Splits), nmi, acc}},
	}.Markdown(out)
}

// kmeansFlags maps kmeans.Options fields to the flags that set them.
var kmeansFlags = map[string]string{"K": "--k", "Iters": "--iters", "Redo": "--redo", "Init": "--init", "MaxPointsPerCentroid": "--max-points-per-centroid"}

// kmeansUsage turns a k-means option error into a usage error naming the flag
// (and the data source, for a check against the data).
func kmeansUsage(err error, src string) error {
	var oe *kmeans.OptionError
	if !errors.As(err, &oe) {
		return usageError{err}
	}
	msg := fmt.Sprintf("%s %s", kmeansFlags[oe.Field], oe.Msg)
	if src != "" {
		msg += " (" + src + ")"
	}
	return usagef("%s", msg)
}
