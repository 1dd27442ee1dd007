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
