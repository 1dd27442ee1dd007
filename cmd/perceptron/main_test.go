package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// perceptron runs the command line in-process and returns its exit code and output.
func perceptron(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTrainRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "-batch", "0"}, 1, "perceptron train: -batch 0: want at least 1\n"},
		{[]string{"train", "-lr", "-0.5"}, 1, "perceptron train: -lr -0.5: want a positive learning rate\n"},
		{[]string{"train", "-lr", "0"}, 1, "perceptron train: -lr 0: want a positive learning rate\n"},
		{[]string{"train", "-optimizer", "rmsprop"}, 1, "perceptron train: -optimizer \"rmsprop\": want sgd or adam\n"},
		{[]string{"train", "-activation", "tanh"}, 1, "perceptron train: -activation \"tanh\": want sigmoid or relu\n"},
		{[]string{"train", "-epochs", "0"}, 1, "perceptron train: -epochs 0: want at least 1\n"},
		{[]string{"train", "-hidden", "-3"}, 1, "perceptron train: -hidden -3: want 1 to 65536 neurons\n"},
		{[]string{"train", "-batch", "ten"}, 2, `invalid value "ten" for flag -batch`},
		{[]string{"train", "-nonsense"}, 2, "flag provided but not defined: -nonsense"},
		{[]string{"train", "extra"}, 2, `perceptron train: unexpected argument "extra"`},
		{[]string{"train", "-data", "/nonexistent"}, 1, "MNIST data not found in /nonexistent (from -data)"},
		{[]string{"frobnicate"}, 2, `perceptron: unknown command "frobnicate"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := perceptron(t, append(tc.args, "-out", filepath.Join(dir, "run"))...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || out != "" {
				t.Fatalf("exit %d, stderr %q, stdout %q; want exit %d and %q", code, errOut, out, tc.code, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "run")); err == nil {
				t.Fatal("a refused run created its run directory")
			}
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for name := range commands {
		code, out, errOut := perceptron(t, name, "-h")
		if code != 0 || out != "" || !strings.HasPrefix(errOut, "Usage: perceptron "+name) {
			t.Errorf("%s -h: exit %d, stdout %q, stderr %.80q", name, code, out, errOut)
		}
	}
}

func TestTrainJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, out, errOut := perceptron(t, "train", "-epochs", "1", "-train-limit", "2000", "-test-limit", "1000",
		"-optimizer", "adam", "-out", dir, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"run_dir", "train_acc", "test_acc", "train_seconds"} {
		if _, ok := s[k]; !ok {
			t.Errorf("summary has no %q: %s", k, out)
		}
	}
	if s["run_dir"] != dir {
		t.Errorf("run_dir %v, want %s", s["run_dir"], dir)
	}
	if acc := s["test_acc"].(float64); acc <= 0.1 || acc > 1 {
		t.Errorf("test_acc %v, want a fraction above chance", acc)
	}
	if lr := s["config"].(map[string]any)["lr"]; lr != 0.001 {
		t.Errorf("adam without -lr trained with lr %v, want Keras's 0.001", lr)
	}
	for _, f := range []string{"metrics.csv", "history.json", "model.json", "w1.npy", "b1.npy", "w2.npy", "b2.npy"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run directory: %v", err)
		}
	}
}

// TestMain lets the test binary act as the perceptron command when
// PERCEPTRON_TEST_AS_COMMAND is set, for tests that run scripts which call
// the command as a program.
func TestMain(m *testing.M) {
	if os.Getenv("PERCEPTRON_TEST_AS_COMMAND") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// asCommand returns the path of a program that runs as the perceptron
// command (this test binary), and the environment that makes it do so.
func asCommand(t *testing.T) (path string, env []string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// the scripts run "BINARY bench …": a link named perceptron reads better in their output
	path = filepath.Join(t.TempDir(), "perceptron")
	if err := os.Symlink(exe, path); err != nil {
		t.Fatal(err)
	}
	return path, append(os.Environ(), "PERCEPTRON_TEST_AS_COMMAND=1")
}
