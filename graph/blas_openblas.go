//go:build openblas

package graph

/*
#cgo LDFLAGS: -lopenblas
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
*/
import "C"

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/perceptron-mnist/perceptron/internal/worker"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// In a build with the openblas tag, every graph multiplies matrices with
// OpenBLAS (cgo, through gonum's netlib wrapper) instead of gonum's pure-Go
// BLAS. OpenBLAS runs one thread per call unless OPENBLAS_NUM_THREADS says
// otherwise: the matrices here are small, a second OpenBLAS thread was
// measured slower (it competes with the evaluation's second graph and the
// gathering of the next minibatch, which already use the second core).
func init() {
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" {
		C.openblas_set_num_threads(1)
	}
	G.Use(halves{w: worker.New(time.Millisecond), calls: new(atomic.Int32), split: new(atomic.Int64)})
}

// halves is OpenBLAS through gonum's netlib wrapper, with each large
// single-precision matrix product split by rows of the result into two
// halves, the second of them computed at the same time on a worker
// goroutine when one is free. It is process-wide, as gorgonia's BLAS
// and OpenBLAS's own threads are. OpenBLAS's threads cost more than they
// save on products this small (docs/speed.md); the worker spins for a
// millisecond after each half, so that the products of a training step
// find it awake. A product is not split while another one is computed
// (the evaluation runs a graph on each core). Each row of the result is
// the same sum in the same order with or without the split, so the results
// are bit-identical (TestHalvesLikeOpenBLAS); as a precaution the first
// half has a multiple of 16 rows, so that every row is also computed by the
// same OpenBLAS kernel as without the split.
type halves struct {
	netlib.Implementation
	w     *worker.Worker
	calls *atomic.Int32 // products in progress
	split *atomic.Int64 // products split so far
}

// minHalves is the fewest multiply-adds (m·n·k) a product needs to be split.
const minHalves = 1 << 20

// Sgemm computes C = alpha·op(A)·op(B) + beta·C.
func (b halves) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bm []float32, ldb int, beta float32, c []float32, ldc int) {
	ob := b.Implementation
	h := (m / 2) &^ 15 // rows of the first half
	defer b.calls.Add(-1)
	if b.calls.Add(1) > 1 || m*n*k < minHalves || h == 0 {
		// small, or another product is being computed (by the other
		// evaluation graph, say), which keeps the second core busy
		ob.Sgemm(tA, tB, m, n, k, alpha, a, lda, bm, ldb, beta, c, ldc)
		return
	}
	var a2 []float32 // op(A) from row h on
	if tA == blas.NoTrans {
		a2 = a[h*lda:] // A's rows h…
	} else {
		a2 = a[h:] // A's columns h…
	}
	second := func() { ob.Sgemm(tA, tB, m-h, n, k, alpha, a2, lda, bm, ldb, beta, c[h*ldc:], ldc) }
	if !b.w.TryGo(second) {
		ob.Sgemm(tA, tB, m, n, k, alpha, a, lda, bm, ldb, beta, c, ldc)
		return
	}
	ob.Sgemm(tA, tB, h, n, k, alpha, a, lda, bm, ldb, beta, c, ldc)
	b.w.Wait()
	b.split.Add(1)
}

func blasName() string {
	return fmt.Sprintf("openblas (cgo; %s; %d threads; large products in two halves on two goroutines)", C.GoString(C.openblas_get_config()), int(C.openblas_get_num_threads()))
}
