package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// sgemm64 is the float64 reference: C = alpha·op(A)·op(B) + beta·C, each
// element's sum in float64. It also returns, per element, the sum of the
// absolute values of the terms, the scale of float32 rounding errors.
func sgemm64(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, scale []float64) {
	want = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				var x, y float64
				if tA == blas.NoTrans {
					x = float64(a[i*lda+p])
				} else {
					x = float64(a[p*lda+i])
				}
				if tB == blas.NoTrans {
					y = float64(b[p*ldb+j])
				} else {
					y = float64(b[j*ldb+p])
				}
				s += x * y
				abs += math.Abs(x * y)
			}
			s *= float64(alpha)
			abs *= math.Abs(float64(alpha))
			if beta != 0 {
				cv := float64(beta) * float64(c[i*ldc+j])
				s += cv
				abs += math.Abs(cv)
			}
			want[i*n+j] = s
			scale[i*n+j] = abs
		}
	}
	return want, scale
}

type shape struct {
	tA, tB  blas.Transpose
	m, n, k int
}

func (s shape) String() string { return fmt.Sprintf("%c%c %d×%d×%d", s.tA, s.tB, s.m, s.n, s.k) }

// operands returns random A, B and C for s with leading dimensions pad
// elements larger than needed.
func operands(r *rand.Rand, s shape, pad int) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	rowsA, colsA := s.m, s.k
	if s.tA != blas.NoTrans {
		rowsA, colsA = s.k, s.m
	}
	rowsB, colsB := s.k, s.n
	if s.tB != blas.NoTrans {
		rowsB, colsB = s.n, s.k
	}
	lda, ldb, ldc = max(1, colsA+pad), max(1, colsB+pad), max(1, s.n+pad)
	fill := func(rows, ld int) []float32 {
		x := make([]float32, rows*ld)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		return x
	}
	return fill(rowsA, lda), lda, fill(rowsB, ldb), ldb, fill(s.m, ldc), ldc
}

var trans = []blas.Transpose{blas.NoTrans, blas.Trans}

// TestSgemmLikeFloat64 compares Sgemm with a float64 reference on odd
// shapes (edges of every tile and block), the network's shapes, every
// transposition, strided matrices, and several alpha and beta, with the
// Go kernel and (where the processor has it) the assembly one. Each
// element must be within 1e-5 of the sum of its terms' magnitudes (KC terms
// of float32 rounding, about 2⁻²⁴ each, fall well inside it).
func TestSgemmLikeFloat64(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dims := [][3]int{
		{1, 1, 1}, {1, 17, 3}, {5, 15, 7}, {6, 16, 1}, {7, 17, 257}, {13, 33, 300},
		{MC + 5, NRMax*3 + 1, KC + 3}, {6, 32, 4}, {6, 48, 4}, {2*MC - 1, 5, 2*KC + 1}, {3, NC + 20, 9},
		{100, 20, 784}, {784, 20, 100}, {100, 10, 20}, {100, 20, 10},
	}
	for _, asm := range testKernels(t) {
		for _, d := range dims {
			for _, tA := range trans {
				for _, tB := range trans {
					s := shape{tA, tB, d[0], d[1], d[2]}
					for _, ab := range [][2]float32{{1, 0}, {1.5, 1}, {-0.5, 0.25}, {0, 2}} {
						pad := r.IntN(3)
						a, lda, b, ldb, c, ldc := operands(r, s, pad)
						if ab[1] == 0 { // C must not be read
							for i := range s.m {
								for j := range s.n {
									c[i*ldc+j] = float32(math.NaN())
								}
							}
						}
						want, scale := sgemm64(tA, tB, s.m, s.n, s.k, ab[0], a, lda, b, ldb, ab[1], c, ldc)
						withKernel(asm, func() { Sgemm(tA, tB, s.m, s.n, s.k, ab[0], a, lda, b, ldb, ab[1], c, ldc) })
						for i := range s.m {
							for j := range s.n {
								got, w := float64(c[i*ldc+j]), want[i*s.n+j]
								if math.Abs(got-w) > 1e-5*scale[i*s.n+j]+1e-30 {
									t.Fatalf("%v, %v, alpha %v, beta %v: C[%d,%d] = %v, want %v", asm, s, ab[0], ab[1], i, j, got, w)
								}
							}
							for j := s.n; j < ldc; j++ {
								if c[i*ldc+j] != c[i*ldc+j] || math.IsInf(float64(c[i*ldc+j]), 0) {
									t.Fatalf("%v: padding of C changed", s)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestSgemmPaddingUntouched checks that the elements of C between rows
// (the stride's padding) are neither read nor written.
func TestSgemmPaddingUntouched(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	s := shape{blas.NoTrans, blas.NoTrans, 13, 21, 40}
	a, lda, b, ldb, c, ldc := operands(r, s, 3)
	for i := range s.m {
		for j := s.n; j < ldc; j++ {
			c[i*ldc+j] = float32(math.NaN())
		}
	}
	for _, asm := range testKernels(t) {
		withKernel(asm, func() { Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, b, ldb, 1, c, ldc) })
		for i := range s.m {
			for j := range ldc {
				v := c[i*ldc+j]
				if (j < s.n) == (v != v) {
					t.Fatalf("%v: C[%d,%d] = %v", asm, i, j, v)
				}
			}
		}
	}
}

// TestSgemmBetaZeroIgnoresC: as in BLAS, with beta 0 the NaNs in C do not
// reach the result, and with alpha 0 neither do those in A and B.
func TestSgemmBetaZeroIgnoresC(t *testing.T) {
	nan := float32(math.NaN())
	a := []float32{1, 2, 3, 4}
	b := []float32{1, 0, 0, 1}
	c := []float32{nan, nan, nan, nan}
	Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2)
	if fmt.Sprint(c) != "[1 2 3 4]" {
		t.Fatalf("beta 0: got %v, want [1 2 3 4]", c)
	}
	Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 0, []float32{nan, nan, nan, nan}, 2, b, 2, 2, c, 2)
	if fmt.Sprint(c) != "[2 4 6 8]" {
		t.Fatalf("alpha 0: got %v, want [2 4 6 8]", c)
	}
}

// TestSgemmSplitLikeOneCall: a product computed in parts (rows or columns
// of C apart, at any boundary) has the same bits as one call, the promise
// that lets callers split products over goroutines.
func TestSgemmSplitLikeOneCall(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, asm := range testKernels(t) {
		for _, tA := range trans {
			for _, tB := range trans {
				s := shape{tA, tB, 101, 37, 600}
				a, lda, b, ldb, c0, ldc := operands(r, s, 0)
				one := append([]float32(nil), c0...)
				withKernel(asm, func() { Sgemm(tA, tB, s.m, s.n, s.k, 1.25, a, lda, b, ldb, 0.5, one, ldc) })
				for _, cut := range []int{1, 5, 50, 77} {
					rows := append([]float32(nil), c0...)
					cols := append([]float32(nil), c0...)
					withKernel(asm, func() {
						// rows [0, cut) and [cut, m)
						aFrom := func(r0 int) []float32 {
							if tA == blas.NoTrans {
								return a[r0*lda:]
							}
							return a[r0:]
						}
						Sgemm(tA, tB, cut, s.n, s.k, 1.25, a, lda, b, ldb, 0.5, rows, ldc)
						Sgemm(tA, tB, s.m-cut, s.n, s.k, 1.25, aFrom(cut), lda, b, ldb, 0.5, rows[cut*ldc:], ldc)
						// columns [0, c) and [c, n)
						cc := cut % s.n
						if cc == 0 {
							cc = 1
						}
						bFrom := func(c0 int) []float32 {
							if tB == blas.NoTrans {
								return b[c0:]
							}
							return b[c0*ldb:]
						}
						Sgemm(tA, tB, s.m, cc, s.k, 1.25, a, lda, b, ldb, 0.5, cols, ldc)
						Sgemm(tA, tB, s.m, s.n-cc, s.k, 1.25, a, lda, bFrom(cc), ldb, 0.5, cols[cc:], ldc)
					})
					for i := range one {
						if math.Float32bits(one[i]) != math.Float32bits(rows[i]) || math.Float32bits(one[i]) != math.Float32bits(cols[i]) {
							t.Fatalf("%v, %v cut at %d: element %d: one call %v, rows apart %v, columns apart %v", asm, s, cut, i, one[i], rows[i], cols[i])
						}
					}
				}
			}
		}
	}
}

// TestKernelGoLikeAssembly: the Go kernel gives the assembly kernels' bits.
func TestKernelGoLikeAssembly(t *testing.T) {
	ks := testKernels(t)[1:]
	if len(ks) == 0 {
		t.Skip("no assembly kernel on this processor or build")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range ks {
		nr := k.cols()
		for _, kc := range []int{1, 2, 7, 100, KC} {
			ap := make([]float32, MR*kc)
			bp := make([]float32, nr*kc)
			for _, s := range [][]float32{ap, bp} {
				for i := range s {
					s[i] = float32(r.NormFloat64())
				}
			}
			ldc := nr + 3
			c1 := make([]float32, MR*ldc)
			for i := range c1 {
				c1[i] = float32(r.NormFloat64())
			}
			c2 := append([]float32(nil), c1...)
			for _, load := range []int{1, 0} {
				kernel(k, kc, ap, bp, c1, ldc, 0.75, load)
				kernelGo(kc, nr, ap, bp, c2, ldc, 0.75, load)
				for i := range c1 {
					if math.Float32bits(c1[i]) != math.Float32bits(c2[i]) {
						t.Fatalf("%v, kc %d, load %d: element %d: assembly %v, Go %v", k, kc, load, i, c1[i], c2[i])
					}
				}
			}
		}
	}
}

// TestKernelsAgree: Sgemm gives the same bits on every kernel (the tile
// width does not change how an element is computed).
func TestKernelsAgree(t *testing.T) {
	ks := testKernels(t)
	r := rand.New(rand.NewPCG(8, 9))
	for _, tA := range trans {
		for _, tB := range trans {
			s := shape{tA, tB, 37, 71, 300}
			a, lda, b, ldb, c0, ldc := operands(r, s, 1)
			var first []float32
			for _, k := range ks {
				c := append([]float32(nil), c0...)
				withKernel(k, func() { Sgemm(tA, tB, s.m, s.n, s.k, 0.5, a, lda, b, ldb, 1.5, c, ldc) })
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%v on %v: element %d: %v, %v on %v", s, k, i, c[i], first[i], ks[0])
					}
				}
			}
		}
	}
}

func TestSgemmPanicsOnBadArguments(t *testing.T) {
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"gemm: a has 5 elements, want 6 for 2×3 with stride 3", func() {
			Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, make([]float32, 5), 3, make([]float32, 6), 2, 0, make([]float32, 4), 2)
		}},
		{"gemm: leading dimension of c is 1, want at least 2", func() {
			Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, make([]float32, 6), 3, make([]float32, 6), 2, 0, make([]float32, 4), 1)
		}},
		{"gemm: tB is 'x', want N, T or C", func() {
			Sgemm(blas.NoTrans, 'x', 2, 2, 3, 1, nil, 3, nil, 2, 0, nil, 2)
		}},
		{"gemm: negative dimension m=-1 n=2 k=3", func() {
			Sgemm(blas.NoTrans, blas.NoTrans, -1, 2, 3, 1, nil, 3, nil, 2, 0, nil, 2)
		}},
	} {
		func() {
			defer func() {
				if got := fmt.Sprint(recover()); got != tc.want {
					t.Errorf("panic %q, want %q", got, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// testKernels lists the kernels to test: the Go one and those of the
// assembly ones the processor has.
func testKernels(t *testing.T) []kernelKind {
	k := kernels()
	if len(k) == 1 {
		t.Log("no assembly kernel here: testing the Go kernel only")
	}
	return k
}

// withKernel runs f with Sgemm on kernel k.
func withKernel(k kernelKind, f func()) {
	was := kern
	kern = k
	defer func() { kern = was }()
	f()
}
