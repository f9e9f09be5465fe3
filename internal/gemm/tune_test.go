//go:build unix

package gemm

import (
	"flag"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var (
	tuneKern = flag.String("tune.kern", "", "TestTune: kernels to tune (substring of the name, or all)")
	tuneKC   = flag.String("tune.kc", "", "TestTune: kcMax values to sweep (space separated)")
	tuneMC   = flag.String("tune.mc", "", "TestTune: mcMax values to sweep (space separated)")
)

// TestTune is the tool the blocking parameters were chosen with, skipped
// unless -tune.kern is given, e.g.
//
//	go test -run Tune -v -tune.kern all -tune.kc "256 384 512" -tune.mc "72 144 288" ./internal/gemm
//
// It runs each kernel on one goroutine over benchShapes and logs GFLOP/s from
// the best of 15 calls, timed by the thread's CPU clock rather than the wall
// clock, so that other processes on a shared machine disturb it less.
func TestTune(t *testing.T) {
	if *tuneKern == "" {
		t.Skip("tuning tool: pass -tune.kern")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer func(kc int) { kcMax = kc }(kcMax)
	kcs, mcs := ints(*tuneKC), ints(*tuneMC)
	if kcs == nil {
		kcs = []int{kcMax}
	}
	for _, kern := range testKernels() {
		if *tuneKern != "all" && !strings.Contains(kern.name, *tuneKern) {
			continue
		}
		mcs := mcs
		if mcs == nil {
			mcs = []int{kern.mcMax}
		}
		for _, kc := range kcs {
			for _, mc := range mcs {
				kcMax = kc
				k := *kern
				k.mcMax = mc
				var out []string
				for _, s := range benchShapes {
					out = append(out, fmt.Sprintf("%6.1f", tuneShape(&k, s)))
				}
				t.Logf("%-16s kc=%4d mc=%4d %s", kern.name, kc, mc, strings.Join(out, " "))
			}
		}
	}
}

func tuneShape(kern *kernel, s benchShape) (gflops float64) {
	a, b, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
	for i := range a {
		a[i] = float32(i%7) - 3
	}
	for i := range b {
		b[i] = float32(i%5) - 2
	}
	lda, ldb := s.k, s.n
	if isTrans(s.tA) {
		lda = s.m
	}
	if isTrans(s.tB) {
		ldb = s.k
	}
	best := time.Duration(1 << 62)
	for range 15 {
		t0 := threadCPU()
		sgemmWith(kern, 1, isTrans(s.tA), isTrans(s.tB), s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n)
		best = min(best, threadCPU()-t0)
	}
	return 2 * float64(s.m) * float64(s.n) * float64(s.k) / best.Seconds() / 1e9
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Fields(s) {
		var v int
		if _, err := fmt.Sscan(f, &v); err == nil {
			out = append(out, v)
		}
	}
	return out
}
