package bench

import (
	"github.com/selabench/selabench/datasets"
)

// SyntheticData is the "synthetic" dataset: 3000 training and 1000 test samples of
// ten well-separated Gaussian classes in 32 dimensions, the same on every machine.
// It exists for quick checks and tests of the harness, not for conclusions.
var SyntheticData = datasets.SyntheticSpec{N: 3000, TestN: 1000, K: 10, D: 32, Separation: 6, Seed: 1}

// LoadDataset loads a dataset by name: "synthetic" (see SyntheticData) or any
// name datasets.Load knows, from dir if not empty.
func LoadDataset(name, dir string) (*datasets.Dataset, error) {
	if name == "synthetic" {
		return datasets.Synthetic(SyntheticData)
	}
	return datasets.Load(name, datasets.LoadOptions{Dir: dir})
}
