package compute

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/tensor"
)

// TestHalvesLikeOneCall computes matrix products of the shapes training
// and evaluation use (and some odd ones) with halves, split over two
// goroutines, and with one call of the build's BLAS (gonum's or OpenBLAS),
// and wants the same bits.
func TestHalvesLikeOneCall(t *testing.T) {
	h := newHalves(baseBLAS(), time.Minute)
	defer h.w.Close()
	r := rand.New(rand.NewPCG(3, 5))
	for _, tc := range []struct {
		tA, tB  blas.Transpose
		m, n, k int
		split   bool
	}{
		{blas.NoTrans, blas.NoTrans, 200, 20, 784, true},  // x·W1
		{blas.Trans, blas.NoTrans, 784, 20, 200, true},    // xᵀ·dz1
		{blas.NoTrans, blas.NoTrans, 100, 64, 784, true},  // the default network
		{blas.Trans, blas.NoTrans, 784, 64, 100, true},    // its weight gradient
		{blas.NoTrans, blas.NoTrans, 5000, 20, 784, true}, // an evaluation batch
		{blas.NoTrans, blas.NoTrans, 47, 300, 500, true},
		{blas.NoTrans, blas.Trans, 333, 17, 1234, splitsAnyWay(baseBLAS())}, // Bᵀ: gonum sums blocks apart
		{blas.NoTrans, blas.Trans, 128, 512, 512, splitsAnyWay(baseBLAS())}, // dz·W2ᵀ of 784-512-512-10
		{blas.Trans, blas.Trans, 250, 50, 300, splitsAnyWay(baseBLAS())},
		{blas.NoTrans, blas.NoTrans, 17, 400, 400, splitsAnyWay(baseBLAS())},  // a last part of 1 row: too small, but by columns
		{blas.NoTrans, blas.NoTrans, 1525, 20, 784, true},                     // an odd evaluation batch: the last row too
		{blas.NoTrans, blas.NoTrans, 16, 257, 1024, splitsAnyWay(baseBLAS())}, // split by columns: the last column too
		{blas.NoTrans, blas.NoTrans, 100, 1024, 784, true},                    // x·W1 of 784-1024-10
		{blas.Trans, blas.NoTrans, 784, 1024, 100, true},                      // its weight gradient
		{blas.NoTrans, blas.Trans, 100, 1024, 10, false},                      // dz2·W2ᵀ: too small
		{blas.Trans, blas.NoTrans, 1024, 10, 100, false},                      // hᵀ·dz2: too small
	} {
		rowsA, colsA := tc.m, tc.k
		if tc.tA == blas.Trans {
			rowsA, colsA = tc.k, tc.m
		}
		rowsB, colsB := tc.k, tc.n
		if tc.tB == blas.Trans {
			rowsB, colsB = tc.n, tc.k
		}
		a := make([]float32, rowsA*colsA)
		b := make([]float32, rowsB*colsB)
		c0 := make([]float32, tc.m*tc.n)
		for _, s := range [][]float32{a, b, c0} {
			for i := range s {
				s[i] = float32(r.NormFloat64())
			}
		}
		for _, beta := range []float32{0, 1} {
			want := append([]float32(nil), c0...)
			baseBLAS().Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1.5, a, colsA, b, colsB, beta, want, tc.n)
			// until a product was split (or, for those never split, for 10 ms)
			before := h.split.Load()
			for start := time.Now(); h.split.Load() == before; {
				if !tc.split && time.Since(start) > 10*time.Millisecond {
					break
				}
				if time.Since(start) > time.Second {
					t.Fatalf("%+v: no product was split in a second", tc)
				}
				got := append([]float32(nil), c0...)
				h.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1.5, a, colsA, b, colsB, beta, got, tc.n)
				if err := sameBits(tensor.New(tensor.WithBacking(got)), tensor.New(tensor.WithBacking(want))); err != nil {
					t.Fatalf("%c%c %d×%d×%d, beta %v: %v", tc.tA, tc.tB, tc.m, tc.n, tc.k, beta, err)
				}
			}
			if !tc.split && h.split.Load() != before {
				t.Fatalf("%+v: split, want it computed in one call", tc)
			}
		}
	}
}

// TestHoldKeepsProductsWhole checks that no product is split while the
// worker is held, and that products are split again after the release.
func TestHoldKeepsProductsWhole(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("products are split only with GOMAXPROCS ≥ 2")
	}
	const m, n, k = 200, 20, 784
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	product := func() { products.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n) }
	release := Hold()
	before := products.split.Load()
	for range 2000 {
		product()
	}
	if s := products.split.Load() - before; s != 0 {
		t.Fatalf("%d products split while the worker was held", s)
	}
	release()
	release() // a second call does nothing
	for start := time.Now(); products.split.Load() == before; product() {
		if time.Since(start) > 10*time.Second {
			t.Fatal("no product split in 10 s after the release")
		}
	}
}
