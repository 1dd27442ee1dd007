package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/internal/imagefile"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

func init() {
	commands["eval"] = command{"evaluate a trained model on the test set: accuracy, loss, per-digit scores, confusions", runEval}
}

// WrongGridFile is the default name of eval's picture of the most
// confidently wrong test images, in the model's directory.
const WrongGridFile = "most_wrong.png"

// evalJSON is what `eval -json` prints.
type evalJSON struct {
	Model     string      `json:"model"`
	Images    int         `json:"images"`
	Accuracy  float64     `json:"accuracy"`
	Loss      float64     `json:"loss"`
	Precision []*float64  `json:"precision"` // null when the digit was never predicted
	Recall    []*float64  `json:"recall"`
	Confusion [][]int     `json:"confusion"` // [true][predicted]
	Wrong     []wrongJSON `json:"most_wrong"`
	Grid      string      `json:"grid,omitempty"`
}

type wrongJSON struct {
	Index      int     `json:"index"`
	Label      int     `json:"label"`
	Digit      int     `json:"digit"`
	Confidence float32 `json:"confidence"`
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", "-model DIR [-json] [-out FILE] [-wrong N] [-data DIR]",
		"Evaluates the model saved in a run directory on the MNIST test set: accuracy, loss, precision\n"+
			"and recall per digit, the confusion matrix, and a grid of the most confidently wrong test\n"+
			"images with their predicted and true labels (written to DIR/"+WrongGridFile+" unless -out says;\n"+
			"the extension picks the format: .png or .jpg).", stderr)
	modelDir := fs.String("model", "", "run directory of the model")
	asJSON := fs.Bool("json", false, "print the results as one JSON object")
	out := fs.String("out", "", "picture of the wrong images, .png or .jpg (default DIR/"+WrongGridFile+"; \"-\" for none)")
	nWrong := fs.Int("wrong", 36, "how many confidently wrong images to show")
	dataDir := dataFlag(fs, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *modelDir == "":
		return usagef("-model DIR is required")
	case *nWrong < 0:
		return usagef("-wrong %d: want 0 or more", *nWrong)
	}
	if *out != "" && *out != "-" {
		if _, err := imagefile.Format(*out, imagefile.Raster); err != nil {
			return usagef("-out %w", err)
		}
	}
	if err := checkModel(*modelDir); err != nil {
		return err
	}
	m, err := infer.Load(*modelDir)
	if err != nil {
		return err
	}
	defer m.Close()
	d, err := loadData(*dataDir)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := m.Evaluate(d.Test.Images, d.Test.Labels, *nWrong)
	if err != nil {
		return err
	}
	grid := *out
	if grid == "" {
		grid = filepath.Join(*modelDir, WrongGridFile)
	}
	if grid == "-" || len(r.Wrong) == 0 {
		grid = ""
	} else if err := writeWrongGrid(grid, d.Test, r.Wrong); err != nil {
		return err
	}

	if *asJSON {
		j := evalJSON{Model: *modelDir, Images: r.N, Accuracy: r.Accuracy, Loss: r.Loss,
			Precision: nullNaN(r.Precision), Recall: nullNaN(r.Recall), Confusion: r.Confusion, Grid: grid,
			Wrong: []wrongJSON{}}
		for _, w := range r.Wrong {
			j.Wrong = append(j.Wrong, wrongJSON{w.Index, w.Label, w.Digit, w.Confidence})
		}
		return json.NewEncoder(stdout).Encode(j)
	}
	fmt.Fprintf(stdout, "model     %s\ntest set  %d images\naccuracy  %.4f\nloss      %.4f\n\n", *modelDir, r.N, r.Accuracy, r.Loss)
	fmt.Fprintln(stdout, "digit  precision  recall  images")
	for c := range r.Confusion {
		n := 0
		for _, v := range r.Confusion[c] {
			n += v
		}
		fmt.Fprintf(stdout, "%5d  %9.4f  %6.4f  %6d\n", c, r.Precision[c], r.Recall[c], n)
	}
	fmt.Fprintln(stdout, "\nconfusion matrix (rows: true digit, columns: predicted digit)")
	fmt.Fprint(stdout, "     ")
	for c := range r.Confusion {
		fmt.Fprintf(stdout, "%6d", c)
	}
	fmt.Fprintln(stdout)
	for c, row := range r.Confusion {
		fmt.Fprintf(stdout, "%5d", c)
		for _, v := range row {
			fmt.Fprintf(stdout, "%6d", v)
		}
		fmt.Fprintln(stdout)
	}
	if grid != "" {
		fmt.Fprintf(stdout, "\nmost confidently wrong: %d images in %s\n", len(r.Wrong), grid)
	}
	return nil
}

func nullNaN(v []float64) []*float64 {
	out := make([]*float64, len(v))
	for i := range v {
		if !math.IsNaN(v[i]) {
			out[i] = &v[i]
		}
	}
	return out
}

// writeWrongGrid draws the wrong examples as a grid of enlarged test images,
// each captioned with the predicted digit and its probability and the true
// digit, and writes it in the format of path's extension.
func writeWrongGrid(path string, set *data.Set, wrong []infer.WrongExample) error {
	const (
		scale = 3
		cols  = 6
		img   = infer.Side * scale
		pad   = 6
		cellW = img + 2*pad
		cellH = img + 2*pad + 2*13
	)
	rows := (len(wrong) + cols - 1) / cols
	canvas := image.NewRGBA(image.Rect(0, 0, cols*cellW, rows*cellH))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.RGBA{40, 40, 40, 255}), image.Point{}, draw.Src)
	face := basicfont.Face7x13
	text := func(s string, x, y int, c color.Color) {
		d := font.Drawer{Dst: canvas, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	for i, w := range wrong {
		x0, y0 := (i%cols)*cellW+pad, (i/cols)*cellH+pad
		px := set.Image(w.Index)
		for y := 0; y < img; y++ {
			for x := 0; x < img; x++ {
				v := uint8(px[(y/scale)*infer.Side+x/scale]*255 + 0.5)
				canvas.SetRGBA(x0+x, y0+y, color.RGBA{v, v, v, 255})
			}
		}
		text(fmt.Sprintf("pred %d %2.0f%%", w.Digit, 100*w.Confidence), x0, y0+img+12, color.RGBA{255, 130, 130, 255})
		text(fmt.Sprintf("true %d #%d", w.Label, w.Index), x0, y0+img+25, color.RGBA{140, 230, 140, 255})
	}
	return imagefile.Write(path, canvas)
}
