package baselines

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// rowChunks splits rows [0, n) of an n×k matrix into chunks of about 64K
// elements. The split depends on n and k only, so per-chunk partial results
// combined in chunk order do not depend on GOMAXPROCS.
func rowChunks(n, k int) [][2]int {
	rows := max(1, (1<<16)/k)
	var c [][2]int
	for lo := 0; lo < n; lo += rows {
		c = append(c, [2]int{lo, min(n, lo+rows)})
	}
	return c
}

// parallel calls f(0), …, f(m−1) on up to GOMAXPROCS goroutines. Each call
// must write only its own outputs.
func parallel(m int, f func(c int)) {
	workers := min(runtime.GOMAXPROCS(0), m)
	if workers <= 1 {
		for c := range m {
			f(c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := int(next.Add(1) - 1); c < m; c = int(next.Add(1) - 1) {
				f(c)
			}
		}()
	}
	wg.Wait()
}
