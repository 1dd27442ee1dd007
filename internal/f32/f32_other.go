//go:build !amd64 || purego

package f32

func AddVec(a, b []float32)                      { AddVecGo(a, b) }
func MulVec(a, b []float32)                      { MulVecGo(a, b) }
func DivVec(a, b []float32)                      { DivVecGo(a, b) }
func DivVecZeroInf(a, b []float32)               { DivVecZeroInfGo(a, b) }
func AddScalar(a []float32, s float32)           { AddScalarGo(a, s) }
func MulScalar(a []float32, s float32)           { MulScalarGo(a, s) }
func SqrtVec(a []float32)                        { SqrtVecGo(a) }
func MulIncrScalar(incr, a []float32, s float32) { MulIncrScalarGo(incr, a, s) }
func ExpVec(dst, x []float32)                    { ExpVecGo(dst, x) }

func GteScalar(dst, a []float32, s float32, leftTensor bool) { GteScalarGo(dst, a, s, leftTensor) }
