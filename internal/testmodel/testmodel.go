// Package testmodel gives tests a good model: the network of the default
// training configuration (96.87% on the test set), trained once per test
// binary, about 10 s.
package testmodel

import (
	"context"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"path/filepath"
	"sync"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/train"
)

var (
	once sync.Once
	res  *train.Result
	err  error
)

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
