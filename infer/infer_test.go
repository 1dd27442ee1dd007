package infer

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/internal/testmodel"
	"github.com/perceptron-mnist/perceptron/train"
)

// testData returns the MNIST data set, read once per test binary.
func testData(t testing.TB) *data.MNIST { return testenv.MNIST(t) }

// defaultModel returns the network trained with the default configuration
// (once per test binary, about 10 s).
func defaultModel(t testing.TB) *Model {
	t.Helper()
	m := New(testmodel.Default(t).Params)
	t.Cleanup(func() { m.Close() })
	return m
}

func TestRoundTripGivesIdenticalProbabilities(t *testing.T) {
	d := testData(t)
	dir := t.TempDir()
	cfg := train.DefaultConfig()
	cfg.Epochs, cfg.TrainLimit = 1, 3000
	res, err := train.Run(context.Background(), cfg, d, train.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	before := New(res.Params)
	defer before.Close()
	want, err := before.Predict(d.Test.Images)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer loaded.Close()
	if loaded.Info == nil || !slices.Equal(loaded.Info.Architecture.Hidden, cfg.Hidden) || loaded.Dir != dir {
		t.Fatalf("loaded model describes %+v from %q", loaded.Info, loaded.Dir)
	}
	got, err := loaded.Predict(d.Test.Images)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != d.Test.Len() || len(want) != d.Test.Len() {
		t.Fatalf("%d and %d predictions for %d images", len(got), len(want), d.Test.Len())
	}
	right := 0
	for i := range got {
		for k, p := range got[i].Probabilities {
			if math.Float32bits(p) != math.Float32bits(want[i].Probabilities[k]) {
				t.Fatalf("image %d class %d: loaded model gives %v, trained model %v", i, k, p, want[i].Probabilities[k])
			}
		}
		if got[i].Digit == int(d.Test.Labels[i]) {
			right++
		}
	}
	// the predictions are the trained network's, not just equal: they agree
	// with the accuracy the trainer measured
	if acc := float64(right) / float64(len(got)); math.Abs(acc-res.Final().TestAcc) > 1e-9 {
		t.Fatalf("accuracy of loaded model %v, trainer measured %v", acc, res.Final().TestAcc)
	}
}

func TestFirstFiveTestImages(t *testing.T) {
	d := testData(t)
	m := defaultModel(t)
	preds, err := m.Predict(d.Test.Images[:5*Pixels])
	if err != nil {
		t.Fatal(err)
	}
	want := []int{7, 2, 1, 0, 4}
	for i, p := range preds {
		if p.Digit != want[i] || int(d.Test.Labels[i]) != want[i] {
			t.Errorf("test image %d: predicted %d (label %d), want %d", i, p.Digit, d.Test.Labels[i], want[i])
		}
		var sum float64
		for _, q := range p.Probabilities {
			sum += float64(q)
		}
		if math.Abs(sum-1) > 1e-4 || p.Confidence != p.Probabilities[p.Digit] ||
			p.RunnerUp == p.Digit || p.RunnerUpConf > p.Confidence {
			t.Errorf("test image %d: inconsistent prediction %+v (probabilities sum to %v)", i, p, sum)
		}
	}
}

func TestEvaluateReport(t *testing.T) {
	d := testData(t)
	m := defaultModel(t)
	r, err := m.Evaluate(d.Test.Images, d.Test.Labels, 20)
	if err != nil {
		t.Fatal(err)
	}
	ev := graph.NewEvaluator(m.Params, 0)
	defer ev.Close()
	loss, acc, err := ev.Evaluate(d.Test.Images, d.Test.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if r.Accuracy != acc || math.Abs(r.Loss-loss) > 1e-9 || r.Accuracy < 0.96 {
		t.Fatalf("report accuracy %v loss %v; graph's evaluator %v, %v (want > 0.96)", r.Accuracy, r.Loss, acc, loss)
	}
	total := 0
	for c := range r.Confusion {
		for _, n := range r.Confusion[c] {
			total += n
		}
		if !(r.Precision[c] > 0.9 && r.Recall[c] > 0.9) {
			t.Errorf("digit %d: precision %v recall %v", c, r.Precision[c], r.Recall[c])
		}
	}
	if total != d.Test.Len() {
		t.Errorf("confusion matrix counts %d images, want %d", total, d.Test.Len())
	}
	if len(r.Wrong) != 20 {
		t.Fatalf("%d wrong examples, want 20", len(r.Wrong))
	}
	for i, w := range r.Wrong {
		if w.Digit == w.Label || int(d.Test.Labels[w.Index]) != w.Label || (i > 0 && w.Confidence > r.Wrong[i-1].Confidence) {
			t.Errorf("wrong example %d: %+v", i, w)
		}
	}
}
