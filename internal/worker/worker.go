// Package worker lends a second core to short pieces of work that are too
// small to wait for a sleeping goroutine: a Worker is a goroutine that,
// after each piece of work, spins for a while (yielding to any other
// goroutine that is ready to run) waiting for the next one, and only then
// parks. Starting a goroutine, or waking a parked one, costs tens of
// microseconds on the machines this was measured on, as much as the matrix
// products it would halve; handing work to a spinning goroutine costs well
// under one. OpenBLAS's own threads wait the same way.
//
// The caller never waits for the worker as such: work is handed over in
// parts (Offer) that the caller takes too, so that it does all of it
// itself if the worker does not come, and a worker that kept a caller
// waiting for a part it had taken declines work for a while (Finish). A
// worker whose thread the operating system has put aside for other
// processes thus costs the callers little.
package worker

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// states of a Worker
const (
	parked  int32 = iota // blocked on wake (or not started)
	idle                 // spinning, ready for work
	claimed              // a caller is handing it work
	posted               // work handed over, not yet finished
	closed               // stopped for good
)

// yieldEvery is how many turns of its spinning loop a worker takes between
// two yields to other goroutines: a yield on every turn goes through the
// scheduler's global queue and its lock, and cost a third of the time of a
// training step in the profile.
const yieldEvery = 256

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
	held  atomic.Int32  // Holds not yet released

	// pausing: see Share.Finish
	mu       sync.Mutex
	patience time.Duration // the longest a caller should wait for it
	pause    time.Duration // the last pause
	lastLong time.Time     // when a caller last waited too long
	resume   time.Time     // no work before
	paused   atomic.Bool   // resume is in the future
	pauses   atomic.Int64  // pauses so far, for the tests
}

// New returns a Worker that spins for the given time after its last piece
// of work before it parks. Its goroutine starts at the first TryGo, which
// the worker itself then declines: work goes to it from the second call on.
func New(spin time.Duration) *Worker {
	return &Worker{wake: make(chan struct{}, 1), spin: spin, done: make(chan struct{}), patience: 200 * time.Microsecond}
}

// TryGo starts f on the worker and reports true if the worker is spinning
// and free. Otherwise it reports false, and wakes a parked worker so that
// it spins for the next call. f may run at any later time, also after the
// caller has finished the work itself.
func (w *Worker) TryGo(f func()) bool {
	if runtime.GOMAXPROCS(0) < 2 {
		return false // the worker would only take the caller's time
	}
	if w.pausing() || w.Held() {
		return false
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

// Hold makes the worker decline all work until Release is called as many
// times as Hold: it finishes what it is doing and parks instead of
// spinning. For callers that keep every core busy themselves for a while,
// so that the spinning worker would only take their time (the evaluation
// runs a graph per core).
func (w *Worker) Hold() { w.held.Add(1) }

// Held reports whether the worker is held (Hold).
func (w *Worker) Held() bool { return w.held.Load() > 0 }

// Release ends one Hold: once every Hold is released, the worker takes
// work again (woken by the next TryGo, as after any park).
func (w *Worker) Release() {
	if w.held.Add(-1) < 0 {
		panic("worker: Release without Hold")
	}
}

// Close stops the worker's goroutine once its current work is done, and
// waits for it to return. A closed Worker declines all work.
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
				f := w.job
				w.job = nil
				f()
				w.state.Store(idle)
				deadline = time.Now().Add(w.spin)
				continue
			}
			if s == idle && (w.stop.Load() || w.Held() || n%64 == 0 && time.Now().After(deadline)) {
				if w.state.CompareAndSwap(idle, parked) {
					break
				}
				continue
			}
			if n%yieldEvery == 0 {
				runtime.Gosched()
			}
		}
		if w.stop.Load() {
			w.state.Store(closed)
			return
		}
	}
}

// Share is work in n parts that a caller and a Worker share: each takes the
// next part not yet taken until none is left, so that the caller, which
// always works too, finishes everything itself if the worker does not come.
type Share struct {
	n          int32
	next, done atomic.Int32
	part       func(i int)
	w          *Worker // the worker it was handed to, or nil
}

// NewShare returns work in n parts, not offered to any worker; part(i)
// does part i.
func NewShare(n int, part func(i int)) *Share {
	return &Share{n: int32(n), part: part}
}

// Offer returns work in n parts, handed to the worker if it is free: it
// starts on the parts at once.
func (w *Worker) Offer(n int, part func(i int)) *Share {
	s := NewShare(n, part)
	if w.TryGo(func() { s.Work() }) {
		s.w = w
	}
	return s
}

// Offered reports whether the worker took the share (it may still have done
// none of its parts).
func (s *Share) Offered() bool { return s.w != nil }

// Work does parts until none is left to take, and reports how many it did.
func (s *Share) Work() int {
	k := 0
	for {
		i := s.next.Add(1) - 1
		if i >= s.n {
			return k
		}
		s.part(int(i))
		s.done.Add(1)
		k++
	}
}

// Wait waits, spinning, until every part taken is done, and reports how
// long it waited (0 if it did not have to).
func (s *Share) Wait() time.Duration {
	if s.done.Load() >= s.n {
		return 0
	}
	start := time.Now()
	for k := 1; s.done.Load() < s.n; k++ {
		if k%1024 == 0 {
			runtime.Gosched()
		}
	}
	return time.Since(start)
}

// Finish does the parts not yet taken and waits for those the worker is
// doing. When the operating system puts the worker's thread aside for
// other processes (for milliseconds at a time), a part it has taken makes
// the caller wait that long: a wait longer than the worker's patience
// (200 µs) and longer than the caller's own parts took makes the worker
// decline work for a while, 10 ms, doubling up to 1 s while it keeps
// happening (see record), so that it parks and leaves the core to the
// other processes and the caller. (A worker that only runs a little behind
// on long parts, milliseconds each, is not put aside: it still halves the
// time.)
func (s *Share) Finish() {
	if s.w == nil {
		s.Work()
		s.Wait()
		return
	}
	start := time.Now()
	s.Work()
	own := time.Since(start)
	waited := s.Wait()
	if waited > own {
		s.w.record(waited)
	}
}

// pausing reports whether the worker declines work after a long wait.
func (w *Worker) pausing() bool {
	if !w.paused.Load() {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if time.Now().Before(w.resume) {
		return true
	}
	w.paused.Store(false)
	return false
}

// record notes how long a caller waited for the worker's parts. A wait
// longer than the worker's patience pauses it: for 10 ms, or for twice the
// last pause (up to 1 s) if the last long wait was less than ten pauses
// ago, so that a worker that the operating system keeps putting aside is
// soon left paused, while one long wait now and then costs little.
func (w *Worker) record(waited time.Duration) {
	if waited <= w.patience {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if w.pause > 0 && now.Sub(w.lastLong) < 10*w.pause {
		w.pause = min(2*w.pause, time.Second)
	} else {
		w.pause = 10 * time.Millisecond
	}
	w.lastLong = now
	w.resume = now.Add(w.pause)
	w.paused.Store(true)
	w.pauses.Add(1)
}
