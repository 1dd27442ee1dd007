//go:build amd64 && !purego

package f32

import "github.com/chewxy/math32"

// The SSE versions of the loops in ref.go, in f32_amd64.s. The second (and
// third) slice must be at least as long as the first.

// AddVec sets a[i] = a[i] + b[i].
//
//go:noescape
func AddVec(a, b []float32)

// MulVec sets a[i] = a[i] * b[i].
//
//go:noescape
func MulVec(a, b []float32)

// DivVec sets a[i] = a[i] / b[i].
func DivVec(a, b []float32) { divVec(a, b) }

// DivVecZeroInf sets a[i] = a[i] / b[i], or +Inf where b[i] is 0, as
// gorgonia's vecf32.Div does.
func DivVecZeroInf(a, b []float32) {
	if divVec(a, b) {
		zeroInf(a, b)
	}
}

// divVec sets a[i] = a[i] / b[i] and reports whether any b[i] is 0.
//
//go:noescape
func divVec(a, b []float32) (zero bool)

// AddScalar sets a[i] = a[i] + s.
//
//go:noescape
func AddScalar(a []float32, s float32)

// MulScalar sets a[i] = a[i] * s.
//
//go:noescape
func MulScalar(a []float32, s float32)

// SqrtVec sets a[i] to the square root of a[i].
//
//go:noescape
func SqrtVec(a []float32)

// MulIncrScalar adds a[i] * s to incr[i].
//
//go:noescape
func MulIncrScalar(incr, a []float32, s float32)

// ExpVec sets dst[i] = math32.Exp(x[i]), bit for bit.
func ExpVec(dst, x []float32) {
	x = x[:len(dst)]
	for i := 0; i < len(dst); {
		i += expVec(dst[i:], x[i:])
		// the group expVec stopped at, or the last few
		for end := min(i+4, len(dst)); i < end; i++ {
			dst[i] = math32.Exp(x[i])
		}
	}
}

// expVec is ExpVec for groups of four elements without special cases: it
// returns how many elements it set.
//
//go:noescape
func expVec(dst, x []float32) (n int)

// GteScalar sets dst[i] to 1 where a[i] >= s (or s >= a[i] if not
// leftTensor), else to 0. dst and a may be the same slice.
func GteScalar(dst, a []float32, s float32, leftTensor bool) {
	a = a[:len(dst)]
	if leftTensor {
		gteVS(dst, a, s)
	} else {
		gteSV(dst, a, s)
	}
}

//go:noescape
func gteVS(dst, a []float32, s float32)

//go:noescape
func gteSV(dst, a []float32, s float32)
