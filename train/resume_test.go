package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

// resumeConfig is a short run: 3000 images in batches of 64 (46 full
// batches and one of 56), 4 epochs.
func resumeConfig(optimizer string) Config {
	cfg := DefaultConfig()
	cfg.Hidden, cfg.Activation, cfg.Optimizer, cfg.LR = graph.Sizes{16}, graph.ReLU, optimizer, DefaultLR(optimizer)
	cfg.Batch, cfg.Epochs, cfg.Seed = 64, 4, 5
	cfg.TrainLimit, cfg.TestLimit = 3000, 1000
	cfg.SaveBest = true
	return cfg
}

// cancelAt returns options that cancel the run's context after the global
// step number at (counting from the first step this Options sees).
func cancelAt(dir string, at int, cancel context.CancelFunc) Options {
	n := 0
	return Options{Dir: dir, OnStep: func(epoch, step, steps int, loss float32) {
		if n++; n == at {
			cancel()
		}
	}}
}

func TestResumeIsIdentical(t *testing.T) {
	d := testenv.MNIST(t)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("random interruption steps from seed %d", seed)
	deep := func(opt string) Config {
		c := resumeConfig(opt)
		c.Hidden, c.Dropout, c.L2 = graph.Sizes{16, 8}, 0.2, 1e-4
		if opt == Momentum {
			c.Momentum = DefaultMomentum
		}
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{SGD, resumeConfig(SGD)}, {Adam, resumeConfig(Adam)},
		{"rmsprop-dropout-16+8", deep(RMSProp)}, {"momentum-dropout-16+8", deep(Momentum)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			whole := t.TempDir()
			want, err := Run(context.Background(), cfg, d, Options{Dir: whole})
			if err != nil {
				t.Fatal(err)
			}
			const steps = 47
			// interrupt at a random step of the first two epochs, then at the
			// last step of that epoch (so the checkpoint falls between
			// epochs), then at a random step again; resume after each
			cuts := []int{1 + rng.IntN(2*steps-1), 0, 1 + rng.IntN(steps)}
			dir := t.TempDir()
			var got *Result
			for i := 0; ; i++ {
				ctx, cancel := context.WithCancel(context.Background())
				at := math.MaxInt
				if i < len(cuts) {
					at = cuts[i]
				}
				opts := cancelAt(dir, at, cancel)
				if i == 0 {
					got, err = Run(ctx, cfg, d, opts)
				} else {
					got, err = Resume(ctx, d, opts)
				}
				cancel()
				var ie *InterruptedError
				if i == len(cuts) {
					if err != nil {
						t.Fatalf("last resume: %v", err)
					}
					break
				}
				if !errors.As(err, &ie) || ie.Dir != dir || !errors.Is(err, context.Canceled) {
					t.Fatalf("interruption %d at step %d: error %v, want an InterruptedError with a checkpoint", i+1, at, err)
				}
				t.Logf("interrupted at epoch %d after step %d", ie.Epoch, ie.Step)
				if i == 0 {
					cuts[1] = steps - ie.Step
				}
			}
			compareRuns(t, want, got, whole, dir)
		})
	}
}

// TestDropoutIsReproducible trains a two-hidden-layer network with dropout
// twice with the same seed and wants byte-identical weights, and once with
// another seed and wants other weights; and a run without dropout, which
// must differ too (the masks do something).
func TestDropoutIsReproducible(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := DefaultConfig()
	cfg.Hidden, cfg.Activation, cfg.Optimizer, cfg.LR = graph.Sizes{24, 12}, graph.ReLU, RMSProp, DefaultLR(RMSProp)
	cfg.Dropout, cfg.Epochs, cfg.TrainLimit, cfg.TestLimit = 0.3, 2, 2000, 500
	train := func(c Config) []byte {
		r, err := Run(context.Background(), c, d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		for _, x := range r.Params.Tensors() {
			b = append(b, f32bytes(graph.F32(x))...)
		}
		return b
	}
	a, b := train(cfg), train(cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same seed and dropout gave different weights")
	}
	other := cfg
	other.Seed++
	if bytes.Equal(a, train(other)) {
		t.Error("another seed gave the same weights")
	}
	none := cfg
	none.Dropout = 0
	if bytes.Equal(a, train(none)) {
		t.Error("dropout 0.3 gave the weights of no dropout")
	}
}

// compareRuns checks that two runs gave the same numbers and files, epoch
// times aside.
func compareRuns(t *testing.T, want, got *Result, wantDir, gotDir string) {
	t.Helper()
	if len(got.History) != len(want.History) {
		t.Fatalf("%d epochs, want %d", len(got.History), len(want.History))
	}
	for i, w := range want.History {
		g := got.History[i]
		g.Seconds, w.Seconds = 0, 0
		if g != w {
			t.Errorf("epoch %d: got %+v, want %+v", i+1, g, w)
		}
	}
	for i, w := range want.Params.Tensors() {
		if !slices.Equal(graph.F32(got.Params.Tensors()[i]), graph.F32(w)) {
			t.Errorf("%s differs", want.Params.ParamNames()[i])
		}
	}
	for _, sub := range []string{".", BestDir} {
		for _, f := range []string{"w1.npy", "b1.npy", "w2.npy", "b2.npy"} {
			a, err1 := os.ReadFile(filepath.Join(wantDir, sub, f))
			b, err2 := os.ReadFile(filepath.Join(gotDir, sub, f))
			if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
				t.Errorf("%s/%s differs (%v, %v)", sub, f, err1, err2)
			}
		}
	}
	wm, gm := modelJSON(t, wantDir), modelJSON(t, gotDir)
	if !bytes.Equal(wm, gm) {
		t.Errorf("model.json differs:\n%s\nwant\n%s", gm, wm)
	}
}

// modelJSON returns model.json without the run-time fields.
func modelJSON(t *testing.T, dir string) []byte {
	m, err := modeljson.ReadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(m.Metrics, &s); err != nil {
		t.Fatal(err)
	}
	delete(s, "train_seconds")
	delete(s, "run_dir")
	m.Metrics, _ = json.Marshal(s)
	b, _ := json.Marshal(m)
	return b
}

func TestResumeFinishedRun(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := resumeConfig(SGD)
	cfg.Epochs = 1
	dir := t.TempDir()
	want, err := Run(context.Background(), cfg, d, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resume(context.Background(), d, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	compareRuns(t, want, got, dir, dir)
	if got.History[0].Seconds != want.History[0].Seconds {
		t.Error("resuming a finished run changed its history")
	}
	// a checkpoint for other data is refused
	d2 := *d
	d2.Train = d.Train.Head(2000)
	cfg.Epochs = 2
	dir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Run(ctx, cfg, d, cancelAt(dir, 3, cancel))
	cancel()
	if err == nil {
		t.Fatal("not interrupted")
	}
	if _, err := Resume(context.Background(), &d2, Options{Dir: dir}); err == nil ||
		!strings.Contains(err.Error(), "the checkpoint is of a run on 3000 training images, the data has 2000") {
		t.Fatalf("resume on other data: %v", err)
	}
}

// A run that diverges stops at once, names the epoch and step, and leaves
// the last checkpoint and weights as they were.
func TestDivergenceKeepsLastCheckpoint(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := resumeConfig(Adam)
	dir := t.TempDir()
	var before map[string][]byte
	opts := Options{Dir: dir, OnEpoch: func(h History, p *graph.Params) error {
		before = map[string][]byte{}
		for _, f := range []string{CheckpointFile, "w1.npy", "b2.npy", modeljson.ModelFile, MetricsFile} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return err
			}
			before[f] = b
		}
		p.Layers[1].Biases()[3] = float32(math.Inf(1)) // the next loss is NaN
		return nil
	}}
	_, err := Run(context.Background(), cfg, d, opts)
	want := "training diverged: loss is NaN at epoch 2, step 1; try a smaller learning rate than -lr 0.001"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	for f, b := range before {
		now, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !bytes.Equal(now, b) {
			t.Errorf("%s changed after the divergence (%v)", f, err)
		}
	}
	ck, err := ReadCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil || ck.Epoch != 2 || ck.Step != 0 || ck.Solver.Iter != 47 {
		t.Fatalf("checkpoint %+v, %v; want epoch 2, step 0 after 47 Adam steps", ck, err)
	}
}

func TestEarlyStopAndSaveBest(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := resumeConfig(SGD)
	cfg.LR, cfg.Epochs, cfg.TrainLimit, cfg.TestLimit = 2, 12, 1000, 500
	full, err := Run(context.Background(), cfg, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// where -early-stop 2 must stop, from the full run's history
	stop := 0
	for e := 1; e < cfg.Epochs && stop == 0; e++ {
		if e-full.History[:e].Best().Epoch >= 2 {
			stop = e
		}
	}
	if stop == 0 {
		t.Fatalf("the full run's test accuracy never stalls for 2 epochs: %+v; choose another configuration", full.History)
	}
	cfg.EarlyStop = 2
	dir := t.TempDir()
	res, err := Run(context.Background(), cfg, d, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.History) != stop || !res.StoppedEarly || !res.Summary().StoppedEarly {
		t.Fatalf("stopped after %d epochs (early: %v), want %d", len(res.History), res.StoppedEarly, stop)
	}
	m, err := modeljson.ReadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	var training Config
	var summary Summary
	if err := json.Unmarshal(m.Training, &training); err != nil || json.Unmarshal(m.Metrics, &summary) != nil {
		t.Fatal(err)
	}
	if !training.Equal(cfg) || !summary.StoppedEarly || summary.Epochs != stop {
		t.Fatalf("model.json records %+v, %+v", training, summary)
	}
	// best/ holds the weights of the best epoch: they evaluate to its accuracy
	p, _, err := modeljson.Load(filepath.Join(dir, BestDir))
	if err != nil {
		t.Fatal(err)
	}
	ev := graph.NewEvaluator(p, 0)
	defer ev.Close()
	test := d.Test.Head(cfg.TestLimit)
	_, acc, err := ev.Evaluate(test.Images, test.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if b := res.History.Best(); acc != b.TestAcc || b.Epoch == stop {
		t.Fatalf("best/ weights: test accuracy %v, want %v of epoch %d (stopped at %d)", acc, b.TestAcc, b.Epoch, stop)
	}
	// a stopped run resumes as finished
	again, err := Resume(context.Background(), d, Options{Dir: dir})
	if err != nil || len(again.History) != stop || !again.StoppedEarly {
		t.Fatalf("resume of a stopped run: %v, %d epochs", err, len(again.History))
	}
}

func TestCheckRunDir(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := resumeConfig(SGD)
	cfg.Epochs, cfg.TrainLimit = 1, 500
	dir := t.TempDir()
	if err := CheckRunDir(filepath.Join(dir, "new"), false); err != nil {
		t.Errorf("new directory: %v", err)
	}
	if err := CheckRunDir(dir, false); err != nil {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := Run(context.Background(), cfg, d, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	want := "-out " + dir + " already holds a run (checkpoint.bin): continue it with 'perceptron train -resume " + dir + "', choose another -out, or pass -force to write into it"
	if err := CheckRunDir(dir, false); err == nil || err.Error() != want {
		t.Errorf("run directory: %v, want %q", err, want)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if err := CheckRunDir(dir, true); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "notes.txt" {
		t.Errorf("after -force the directory holds %v, want only notes.txt", entries)
	}
	if err := CheckRunDir(dir, false); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("directory with other files: %v", err)
	}
}
