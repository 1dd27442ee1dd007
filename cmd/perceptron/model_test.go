package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/train"
)

// TestPredictNamesModelAndRecommendsPreset checks that predict says which
// model it uses and, for photos, recommends the handwriting preset unless
// the model was trained from it.
func TestPredictNamesModelAndRecommendsPreset(t *testing.T) {
	p, err := graph.NewParams(graph.NewArch([]int{16}, graph.Sigmoid), 1)
	if err != nil {
		t.Fatal(err)
	}
	save := func(name string, cfg train.Config) string {
		dir := filepath.Join(t.TempDir(), name)
		m, err := modeljson.NewModel(p, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := modeljson.Save(dir, p, m); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	preset := train.DefaultConfig()
	preset.Preset = photoPreset
	plain, recommended := save("plain", train.DefaultConfig()), save("preset", preset)
	photo := filepath.Join("..", "..", "docs", "hidden_units.png") // any picture: predict reads it
	const advice = "for photos of handwriting, the recommended model is trained by 'perceptron train -preset handwriting'\n"
	for _, tc := range []struct {
		dir, line string
		advice    bool
	}{
		{plain, "model " + plain + ": 784 → 16 → 10, sigmoid, softmax\n", true},
		{recommended, "model " + recommended + ": 784 → 16 → 10, sigmoid, softmax, preset handwriting\n", false},
	} {
		code, _, stderr := perceptron(t, "predict", "-model", tc.dir, photo)
		if code != 0 {
			t.Fatalf("predict -model %s: exit %d\n%s", tc.dir, code, stderr)
		}
		if !strings.Contains(stderr, tc.line) {
			t.Errorf("predict -model %s: stderr does not name the model as %q:\n%s", tc.dir, tc.line, stderr)
		}
		if strings.Contains(stderr, advice) != tc.advice {
			t.Errorf("predict -model %s: advice shown %v, want %v:\n%s", tc.dir, !tc.advice, tc.advice, stderr)
		}
	}
}
