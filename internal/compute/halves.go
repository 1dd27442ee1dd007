package compute

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/perceptron-mnist/perceptron/internal/gemm"
	"github.com/perceptron-mnist/perceptron/internal/worker"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// products is the BLAS every graph multiplies matrices with, and its
// worker the one Aside hands work to.
var products = newHalves(baseBLAS(), time.Millisecond)

func init() { G.Use(products) }

// Aside offers work in parts to the worker goroutine that computes parts
// of the large matrix products: it starts on them at once if it is free.
// The caller must call the share's Finish before it uses what the parts
// write; it does the parts the worker has not taken by then itself. The
// training loop gathers the next minibatch this way while a step runs, so
// that nothing but the worker competes for the second core.
func Aside(parts int, part func(i int)) *worker.Share { return products.w.Offer(parts, part) }

// Hold keeps the product worker from taking work, and so from spinning
// on the second core, until release is called (once; later calls do
// nothing): products are then not split, and element-wise loops not
// shared. For callers that keep both cores busy themselves: the evaluation
// runs a graph per core, and the worker spinning after each of their
// loops took CPU time from them.
func Hold() (release func()) {
	products.w.Hold()
	return sync.OnceFunc(products.w.Release)
}

// halves is a BLAS (gonum's, or OpenBLAS through gonum's netlib wrapper)
// with each large single-precision matrix product split by rows of the
// result into two parts that the calling goroutine and a worker goroutine
// share: each takes the next part until none is left (worker.Share). It is
// process-wide, as gorgonia's BLAS and OpenBLAS's own threads are. Neither
// OpenBLAS's threads nor gonum's goroutines pay on products this small
// (docs/speed.md): they sleep between products, and waking them costs as
// much as they save. The worker spins (yielding to other goroutines) for
// 1 ms after each product, so that the products of a training step find it
// awake. A product is not split while another one is computed (the
// evaluation runs a graph on each core).
//
// When another process takes the second core, the worker's thread is put
// aside for milliseconds at a time: the caller then does the part the
// worker has not taken, and a worker that kept it waiting for a part it
// had taken declines work for a while (worker.Share.Finish).
//
// Each row of the result is the same sum in the same order however the
// rows are split, so the results are bit-identical (TestHalvesLikeOneCall).
// internal/gemm's Sgemm (the default build's on processors with AVX2 and
// FMA) computes every element the same way wherever it lies in C, so its
// products are split at a multiple of its tile's rows, Bᵀ or not, or, when
// the result has more columns than rows, at a multiple of its tile's
// columns (so that each part packs only its own half of op(B)). gonum's
// Sgemm adds the products into C in the order of k, in one pass or
// in blocks of k, except when B is transposed: it then sums blocks of k
// apart with dot products, and a split can change the blocking, so
// products with Bᵀ are not split (the graphs have one, too small to split
// anyway). The first part has a multiple of 16 rows, so that every row is
// also computed by the same OpenBLAS kernel as without the split, and no
// part is small (minPart). Only BLAS calls run on the worker, never gorgonia's tensor
// operations, whose tensor pool is not safe for concurrent use.
type halves struct {
	G.BLAS
	anyway bool // the BLAS gives the same bits however rows are split (splitsAnyWay)
	w      *worker.Worker
	calls  atomic.Int32 // products in progress
	split  atomic.Int64 // products split so far
	loops  atomic.Int64 // element-wise loops split so far (loop.do)
}

// A product is split into two parts, each of at least minPart
// multiply-adds. OpenBLAS computes smaller products another way (its
// "small matrix" kernels), with other rounding: split into four, the
// 8-row last part of a 200-row product came out different in the last bit.
const minPart = 1 << 20

// Sgemm computes C = alpha·op(A)·op(B) + beta·C.
func (b *halves) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bm []float32, ldb int, beta float32, c []float32, ldc int) {
	ob := b.BLAS
	defer b.calls.Add(-1)
	// another product is being computed (by the other evaluation graph,
	// say), which keeps the second core busy, or the worker is held: the
	// caller would compute both parts itself, each packing (or scanning) op(A)
	busy := b.calls.Add(1) > 1 || b.w.Held()
	if b.anyway && n > m && !busy {
		// Each part packs all of op(A) and its own columns of op(B):
		// with more columns than rows that is the smaller copy.
		cols := ((n+1)/2 + gemm.NRMax - 1) / gemm.NRMax * gemm.NRMax // at least half
		if m*cols*k >= minPart && m*(n-cols)*k >= minPart {
			b.share(func(i int) {
				c0, c1 := i*cols, min((i+1)*cols, n)
				b0 := bm[c0:] // op(B) from column c0 on: B's columns c0…
				if tB != blas.NoTrans {
					b0 = bm[c0*ldb:] // Bᵀ's: B's rows c0…
				}
				ob.Sgemm(tA, tB, m, c1-c0, k, alpha, a, lda, b0, ldb, beta, c[c0:], ldc)
			})
			return
		}
	}
	rows := (m/2 + 15) &^ 15 // rows of the first part
	if b.anyway {
		rows = ((m+1)/2 + gemm.MR - 1) / gemm.MR * gemm.MR // at least half
	}
	if busy || rows*n*k < minPart || (m-rows)*n*k < minPart || (tB != blas.NoTrans && !b.anyway) {
		ob.Sgemm(tA, tB, m, n, k, alpha, a, lda, bm, ldb, beta, c, ldc)
		return
	}
	b.share(func(i int) {
		r0, r1 := i*rows, min((i+1)*rows, m)
		var a0 []float32 // op(A) from row r0 on:
		if tA == blas.NoTrans {
			a0 = a[r0*lda:] // A's rows r0…
		} else {
			a0 = a[r0:] // A's columns r0…
		}
		ob.Sgemm(tA, tB, r1-r0, n, k, alpha, a0, lda, bm, ldb, beta, c[r0*ldc:], ldc)
	})
}

// share computes the two parts of a product, part(0) and part(1), with the
// worker.
func (b *halves) share(part func(i int)) {
	share := b.w.Offer(2, part)
	share.Finish()
	if share.Offered() {
		b.split.Add(1)
	}
}

// newHalves returns b with its large products split, on a worker that
// spins for the given time after each product.
func newHalves(b G.BLAS, spin time.Duration) *halves {
	return &halves{BLAS: b, anyway: splitsAnyWay(b), w: worker.New(spin)}
}
