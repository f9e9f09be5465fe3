package gemm

import (
	"runtime"
	"sync"
	"time"
)

// Helper goroutines. Starting a goroutine, or waking a parked one, costs a
// sizeable fraction of a small product (a training step's 256×512×512) on a
// virtual machine, where waking a thread goes through the hypervisor. So the
// goroutines that help a call stay alive and,
// after each task, poll for the next one for helperSpin before parking
// (OpenBLAS's threads do the same). Back-to-back calls, as in a training
// loop, then find their helpers awake. Tasks never need a helper to arrive:
// the caller does all the work a helper does not claim (see run), so a task
// that waits in the queue or comes late costs nothing.

// helperSpin is how long an idle helper polls for work before parking.
const helperSpin = time.Millisecond

// task is one helper's share of a call: fn(w, ap, tmp).
type task struct {
	fn      func(w int, ap, tmp []float32)
	w       int
	ap, tmp []float32
}

var helpers struct {
	once  sync.Once
	tasks chan task
	mu    sync.Mutex
	n     int // helpers started
}

// post hands task t to a helper, starting helpers so that at least want
// exist. If the queue is full the task is dropped: the caller does the work.
func post(t task, want int) {
	helpers.once.Do(func() { helpers.tasks = make(chan task, 4*maxGoroutines) })
	helpers.mu.Lock()
	for helpers.n < want && helpers.n < maxGoroutines {
		helpers.n++
		go helper()
	}
	helpers.mu.Unlock()
	select {
	case helpers.tasks <- t:
	default:
	}
}

func helper() {
	for {
		t := <-helpers.tasks // parked
		for {
			t.fn(t.w, t.ap, t.tmp)
			var ok bool
			if t, ok = poll(); !ok {
				break
			}
		}
	}
}

// poll waits up to helperSpin for a task, yielding the processor meanwhile.
func poll() (task, bool) {
	start := time.Now()
	for i := 0; ; i++ {
		select {
		case t := <-helpers.tasks:
			return t, true
		default:
		}
		if i%64 == 63 && time.Since(start) > helperSpin {
			return task{}, false
		}
		runtime.Gosched()
	}
}
