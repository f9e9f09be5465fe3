package nn

import (
	"runtime"
	"sync"
)

// parallelFor calls f on consecutive ranges [lo, hi) covering [0, n), using
// up to GOMAXPROCS goroutines when n·cost (roughly, floating-point operations)
// is large enough to pay for them. f must write disjoint outputs for
// disjoint ranges, so the result does not depend on the split.
func parallelFor(n, cost int, f func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n)
	if w <= 1 || n*cost < 1<<17 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + w - 1) / w
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	f(0, min(chunk, n))
	wg.Wait()
}
