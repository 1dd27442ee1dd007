package gemm

import "math"

// kernel adds alpha·Ap·Bp to the MR×NR tile of c at stride ldc (or, with
// load 0, stores it there without reading c), where Ap is a packed MR×kc
// panel (k-major) and Bp a packed kc×NR panel.
func kernel(kc int, ap, bp, c []float32, ldc int, alpha float32, load int) {
	_ = ap[MR*kc-1]
	_ = bp[NR*kc-1]
	_ = c[(MR-1)*ldc+NR-1]
	if useAsm {
		kernelAVX2(kc, &ap[0], &bp[0], &c[0], ldc, alpha, load)
		return
	}
	kernelGo(kc, ap, bp, c, ldc, alpha, load)
}

// kernelGo is kernel in Go, with the same fused multiply-adds in the same
// order as the assembly one (each computed in float64 and rounded to
// float32: exact but for a double rounding, which random data does not
// meet, TestKernelGoLikeAssembly).
func kernelGo(kc int, ap, bp, c []float32, ldc int, alpha float32, load int) {
	var acc [MR][NR]float32
	for p := range kc {
		a := ap[p*MR : p*MR+MR]
		b := bp[p*NR : p*NR+NR]
		for i, ai := range a {
			r := &acc[i]
			for j, bj := range b {
				r[j] = fma(ai, bj, r[j])
			}
		}
	}
	for i := range MR {
		row := c[i*ldc : i*ldc+NR]
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
