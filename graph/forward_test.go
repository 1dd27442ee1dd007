package graph

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestEvalBatch(t *testing.T) {
	for _, tc := range []struct {
		hidden []int
		want   int
	}{
		{[]int{20}, MaxEvalBatch},
		{[]int{64}, MaxEvalBatch},
		{[]int{256}, 2048},
		{[]int{512, 512}, 1024},
		{[]int{1024}, 512},
		{[]int{64, 4096}, MinEvalBatch},
	} {
		if got := EvalBatch(NewArch(tc.hidden, ReLU)); got != tc.want {
			t.Errorf("hidden %v: EvalBatch %d, want %d", tc.hidden, got, tc.want)
		}
	}
}

// TestEvaluatorSameAtAnyBatch evaluates MNIST-like images (mostly zeros,
// so that the products take internal/gemm's sparse path) in batches of
// several sizes, with the default one among them, and wants the same loss
// and accuracy to the bit.
func TestEvaluatorSameAtAnyBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n = 3001
	images := make([]float32, n*784)
	for i := range images {
		if r.IntN(5) == 0 {
			images[i] = r.Float32()
		}
	}
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(r.IntN(10))
	}
	for _, hidden := range [][]int{{20}, {300}, {64, 32}} {
		p, err := NewParams(NewArch(hidden, ReLU), 1)
		if err != nil {
			t.Fatal(err)
		}
		var want [2]float64
		for i, batch := range []int{0, 10000, 1000, 97} {
			ev := NewEvaluator(p, batch)
			loss, acc, err := ev.Evaluate(images, labels)
			ev.Close()
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				want = [2]float64{loss, acc}
				continue
			}
			if math.Float64bits(loss) != math.Float64bits(want[0]) || acc != want[1] {
				t.Errorf("hidden %v, batches of %d: loss %v, accuracy %v; default batches: %v, %v", hidden, batch, loss, acc, want[0], want[1])
			}
		}
	}
}
