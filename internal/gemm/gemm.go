// Package gemm multiplies single-precision matrices (BLAS's Sgemm) with a
// packed, cache-blocked algorithm and a micro-kernel in assembly on amd64
// processors: AVX-512F where the processor has it, else AVX2 with FMA
// (CPU features from golang.org/x/sys/cpu), and the same algorithm with a
// Go micro-kernel everywhere else (and in a build with the purego tag).
// Every kernel gives the same bits (TestKernelsAgree).
//
// The matrices are row-major, as in gonum's blas.Float32 interface, and
// Sgemm computes C = alpha·op(A)·op(B) + beta·C for the four transposition
// cases. Every element of C is computed the same way wherever it lies in C:
// its products are summed in the order of k, with one fused multiply-add
// each, in blocks of KC, and each block's sum s is added as C = alpha·s + C
// (one more fused multiply-add), or, for the first block when beta is 0,
// stored as C = alpha·s. So a product split by rows or columns of
// C into parts computed apart gives the same bits as one call.
package gemm

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
)

// The blocking: a micro-kernel computes an MR×nr tile of C from an MR×kc
// panel of op(A) and a kc×nr panel of op(B), both packed; op(B) is packed
// KC×NC at a time and op(A) MC×KC at a time. The tile is 16 columns wide
// for the AVX2 kernel and the Go one, 32 for the AVX-512 one (NRMax).
const (
	MR    = 6
	NRMax = 32
	KC    = 256
	MC    = 24 * MR
	NC    = 1024
)

// Accelerated reports whether Sgemm runs an assembly micro-kernel (AVX2
// and FMA, or AVX-512, on amd64) rather than the Go one.
func Accelerated() bool { return kern != goKernel }

// Kernel names the micro-kernel Sgemm runs: "avx512", "avx2" or "go".
func Kernel() string { return kern.String() }

// buffers are the packed panels of one call.
type buffers struct {
	a [MC * KC]float32
	b [KC * NC]float32
	t [MR * NRMax]float32 // an edge tile of C

	// the sparse path: per panel of op(A) in an MC×KC block, its steps
	// of k that are not zero in every row, and how many (sparse.go)
	idx [MC / MR][4][KC + 16]int32 // all six rows, rows 0-1, 2-3, 4-5
	cnt [MC / MR][4]int
}

var pool = sync.Pool{New: func() any { return new(buffers) }}

// packAlways turns off reading op(A) in place (for the tests).
var packAlways = false

// Sgemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ as
// tA and tB say, op(A) is m×k, op(B) is k×n and C is m×n, all row-major
// with leading dimensions lda, ldb and ldc. As in BLAS, C is not read when
// beta is 0, and A and B are not read when alpha is 0 or k is 0. It panics
// with a message naming the argument when the dimensions do not fit the
// slices.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	transA, transB := isTrans(tA, "tA"), isTrans(tB, "tB")
	check(m, n, k, transA, transB, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(beta, c, ldc, m, n)
		return
	}
	// The first block of k stores its products into C when beta is 0 (C
	// is not read), and every other block adds them to C.
	first := 1
	if beta == 0 {
		first = 0
	} else {
		scale(beta, c, ldc, m, n)
	}
	buf := pool.Get().(*buffers)
	defer pool.Put(buf)
	k0, NR := kern, kern.cols() // the kernel, and its tile's columns
	// With a single panel of columns of C, every panel of op(A) is used
	// once: the assembly kernels then read it in place instead of packing
	// it (the rows of a last partial panel are still packed).
	// On a sparse op(A) (not transposed) they read it in place too, and
	// skip the steps of k at which a panel is zero in every row.
	sparse := sparseFor(k0, transA, m, k, a, lda, &buf.idx[0], &buf.cnt[0])
	inPlace := (n <= NR || sparse) && k0 != goKernel && !packAlways
	rsA, csA := lda, 1 // op(A)[i, p] at a[i*rsA + p*csA]
	if transA {
		rsA, csA = 1, lda
	}
	for jc := 0; jc < n; jc += NC {
		nc := min(NC, n-jc)
		for pc := 0; pc < k; pc += KC {
			kc := min(KC, k-pc)
			load := 1
			if pc == 0 {
				load = first
			}
			packB(buf.b[:], b, ldb, transB, pc, kc, jc, nc, NR)
			// On the sparse path with the AVX-512 kernel, three panels of
			// op(B) at a time go through 2×96 tiles (wide.go's kernel).
			wide := sparse && k0 == avx512Kernel && hasScanAVX512 && !wideOff && nc >= 3*NR
			for ic := 0; ic < m; ic += MC {
				mc := min(MC, m-ic)
				if sparse {
					for ir := 0; ir+MR <= mc; ir += MR {
						scanRows(kc, a, (ic+ir)*lda+pc, lda, &buf.idx[ir/MR], &buf.cnt[ir/MR], wide)
					}
				} else if !inPlace {
					packA(buf.a[:], a, lda, transA, ic, mc, pc, kc)
				}
				// one computes the MR×NR tile of C at panel jr of op(B) and
				// panel ir of op(A)
				one := func(jr, ir int) {
					nr := min(NR, nc-jr)
					bp := buf.b[jr*kc:]
					mr := min(MR, mc-ir)
					ap := buf.a[ir*kc:]
					aoff := -1      // op(A)'s panel read in place from a[aoff:], or packed in ap
					var idx []int32 // its steps of k on the sparse path
					if sparse && mr == MR {
						idx = buf.idx[ir/MR][0][:]
					}
					if inPlace {
						if mr == MR {
							aoff = (ic+ir)*rsA + pc*csA
						} else {
							packA(buf.a[:], a, lda, transA, ic+ir, mr, pc, kc)
							ap = buf.a[:]
						}
					}
					off := (ic+ir)*ldc + jc + jr
					if mr == MR && nr == NR {
						tile(k0, kc, ap, a, aoff, rsA, csA, idx, buf.cnt[ir/MR][0], bp, c[off:], ldc, alpha, load)
						return
					}
					// an edge tile: through a full tile, with the
					// same arithmetic for the elements that are in C
					t := buf.t[:]
					if load != 0 {
						for i := range mr {
							copy(t[i*NR:i*NR+nr], c[off+i*ldc:off+i*ldc+nr])
						}
					}
					tile(k0, kc, ap, a, aoff, rsA, csA, idx, buf.cnt[ir/MR][0], bp, t, NR, alpha, load)
					for i := range mr {
						copy(c[off+i*ldc:off+i*ldc+nr], t[i*NR:i*NR+nr])
					}
				}
				for jr := 0; jr < nc; {
					if !wide || nc-jr < 3*NR {
						for ir := 0; ir < mc; ir += MR {
							one(jr, ir)
						}
						jr += NR
						continue
					}
					for ir := 0; ir < mc; ir += MR {
						if mc-ir < MR { // a partial panel of op(A): packed, dense
							for j := jr; j < jr+3*NR; j += NR {
								one(j, ir)
							}
							continue
						}
						for q := 0; q < MR; q += 2 { // rows q, q+1 of the panel
							i := ic + ir + q
							tileWide(kc, a, i*lda+pc, lda, buf.idx[ir/MR][1+q/2][:], buf.cnt[ir/MR][1+q/2], buf.b[jr*kc:], NR*kc, c[i*ldc+jc+jr:], ldc, alpha, load)
						}
					}
					jr += 3 * NR
				}
			}
		}
	}
}

// tile runs kernel k on the packed panel ap or, when aoff ≥ 0, on the panel
// of op(A) in place at a[aoff:] (element (i, p) at aoff + i·rsA + p·csA),
// and with idx (csA 1) only on the cnt steps of k that idx lists.
func tile(k kernelKind, kc int, ap, a []float32, aoff, rsA, csA int, idx []int32, cnt int, bp, c []float32, ldc int, alpha float32, load int) {
	if aoff < 0 {
		kernel(k, kc, ap, bp, c, ldc, alpha, load)
		return
	}
	if idx != nil {
		tileSparse(k, kc, a, aoff, rsA, idx, cnt, bp, c, ldc, alpha, load)
		return
	}
	nr := k.cols()
	_ = a[aoff+(MR-1)*rsA+(kc-1)*csA]
	_ = bp[nr*kc-1]
	_ = c[(MR-1)*ldc+nr-1]
	if k == avx512Kernel {
		kernelAVX512s(kc, &a[aoff], rsA, csA, &bp[0], &c[0], ldc, alpha, load)
		return
	}
	kernelAVX2s(kc, &a[aoff], rsA, csA, &bp[0], &c[0], ldc, alpha, load)
}

// scale sets C = beta·C (C = 0 when beta is 0, whatever C held).
func scale(beta float32, c []float32, ldc, m, n int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] to dst in panels of MR rows, each
// panel k-major (the MR elements of a column of op(A) together), the rows
// past mc of the last panel zero.
func packA(dst, a []float32, lda int, trans bool, ic, mc, pc, kc int) {
	for ir := 0; ir < mc; ir += MR {
		mr := min(MR, mc-ir)
		d := dst[ir*kc : ir*kc+MR*kc]
		if trans { // op(A)[i, p] = a[p*lda + i]: rows of a are contiguous in i
			if mr == MR {
				for p := range kc {
					src := a[(pc+p)*lda+ic+ir:]
					src = src[:MR:MR]
					q := d[p*MR : p*MR+MR : p*MR+MR]
					q[0], q[1], q[2], q[3], q[4], q[5] = src[0], src[1], src[2], src[3], src[4], src[5]
				}
				continue
			}
			for p := range kc {
				src := a[(pc+p)*lda+ic+ir:]
				dp := d[p*MR : p*MR+MR]
				copy(dp, src[:mr])
				clear(dp[mr:])
			}
			continue
		}
		if mr == MR { // six rows of A at once, each read in order
			row := func(i int) []float32 { return a[(ic+ir+i)*lda+pc:][:kc:kc] }
			r0, r1, r2, r3, r4, r5 := row(0), row(1), row(2), row(3), row(4), row(5)
			for p := range kc {
				q := d[p*MR : p*MR+MR : p*MR+MR]
				q[0], q[1], q[2], q[3], q[4], q[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
			continue
		}
		for i := range mr {
			src := a[(ic+ir+i)*lda+pc:]
			src = src[:kc]
			for p, v := range src {
				d[p*MR+i] = v
			}
		}
		for i := mr; i < MR; i++ {
			for p := range kc {
				d[p*MR+i] = 0
			}
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] to dst in panels of NR columns,
// each panel k-major (the NR elements of a row of op(B) together), the
// columns past nc of the last panel zero.
func packB(dst, b []float32, ldb int, trans bool, pc, kc, jc, nc, NR int) {
	for jr := 0; jr < nc; jr += NR {
		nr := min(NR, nc-jr)
		d := dst[jr*kc : jr*kc+NR*kc]
		if !trans { // op(B)[p, j] = b[p*ldb + j]
			if nr == 16 && NR == 16 {
				for p := range kc {
					src := b[(pc+p)*ldb+jc+jr:]
					*(*[16]float32)(d[p*16:]) = *(*[16]float32)(src)
				}
				continue
			}
			if nr == 32 && NR == 32 {
				for p := range kc {
					src := b[(pc+p)*ldb+jc+jr:]
					*(*[32]float32)(d[p*32:]) = *(*[32]float32)(src)
				}
				continue
			}
			for p := range kc {
				src := b[(pc+p)*ldb+jc+jr:]
				dp := d[p*NR : p*NR+NR]
				copy(dp, src[:nr])
				clear(dp[nr:])
			}
			continue
		}
		for j := range nr { // op(B)[p, j] = b[j*ldb + p]
			src := b[(jc+jr+j)*ldb+pc:]
			src = src[:kc]
			for p, v := range src {
				d[p*NR+j] = v
			}
		}
		for j := nr; j < NR; j++ {
			for p := range kc {
				d[p*NR+j] = 0
			}
		}
	}
}

func isTrans(t blas.Transpose, name string) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic(fmt.Sprintf("gemm: %s is %q, want N, T or C", name, byte(t)))
}

// check panics unless the slices hold the matrices their dimensions say.
func check(m, n, k int, transA, transB bool, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	for _, x := range []struct {
		name             string
		rows, cols, l, s int
	}{{"a", rowsA, colsA, la, lda}, {"b", rowsB, colsB, lb, ldb}, {"c", m, n, lc, ldc}} {
		if x.s < max(1, x.cols) {
			panic(fmt.Sprintf("gemm: leading dimension of %s is %d, want at least %d", x.name, x.s, max(1, x.cols)))
		}
		if x.rows > 0 && x.cols > 0 && x.l < (x.rows-1)*x.s+x.cols {
			panic(fmt.Sprintf("gemm: %s has %d elements, want %d for %d×%d with stride %d", x.name, x.l, (x.rows-1)*x.s+x.cols, x.rows, x.cols, x.s))
		}
	}
}
