package graph

import (
	"math"
	"testing"
)

func TestLogSoftMaxRows(t *testing.T) {
	const k = 4
	x := []float32{
		1, 2, 3, 4,
		0, 0, 0, 0,
		// the first value of a later row is its maximum and far above every
		// value before it: gorgonia's engine, which starts each row's maximum
		// from the matrix's first value, overflows exp here
		200, -3, 5, 1,
		-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3,
	}
	out := make([]float32, len(x))
	logSoftMaxRows(out, x, k)
	for r := 0; r < len(x)/k; r++ {
		mx := math.Inf(-1)
		for _, v := range x[r*k : (r+1)*k] {
			mx = math.Max(mx, float64(v))
		}
		var sum float64
		for _, v := range x[r*k : (r+1)*k] {
			sum += math.Exp(float64(v) - mx)
		}
		for j := r * k; j < (r+1)*k; j++ {
			want := float64(x[j]) - mx - math.Log(sum)
			if math.Abs(float64(out[j])-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("row %d: log-softmax[%d] = %v, want %v", r, j%k, out[j], want)
			}
		}
	}
}

func TestLogSoftMaxGradRows(t *testing.T) {
	// d/dz of Σ g·logsoftmax(z) = g - softmax(z)·Σg
	y := []float32{float32(math.Log(0.1)), float32(math.Log(0.2)), float32(math.Log(0.7))}
	g := []float32{1, -2, 0.5}
	dx := make([]float32, 3)
	logSoftMaxGradRows(dx, y, g, 3)
	for j, want := range []float64{1 - 0.1*-0.5, -2 - 0.2*-0.5, 0.5 - 0.7*-0.5} {
		if math.Abs(float64(dx[j])-want) > 1e-6 {
			t.Errorf("dx[%d] = %v, want %v", j, dx[j], want)
		}
	}
}
