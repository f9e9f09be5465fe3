//go:build !amd64 || purego

package baselines

func minMovesImpl(r []float32, lu float64, g []float64, a []int32, i int32) bool { return false }

func addRowImpl(acc []float64, r []float32) bool { return false }

func rowArgmaxImpl(r []float32, p []float64) (int, bool) { return 0, false }
