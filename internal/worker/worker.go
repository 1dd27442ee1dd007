// Package worker lends a second core to short pieces of work that are too
// small to wait for a sleeping goroutine: a Worker is a goroutine that,
// after each piece of work, spins for a while (yielding to any other
// goroutine that is ready to run) waiting for the next one, and only then
// parks. Starting a goroutine, or waking a parked one, costs tens of
// microseconds on the machines this was measured on, as much as the matrix
// products it would halve; handing work to a spinning goroutine costs well
// under one. OpenBLAS's own threads wait the same way.
package worker

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// states of a Worker
const (
	parked   int32 = iota // blocked on wake (or not started)
	idle                  // spinning, ready for work
	claimed               // a caller is handing it work
	posted                // work handed over, not finished
	finished              // work done, waiting for the caller's Wait
	closed                // stopped for good
)

// A Worker runs one function at a time, handed to it by TryGo, on its own
// goroutine. Its methods may be called from any goroutine.
type Worker struct {
	state atomic.Int32
	job   func()
	wake  chan struct{}
	stop  atomic.Bool
	once  sync.Once
	spin  time.Duration
	done  chan struct{} // closed when the goroutine returns
}

// New returns a Worker that spins for the given time after its last piece
// of work before it parks. Its goroutine starts at the first TryGo, which
// the worker itself then declines: work goes to it from the second call on.
func New(spin time.Duration) *Worker {
	return &Worker{wake: make(chan struct{}, 1), spin: spin, done: make(chan struct{})}
}

// TryGo starts f on the worker and reports true if the worker is spinning
// and free; the caller must then call Wait before it uses what f writes,
// and before it calls TryGo again. Otherwise TryGo reports false, and the
// caller runs f itself; a parked worker is woken, to spin for the next call.
func (w *Worker) TryGo(f func()) bool {
	if runtime.GOMAXPROCS(0) < 2 {
		return false // the worker could only run when the caller waits
	}
	if w.state.CompareAndSwap(idle, claimed) {
		w.job = f
		w.state.Store(posted)
		return true
	}
	if w.state.Load() == parked && !w.stop.Load() {
		w.once.Do(func() { go w.loop() })
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	return false
}

// Wait waits, spinning, until the function of the last successful TryGo has
// returned.
func (w *Worker) Wait() {
	for n := 1; w.state.Load() != finished; n++ {
		if n%1024 == 0 {
			runtime.Gosched()
		}
	}
	w.job = nil
	w.state.Store(idle)
}

// Close stops the worker's goroutine and waits for it to return. A closed
// Worker declines all work.
func (w *Worker) Close() {
	w.stop.Store(true)
	started := false
	w.once.Do(func() { close(w.done) }) // never started: nothing to stop
	select {
	case <-w.done:
	default:
		started = true
	}
	if !started {
		w.state.Store(closed)
		return
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.done
}

func (w *Worker) loop() {
	defer close(w.done)
	for {
		<-w.wake
		if w.stop.Load() {
			w.state.Store(closed)
			return
		}
		w.state.CompareAndSwap(parked, idle)
		deadline := time.Now().Add(w.spin)
		for n := 1; ; n++ {
			s := w.state.Load()
			if s == posted {
				w.job()
				w.state.Store(finished)
				deadline = time.Now().Add(w.spin)
				continue
			}
			if s == idle && (w.stop.Load() || n%64 == 0 && time.Now().After(deadline)) {
				if w.state.CompareAndSwap(idle, parked) {
					break
				}
				continue
			}
			runtime.Gosched()
		}
		if w.stop.Load() {
			w.state.Store(closed)
			return
		}
	}
}
