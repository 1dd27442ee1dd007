package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchJSON(t *testing.T) {
	code, stdout, stderr := perceptron(t, "bench", "-json", "-activation", "relu", "-hidden", "20", "-optimizer", "adam",
		"-batch", "200", "-train-limit", "1000", "-test-limit", "200", "-epochs", "2", "-evals", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	for _, k := range []string{"seconds_per_epoch", "samples_per_second", "eval_seconds"} {
		if v, ok := r[k].(float64); !ok || !(v > 0) {
			t.Errorf("%s = %v, want a positive number", k, r[k])
		}
	}
	if b, _ := r["blas"].(string); b == "" {
		t.Errorf("blas = %v, want the BLAS's name", r["blas"])
	}
	if n, _ := r["eval_images"].(float64); n != 1200 {
		t.Errorf("eval_images = %v, want 1200", r["eval_images"])
	}
	if !strings.Contains(stderr, "epoch 2/2") || !strings.Contains(stderr, "evaluation 1/1") {
		t.Errorf("progress on stderr does not report the timed parts:\n%s", stderr)
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bench", "-evals", "0"}, 1, "perceptron bench: -evals 0: want at least 1\n"},
		{[]string{"bench", "-epochs", "0"}, 1, "perceptron bench: -epochs 0: want at least 1\n"},
		{[]string{"bench", "-activation", "tanh"}, 1, "perceptron bench: -activation \"tanh\": want sigmoid or relu\n"},
		{[]string{"bench", "extra"}, 2, "perceptron bench: unexpected argument \"extra\"\n"},
	} {
		code, _, stderr := perceptron(t, tc.args...)
		if code != tc.code || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
