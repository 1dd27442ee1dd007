package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testmodel"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/train"
)

// presetRun trains a tiny run with args and returns the configuration the
// summary reports, the one model.json records, and stderr.
func presetRun(t *testing.T, args ...string) (summary, model train.Config, stderr string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	args = append([]string{"train", "-train-limit", "300", "-test-limit", "100", "-out", dir, "-json"}, args...)
	code, out, errOut := perceptron(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s train.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stdout is not the summary: %v\n%s", err, out)
	}
	m, err := modeljson.ReadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(m.Training, &model); err != nil {
		t.Fatal(err)
	}
	return s.Config, model, errOut
}

func TestPresetHandwriting(t *testing.T) {
	p, err := train.LookupPreset("handwriting")
	if err != nil {
		t.Fatal(err)
	}
	// the preset's own flags, with only the run's length cut short
	cfg, model, stderr := presetRun(t, "-preset", "handwriting", "-epochs", "1", "-hidden", "16")
	if !strings.Contains(stderr, "preset handwriting: "+p.Args()+" (flags given beside -preset override these)\n") {
		t.Errorf("stderr does not print the preset's flags %q:\n%s", p.Args(), stderr)
	}
	want := train.DefaultConfig()
	for _, f := range p.Flags { // what the preset sets, as the flags read
		switch f[0] {
		case "activation":
			want.Activation = f[1]
		case "optimizer":
			want.Optimizer = f[1]
			want.LR = train.DefaultLR(f[1])
		case "batch":
			want.Batch = atoi(t, f[1])
		case "augment":
			want.Augment = augment.Default()
		case "elastic":
			want.Augment = augment.Default()
			want.Augment.Elastic = augment.DefaultElastic
		case "ensemble":
			want.Ensemble = atoi(t, f[1])
		}
	}
	want.Hidden, want.Epochs, want.TrainLimit, want.TestLimit, want.Preset = graph.Sizes{16}, 1, 300, 100, "handwriting"
	if !cfg.Equal(want) {
		t.Errorf("summary configuration\n%+v, want\n%+v", cfg, want)
	}
	if !model.Equal(want) {
		t.Errorf("model.json training\n%+v, want\n%+v", model, want)
	}
	// the whole preset is the configuration the tests score on photos
	full := want
	full.TrainLimit, full.TestLimit = 0, 0
	for _, f := range p.Flags {
		switch f[0] {
		case "hidden":
			if full.Hidden, err = graph.ParseSizes(f[1]); err != nil {
				t.Fatal(err)
			}
		case "epochs":
			full.Epochs = atoi(t, f[1])
		}
	}
	if !full.Equal(testmodel.PresetConfig()) {
		t.Errorf("the preset trains\n%+v, testmodel.PresetConfig is\n%+v", full, testmodel.PresetConfig())
	}

	// any flag given beside it overrides that part
	cfg, _, _ = presetRun(t, "-preset", "handwriting", "-epochs", "1", "-hidden", "8", "-augment=false",
		"-optimizer", "sgd", "-batch", "50")
	if !cfg.Augment.IsZero() || cfg.Optimizer != train.SGD || cfg.LR != 0.5 || cfg.Batch != 50 || !slices.Equal(cfg.Hidden, graph.Sizes{8}) ||
		cfg.Preset != "handwriting" {
		t.Errorf("overridden preset: %+v", cfg)
	}
	cfg, _, _ = presetRun(t, "-preset", "handwriting", "-epochs", "1", "-hidden", "8", "-elastic")
	if cfg.Augment.Elastic != augment.DefaultElastic || cfg.Augment.Rotate != augment.Default().Rotate {
		t.Errorf("-elastic beside the preset: %+v", cfg.Augment)
	}
}

func atoi(t *testing.T, s string) int {
	var n int
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPresetRefused(t *testing.T) {
	const hint = "run 'perceptron train -h' for the flags\n"
	code, out, errOut := perceptron(t, "train", "-preset", "typewriter", "-out", filepath.Join(t.TempDir(), "r"))
	if want := "perceptron train: -preset \"typewriter\": want one of handwriting\n" + hint; code != 2 || errOut != want || out != "" {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
	code, _, errOut = perceptron(t, "train", "-resume", t.TempDir(), "-preset", "handwriting")
	if code == 0 || !strings.Contains(errOut, "drop -preset") {
		t.Errorf("-resume with -preset: exit %d, %s", code, errOut)
	}
}

func TestBenchAugment(t *testing.T) {
	code, stdout, stderr := perceptron(t, "bench", "-json", "-augment", "-hidden", "20", "-train-limit", "1000",
		"-test-limit", "200", "-epochs", "2", "-evals", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r train.BenchResult
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if len(r.EpochSeconds) != 2 || len(r.PlainEpochSeconds) != 2 || len(r.AugmentRatios) != 2 || !(r.AugmentRatio > 0) ||
		r.Config.Augment != augment.Default() {
		t.Errorf("bench -augment: %s", stdout)
	}
	for _, s := range []string{"augmented 1/2", "plain 1/2", "plain 2/2", "augmented 2/2"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("progress has no %q:\n%s", s, stderr)
		}
	}
	// pair 1 runs augmented first, pair 2 plain first
	if a, p := strings.Index(stderr, "augmented 2/2"), strings.Index(stderr, "plain 2/2"); p > a {
		t.Errorf("pair 2 did not run the plain epoch first:\n%s", stderr)
	}
}
