package npy_test

import (
	"bytes"
	"fmt"

	"github.com/selabench/selabench/internal/npy"
)

// Labels saved from Python as float64 (np.save('y.npy', y.astype(float))) read back
// as ints; the same bytes would come from npy.ReadFile("y.npy").
func Example() {
	var buf bytes.Buffer
	if err := npy.Write(&buf, []int{2, 3}, []float64{0, 1, 2, 2, 1, 0}); err != nil {
		fmt.Println(err)
		return
	}
	a, err := npy.Read(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	labels, err := a.Ints()
	fmt.Println(a.Shape, a.DType, labels, err)

	a.Data.([]float64)[4] = 0.5
	_, err = a.Ints()
	fmt.Println(err)
	// Output:
	// [2 3] <f8 [0 1 2 2 1 0] <nil>
	// npy: element 4 [1 1] is 0.5, not an integer
}
