package worker

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// eventually calls TryGo until the worker takes f, and fails after a second.
func eventually(t *testing.T, w *Worker, f func()) {
	t.Helper()
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("a worker takes work only with GOMAXPROCS ≥ 2")
	}
	for start := time.Now(); !w.TryGo(f); {
		if time.Since(start) > time.Second {
			t.Fatal("the worker took no work for a second")
		}
		time.Sleep(10 * time.Microsecond)
	}
}

func TestWorkerRunsWork(t *testing.T) {
	w := New(time.Second)
	defer w.Close()
	if w.TryGo(func() {}) {
		t.Fatal("a new worker took work before its goroutine started")
	}
	for i := range 100 {
		var ran atomic.Int32
		eventually(t, w, func() { ran.Store(int32(i + 1)) })
		for start := time.Now(); ran.Load() != int32(i+1); {
			if time.Since(start) > time.Second {
				t.Fatalf("work %d taken but not run in a second", i)
			}
		}
	}
}

func TestWorkerParksAndWakes(t *testing.T) {
	w := New(time.Millisecond)
	defer w.Close()
	eventually(t, w, func() {})
	time.Sleep(50 * time.Millisecond) // well past the spin time
	if s := w.state.Load(); s != parked {
		t.Fatalf("state %d after 50 ms without work, want parked (%d)", s, parked)
	}
	if w.TryGo(func() {}) {
		t.Fatal("a parked worker took work")
	}
	eventually(t, w, func() {}) // woken by the refused call
}

// TestShareDoesEveryPartOnce has two goroutines share work in parts with
// one worker, as two evaluation graphs share the matrix-product worker:
// every part is done exactly once, and Wait returns only when all are.
// Run with -race.
func TestShareDoesEveryPartOnce(t *testing.T) {
	w := New(time.Second)
	defer w.Close()
	const n, parts = 500, 7
	var counts [2][n][parts]int32
	var wg sync.WaitGroup
	for c := range 2 {
		wg.Go(func() {
			for i := range n {
				s := w.Offer(parts, func(p int) { atomic.AddInt32(&counts[c][i][p], 1) })
				s.Finish()
				for p := range parts {
					if k := atomic.LoadInt32(&counts[c][i][p]); k != 1 {
						t.Errorf("caller %d, work %d: part %d done %d times when Wait returned", c, i, p, k)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestShareWithoutTheWorker: if the worker never comes, the caller does
// every part and does not wait; the worker, coming late, finds nothing.
func TestShareWithoutTheWorker(t *testing.T) {
	var done [4]int
	s := NewShare(4, func(p int) { done[p]++ })
	if k := s.Work(); k != 4 {
		t.Fatalf("the caller did %d parts, want 4", k)
	}
	if d := s.Wait(); d != 0 {
		t.Errorf("waited %v for nothing", d)
	}
	if k := s.Work(); k != 0 { // the worker, late
		t.Errorf("a late call did %d parts, want 0", k)
	}
	if done != [4]int{1, 1, 1, 1} {
		t.Errorf("parts done %v, want each once", done)
	}
}

func TestClosedWorkerDeclines(t *testing.T) {
	for _, started := range []bool{false, true} {
		w := New(time.Second)
		if started {
			eventually(t, w, func() {})
		}
		w.Close()
		if w.TryGo(func() { t.Error("a closed worker ran work") }) {
			t.Errorf("started %v: a closed worker took work", started)
		}
		select {
		case <-w.done:
		default:
			t.Errorf("started %v: the goroutine did not stop", started)
		}
	}
}

// TestWorkerPausesAfterALongWait: a part that keeps the caller waiting
// longer than the worker's patience (as when the operating system puts the
// worker's thread aside) makes the worker decline work for 10 ms, then take
// it again; a second long wait in a row pauses it for 20 ms.
func TestWorkerPausesAfterALongWait(t *testing.T) {
	w := New(time.Second)
	defer w.Close()
	eventually(t, w, func() {})
	// part 0, which the worker takes first, ends 2 ms after the caller
	// begins Finish; part 1 at once
	var finishing atomic.Bool
	part := func(i int) {
		if i == 0 {
			for !finishing.Load() {
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	for round, pause := range []time.Duration{10 * time.Millisecond, 20 * time.Millisecond} {
		var s *Share
		for start := time.Now(); s == nil || !s.Offered(); {
			if time.Since(start) > time.Second {
				t.Fatal("the worker took no work for a second")
			}
			finishing.Store(false)
			if s = w.Offer(2, part); !s.Offered() {
				finishing.Store(true)
				s.Finish()
				time.Sleep(10 * time.Microsecond)
			}
		}
		for s.next.Load() == 0 { // until the worker has taken part 0
		}
		finishing.Store(true)
		s.Finish()
		if n := w.pauses.Load(); n != int64(round+1) {
			t.Fatalf("round %d: %d pauses, want %d", round, n, round+1)
		}
		if w.TryGo(func() {}) {
			t.Fatalf("round %d: a pausing worker took work", round)
		}
		time.Sleep(pause + 5*time.Millisecond)
		eventually(t, w, func() {})
	}
}

// TestHeldWorkerParks checks that a held worker declines work and parks
// at once (its spin time is an hour), and takes work again once every
// Hold is released.
func TestHeldWorkerParks(t *testing.T) {
	w := New(time.Hour)
	defer w.Close()
	eventually(t, w, func() {})
	for _, holds := range []int{1, 2} {
		for range holds {
			w.Hold()
		}
		for start := time.Now(); w.state.Load() != parked; {
			if time.Since(start) > 10*time.Second {
				t.Fatalf("%d holds: state %d, want parked (%d)", holds, w.state.Load(), parked)
			}
			time.Sleep(100 * time.Microsecond)
		}
		for i := range holds {
			if w.TryGo(func() {}) {
				t.Fatalf("%d holds, %d released: the worker took work", holds, i)
			}
			w.Release()
		}
		eventually(t, w, func() {})
	}
}
