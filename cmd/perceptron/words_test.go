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
