package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
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
	const benchHint = "run 'perceptron bench -h' for the flags\n"
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bench", "-evals", "0"}, 2, "perceptron bench: -evals 0: want at least 1\n" + benchHint},
		{[]string{"bench", "-epochs", "0"}, 2, "perceptron bench: -epochs 0: want at least 1\n" + benchHint},
		{[]string{"bench", "-activation", "tanh"}, 2, "perceptron bench: -activation \"tanh\": want sigmoid or relu\n" + benchHint},
		{[]string{"bench", "extra"}, 2, "perceptron bench: unexpected argument \"extra\"\n" + benchHint},
	} {
		code, _, stderr := perceptron(t, tc.args...)
		if code != tc.code || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// TestBenchNumpyScript runs scripts/bench_numpy.py on the command (one
// timed epoch, two rounds) and checks its JSON: numpy's time, and for the
// binary a time, its ratio to numpy within each round, and the median.
func TestBenchNumpyScript(t *testing.T) {
	if testing.Short() {
		t.Skip("trains full epochs in numpy and Go")
	}
	py := testenv.NeedPython(t, "numpy")
	bin, env := asCommand(t)
	cmd := exec.Command(py, "../../scripts/bench_numpy.py", "--perceptron", bin, "--epochs", "1", "--rounds", "2", "--json")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var r struct {
		Numpy      float64 `json:"numpy_seconds_per_epoch"`
		Rounds     []map[string]any
		Perceptron []struct {
			Seconds float64   `json:"seconds_per_epoch"`
			Ratio   float64   `json:"ratio_to_numpy"`
			Ratios  []float64 `json:"ratios_to_numpy"`
			BLAS    string    `json:"blas"`
		}
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if !(r.Numpy > 0) || len(r.Rounds) != 2 || len(r.Perceptron) != 1 {
		t.Fatalf("numpy %v s/epoch, %d rounds, %d binaries; want a time, 2 rounds, 1 binary:\n%s", r.Numpy, len(r.Rounds), len(r.Perceptron), out)
	}
	p := r.Perceptron[0]
	if !(p.Seconds > 0) || len(p.Ratios) != 2 || p.BLAS == "" {
		t.Fatalf("perceptron: %+v; want a time, 2 ratios and the BLAS", p)
	}
	if p.Ratio != min(p.Ratios[0], p.Ratios[1]) {
		t.Errorf("ratio %v is not the lower median of the rounds' %v", p.Ratio, p.Ratios)
	}
}

// TestBenchNumpyScriptRefusesBadCounts: a count below 1 is refused with
// exit status 2, naming the flag, before any work.
func TestBenchNumpyScriptRefusesBadCounts(t *testing.T) {
	py := testenv.NeedPython(t, "numpy")
	for _, flag := range []string{"--rounds", "--epochs"} {
		cmd := exec.Command(py, "../../scripts/bench_numpy.py", flag, "0")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), flag+" 0: want at least 1") {
			t.Errorf("%s 0: %v\n%s", flag, err, out)
		}
	}
}
