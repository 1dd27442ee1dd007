package train

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/modeljson"
)

// augmentConfig is a short augmented run: 3050 images (30 full batches of
// 100 and one of 50), 2 epochs.
func augmentConfig(elastic bool) Config {
	cfg := Config{Hidden: graph.Sizes{24}, Activation: graph.ReLU, Optimizer: Adam, LR: 0.002, Batch: 100, Epochs: 2, Seed: 9,
		TrainLimit: 3050, TestLimit: 500, Augment: augment.Default()}
	if elastic {
		cfg.Augment.Elastic = augment.DefaultElastic
	}
	return cfg
}

func sameWeights(a, b *graph.Params) bool {
	for i, t := range a.Tensors() {
		wa, wb := graph.F32(t), graph.F32(b.Tensors()[i])
		for j := range wa {
			if math.Float32bits(wa[j]) != math.Float32bits(wb[j]) {
				return false
			}
		}
	}
	return true
}

func TestAugmentSameSeedSameBits(t *testing.T) {
	d := testenv.MNIST(t)
	for _, elastic := range []bool{false, true} {
		cfg := augmentConfig(elastic)
		t.Run(cfg.Name(), func(t *testing.T) {
			a, err := Run(context.Background(), cfg, d, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := Run(context.Background(), cfg, d, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !sameWeights(a.Params, b.Params) {
				t.Fatal("the same seed gave different weights")
			}
			// on one core the worker takes no part of the batches: each
			// image's distortion does not depend on who made it
			prev := runtime.GOMAXPROCS(1)
			c, err := Run(context.Background(), cfg, d, Options{})
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatal(err)
			}
			if !sameWeights(a.Params, c.Params) {
				t.Fatal("GOMAXPROCS 1 gave other weights than 2")
			}
			plain := cfg
			plain.Augment = augment.Recipe{}
			p, err := Run(context.Background(), plain, d, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if sameWeights(a.Params, p.Params) {
				t.Fatal("augmentation changed nothing")
			}
			other := cfg
			other.Seed++
			o, err := Run(context.Background(), other, d, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if o.Final().TrainLoss == a.Final().TrainLoss {
				t.Fatal("another seed gave the same training loss")
			}
			// learning still works: distorted digits are still digits
			if f := a.Final(); f.TestAcc < 0.7 {
				t.Fatalf("test accuracy %.4f after 2 augmented epochs on 3050 images, want ≥ 0.7", f.TestAcc)
			}
		})
	}
}

func TestAugmentResumeIsIdentical(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := resumeConfig(Adam)
	cfg.Augment = augment.Default()
	cfg.Augment.Elastic = augment.DefaultElastic
	whole := t.TempDir()
	want, err := Run(context.Background(), cfg, d, Options{Dir: whole})
	if err != nil {
		t.Fatal(err)
	}
	// interrupt in the middle of epoch 2 (47 steps an epoch), then within
	// epoch 3, resuming after each
	dir := t.TempDir()
	var got *Result
	for i, at := range []int{47 + 20, 40, math.MaxInt} {
		ctx, cancel := context.WithCancel(context.Background())
		opts := cancelAt(dir, at, cancel)
		if i == 0 {
			got, err = Run(ctx, cfg, d, opts)
		} else {
			got, err = Resume(ctx, d, opts)
		}
		cancel()
		var ie *InterruptedError
		if at == math.MaxInt {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if !errors.As(err, &ie) {
			t.Fatalf("interruption %d: %v", i+1, err)
		}
		t.Logf("interrupted at epoch %d after step %d", ie.Epoch, ie.Step)
	}
	compareRuns(t, want, got, whole, dir)
	ck, err := ReadCheckpoint(dir + "/" + CheckpointFile)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Config.Augment != cfg.Augment {
		t.Fatalf("checkpoint's recipe %+v, want %+v", ck.Config.Augment, cfg.Augment)
	}
}

func TestModelJSONRecordsAugmentation(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := augmentConfig(true)
	cfg.Epochs, cfg.TrainLimit, cfg.Preset = 1, 500, "handwriting"
	dir := t.TempDir()
	if _, err := Run(context.Background(), cfg, d, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	m, err := modeljson.ReadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		Hidden  int                        `json:"hidden"`
		Augment map[string]float64         `json:"augment"`
		Preset  string                     `json:"preset"`
		Other   map[string]json.RawMessage `json:"-"`
	}
	if err := json.Unmarshal(m.Training, &tr); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"rotate_degrees": 12, "scale": 0.12, "aspect": 0.1, "shear": 0.25, "shift_pixels": 2,
		"thicken": 1, "thin": 0.6, "elastic_pixels": augment.DefaultElastic}
	if tr.Hidden != 24 || tr.Preset != "handwriting" || len(tr.Augment) != len(want) {
		t.Fatalf("model.json training %s", m.Training)
	}
	for k, v := range want {
		if tr.Augment[k] != v {
			t.Errorf("model.json training.augment.%s = %v, want %v", k, tr.Augment[k], v)
		}
	}
	// without augmentation there is no key at all: files read as before
	plain, err := json.Marshal(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	json.Unmarshal(plain, &keys)
	for _, k := range []string{"augment", "preset"} {
		if _, ok := keys[k]; ok {
			t.Errorf("the default configuration's JSON has %q: %s", k, plain)
		}
	}
}

func TestAugmentValidate(t *testing.T) {
	cfg := augmentConfig(false)
	cfg.Augment.Rotate = -3
	if err := cfg.Validate(); err == nil || err.Error() != "-augment: augmentation rotate_degrees -3: want 0 to 180" {
		t.Fatalf("error %v", err)
	}
	if n := augmentConfig(true).Name(); n != "relu-h24-adam-lr0.002-b100-e2-s9-n3050-t500-auge" {
		t.Fatalf("name %s", n)
	}
	if !slices.ContainsFunc(Presets, func(p Preset) bool { return p.Name == "handwriting" }) {
		t.Fatal("no handwriting preset")
	}
}

// TestAugmentReadsDistortedDigits is the cheap check that augmentation
// teaches what it should: two short runs on 10,000 images, with and without
// -augment, are scored on MNIST's test digits and on the same digits
// slanted, turned, shrunk and drawn thinner or thicker (fixed distortions at
// the edges of the recipe's ranges). The augmented network must read the
// distorted digits better, and the clean ones about as well.
func TestAugmentReadsDistortedDigits(t *testing.T) {
	if testing.Short() {
		t.Skip("two training runs")
	}
	d := testenv.MNIST(t)
	cfg := Config{Hidden: graph.Sizes{64}, Activation: graph.ReLU, Optimizer: Adam, LR: 0.002, Batch: 100, Epochs: 8, Seed: 1,
		TrainLimit: 10000, TestLimit: 2000}
	test := d.Test.Head(cfg.TestLimit)
	distorted := make([]float32, len(test.Images))
	var z augment.Distorter
	for i := range test.Len() {
		k := float64(i%4) - 1.5 // -1.5, -0.5, 0.5, 1.5: both directions
		dd := augment.Distortion{Rotate: 8 * k, Shear: 0.15 * k, Scale: -0.1, Thickness: 0.6 * k}
		z.Apply(distorted[i*augment.Pixels:(i+1)*augment.Pixels], test.Image(i), &dd)
	}
	score := func(cfg Config) (clean, dist float64) {
		res, err := Run(context.Background(), cfg, d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ev := graph.NewEvaluator(res.Params, 0)
		defer ev.Close()
		_, dist, err = ev.Evaluate(distorted, test.Labels)
		if err != nil {
			t.Fatal(err)
		}
		return res.Final().TestAcc, dist
	}
	pc, pd := score(cfg)
	cfg.Augment = augment.Default()
	ac, ad := score(cfg)
	t.Logf("plain: clean %.4f, distorted %.4f; augmented: clean %.4f, distorted %.4f", pc, pd, ac, ad)
	if ad < pd+0.01 || ac < pc-0.015 {
		t.Fatalf("augmented reads distorted digits %.4f (plain %.4f) and clean ones %.4f (plain %.4f): "+
			"want ≥ 1 point better on the distorted, at most 1.5 points worse on the clean", ad, pd, ac, pc)
	}
}
