package graph

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
)

// benchArch is the configuration of the speed comparison with numpy:
// 784 → 20 → 10, relu, Adam, batches of 200.
var benchArch = NewArch(20, ReLU)

const benchBatch = 200

// randomBatch fills x with pixel-like values and y with one-hot labels.
func randomBatch(rng *rand.Rand, x, y []float32) {
	for i := range x {
		x[i] = rng.Float32()
	}
	clear(y)
	for r := 0; r < len(y)/10; r++ {
		y[r*10+rng.IntN(10)] = 1
	}
}

// BenchmarkTrainStep times one training step (forward, loss, gradients and
// an Adam update) on a batch of 200 random images.
func BenchmarkTrainStep(b *testing.B) {
	p, err := NewParams(benchArch, 1)
	if err != nil {
		b.Fatal(err)
	}
	tg, err := NewTrainGraph(p, benchBatch)
	if err != nil {
		b.Fatal(err)
	}
	defer tg.Close()
	x, y := tg.Inputs()
	randomBatch(rand.New(rand.NewPCG(1, 2)), x, y)
	solver := G.NewAdamSolver(G.WithLearnRate(1e-4))
	b.ReportAllocs()
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		if _, err := tg.Run(); err != nil {
			b.Fatal(err)
		}
		if err := tg.Step(solver); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate times one evaluation pass (loss and accuracy) over
// 70,000 random images, the size of MNIST's training and test sets together.
func BenchmarkEvaluate(b *testing.B) {
	p, err := NewParams(benchArch, 1)
	if err != nil {
		b.Fatal(err)
	}
	const n = 70000
	rng := rand.New(rand.NewPCG(3, 4))
	images := make([]float32, n*p.Inputs)
	for i := range images {
		images[i] = rng.Float32()
	}
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
	}
	ev := NewEvaluator(p, 0)
	defer ev.Close()
	if _, _, err := ev.Evaluate(images, labels); err != nil { // build the graphs
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(4 * len(images)))
	for b.Loop() {
		if _, _, err := ev.Evaluate(images, labels); err != nil {
			b.Fatal(err)
		}
	}
}
