//go:build !openblas

package compute

import (
	"runtime"

	"github.com/perceptron-mnist/perceptron/internal/gemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// baseBLAS is the BLAS the products run on: in the default build gonum's
// pure-Go one, with its single-precision matrix product replaced by
// internal/gemm's where that has an assembly kernel (AVX2/FMA or AVX-512) (large products split
// in two, halves.go).
func baseBLAS() G.BLAS {
	if gemm.Accelerated() {
		return gemmBLAS{}
	}
	return gonum.Implementation{}
}

// gemmBLAS is gonum's BLAS with internal/gemm's Sgemm.
type gemmBLAS struct{ gonum.Implementation }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C with internal/gemm.
func (gemmBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// splitsAnyWay says whether the products of b give the same bits however
// their rows are split: internal/gemm's do (each element is computed the
// same way wherever it lies in C); gonum's do only without Bᵀ.
func splitsAnyWay(b G.BLAS) bool { _, ok := b.(gemmBLAS); return ok }

func blasName() string {
	if gemm.Accelerated() {
		return "gonum with internal/gemm's Sgemm (pure Go, " + gemm.Kernel() + " assembly kernel, " + runtime.GOARCH + ")"
	}
	return "gonum (pure Go, " + runtime.GOARCH + ")"
}

func fastProducts() bool { return gemm.Accelerated() }
