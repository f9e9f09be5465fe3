package datasets_test

import (
	"fmt"

	"github.com/selabench/selabench/datasets"
)

// A balanced 3-class Gaussian mixture, then SeLa's "heavy" imbalance applied to its
// training split.
func Example() {
	d, err := datasets.Synthetic(datasets.SyntheticSpec{N: 300, K: 3, D: 2, Separation: 6, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Name, d.Train.N, d.Test.N, d.Shape, d.Train.ClassCounts(d.K()))

	imb, err := datasets.Imbalance(d, datasets.ImbalanceHeavy, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(imb.Name, imb.Train.ClassCounts(imb.K()), imb.Test.ClassCounts(imb.K()))
	// Output:
	// synthetic 300 60 1×1×2 [100 100 100]
	// synthetic-imbalance-heavy [100 55 10] [20 20 20]
}

// Where each known dataset is, without loading pixels (what `selabench datasets`
// prints).
func ExampleInfos() {
	for _, info := range datasets.Infos(datasets.LoadOptions{NoDownload: true}) {
		if info.Name == "mnist" {
			fmt.Println(info.Name, info.Found, info.TrainN, info.TestN, info.Shape)
		}
	}
	// Output:
	// mnist true 60000 10000 1×28×28
}
