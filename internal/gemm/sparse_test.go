package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// sparseA returns an m×k matrix (leading dimension lda) filled as pattern
// says.
func sparseA(r *rand.Rand, pattern string, m, k, lda int) []float32 {
	a := make([]float32, (m-1)*lda+k)
	for i := range m {
		row := a[i*lda : i*lda+k]
		for p := range row {
			switch pattern {
			case "mnist": // mostly zeros, all zero at the borders of k
				if p >= k/8 && p < k-k/8 && r.Float64() < 0.15 {
					row[p] = r.Float32()
				}
			case "zero rows": // every third row zero, the others dense
				if i%3 != 0 {
					row[p] = float32(r.NormFloat64())
				}
			case "negative zeros": // -0 and +0 among a few values
				switch r.IntN(8) {
				case 0, 1, 2, 3:
					row[p] = float32(math.Copysign(0, -1))
				case 4:
					row[p] = float32(r.NormFloat64())
				}
			case "one a row":
				if p == (i*7)%k {
					row[p] = float32(r.NormFloat64())
				}
			case "dense":
				row[p] = float32(r.NormFloat64())
			}
		}
	}
	return a
}

// TestSparseLikeDense checks that the sparse path gives the dense kernels'
// bits: on sparse matrices of the shapes of the first layer's product
// (x·W1 at hidden 20 and 1024) and odd ones (the tail of a scan, partial
// panels of op(A), several blocks of k and of n), with every assembly
// kernel, against the same kernel with the sparse path off, with op(A)
// packed, and with the sparse path's 6×32 tiles only (no 2×96 ones).
func TestSparseLikeDense(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	dims := [][3]int{
		{6, 20, 784}, {100, 20, 784}, {250, 1024, 784}, {13, 33, 17}, {MC + 7, 70, 2*KC + 5},
		{37, NC + 40, 300}, {6, 32, 5}, {12, 16, 40}, {12, 96, 40}, {13, 97, 300}, {60, 256, 784},
	}
	patterns := []string{"mnist", "zero rows", "negative zeros", "one a row", "all zero", "dense"}
	for _, k0 := range kernels()[1:] {
		for _, d := range dims {
			m, n, k := d[0], d[1], d[2]
			for _, pattern := range patterns {
				for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-1.5, 0.25}} {
					lda := k + r.IntN(3)
					a := sparseA(r, pattern, m, k, lda)
					_, _, b, ldb, c0, ldc := operands(r, shape{blas.NoTrans, blas.NoTrans, m, n, k}, r.IntN(3))
					if ab[1] == 0 {
						for i := range c0 {
							c0[i] = float32(math.NaN())
						}
					}
					run := func(off, pack, narrow bool) []float32 {
						c := append([]float32(nil), c0...)
						sparseOff, packAlways, wideOff = off, pack, narrow
						defer func() { sparseOff, packAlways, wideOff = false, false, false }()
						withKernel(k0, func() { Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc) })
						return c
					}
					var idx [4][KC + 16]int32
					var cnt [4]int
					if want := pattern != "dense" && pattern != "zero rows"; k >= 16 && sparseFor(k0, false, m, k, a, lda, &idx, &cnt) != want {
						t.Fatalf("%v, %s, %v: sparse path %v, want %v", k0, pattern, d, !want, want)
					}
					got := run(false, false, false)
					for _, alt := range []struct {
						name              string
						off, pack, narrow bool
					}{{"sparse path off", true, false, false}, {"op(A) packed", false, true, false}, {"6×32 tiles only", false, false, true}} {
						want := run(alt.off, alt.pack, alt.narrow)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
								t.Fatalf("%v, %s, %v×%v×%v, alpha %v, beta %v: C[%d] = %v, %s %v", k0, pattern, m, n, k, ab[0], ab[1], i, got[i], alt.name, want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestScanRows checks the scan of a panel's steps of k (its four lists, or
// the first alone) against a plain loop, for every length to 70 and with
// -0, +0 and subnormals, with the scan this processor runs and with the Go
// one.
func TestScanRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	vals := []float32{0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, -1, 0.5}
	asm := hasScanAVX512
	defer func() { hasScanAVX512 = asm }()
	for _, withAsm := range []bool{false, asm} {
		hasScanAVX512 = withAsm
		for kc := 1; kc <= 70; kc++ {
			rsA := kc + r.IntN(3)
			a := make([]float32, 5*rsA+kc+1)
			for i := range a {
				if r.IntN(5) == 0 {
					a[i] = vals[r.IntN(len(vals))]
				}
			}
			off := r.IntN(2)
			for _, pairs := range []bool{true, false} {
				var lists [4][KC + 16]int32
				var cnt [4]int
				scanRows(kc, a, off, rsA, &lists, &cnt, pairs)
				got := [][]int32{lists[0][:cnt[0]], lists[1][:cnt[1]], lists[2][:cnt[2]], lists[3][:cnt[3]]}
				groups := [][2]int{{0, MR}, {0, 2}, {2, 4}, {4, 6}}
				if !pairs {
					groups = groups[:1]
					if cnt[1]+cnt[2]+cnt[3] != 0 {
						t.Fatalf("asm %v, kc %d, without pairs: counts %v", withAsm, kc, cnt)
					}
				}
				for j, rows := range groups {
					var want []int32
					for p := range kc {
						for i := rows[0]; i < rows[1]; i++ {
							if a[off+i*rsA+p] != 0 {
								want = append(want, int32(p))
								break
							}
						}
					}
					if fmt.Sprint(got[j]) != fmt.Sprint(want) {
						t.Fatalf("asm %v, pairs %v, kc %d, list %d (rows %d-%d): steps %v, want %v", withAsm, pairs, kc, j, rows[0], rows[1]-1, got[j], want)
					}
				}
			}
		}
	}
}
