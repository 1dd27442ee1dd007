package main

import (
	"os"
	"path/filepath"
	"testing"
)

// Every command that writes a directory refuses one that holds something
// else, with the same message, and -force overrides it.
func TestOutGuardSharedByTrainSweepExercise(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := perceptron(t, "train", "-epochs", "1", "-train-limit", "500", "-test-limit", "100",
		"-quiet", "-plots=false", "-out", dir); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	before, _ := os.ReadDir(dir)
	msg := "-out " + dir + " already holds a run (checkpoint.bin): continue it with 'perceptron train -resume " + dir +
		"', choose another -out, or pass -force to write into it\n"
	for _, args := range [][]string{
		{"train", "-epochs", "1", "-out", dir},
		{"sweep", "-epochs", "1", "-train-limit", "500", "-out", dir},
		{"exercise", "-quick", "-out", dir},
	} {
		code, out, errOut := perceptron(t, args...)
		if want := "perceptron " + args[0] + ": " + msg; code != 1 || errOut != want || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 1 and %q", args, code, errOut, out, want)
		}
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("a refused command changed the run directory: %v, was %v", after, before)
	}

	notes := t.TempDir()
	os.WriteFile(filepath.Join(notes, "notes.txt"), []byte("mine"), 0o644)
	for _, cmd := range []string{"sweep", "exercise"} {
		code, _, errOut := perceptron(t, cmd, "-out", notes)
		want := "perceptron " + cmd + ": -out " + notes + " is not empty (notes.txt): choose another -out, or pass -force to write into it\n"
		if code != 1 || errOut != want {
			t.Errorf("%s -out DIR with other files: exit %d, %q; want %q", cmd, code, errOut, want)
		}
	}
}
