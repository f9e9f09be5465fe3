//go:build amd64 && !purego

package baselines

import "golang.org/x/sys/cpu"

// The assembly row routines of the exact solver, in exact_amd64.s; the build tag
// purego selects the portable Go loops instead.

var haveAVX512 = cpu.X86.HasAVX512F

//go:noescape
func minMovesAVX512(row *float32, k int, lu float64, gv *float64, av *int32, i int32)

// minMovesImpl runs minMoves's vector routine where there is one and reports
// whether it did.
func minMovesImpl(r []float32, lu float64, g []float64, a []int32, i int32) bool {
	if !haveAVX512 {
		return false
	}
	minMovesAVX512(&r[0], len(r), lu, &g[0], &a[0], i)
	return true
}

//go:noescape
func addRowAVX512(acc *float64, row *float32, k int)

// addRowImpl runs addRow's vector routine where there is one and reports whether
// it did.
func addRowImpl(acc []float64, r []float32) bool {
	if !haveAVX512 {
		return false
	}
	addRowAVX512(&acc[0], &r[0], len(r))
	return true
}

//go:noescape
func rowArgmaxAVX512(row *float32, p *float64, k int) int

// rowArgmaxImpl runs rowArgmax's vector routine where there is one: the index it
// found and whether it ran.
func rowArgmaxImpl(r []float32, p []float64) (int, bool) {
	if !haveAVX512 {
		return 0, false
	}
	return rowArgmaxAVX512(&r[0], &p[0], len(r)), true
}
