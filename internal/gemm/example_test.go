package gemm_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/selabench/selabench/internal/gemm"
)

// A dense layer's forward pass Y = X·W on a batch of two inputs with three
// features and two outputs, then its weight gradient dW = Xᵀ·dY.
// Values worked by hand: row 1 of Y is 1·1 + 2·0 + 3·1 = 4 and
// 1·0 + 2·1 + 3·1 = 5.
func ExampleSgemm() {
	x := []float32{ // 2×3
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // 3×2
		1, 0,
		0, 1,
		1, 1,
	}
	y := make([]float32, 2*2)
	gemm.Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, x, 3, w, 2, 0, y, 2)
	fmt.Println("Y =", y)

	dy := []float32{1, 0, 0, 1} // 2×2 identity
	dw := make([]float32, 3*2)
	gemm.Sgemm(blas.Trans, blas.NoTrans, 3, 2, 2, 1, x, 3, dy, 2, 0, dw, 2)
	fmt.Println("dW =", dw) // Xᵀ itself
	// Output:
	// Y = [4 5 10 11]
	// dW = [1 4 2 5 3 6]
}

// Installing the package as gonum's float32 BLAS makes blas32 (and mat
// types built on it) use the fast Sgemm.
func ExampleImplementation() {
	prev := blas32.Implementation()
	blas32.Use(gemm.Implementation{})
	defer blas32.Use(prev)

	a := blas32.General{Rows: 1, Cols: 2, Stride: 2, Data: []float32{1, 2}}
	b := blas32.General{Rows: 2, Cols: 1, Stride: 1, Data: []float32{3, 4}}
	c := blas32.General{Rows: 1, Cols: 1, Stride: 1, Data: []float32{10}}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0.5, c) // 1·3 + 2·4 + 0.5·10
	fmt.Println(c.Data[0])
	// Output: 16
}
