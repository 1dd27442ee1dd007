package main

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

func TestEval(t *testing.T) {
	dir, _ := defaultModelDir(t)
	code, out, errOut := perceptron(t, "eval", "-model", dir, "-json", "-wrong", "12")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r evalJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Images != 10000 || r.Accuracy < 0.96 || r.Loss > 0.15 || r.Loss <= 0 {
		t.Errorf("images %d, accuracy %v, loss %v; want 10000 images, > 96%% right, loss < 0.15", r.Images, r.Accuracy, r.Loss)
	}
	total, diag := 0, 0
	for c, row := range r.Confusion {
		for p, n := range row {
			total += n
			if c == p {
				diag += n
			}
		}
		if r.Precision[c] == nil || *r.Precision[c] < 0.9 || r.Recall[c] == nil || *r.Recall[c] < 0.9 {
			t.Errorf("digit %d: precision %v, recall %v", c, r.Precision[c], r.Recall[c])
		}
	}
	if total != 10000 || float64(diag)/float64(total) != r.Accuracy {
		t.Errorf("confusion matrix: %d images, %d on the diagonal; accuracy %v", total, diag, r.Accuracy)
	}
	if len(r.Wrong) != 12 || r.Wrong[0].Confidence < r.Wrong[11].Confidence || r.Wrong[0].Digit == r.Wrong[0].Label {
		t.Errorf("most wrong: %+v", r.Wrong)
	}
	// the grid: 6 columns, 2 rows, in the model's directory
	if r.Grid != filepath.Join(dir, WrongGridFile) {
		t.Errorf("grid written to %q", r.Grid)
	}
	img := testenv.DecodePNG(t, r.Grid)
	if b := img.Bounds(); b.Dx() != 6*96 || b.Dy() != 2*122 {
		t.Errorf("grid is %v, want 576×244", b)
	}

	// plain output, and the grid elsewhere
	grid := filepath.Join(t.TempDir(), "wrong.png")
	code, out, errOut = perceptron(t, "eval", "-model", dir, "-out", grid)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"accuracy  0.9", "digit  precision  recall  images", "confusion matrix", "most confidently wrong: 36 images in " + grid} {
		if !strings.Contains(out, want) {
			t.Errorf("output has no %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(grid); err != nil {
		t.Error(err)
	}
}

// The extension of -out picks the grid's format; an unknown one is refused
// before the model or the data are read.
func TestEvalPictureFollowsExtension(t *testing.T) {
	dir, _ := defaultModelDir(t)
	tmp := t.TempDir()
	grid := filepath.Join(tmp, "wrong.jpg")
	if code, _, errOut := perceptron(t, "eval", "-model", dir, "-wrong", "6", "-out", grid); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(grid)
	if err != nil {
		t.Fatal(err)
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(b)); err != nil || format != "jpeg" {
		t.Errorf("%s holds %q (%v), want a JPEG", grid, format, err)
	}
	for _, name := range []string{"wrong.txt", "wrong.gif", "wrong"} {
		out := filepath.Join(tmp, name)
		code, stdout, errOut := perceptron(t, "eval", "-model", filepath.Join(tmp, "no-model"), "-out", out)
		if code != 2 || stdout != "" || !strings.HasPrefix(errOut, "perceptron eval: -out "+out+": ") ||
			!strings.Contains(errOut, "want .png or .jpg\nrun 'perceptron eval -h' for the flags\n") {
			t.Errorf("-out %s: exit %d, stderr %q", name, code, errOut)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("-out %s was written", name)
		}
	}
}
