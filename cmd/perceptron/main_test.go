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

// Every command follows one convention: exit 2 and two lines on stderr (the
// mistake, and where the flags are listed) for anything wrong on the command
// line, whether it does not parse or is out of range; exit 1 for a failure
// while working.
func TestTrainRefusesBadFlags(t *testing.T) {
	const hint = "run 'perceptron train -h' for the flags\n"
	tests := []struct {
		args []string
		code int
		want string // all of stderr
	}{
		{[]string{"train", "-batch", "0"}, 2, "perceptron train: -batch 0: want at least 1\n" + hint},
		{[]string{"train", "-ensemble", "0"}, 2, "perceptron train: -ensemble 0: want 1 to 16 networks\n" + hint},
		{[]string{"train", "-ensemble", "17"}, 2, "perceptron train: -ensemble 17: want 1 to 16 networks\n" + hint},
		{[]string{"train", "-ensemble", "2", "-save-best"}, 2, "perceptron train: -ensemble 2: -save-best keeps one network's best epoch, not an ensemble's\n" + hint},
		{[]string{"train", "-ensemble", "3", "-early-stop", "2"}, 2, "perceptron train: -ensemble 3: the members train in step, epoch by epoch: drop -early-stop\n" + hint},
		{[]string{"train", "-ensemble", "16", "-hidden", "8192"}, 2, "perceptron train: -ensemble 16 of -hidden 8192: the merged network: hidden size 131072: want 1 to 65536 neurons\n" + hint},
		{[]string{"train", "-lr", "-0.5"}, 2, "perceptron train: -lr -0.5: want a positive learning rate\n" + hint},
		{[]string{"train", "-lr", "-1"}, 2, "perceptron train: -lr -1: want a positive learning rate\n" + hint},
		{[]string{"train", "-lr", "0"}, 2, "perceptron train: -lr 0: want a positive learning rate\n" + hint},
		{[]string{"train", "-lr", "abc"}, 2, "perceptron train: invalid value \"abc\" for flag -lr: parse error\n" + hint},
		{[]string{"train", "-optimizer", "nesterov"}, 2, "perceptron train: -optimizer \"nesterov\": want sgd, adam, momentum or rmsprop\n" + hint},
		{[]string{"train", "-hidden", "64+"}, 2, "perceptron train: -hidden 64+: layer 2 has no size; write sizes joined by +, such as 512+256\n" + hint},
		{[]string{"train", "-hidden", "0+10"}, 2, "perceptron train: -hidden 0+10: layer 1 has 0 neurons, want 1 to 65536\n" + hint},
		{[]string{"train", "-dropout", "1"}, 2, "perceptron train: -dropout 1: want a rate from 0 up to, not including, 1\n" + hint},
		{[]string{"train", "-dropout", "-0.1"}, 2, "perceptron train: -dropout -0.1: want a rate from 0 up to, not including, 1\n" + hint},
		{[]string{"train", "-l2", "-1"}, 2, "perceptron train: -l2 -1: want 0 (none) or a positive factor\n" + hint},
		{[]string{"train", "-optimizer", "momentum", "-momentum", "1.5"}, 2, "perceptron train: -momentum 1.5: want 0 ≤ momentum < 1\n" + hint},
		{[]string{"train", "-momentum", "1.5"}, 2, "perceptron train: -momentum 1.5: want 0 ≤ momentum < 1\n" + hint},
		{[]string{"train", "-momentum", "0.5"}, 2, "perceptron train: -momentum 0.5: only -optimizer momentum uses it, not sgd\n" + hint},
		{[]string{"train", "-activation", "softsign"}, 2, "perceptron train: -activation \"softsign\": want sigmoid, relu or tanh\n" + hint},
		{[]string{"train", "-epochs", "0"}, 2, "perceptron train: -epochs 0: want at least 1\n" + hint},
		{[]string{"train", "-hidden", "-3"}, 2, "perceptron train: -hidden -3: want 1 to 65536 neurons\n" + hint},
		{[]string{"train", "-batch", "ten"}, 2, "perceptron train: invalid value \"ten\" for flag -batch: parse error\n" + hint},
		{[]string{"train", "-nonsense"}, 2, "perceptron train: flag provided but not defined: -nonsense\n" + hint},
		{[]string{"train", "extra"}, 2, "perceptron train: unexpected argument \"extra\"\n" + hint},
		{[]string{"train", "-data", "/nonexistent"}, 1, "perceptron train: MNIST data not found in /nonexistent (from -data)"},
		{[]string{"frobnicate"}, 2, "perceptron: unknown command \"frobnicate\"\nrun 'perceptron help' for the commands\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := perceptron(t, append(tc.args, "-out", filepath.Join(dir, "run"))...)
			if tc.code == 1 && strings.HasPrefix(errOut, tc.want) {
				errOut = tc.want // the rest names the places looked in
			}
			if code != tc.code || errOut != tc.want || out != "" {
				t.Fatalf("exit %d, stderr %q, stdout %q; want exit %d and %q", code, errOut, out, tc.code, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "run")); err == nil {
				t.Fatal("a refused run created its run directory")
			}
		})
	}
}

// The same convention holds for the other commands' flags.
func TestUsageConventionOfEveryCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the first line of stderr
	}{
		{[]string{"sweep", "-jobs", "0"}, "-jobs 0: want at least 1"},
		{[]string{"sweep", "-hidden", "5,x"}, `-hidden "5,x": "x" is not a whole number of neurons`},
		{[]string{"exercise", "-jobs", "0"}, "-jobs 0: want at least 1"},
		{[]string{"predict", "-first", "-2", "-model", "m"}, "-first -2: want a number of test images"},
		{[]string{"predict"}, "-model DIR is required"},
		{[]string{"eval", "-wrong", "-1", "-model", "m"}, "-wrong -1: want 0 or more"},
		{[]string{"plot"}, "no run directory given"},
		{[]string{"serve", "-max-bytes", "0", "-model", "m"}, "-max-bytes 0: want at least 1"},
		{[]string{"data", "x"}, `unexpected argument "x"`},
		{[]string{"summary", "-batch", "q"}, `invalid value "q" for flag -batch: parse error`},
		{[]string{"bench", "-evals", "0"}, "-evals 0: want at least 1"},
	} {
		code, out, errOut := perceptron(t, tc.args...)
		want := "perceptron " + tc.args[0] + ": " + tc.want + "\nrun 'perceptron " + tc.args[0] + " -h' for the flags\n"
		if code != 2 || errOut != want || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 and %q", tc.args, code, errOut, out, want)
		}
	}
}

// Help that was asked for goes to stdout with exit 0.
func TestHelpOnEveryCommand(t *testing.T) {
	for name := range commands {
		for _, args := range [][]string{{name, "-h"}, {name, "-help"}, {"help", name}} {
			code, out, errOut := perceptron(t, args...)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: perceptron "+name) || !strings.Contains(out, "\nFlags:\n") {
				t.Errorf("%v: exit %d, stdout %.80q, stderr %q", args, code, out, errOut)
			}
		}
	}
	code, out, errOut := perceptron(t, "help")
	if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: perceptron <command>") {
		t.Errorf("help: exit %d, stdout %.80q, stderr %q", code, out, errOut)
	}
	code, out, errOut = perceptron(t)
	if code != 2 || out != "" || !strings.HasPrefix(errOut, "Usage: perceptron <command>") {
		t.Errorf("no command: exit %d, stdout %.80q, stderr %.80q", code, out, errOut)
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
