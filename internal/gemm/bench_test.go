package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The products of one training step of 784-H-10 at batch B (forward x·W1
// and h·W2, weight gradients xᵀ·dz1 and hᵀ·dz2, dz2·W2ᵀ) and of the
// 512-512 layer of the deeper network.
func benchShapes() []shape {
	var s []shape
	for _, bh := range [][2]int{{100, 20}, {100, 1024}, {1000, 256}, {1000, 1024}} {
		b, h := bh[0], bh[1]
		s = append(s,
			shape{blas.NoTrans, blas.NoTrans, b, h, 784},
			shape{blas.Trans, blas.NoTrans, 784, h, b},
			shape{blas.NoTrans, blas.Trans, b, h, 10})
	}
	return append(s, shape{blas.NoTrans, blas.NoTrans, 128, 512, 512}, shape{blas.Trans, blas.NoTrans, 512, 512, 128})
}

// sgemmer is one BLAS's Sgemm.
type sgemmer func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// benchSgemm times f on each of the network's shapes and reports GFLOP/s
// (2·m·n·k per product).
func benchSgemm(b *testing.B, f sgemmer) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes() {
		b.Run(s.String(), func(b *testing.B) {
			a, lda, bm, ldb, c, ldc := operands(r, s, 0)
			for b.Loop() {
				f(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, ldc)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemm is this package's Sgemm on one goroutine.
func BenchmarkSgemm(b *testing.B) { benchSgemm(b, Sgemm) }

// BenchmarkGonumSgemm is gonum's (which splits large products over
// goroutines of its own).
func BenchmarkGonumSgemm(b *testing.B) { benchSgemm(b, gonum.Implementation{}.Sgemm) }

// BenchmarkPeak measures the core's fused multiply-add throughput on
// registers, 8 lanes (AVX2) or 16 (AVX-512) of float32 at a time, as
// GFLOP/s (2 per lane): the roofline of the kernels.
func BenchmarkPeak(b *testing.B) {
	for _, k := range kernels()[1:] {
		b.Run(k.String(), func(b *testing.B) {
			const n = 1 << 16
			peak, lanes := fmaPeak, 8
			if k == avx512Kernel {
				peak, lanes = fmaPeak512, 16
			}
			for b.Loop() {
				peak(n)
			}
			b.ReportMetric(float64(n)*24*float64(2*lanes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// ExampleSgemm multiplies a 2×3 matrix by the transpose of a 2×3 one.
func ExampleSgemm() {
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 1, 0, 1, 0}
	c := make([]float32, 4)
	Sgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}

// BenchmarkKernel is each assembly micro-kernel alone, on panels that stay
// in the L1 cache: its distance to BenchmarkPeak is the kernel's own loss.
func BenchmarkKernel(b *testing.B) {
	for _, k := range kernels()[1:] {
		b.Run(k.String(), func(b *testing.B) {
			nr := k.cols()
			ap := make([]float32, MR*KC)
			bp := make([]float32, nr*KC)
			c := make([]float32, MR*nr)
			for b.Loop() {
				kernel(k, KC, ap, bp, c, nr, 1, 1)
			}
			b.ReportMetric(float64(2*MR*nr*KC)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemmKernels is BenchmarkSgemm on each kernel.
func BenchmarkSgemmKernels(b *testing.B) {
	for _, k := range kernels() {
		b.Run(k.String(), func(b *testing.B) {
			withKernel(k, func() { benchSgemm(b, Sgemm) })
		})
	}
}

// BenchmarkSparse times the first layer's product x·W on MNIST-like
// inputs (sparseA's "mnist" pattern) on the sparse path, on its 6×32 tiles
// only, and on the dense path.
func BenchmarkSparse(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, d := range [][3]int{{1000, 20, 784}, {1000, 256, 784}, {1000, 1024, 784}} {
		m, n, k := d[0], d[1], d[2]
		a := sparseA(r, "mnist", m, k, k)
		_, _, w, ldb, c, ldc := operands(r, shape{blas.NoTrans, blas.NoTrans, m, n, k}, 0)
		for _, path := range []string{"sparse", "6x32", "dense"} {
			b.Run(fmt.Sprintf("%d×%d×%d/%s", m, n, k, path), func(b *testing.B) {
				sparseOff, wideOff = path == "dense", path == "6x32"
				defer func() { sparseOff, wideOff = false, false }()
				for b.Loop() {
					Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, w, ldb, 0, c, ldc)
				}
				b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
