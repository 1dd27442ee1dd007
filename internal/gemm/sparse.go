package gemm

import "math"

// The sparse path. MNIST's images are four-fifths zeros, so in the first
// layer's product x·W most steps of k at which the 6-row panel of op(A) is
// zero in every row contribute nothing (on real data about 57% of them).
// When op(A) is not transposed and an assembly kernel runs, Sgemm scans each
// panel of op(A) for the steps at which some row is not zero (scanRows), and
// the kernel takes only those (kernelAVX512x, kernelAVX2x), reading op(A) in
// place. Each step it takes is the dense kernel's, the same fused
// multiply-adds in the same order, and a step it skips would have added
// 0·b to every accumulator, which leaves it as it is: the results are the
// dense kernel's bits (TestSparseLikeDense) whenever op(B) is finite (0·Inf
// and 0·NaN are NaN) and no partial sum is -0 (only a product that
// underflows makes one; -0 + 0·b is +0 for b > 0).

// sparseOff turns the sparse path off (for the tests).
var sparseOff = false

// sparseFor reports whether Sgemm takes the sparse path on op(A) = a
// (not transposed, leading dimension lda, m×k): it does when the first
// panel's first block of k, scanned into idx, has at most 7/8 of its steps.
// (On dense matrices the in-place kernel is slower than the packed one on
// wide products, and the scan costs a little.)
func sparseFor(k0 kernelKind, transA bool, m, k int, a []float32, lda int, idx []int32) bool {
	if sparseOff || packAlways || transA || k0 == goKernel || m < MR {
		return false
	}
	kc := min(KC, k)
	return scanRows(kc, a, 0, lda, idx)*8 <= kc*7
}

// scanRows writes to idx, in order, the steps p < kc at which some row i
// of the 6-row panel a[off + i·rsA + p] is not zero (+0 or -0), and
// returns how many there are. idx needs room for kc+16 steps.
func scanRows(kc int, a []float32, off, rsA int, idx []int32) int {
	_ = a[off+(MR-1)*rsA+kc-1]
	_ = idx[kc+15]
	n, p := 0, 0
	if hasScanAVX512 && kc >= 16 {
		p = kc &^ 15
		n = scanAVX512(p, &a[off], rsA, &idx[0])
	}
	for ; p < kc; p++ {
		var bits uint32
		for i := range MR {
			bits |= math.Float32bits(a[off+i*rsA+p])
		}
		idx[n] = int32(p)
		if bits&0x7fffffff != 0 {
			n++
		}
	}
	return n
}

// tileSparse runs k's sparse kernel on the cnt steps of k in idx, op(A)
// read in place at a[aoff:] with rows rsA apart.
func tileSparse(k kernelKind, kc int, a []float32, aoff, rsA int, idx []int32, cnt int, bp, c []float32, ldc int, alpha float32, load int) {
	nr := k.cols()
	_ = a[aoff+(MR-1)*rsA+kc-1]
	_ = bp[nr*kc-1]
	_ = c[(MR-1)*ldc+nr-1]
	_ = idx[cnt]
	if k == avx512Kernel {
		kernelAVX512x(cnt, &a[aoff], rsA, &idx[0], &bp[0], &c[0], ldc, alpha, load)
		return
	}
	kernelAVX2x(cnt, &a[aoff], rsA, &idx[0], &bp[0], &c[0], ldc, alpha, load)
}
