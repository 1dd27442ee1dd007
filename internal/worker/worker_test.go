package worker

import (
	"runtime"
	"sync"
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

func TestWorkerRunsWorkAndWaits(t *testing.T) {
	w := New(time.Second)
	defer w.Close()
	if w.TryGo(func() {}) {
		t.Fatal("a new worker took work before its goroutine started")
	}
	var got []int
	for i := range 100 {
		x := 0
		eventually(t, w, func() { time.Sleep(time.Microsecond); x = i + 1 })
		w.Wait()
		if x != i+1 {
			t.Fatalf("after Wait, the work of call %d had not run: %d", i, x)
		}
		got = append(got, x)
	}
	if len(got) != 100 {
		t.Fatalf("ran %d pieces of work, want 100", len(got))
	}
}

func TestWorkerParksAndWakes(t *testing.T) {
	w := New(time.Millisecond)
	defer w.Close()
	eventually(t, w, func() {})
	w.Wait()
	time.Sleep(50 * time.Millisecond) // well past the spin time
	if s := w.state.Load(); s != parked {
		t.Fatalf("state %d after 50 ms without work, want parked (%d)", s, parked)
	}
	if w.TryGo(func() {}) {
		t.Fatal("a parked worker took work")
	}
	eventually(t, w, func() {}) // woken by the refused call
	w.Wait()
}

// TestWorkerSharedByCallers has two goroutines hand out work to one worker
// (or do it themselves when it is busy), as two evaluation graphs share the
// matrix-product worker: all work is done exactly once. Run with -race.
func TestWorkerSharedByCallers(t *testing.T) {
	w := New(time.Second)
	defer w.Close()
	const n = 2000
	var counts [2][n]int
	var wg sync.WaitGroup
	for c := range 2 {
		wg.Go(func() {
			for i := range n {
				f := func() { counts[c][i]++ }
				if w.TryGo(f) {
					w.Wait()
				} else {
					f()
				}
			}
		})
	}
	wg.Wait()
	for c := range counts {
		for i, k := range counts[c] {
			if k != 1 {
				t.Fatalf("caller %d, work %d ran %d times", c, i, k)
			}
		}
	}
}

func TestClosedWorkerDeclines(t *testing.T) {
	for _, started := range []bool{false, true} {
		w := New(time.Second)
		if started {
			eventually(t, w, func() {})
			w.Wait()
		}
		w.Close()
		if w.TryGo(func() { t.Error("a closed worker ran work") }) {
			w.Wait()
			t.Errorf("started %v: a closed worker took work", started)
		}
		select {
		case <-w.done:
		default:
			t.Errorf("started %v: the goroutine did not stop", started)
		}
	}
}
