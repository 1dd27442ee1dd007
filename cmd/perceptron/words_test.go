package main

import (
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/infer"
)

// serve -h names every format the server reads, and the multipart form.
func TestServeHelpNamesFormats(t *testing.T) {
	code, out, _ := perceptron(t, "serve", "-h")
	if code != 0 || !strings.Contains(out, "an image ("+infer.Formats+")") || !strings.Contains(out, "multipart/form-data") ||
		strings.Contains(out, "(PNG or JPEG)") {
		t.Errorf("serve -h: exit %d:\n%s", code, out)
	}
}

// predict -h lists every key of predict -json's lines.
func TestPredictHelpListsJSONKeys(t *testing.T) {
	code, out, _ := perceptron(t, "predict", "-h")
	for _, k := range []string{"input", "digit", "confidence", "probabilities", "label", "runner_up", "runner_up_confidence",
		"preprocessed", "warning", "error"} {
		if code != 0 || !strings.Contains(out, k+",") && !strings.Contains(out, k+"\n") && !strings.Contains(out, k+";") {
			t.Errorf("predict -h does not list the -json key %q:\n%s", k, out)
		}
	}
}

// summary's Training block: one setting a line, its values in one column.
func TestSummaryTrainingAligned(t *testing.T) {
	dir := untrainedModelDir(t)
	code, out, errOut := perceptron(t, "summary", "-model", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, block, ok := strings.Cut(out, "\nTraining:\n")
	if !ok {
		t.Fatalf("no Training block:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	col := -1
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 2 || !strings.HasPrefix(l, "  "+f[0]+" ") {
			t.Errorf("line %q: want two spaces, a setting and its value", l)
			continue
		}
		if c := strings.Index(l, f[1]); col < 0 {
			col = c
		} else if c != col {
			t.Errorf("line %q: value at column %d, want %d as above", l, c, col)
		}
	}
	if len(lines) < 7 || !strings.Contains(block, "  lr ") {
		t.Errorf("Training block %q: want the configuration's settings", block)
	}
}
