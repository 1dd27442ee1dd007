package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shortRun is a quick Adam run: 3000 images in 188 steps per epoch (small
// batches, so that training, not evaluation, takes most of the time).
var shortRun = []string{"train", "-optimizer", "adam", "-activation", "relu", "-hidden", "16", "-batch", "16",
	"-epochs", "5", "-seed", "3", "-train-limit", "3000", "-test-limit", "1000", "-save-best", "-quiet"}

// Ctrl-C during a run: the test sends itself SIGINT at a random moment after
// the first epoch; the command writes a checkpoint and says how to resume;
// -resume finishes the run with the same numbers as a run never interrupted.
func TestTrainInterruptAndResume(t *testing.T) {
	dir, whole := filepath.Join(t.TempDir(), "run"), filepath.Join(t.TempDir(), "whole")
	if code, _, errOut := perceptron(t, append(shortRun, "-out", whole)...); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, errOut)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	delay := time.Duration(rand.IntN(150)) * time.Millisecond
	sent := make(chan bool, 1)
	go func() {
		// after the first epoch's checkpoint, wait a random moment, then Ctrl-C
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, "checkpoint.bin")); err == nil {
				time.Sleep(delay)
				syscall.Kill(os.Getpid(), syscall.SIGINT)
				sent <- true
				return
			}
		}
		sent <- false
	}()
	var out, errOut bytes.Buffer
	code := run(ctx, append(shortRun, "-out", dir), &out, &errOut)
	if !<-sent {
		t.Fatal("no checkpoint appeared")
	}
	if code == 0 {
		t.Skipf("the run finished before SIGINT arrived (%v after the first checkpoint)", delay)
	}
	msg := regexp.MustCompile(`^perceptron train: interrupted at epoch (\d) after step (\d+) of 188; checkpoint saved in (.+); continue it with: perceptron train -resume (.+)\n$`)
	m := msg.FindStringSubmatch(errOut.String())
	if code != 1 || m == nil || m[3] != dir || m[4] != dir || out.Len() != 0 {
		t.Fatalf("exit %d, stderr %q, stdout %q; want exit 1 and how to resume", code, errOut.String(), out.String())
	}
	t.Logf("SIGINT %v after the first checkpoint: interrupted at epoch %s after step %s", delay, m[1], m[2])
	stop()

	if code, _, errOut := perceptron(t, "train", "-resume", dir, "-lr", "0.1"); code != 2 ||
		!strings.Contains(errOut, "-resume continues the run with the configuration and directory of its checkpoint: drop -lr") {
		t.Fatalf("-resume with -lr: exit %d, %s", code, errOut)
	}
	code, stdout, stderr := perceptron(t, "train", "-resume", dir, "-json")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "resuming "+dir+" at epoch "+m[1]+", step "+m[2]) {
		t.Errorf("resume says %q", stderr)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || s["epochs"] != 5.0 {
		t.Fatalf("resume summary %s (%v)", stdout, err)
	}
	sameRunFiles(t, whole, dir)
}

// sameRunFiles compares two run directories, epoch times aside.
func sameRunFiles(t *testing.T, a, b string) {
	t.Helper()
	for _, f := range []string{"w1.npy", "b1.npy", "w2.npy", "b2.npy", "best/w1.npy", "best/b2.npy"} {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs (%v, %v)", f, err1, err2)
		}
	}
	metrics := func(dir string) string {
		b, err := os.ReadFile(filepath.Join(dir, "metrics.csv"))
		if err != nil {
			t.Fatal(err)
		}
		// drop the last column, epoch_seconds
		return regexp.MustCompile(`(?m),[^,\n]*$`).ReplaceAllString(string(b), "")
	}
	if x, y := metrics(a), metrics(b); x != y || strings.Count(x, "\n") != 6 {
		t.Errorf("metrics differ:\n%s\nwant\n%s", y, x)
	}
	model := func(dir string) map[string]any {
		b, err := os.ReadFile(filepath.Join(dir, "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		delete(m["metrics"].(map[string]any), "train_seconds")
		delete(m["metrics"].(map[string]any), "run_dir")
		return m
	}
	x, _ := json.Marshal(model(a))
	y, _ := json.Marshal(model(b))
	if !bytes.Equal(x, y) {
		t.Errorf("model.json differs:\n%s\nwant\n%s", y, x)
	}
}

func TestTrainDivergesWithHugeLR(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	// relu units and a learning rate of 1e30: the weights overflow to ±Inf by
	// the second step (sigmoid saturates instead and its loss stays finite)
	code, out, errOut := perceptron(t, "train", "-lr", "1e30", "-activation", "relu", "-epochs", "2",
		"-train-limit", "1000", "-test-limit", "200", "-quiet", "-out", dir)
	want := regexp.MustCompile(`^perceptron train: training diverged: loss is (NaN|\+Inf) at epoch 1, step \d+; try a smaller learning rate than -lr 1e\+30\n$`)
	if code != 1 || !want.MatchString(errOut) || out != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q; want exit 1 and the divergence message", code, errOut, out)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("a run that diverged in its first epoch left its directory %s (holding %v)", dir, entries)
	}
	// a directory that was there before stays
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := perceptron(t, "train", "-lr", "1e30", "-activation", "relu", "-epochs", "2",
		"-train-limit", "1000", "-test-limit", "200", "-quiet", "-out", dir); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("a diverged run removed the directory it was given: %v", err)
	}
}

func TestTrainRefusesToOverwrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"train", "-epochs", "1", "-train-limit", "500", "-test-limit", "100", "-quiet", "-out", dir}
	if code, _, errOut := perceptron(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, out, errOut := perceptron(t, append(args, "-lr", "0.1")...)
	want := "perceptron train: -out " + dir + " already holds a run (checkpoint.bin): continue it with 'perceptron train -resume " + dir + "', choose another -out, or pass -force to write into it\n"
	if code != 1 || errOut != want || out != "" {
		t.Fatalf("exit %d, stderr %q; want %q", code, errOut, want)
	}
	if code, _, errOut := perceptron(t, append(args, "-lr", "0.1", "-force")...); code != 0 {
		t.Fatalf("-force: exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "model.json"))
	if !strings.Contains(string(b), `"lr": 0.1`) {
		t.Error("-force did not write the new run")
	}
	// resuming a finished run prints its summary again
	code, out, errOut = perceptron(t, "train", "-resume", dir)
	if want := "run " + dir + " is already finished (sigmoid-h64-sgd-lr0.1-b100-e1-s1-n500-t100 after 1 epoch): nothing to resume\n"; code != 0 ||
		!strings.Contains(out, "run directory   "+dir) || errOut != want {
		t.Errorf("resume of a finished run: exit %d, stdout %q, stderr %q; want exit 0, the summary and %q", code, out, errOut, want)
	}
	// hostile or missing checkpoints are refused with the file's name
	ck := filepath.Join(dir, "checkpoint.bin")
	os.WriteFile(ck, []byte("perceptron-ckpt\n\x01\x00\x00\x00garbage and more garbage"), 0o644)
	if code, _, errOut := perceptron(t, "train", "-resume", dir); code != 1 ||
		errOut != "perceptron train: read "+ck+": checksum mismatch: the file is truncated or corrupt\n" {
		t.Errorf("corrupt checkpoint: exit %d, %q", code, errOut)
	}
	empty := t.TempDir()
	if code, _, errOut := perceptron(t, "train", "-resume", empty); code != 1 || !strings.Contains(errOut, filepath.Join(empty, "checkpoint.bin")+": no such file") {
		t.Errorf("no checkpoint: exit %d, %q", code, errOut)
	}
}
