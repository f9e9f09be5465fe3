package datasets

import (
	"fmt"
	"sort"
	"strings"
)

// datasetSpec describes one known dataset.
type datasetSpec struct {
	subdir string // below $SELABENCH_DATA
	hint   string // how to obtain it
	// check reports whether dir holds the files (existence only).
	check func(dir string) error
	// load decodes the files in dir.
	load func(name, dir string) (*Dataset, error)
	// stat reads sizes from headers only.
	stat func(dir string) (trainN, testN int, shape Shape, err error)
	k    int
}

var registry = map[string]datasetSpec{
	"mnist": {
		subdir: "mnist",
		hint: "MNIST comes with the Go module " + GoMNISTPath + " (run `go mod download " + GoMNISTPath + "@" + GoMNISTVersion +
			"`), or put the four IDX files in $" + DataEnv + "/mnist",
		check: func(dir string) error { _, err := idxPaths(dir); return err },
		load:  func(name, dir string) (*Dataset, error) { return loadIDXDataset(name, dir, MNISTClasses) },
		stat:  statIDX,
		k:     10,
	},
	"fashion-mnist": {
		subdir: "fashion-mnist",
		hint: "get Fashion-MNIST with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu; installs " + fashionSystemDir +
			"), or put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz" +
			" from https://github.com/zalandoresearch/fashion-mnist in $" + DataEnv + "/fashion-mnist",
		check: func(dir string) error { _, err := idxPaths(dir); return err },
		load:  func(name, dir string) (*Dataset, error) { return loadIDXDataset(name, dir, FashionMNISTClasses) },
		stat:  statIDX,
		k:     10,
	},
	"cifar10": {
		subdir: "cifar-10-batches-bin",
		hint: "download the CIFAR-10 binary version, https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, and extract it in $" +
			DataEnv + " (it creates cifar-10-batches-bin/)",
		check: func(dir string) error { _, _, err := cifarPaths(dir); return err },
		load:  loadCIFAR10,
		stat:  statCIFAR10,
		k:     10,
	},
}

// Names lists the datasets Load knows, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func unknownName(name string) error {
	return fmt.Errorf("datasets: unknown dataset %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Load locates (see [Locate]) and decodes the named dataset: "mnist",
// "fashion-mnist" or "cifar10". Train and test splits are decoded concurrently.
func Load(name string, opt LoadOptions) (*Dataset, error) {
	spec, ok := registry[name]
	if !ok {
		return nil, unknownName(name)
	}
	loc, err := Locate(name, opt)
	if err != nil {
		return nil, err
	}
	return spec.load(name, loc.Dir)
}

// Info describes one known dataset without loading its pixels.
type Info struct {
	Name string `json:"name"`
	// Found reports that the files were located (see Location); Error may still
	// report that they are unreadable.
	Found bool `json:"found"`
	Location
	TrainN  int   `json:"train_n"`
	TestN   int   `json:"test_n"`
	Shape   Shape `json:"shape"`
	Classes int   `json:"classes"`
	// Error says why the dataset is unusable: not found (with every place tried) or
	// a bad header. Empty when the dataset is ready to load.
	Error string `json:"error,omitempty"`
	// Hint says how to obtain a dataset that was not found.
	Hint string `json:"hint,omitempty"`
}

// Stat locates the named dataset and reads its sizes from file headers only (IDX
// headers, CIFAR-10 file lengths), which takes milliseconds.
func Stat(name string, opt LoadOptions) Info {
	spec, ok := registry[name]
	if !ok {
		return Info{Name: name, Error: unknownName(name).Error()}
	}
	info := Info{Name: name, Classes: spec.k}
	loc, err := Locate(name, opt)
	if err != nil {
		info.Error = err.Error()
		if nf, ok := err.(*NotFoundError); ok {
			info.Hint = nf.Hint
			nf.Hint = ""
			info.Error = nf.Error()
		}
		return info
	}
	info.Found, info.Location = true, loc
	info.TrainN, info.TestN, info.Shape, err = spec.stat(loc.Dir)
	if err != nil {
		info.Error = err.Error()
	}
	return info
}

// Infos returns Stat for every known dataset, in Names order. opt.Dir is ignored,
// since it names one dataset's directory.
func Infos(opt LoadOptions) []Info {
	opt.Dir = ""
	var out []Info
	for _, name := range Names() {
		out = append(out, Stat(name, opt))
	}
	return out
}

// loadIDXDataset reads the four IDX files of an MNIST-like dataset.
func loadIDXDataset(name, dir string, classes []string) (*Dataset, error) {
	paths, err := idxPaths(dir)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %s: %w", name, dir, err)
	}
	type result struct {
		s     Split
		shape Shape
		err   error
	}
	testc := make(chan result, 1)
	go func() {
		s, shape, err := LoadIDXSplit(paths[2], paths[3], len(classes))
		testc <- result{s, shape, err}
	}()
	train, trainShape, err := LoadIDXSplit(paths[0], paths[1], len(classes))
	test := <-testc
	if err != nil {
		return nil, err
	}
	if test.err != nil {
		return nil, test.err
	}
	if trainShape != test.shape {
		return nil, fmt.Errorf("datasets: %s: train images are %v but test images (%s) are %v", name, trainShape, paths[2], test.shape)
	}
	return &Dataset{Name: name, Train: train, Test: test.s, Shape: trainShape, Classes: cloneNames(classes)}, nil
}

// statIDX reads the four IDX headers.
func statIDX(dir string) (trainN, testN int, shape Shape, err error) {
	paths, err := idxPaths(dir)
	if err != nil {
		return 0, 0, Shape{}, fmt.Errorf("datasets: %s: %w", dir, err)
	}
	var dims [4][]int
	for i, p := range paths {
		if dims[i], err = ReadIDXHeader(p); err != nil {
			return 0, 0, Shape{}, err
		}
	}
	for i := 0; i < 4; i += 2 {
		if len(dims[i]) != 3 {
			return 0, 0, Shape{}, fmt.Errorf("datasets: %s: images file has dimensions %s, want N×rows×cols", paths[i], fmtDims(dims[i]))
		}
		if len(dims[i+1]) != 1 {
			return 0, 0, Shape{}, fmt.Errorf("datasets: %s: labels file has dimensions %s, want N", paths[i+1], fmtDims(dims[i+1]))
		}
		if dims[i][0] != dims[i+1][0] {
			return 0, 0, Shape{}, fmt.Errorf("datasets: %s holds %d images but %s holds %d labels", paths[i], dims[i][0], paths[i+1], dims[i+1][0])
		}
	}
	if dims[0][1] != dims[2][1] || dims[0][2] != dims[2][2] {
		return 0, 0, Shape{}, fmt.Errorf("datasets: %s: train images are %d×%d but test images (%s) are %d×%d", dir, dims[0][1], dims[0][2], paths[2], dims[2][1], dims[2][2])
	}
	return dims[0][0], dims[2][0], Shape{C: 1, H: dims[0][1], W: dims[0][2]}, nil
}
