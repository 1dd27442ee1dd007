package gemm

import "math"

// kernelKind is a micro-kernel.
type kernelKind int

const (
	goKernel     kernelKind = iota // kernelGo
	avx2Kernel                     // kernelAVX2: 6×16, AVX2 and FMA
	avx512Kernel                   // kernelAVX512: 6×32, AVX-512F
)

func (k kernelKind) String() string {
	return [...]string{"go", "avx2", "avx512"}[k]
}

// cols is the width of k's tile of C.
func (k kernelKind) cols() int {
	if k == avx512Kernel {
		return 32
	}
	return 16
}

// kern is the kernel Sgemm runs: the best this processor has.
var kern = bestKernel()

// kernel adds alpha·Ap·Bp to the MR×nr tile of c at stride ldc (or, with
// load 0, stores it there without reading c), where Ap is a packed MR×kc
// panel (k-major), Bp a packed kc×nr panel and nr is k's tile width.
func kernel(k kernelKind, kc int, ap, bp, c []float32, ldc int, alpha float32, load int) {
	nr := k.cols()
	_ = ap[MR*kc-1]
	_ = bp[nr*kc-1]
	_ = c[(MR-1)*ldc+nr-1]
	switch k {
	case avx512Kernel:
		kernelAVX512(kc, &ap[0], &bp[0], &c[0], ldc, alpha, load)
	case avx2Kernel:
		kernelAVX2(kc, &ap[0], &bp[0], &c[0], ldc, alpha, load)
	default:
		kernelGo(kc, nr, ap, bp, c, ldc, alpha, load)
	}
}

// kernelGo is kernel for a 6×nr tile (nr ≤ NRMax) in Go, with the same fused
// multiply-adds in the same order as the assembly ones (each computed in
// float64 and rounded to float32: exact but for a double rounding, which
// random data does not meet, TestKernelGoLikeAssembly).
func kernelGo(kc, nr int, ap, bp, c []float32, ldc int, alpha float32, load int) {
	var acc [MR][NRMax]float32
	for p := range kc {
		a := ap[p*MR : p*MR+MR]
		b := bp[p*nr : p*nr+nr]
		for i, ai := range a {
			r := acc[i][:nr]
			for j, bj := range b {
				r[j] = fma(ai, bj, r[j])
			}
		}
	}
	for i := range MR {
		row := c[i*ldc : i*ldc+nr]
		if load == 0 {
			for j := range row {
				row[j] = alpha * acc[i][j]
			}
			continue
		}
		for j := range row {
			row[j] = fma(alpha, acc[i][j], row[j])
		}
	}
}

// fma returns x·y + z rounded to float32: x·y is exact in float64, the sum
// is rounded to float64 and then to float32.
func fma(x, y, z float32) float32 {
	return float32(math.FMA(float64(x), float64(y), float64(z)))
}
