package gemm

import "math"

// The sparse path. MNIST's images are four-fifths zeros, so in the first
// layer's product x·W many steps of k contribute nothing to a tile of C:
// those at which its rows of op(A) are all zero (on MNIST 57% of the steps
// of a 6-row panel, 71% of a pair of rows). When op(A) is not transposed and
// an assembly kernel runs, Sgemm scans each 6-row panel of op(A) for the
// steps at which some row is not zero, and some row of each pair
// (scanRows), and the kernels take only those, reading op(A) in place: the
// 6×32 (AVX-512) and 6×16 (AVX2) tiles (kernelAVX512x, kernelAVX2x) and,
// with AVX-512 and at least 96 columns, 2×96 tiles (kernelAVX512w) on three
// panels of op(B) at a time. Each step they take is the dense kernel's, the
// same fused multiply-adds in the same order, and a step they skip would
// have added 0·b to every accumulator, which leaves it as it is: the
// results are the dense kernel's bits (TestSparseLikeDense) whenever op(B)
// is finite (0·Inf and 0·NaN are NaN) and no partial sum is -0 (only a
// product that underflows makes one; -0 + 0·b is +0 for b > 0).

// sparseOff turns the sparse path off (for the tests).
var sparseOff = false

// sparseFor reports whether Sgemm takes the sparse path on op(A) = a
// (not transposed, leading dimension lda, m×k): it does when the first
// panel's first block of k, scanned into idx and cnt, has at most 7/8 of
// its steps.
// (On dense matrices the in-place kernel is slower than the packed one on
// wide products, and the scan costs a little.)
func sparseFor(k0 kernelKind, transA bool, m, k int, a []float32, lda int, idx *[4][KC + 16]int32, cnt *[4]int) bool {
	if sparseOff || packAlways || transA || k0 == goKernel || m < MR {
		return false
	}
	kc := min(KC, k)
	scanRows(kc, a, 0, lda, idx, cnt, false)
	return cnt[0]*8 <= kc*7
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

// wideOff turns the 2×96 tiles of the sparse path off (for the tests).
var wideOff = false

// scanRows writes to idx[0], in order, the steps p < kc at which some row
// i of the 6-row panel a[off + i·rsA + p] is not zero (+0 or -0), and, when
// pairs is set (for the 2×96 tiles), to idx[1], idx[2] and idx[3] those at
// which rows 0-1, 2-3 and 4-5 are not both zero; their counts to cnt (0 for
// the lists not written). Without the pairs the AVX-512 scan does a
// quarter of the list-making: at 784-20-10 it was a third of an
// evaluation's CPU time (docs/speed.md, change 24).
func scanRows(kc int, a []float32, off, rsA int, idx *[4][KC + 16]int32, cnt *[4]int, pairs bool) {
	_ = a[off+(MR-1)*rsA+kc-1]
	*cnt = [4]int{}
	p := 0
	if hasScanAVX512 && kc >= 16 {
		p = kc &^ 15
		if pairs {
			scan4AVX512(p, &a[off], rsA, &idx[0][0], &cnt[0])
		} else {
			scan1AVX512(p, &a[off], rsA, &idx[0][0], &cnt[0])
		}
	}
	lists := 1
	if pairs {
		lists = 4
	}
	for ; p < kc; p++ {
		var pair [3]uint32
		for i := range MR {
			pair[i/2] |= math.Float32bits(a[off+i*rsA+p])
		}
		ors := [4]uint32{pair[0] | pair[1] | pair[2], pair[0], pair[1], pair[2]}
		for j, bits := range ors[:lists] {
			idx[j][cnt[j]] = int32(p)
			if bits&0x7fffffff != 0 {
				cnt[j]++
			}
		}
	}
}

// tileWide runs the 2×96 sparse kernel (kernelAVX512w) on rows a[aoff:]
// and a[aoff+rsA:] over the cnt steps of k in idx, against the three
// packed panels of op(B) at bp, pstride elements apart, into c (rows ldc
// apart).
func tileWide(kc int, a []float32, aoff, rsA int, idx []int32, cnt int, bp []float32, pstride int, c []float32, ldc int, alpha float32, load int) {
	_ = a[aoff+rsA+kc-1]
	_ = bp[2*pstride+32*kc-1]
	_ = c[ldc+3*32-1]
	_ = idx[cnt]
	kernelAVX512w(cnt, &a[aoff], rsA, &idx[0], &bp[0], pstride, &c[0], ldc, alpha, load)
}
