package main

import (
	"encoding/json"
	"errors"
	"fmt"
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
		{[]string{"bench", "-activation", "softsign"}, 2, "perceptron bench: -activation \"softsign\": want sigmoid, relu or tanh\n" + benchHint},
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
	out := runBenchNumpy(t, py, env, "--perceptron", bin, "--epochs", "1", "--rounds", "2", "--json")
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

// TestBenchNumpyScriptRefusesBadCounts: a count below 1 (or a list item
// that is not a size) is refused with exit status 2, naming the flag,
// before any work.
func TestBenchNumpyScriptRefusesBadCounts(t *testing.T) {
	py := testenv.NeedPython(t, "numpy")
	for _, tc := range []struct{ flag, value, want string }{
		{"--rounds", "0", "--rounds 0: want at least 1"},
		{"--epochs", "0", "--epochs 0: want at least 1"},
		{"--evals", "0", "--evals 0: want at least 1"},
		{"--hidden", "20,0", "--hidden 20,0: '0': want at least 1 neuron per layer"},
		{"--hidden", "20,512+x", "--hidden 20,512+x: '512+x' is not a size or sizes joined by +"},
		{"--batch", "100,0", "--batch 0: want at least 1"},
		{"--batch", "100,", "--batch 100,: '' is not a number"},
		{"--dropout", "1", "--dropout 1.0: want 0 <= rate < 1"},
	} {
		cmd := exec.Command(py, "../../scripts/bench_numpy.py", tc.flag, tc.value)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s %s: %v\n%s\nwant %q", tc.flag, tc.value, err, out, tc.want)
		}
	}
}

// TestBenchNumpyScriptLists runs scripts/bench_numpy.py over two networks
// and two batch sizes (one round, one timed epoch) and checks that every
// cell has numpy's times and the binary's, with their ratios, in the order
// of the lists.
func TestBenchNumpyScriptLists(t *testing.T) {
	if testing.Short() {
		t.Skip("trains full epochs in numpy and Go")
	}
	py := testenv.NeedPython(t, "numpy")
	bin, env := asCommand(t)
	out := runBenchNumpy(t, py, env, "--perceptron", bin, "--hidden", "16,24", "--batch", "600,1000", "--epochs", "1", "--rounds", "1", "--json")
	var r struct {
		Cells []struct {
			Network    string  `json:"network"`
			Batch      int     `json:"batch"`
			Numpy      float64 `json:"numpy_seconds_per_epoch"`
			NumpyEval  float64 `json:"numpy_eval_seconds"`
			Perceptron []struct {
				Seconds   float64   `json:"seconds_per_epoch"`
				Ratios    []float64 `json:"ratios_to_numpy"`
				EvalRatio float64   `json:"eval_ratio_to_numpy"`
				Config    struct {
					Batch int `json:"batch"`
				} `json:"config"`
			}
		}
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var got []string
	for _, c := range r.Cells {
		got = append(got, fmt.Sprintf("%s/%d", c.Network, c.Batch))
		if !(c.Numpy > 0) || !(c.NumpyEval > 0) || len(c.Perceptron) != 1 {
			t.Errorf("%s batch %d: numpy %v s, forward %v s, %d binaries", c.Network, c.Batch, c.Numpy, c.NumpyEval, len(c.Perceptron))
			continue
		}
		p := c.Perceptron[0]
		if !(p.Seconds > 0) || len(p.Ratios) != 1 || !(p.EvalRatio > 0) || p.Config.Batch != c.Batch {
			t.Errorf("%s batch %d: perceptron %+v", c.Network, c.Batch, p)
		}
	}
	if want := "[784-16-10/600 784-16-10/1000 784-24-10/600 784-24-10/1000]"; fmt.Sprint(got) != want {
		t.Errorf("cells %v, want %s", got, want)
	}
}

// runBenchNumpy runs scripts/bench_numpy.py with args and returns its
// standard output; it fails the test, with the script's stderr, if the
// script fails.
func runBenchNumpy(t *testing.T, py string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(py, append([]string{"../../scripts/bench_numpy.py"}, args...)...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return out
}
