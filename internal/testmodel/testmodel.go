// Package testmodel gives tests a good model: the network of the default
// training configuration (96.87% on the test set), trained once per test
// binary, about 10 s.
package testmodel

import (
	"context"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/compute"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/train"
)

var (
	once sync.Once
	res  *train.Result
	err  error

	presetOnce sync.Once
	presetRes  *train.Result
	presetErr  error
)

// PresetConfig is the configuration `perceptron train -preset handwriting`
// trains (its flags are train.Presets' "handwriting"; a cmd/perceptron test
// checks that the command gives the same).
func PresetConfig() train.Config {
	c := train.DefaultConfig()
	c.Hidden, c.Activation, c.Optimizer, c.LR = graph.Sizes{512}, graph.ReLU, train.Adam, train.DefaultLR(train.Adam)
	c.Batch, c.Epochs, c.Augment, c.Preset = 100, 30, augment.Default(), "handwriting"
	c.Augment.Elastic, c.Ensemble = augment.DefaultElastic, 3
	return c
}

// Preset returns the run of PresetConfig on MNIST (the recommended model for
// photographed handwriting, an ensemble of three), trained in memory once
// per test binary: six to twelve minutes on 2 cores. Its Params must not be modified. Where the
// build's matrix products are gonum's pure-Go ones (the purego tag, other
// architectures) its 30 epochs take well over ten minutes: it skips the
// test there, which the default build on amd64 runs.
func Preset(tb testing.TB) *train.Result {
	tb.Helper()
	if !compute.FastProducts() {
		tb.Skip("the preset's 30 epochs of 784-512-10 take well over ten minutes on gonum's pure-Go products (" + compute.BLAS() + "); its tests run where internal/gemm's assembly kernels or OpenBLAS do")
	}
	d := testenv.MNIST(tb)
	presetOnce.Do(func() {
		presetRes, presetErr = train.Run(context.Background(), PresetConfig(), d, train.Options{})
	})
	if presetErr != nil {
		tb.Fatal(presetErr)
	}
	return presetRes
}

// Default returns the run of train.DefaultConfig on MNIST, trained in
// memory once per test binary. Its Params must not be modified.
func Default(tb testing.TB) *train.Result {
	tb.Helper()
	d := testenv.MNIST(tb)
	once.Do(func() {
		res, err = train.Run(context.Background(), train.DefaultConfig(), d, train.Options{})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// Dir saves the default model as a run directory (weights and model.json,
// with its training configuration and summary) in a new temporary
// directory, and returns it.
func Dir(tb testing.TB) string {
	tb.Helper()
	r := Default(tb)
	dir := filepath.Join(tb.TempDir(), "model")
	m, err := modeljson.NewModel(r.Params, r.Config, r.Summary())
	if err != nil {
		tb.Fatal(err)
	}
	if err := modeljson.Save(dir, r.Params, m); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// V1Run copies into a new temporary directory, and returns, a run directory
// written by the version of perceptron before networks had several layers
// (model.json format version 1, checkpoint format version 1): `perceptron
// train -hidden 6 -activation relu -optimizer adam -epochs 4 -train-limit
// 6000 -test-limit 500 -seed 7`, interrupted during epoch 3 (after step 8),
// so its weights are those after epoch 2 and its checkpoint continues epoch
// 3. testdata/ beside it holds what that version printed for it.
func V1Run(tb testing.TB) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "v1run")
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(Testdata(tb), "v1run"))); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// What the version before several layers printed for V1Run's directory
// (with the matrix products of that time: since internal/gemm, the last
// bits of float32 results differ).
const (
	V1RunEvalAccuracy = 0.6339             // perceptron eval: on the 10000 test images
	V1RunEvalLoss     = 1.2526275996573268 // and its mean cross-entropy
	V1RunParams       = 4780               // perceptron summary: total parameters
	// train -resume finished it with this test accuracy (on its 500 test
	// images) and a w1.npy with this SHA-256, the same as uninterrupted.
	V1RunResumedTestAcc = 0.804
	V1RunResumedW1      = "ea4ce369ce2f16e11aed35bbd522f38abcb811276c006bb33c081fa7cf1a0839"
)

// Testdata returns the directory of testmodel's test data: V1Run's
// directory (v1run), and what the earlier version printed for it:
// v1run-summary.txt and v1run-summary.json (perceptron summary -model
// [-json]), v1run-predict.json (perceptron predict -model -first 20 -json).
func Testdata(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("testmodel: cannot locate its source directory")
	}
	return filepath.Join(filepath.Dir(file), "testdata")
}
