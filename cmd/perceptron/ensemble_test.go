package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/train"
)

// ensembleRun is a quick ensemble of two: 500 images, 2 epochs.
var ensembleRun = []string{"train", "-ensemble", "2", "-optimizer", "adam", "-activation", "relu", "-hidden", "8",
	"-batch", "50", "-epochs", "2", "-seed", "4", "-train-limit", "500", "-test-limit", "200", "-quiet"}

// An ensemble trained from the command line is one network in its run
// directory (its members in members/), predicts and evaluates as any, and
// continues after an interruption, from -resume or from the same command, to
// the same bits.
func TestTrainEnsemble(t *testing.T) {
	whole := filepath.Join(t.TempDir(), "whole")
	if code, _, errOut := perceptron(t, append(ensembleRun, "-out", whole)...); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"model.json", "w1.npy", "metrics.csv", "members/ensemble.json", "members/1/w1.npy", "members/2/checkpoint.bin"} {
		if _, err := os.Stat(filepath.Join(whole, f)); err != nil {
			t.Error(err)
		}
	}
	img := filepath.Join(t.TempDir(), "seven.png")
	if err := infer.WritePNG(img, testenv.MNIST(t).Test.Image(0)); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := perceptron(t, "predict", "-model", whole, img)
	if want := "model " + whole + ": 784 → 16 → 10, relu, softmax, 2 networks averaged, test accuracy "; code != 0 || !strings.Contains(errOut, want) {
		t.Errorf("predict: exit %d, stderr %q, want %q", code, errOut, want)
	}
	code, out, _ = perceptron(t, append(ensembleRun, "-out", whole)...)
	if code != 0 || !strings.Contains(out, "is already finished (2 epochs") {
		t.Errorf("the same command again: exit %d: %s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.MkdirAll(filepath.Join(bad, "members"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "members", "ensemble.json"), []byte("{\"config\": 7"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = perceptron(t, "train", "-resume", bad)
	if want := "members/ensemble.json: unexpected end of JSON input"; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("-resume of a truncated ensemble.json: exit %d, stderr %q, want %q", code, errOut, want)
	}
	w1, err := os.ReadFile(filepath.Join(whole, "w1.npy"))
	if err != nil {
		t.Fatal(err)
	}

	// interrupt one in member 2's first epoch (10 steps an epoch), then
	// continue it both ways
	var cfg train.Config
	for _, how := range []string{"-resume", "again"} {
		dir := filepath.Join(t.TempDir(), "run")
		if cfg.Epochs == 0 {
			if code, out, errOut := perceptron(t, append(ensembleRun, "-out", dir, "-json")...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			} else if !strings.Contains(out, `"ensemble":2`) {
				t.Fatalf("-json summary: %s", out)
			}
			var err error
			if cfg, err = train.ReadEnsemble(dir); err != nil {
				t.Fatal(err)
			}
			os.RemoveAll(dir)
		}
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		_, err := train.Run(ctx, cfg, testenv.MNIST(t), train.Options{Dir: dir, OnStep: func(_, _, _ int, _ float32) {
			if n++; n == 14 {
				cancel()
			}
		}})
		cancel()
		if ie := (*train.InterruptedError)(nil); !errors.As(err, &ie) {
			t.Fatalf("interrupted: %v", err)
		}
		args := append(ensembleRun, "-out", dir)
		if how == "-resume" {
			args = []string{"train", "-resume", dir, "-quiet"}
		}
		var errOut bytes.Buffer
		if code := run(context.Background(), args, &bytes.Buffer{}, &errOut); code != 0 {
			t.Fatalf("%s: exit %d: %s", how, code, errOut.String())
		}
		got, err := os.ReadFile(filepath.Join(dir, "w1.npy"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, w1) {
			t.Errorf("continued with %s: w1.npy differs from the uninterrupted ensemble's", how)
		}
	}
}
