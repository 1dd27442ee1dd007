package train

import (
	"context"
	"encoding/json"
	"github.com/perceptron-mnist/perceptron/internal/compute"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

// benchConfig is the configuration of the comparison with numpy
// (scripts/bench_numpy.py): 784 → 20 → 10, relu, Adam, batches of 200.
func benchConfig() Config {
	c := DefaultConfig()
	c.Hidden, c.Activation, c.Optimizer, c.LR, c.Batch = graph.Sizes{20}, graph.ReLU, Adam, 0.001, 200
	return c
}

// BenchmarkTrainStep times one training step of benchConfig on MNIST:
// gathering 200 shuffled images into the graph's input, forward and
// backward passes, and the Adam update.
func BenchmarkTrainStep(b *testing.B) {
	d := testenv.MNIST(b)
	cfg := benchConfig()
	p, err := graph.NewParams(cfg.Arch(), cfg.Seed)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := newTrainer(cfg, d.Train, p)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.close()
	perm := tr.shuffler.Epoch()
	lo := 0
	b.ReportAllocs()
	for b.Loop() {
		if lo+cfg.Batch > len(perm) {
			perm, lo = tr.shuffler.Epoch(), 0
		}
		if _, err := tr.step(perm[lo : lo+cfg.Batch]); err != nil {
			b.Fatal(err)
		}
		lo += cfg.Batch
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)*float64(tr.steps)/1e9, "s/epoch")
}

// BenchmarkEvaluate times one evaluation pass as Run makes after each
// epoch: loss and accuracy of the 60,000 training and 10,000 test images.
func BenchmarkEvaluate(b *testing.B) {
	d := testenv.MNIST(b)
	cfg := benchConfig()
	p, err := graph.NewParams(cfg.Arch(), cfg.Seed)
	if err != nil {
		b.Fatal(err)
	}
	ev := graph.NewEvaluator(p, 0)
	defer ev.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ev.Evaluate(d.Train.Images, d.Train.Labels); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ev.Evaluate(d.Test.Images, d.Test.Labels); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBench(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := benchConfig()
	cfg.TrainLimit, cfg.TestLimit = 1000, 300
	var parts []string
	r, err := Bench(context.Background(), cfg, d, 3, 2, func(what string, s float64) { parts = append(parts, what) })
	if err != nil {
		t.Fatal(err)
	}
	if len(r.EpochSeconds) != 3 || len(r.EvalPasses) != 2 || len(parts) != 1+3+2 {
		t.Fatalf("%d timed epochs, %d evaluation passes, progress %q; want 3, 2 and 6 reports", len(r.EpochSeconds), len(r.EvalPasses), parts)
	}
	if r.TrainImages != 1000 || r.EvalImages != 1300 || r.StepsPerEpoch != 5 {
		t.Errorf("%d training images, %d evaluated, %d steps per epoch; want 1000, 1300, 5", r.TrainImages, r.EvalImages, r.StepsPerEpoch)
	}
	if !(r.SecondsPerEpoch > 0) || !(r.EvalSeconds > 0) || r.SamplesPerSecond != 1000/r.SecondsPerEpoch {
		t.Errorf("seconds per epoch %v, eval seconds %v, samples per second %v", r.SecondsPerEpoch, r.EvalSeconds, r.SamplesPerSecond)
	}
	if want := 1000 * (4*784*20 + 6*20*10) / 1e9; r.GFLOPPerEpoch != want || r.GFLOPS != want/r.SecondsPerEpoch {
		t.Errorf("%v GFLOP per epoch at %v GFLOP/s, want %v GFLOP", r.GFLOPPerEpoch, r.GFLOPS, want)
	}
	if r.BLAS != compute.BLAS() || r.BLAS == "" {
		t.Errorf("blas %q, compute.BLAS() %q", r.BLAS, compute.BLAS())
	}
	// the keys that scripts read
	b, _ := json.Marshal(r)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"seconds_per_epoch", "samples_per_second", "eval_seconds", "blas"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	if _, err := Bench(context.Background(), cfg, d, 0, 1, nil); err == nil {
		t.Error("Bench with 0 timed epochs succeeded")
	}
}

// TestFLOPs checks the FLOP formulas against the products counted by hand:
// one hidden layer 4·I·H + 6·H·O per training image (as before several
// layers existed), and Keras's 784-512-512-10.
func TestFLOPs(t *testing.T) {
	one := graph.NewArch([]int{64}, graph.Sigmoid)
	if got, want := TrainFLOPs(one, 10), 10*(4*784*64+6*64*10.0); got != want {
		t.Errorf("784-64-10: %v training FLOPs, want %v", got, want)
	}
	keras := graph.NewArch([]int{512, 512}, graph.ReLU)
	fwd := 2 * (784*512 + 512*512 + 512*10.0)
	if got := EvalFLOPs(keras, 1); got != fwd {
		t.Errorf("784-512-512-10: %v forward FLOPs, want %v", got, fwd)
	}
	// forward, weight gradients, and input gradients of layers 2 and 3
	if got, want := TrainFLOPs(keras, 1), 2*fwd+2*(512*512+512*10.0); got != want {
		t.Errorf("784-512-512-10: %v training FLOPs, want %v", got, want)
	}
}
