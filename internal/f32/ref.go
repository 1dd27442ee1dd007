// Package f32 holds the element-wise float32 loops of compute.Engine, written
// as gorgonia's tensor package writes them (a[i] = a[i] op b[i], and
// incr[i] += a[i] op b[i]). On amd64 the ones a training step uses most
// (the functions without a Go suffix that also exist with one) run in SSE
// assembly: the same IEEE operations on four elements at a time, never
// fused, so that their results are bit-identical to the loops with the Go
// suffix, which are their reference in the tests and their implementation
// elsewhere (and with the purego build tag).
package f32

import (
	"math"

	"github.com/chewxy/math32"
)

// AddVecGo is the Go loop of AddVec.
func AddVecGo(a, b []float32) {
	b = b[:len(a)]
	for i := range a {
		a[i] = a[i] + b[i]
	}
}

// MulVecGo is the Go loop of MulVec.
func MulVecGo(a, b []float32) {
	b = b[:len(a)]
	for i := range a {
		a[i] = a[i] * b[i]
	}
}

// DivVecGo is the Go loop of DivVec.
func DivVecGo(a, b []float32) {
	b = b[:len(a)]
	for i := range a {
		a[i] = a[i] / b[i]
	}
}

// DivVecZeroInfGo sets a[i] = a[i] / b[i], or +Inf where b[i] is 0, as
// gorgonia's vecf32.Div does.
func DivVecZeroInfGo(a, b []float32) {
	b = b[:len(a)]
	for i, v := range a {
		if b[i] == 0 {
			a[i] = float32(math.Inf(1))
			continue
		}
		a[i] = v / b[i]
	}
}

// zeroInf sets a[i] to +Inf where b[i] is 0.
func zeroInf(a, b []float32) {
	b = b[:len(a)]
	for i := range a {
		if b[i] == 0 {
			a[i] = float32(math.Inf(1))
		}
	}
}

// AddScalarGo is the Go loop of AddScalar.
func AddScalarGo(a []float32, s float32) {
	for i := range a {
		a[i] = a[i] + s
	}
}

// MulScalarGo is the Go loop of MulScalar.
func MulScalarGo(a []float32, s float32) {
	for i := range a {
		a[i] = a[i] * s
	}
}

// DivScalar sets a[i] = a[i] / s.
func DivScalar(a []float32, s float32) {
	for i := range a {
		a[i] = a[i] / s
	}
}

// DivScalarLeft sets b[i] = s / b[i].
func DivScalarLeft(s float32, b []float32) {
	for i := range b {
		b[i] = s / b[i]
	}
}

// SqrtVecGo is the Go loop of SqrtVec.
func SqrtVecGo(a []float32) {
	for i := range a {
		a[i] = float32(math.Sqrt(float64(a[i])))
	}
}

// MulIncrScalarGo is the Go loop of MulIncrScalar.
func MulIncrScalarGo(incr, a []float32, s float32) {
	a = a[:len(incr)]
	for i := range incr {
		incr[i] += a[i] * s
	}
}

// AddIncrScalar adds a[i] + s to incr[i].
func AddIncrScalar(incr, a []float32, s float32) {
	a = a[:len(incr)]
	for i := range incr {
		incr[i] += a[i] + s
	}
}

// DivIncrScalar adds a[i] / s to incr[i].
func DivIncrScalar(incr, a []float32, s float32) {
	a = a[:len(incr)]
	for i := range incr {
		incr[i] += a[i] / s
	}
}

// DivIncrScalarLeft adds s / b[i] to incr[i].
func DivIncrScalarLeft(incr []float32, s float32, b []float32) {
	b = b[:len(incr)]
	for i := range incr {
		incr[i] += s / b[i]
	}
}

// AddIncr adds a[i] + b[i] to incr[i].
func AddIncr(incr, a, b []float32) {
	a, b = a[:len(incr)], b[:len(incr)]
	for i := range incr {
		incr[i] += a[i] + b[i]
	}
}

// MulIncr adds a[i] * b[i] to incr[i].
func MulIncr(incr, a, b []float32) {
	a, b = a[:len(incr)], b[:len(incr)]
	for i := range incr {
		incr[i] += a[i] * b[i]
	}
}

// DivIncr adds a[i] / b[i] to incr[i], or sets incr[i] to +Inf where b[i]
// is 0, as gorgonia's vecf32.IncrDiv does.
func DivIncr(incr, a, b []float32) {
	a, b = a[:len(incr)], b[:len(incr)]
	for i := range incr {
		if b[i] == 0 {
			incr[i] = float32(math.Inf(1))
			continue
		}
		incr[i] += a[i] / b[i]
	}
}

// GteScalarGo sets dst[i] to 1 where a[i] >= s (or s >= a[i] if not
// leftTensor), else to 0. dst and a may be the same slice.
func GteScalarGo(dst, a []float32, s float32, leftTensor bool) {
	a = a[:len(dst)]
	if leftTensor {
		for i := range dst {
			if a[i] >= s {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
		return
	}
	for i := range dst {
		if s >= a[i] {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

// ExpVecGo sets dst[i] = math32.Exp(x[i]).
func ExpVecGo(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = math32.Exp(x[i])
	}
}
