package compute

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// BenchmarkBaseSgemm times one call of the build's BLAS (internal/gemm's
// Sgemm in the default build on processors with AVX2 and FMA, OpenBLAS in
// a build with the openblas tag) on the products of a training step of
// 784-H-10 at batch B (x·W1, xᵀ·dz1, dz2·W2ᵀ) and of 784-512-512-10 at 128,
// on one goroutine, in GFLOP/s (2·m·n·k a product). internal/gemm's
// BenchmarkPeak is the core's bound.
func BenchmarkBaseSgemm(b *testing.B) {
	type shape struct {
		tA, tB  blas.Transpose
		m, n, k int
	}
	var shapes []shape
	for _, bh := range [][2]int{{100, 20}, {100, 1024}, {1000, 256}, {1000, 1024}} {
		bs, h := bh[0], bh[1]
		shapes = append(shapes, shape{blas.NoTrans, blas.NoTrans, bs, h, 784}, shape{blas.Trans, blas.NoTrans, 784, h, bs}, shape{blas.NoTrans, blas.Trans, bs, h, 10})
	}
	shapes = append(shapes, shape{blas.NoTrans, blas.NoTrans, 128, 512, 512}, shape{blas.Trans, blas.NoTrans, 512, 512, 128}, shape{blas.NoTrans, blas.Trans, 128, 512, 512})
	impl := baseBLAS()
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
		b.Run(fmt.Sprintf("%c%c_%d×%d×%d", s.tA, s.tB, s.m, s.n, s.k), func(b *testing.B) {
			rowsA, colsA := s.m, s.k
			if s.tA == blas.Trans {
				rowsA, colsA = s.k, s.m
			}
			rowsB, colsB := s.k, s.n
			if s.tB == blas.Trans {
				rowsB, colsB = s.n, s.k
			}
			x := make([]float32, rowsA*colsA+rowsB*colsB+s.m*s.n)
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			a, bm, c := x[:rowsA*colsA], x[rowsA*colsA:rowsA*colsA+rowsB*colsB], x[rowsA*colsA+rowsB*colsB:]
			for b.Loop() {
				impl.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, colsA, bm, colsB, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
