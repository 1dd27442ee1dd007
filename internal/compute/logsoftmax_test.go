package compute

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/chewxy/math32"
	"gorgonia.org/tensor"
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

// TestLogSoftMaxVecLikeScalar checks the log-softmax loops, which compute
// their exponentials four at a time, against the same arithmetic with one
// math32.Exp per element, bit for bit: rows of 2, 3, 10 and 300 values
// (longer than the forward loop's buffer), with and without the gradient
// written over its own input, and logits far enough apart for exp to
// underflow.
func TestLogSoftMaxVecLikeScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{2, 3, 10, 300} {
		for _, rows := range []int{1, 7, 200} {
			x := make([]float32, k*rows)
			g := make([]float32, k*rows)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 30)
				g[i] = float32(r.NormFloat64())
			}
			out := make([]float32, len(x))
			logSoftMaxRows(out, x, k)
			want := make([]float32, len(x))
			for lo := 0; lo < len(x); lo += k {
				row := x[lo : lo+k]
				mx := slices.Max(row)
				var sum float32
				for _, v := range row {
					sum += math32.Exp(v - mx)
				}
				for j, v := range row {
					want[lo+j] = v - mx - math32.Log(sum)
				}
			}
			if err := sameBits(tensor.New(tensor.WithBacking(out)), tensor.New(tensor.WithBacking(want))); err != nil {
				t.Fatalf("log-softmax, rows of %d, %d rows: %v", k, rows, err)
			}

			wantDx := make([]float32, len(x))
			for lo := 0; lo < len(x); lo += k {
				sum := g[lo]
				for _, v := range g[lo+1 : lo+k] {
					sum += v
				}
				for j := lo; j < lo+k; j++ {
					wantDx[j] = g[j] - math32.Exp(out[j])*sum
				}
			}
			dx := make([]float32, len(x))
			logSoftMaxGradRows(dx, out, g, k)
			if err := sameBits(tensor.New(tensor.WithBacking(dx)), tensor.New(tensor.WithBacking(wantDx))); err != nil {
				t.Fatalf("gradient, rows of %d, %d rows: %v", k, rows, err)
			}
			logSoftMaxGradRows(g, out, g, k) // in place
			if err := sameBits(tensor.New(tensor.WithBacking(g)), tensor.New(tensor.WithBacking(wantDx))); err != nil {
				t.Fatalf("gradient in place, rows of %d, %d rows: %v", k, rows, err)
			}
		}
	}
}
