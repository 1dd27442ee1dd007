//go:build !amd64 || purego

package f32

// Elsewhere than on amd64, and with the purego build tag, the loops are the
// Go ones of ref.go.

// AddVec sets a[i] = a[i] + b[i].
func AddVec(a, b []float32) { AddVecGo(a, b) }

// MulVec sets a[i] = a[i] * b[i].
func MulVec(a, b []float32) { MulVecGo(a, b) }

// DivVec sets a[i] = a[i] / b[i].
func DivVec(a, b []float32) { DivVecGo(a, b) }

// DivVecZeroInf sets a[i] = a[i] / b[i], or +Inf where b[i] is 0, as
// gorgonia's vecf32.Div does.
func DivVecZeroInf(a, b []float32) { DivVecZeroInfGo(a, b) }

// AddScalar sets a[i] = a[i] + s.
func AddScalar(a []float32, s float32) { AddScalarGo(a, s) }

// MulScalar sets a[i] = a[i] * s.
func MulScalar(a []float32, s float32) { MulScalarGo(a, s) }

// SqrtVec sets a[i] to the square root of a[i].
func SqrtVec(a []float32) { SqrtVecGo(a) }

// MulIncrScalar adds a[i] * s to incr[i].
func MulIncrScalar(incr, a []float32, s float32) { MulIncrScalarGo(incr, a, s) }

// ExpVec sets dst[i] = math32.Exp(x[i]), bit for bit.
func ExpVec(dst, x []float32) { ExpVecGo(dst, x) }

// GteScalar sets dst[i] to 1 where a[i] >= s (or s >= a[i] if not
// leftTensor), else to 0. dst and a may be the same slice.
func GteScalar(dst, a []float32, s float32, leftTensor bool) { GteScalarGo(dst, a, s, leftTensor) }
