package graph

import (
	"sync/atomic"
	"time"

	"github.com/perceptron-mnist/perceptron/internal/worker"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// halves is a BLAS (gonum's, or OpenBLAS through gonum's netlib wrapper)
// with each large single-precision matrix product split by rows of the
// result into two halves, the second of them computed at the same time on
// a worker goroutine when one is free. It is process-wide, as gorgonia's
// BLAS and OpenBLAS's own threads are. Neither OpenBLAS's threads nor
// gonum's goroutines pay on products this small (docs/speed.md): they
// sleep between products, and waking them costs as much as they save. The
// worker spins (yielding to other goroutines) for 1 ms after each half, so
// that the products of a training step find it awake. A product is not
// split while another one is computed (the evaluation runs a graph on each
// core).
//
// Each row of the result is the same sum in the same order with or without
// the split, so the results are bit-identical (TestHalvesLikeOneCall).
// gonum's Sgemm adds the products into C in the order of k, in one pass or
// in blocks of k, except when B is transposed: it then sums blocks of k
// apart with dot products, and a split can change the blocking, so
// products with Bᵀ are not split (the graphs have one, too small to split
// anyway). As a precaution the first half has a multiple of 16 rows, so
// that every row is also computed by the same OpenBLAS kernel as without
// the split. Only BLAS calls run on the worker, never gorgonia's tensor
// operations, whose tensor pool is not safe for concurrent use.
type halves struct {
	G.BLAS
	w     *worker.Worker
	calls *atomic.Int32 // products in progress
	split *atomic.Int64 // products split so far
}

// minHalves is the fewest multiply-adds (m·n·k) a product needs to be split.
const minHalves = 1 << 20

// Sgemm computes C = alpha·op(A)·op(B) + beta·C.
func (b halves) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bm []float32, ldb int, beta float32, c []float32, ldc int) {
	ob := b.BLAS
	h := (m / 2) &^ 15 // rows of the first half
	defer b.calls.Add(-1)
	if b.calls.Add(1) > 1 || m*n*k < minHalves || h == 0 || tB != blas.NoTrans {
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

// newHalves returns b with its large products split, on a worker that
// spins for the given time after each half.
func newHalves(b G.BLAS, spin time.Duration) halves {
	return halves{BLAS: b, w: worker.New(spin), calls: new(atomic.Int32), split: new(atomic.Int64)}
}
