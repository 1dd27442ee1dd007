// Command handwriting writes a development set of photos of handwritten
// digits (package internal/handwriting) into a directory as
// <label>_<index>.jpg, draws a contact sheet of them with the 28×28 inputs
// the photo pipeline makes, and scores a trained model on them. -source
// strokes (the default) draws the digits as synthetic pen strokes; -source
// fonts writes them in Debian's handwriting fonts (a held-out second set,
// same phone photos).
//
//	go run ./scripts/handwriting -n 500 -seed 1 -out DIR
//	go run ./scripts/handwriting -n 60 -sheet sheet.png
//	go run ./scripts/handwriting -n 500 -model runs/A -misses misses.png
//	go run ./scripts/handwriting -source fonts -n 500 -model runs/A
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/png"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/internal/handwriting"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "handwriting:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("handwriting", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 500, "number of photos (digit i mod 10)")
	seed := fs.Uint64("seed", 1, "the set's seed")
	out := fs.String("out", "", "write the photos into this directory as <label>_<index>.jpg")
	sheet := fs.String("sheet", "", "write a contact sheet (photos, their 28×28 inputs, answers) as this PNG")
	sheetN := fs.Int("sheet-n", 40, "how many photos the contact sheet shows at most")
	model := fs.String("model", "", "score this run directory's model on the set")
	misses := fs.String("misses", "", "write a contact sheet of the photos -model reads wrong as this PNG")
	stats := fs.Bool("stats", false, "print a table comparing the 28×28 inputs made from the photos with MNIST's test digits")
	source := fs.String("source", "strokes", "where the handwriting comes from: strokes (synthetic pen strokes) or fonts (Debian's handwriting fonts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case *source != "strokes" && *source != "fonts":
		return fmt.Errorf("-source %q: want strokes or fonts", *source)
	case *n < 1:
		return fmt.Errorf("-n %d: want at least 1 photo", *n)
	case *misses != "" && *model == "":
		return errors.New("-misses needs -model")
	case *out == "" && *sheet == "" && *model == "" && !*stats:
		return errors.New("nothing to do: give -out DIR, -sheet FILE, -model DIR or -stats")
	}
	photos, err := generate(*source, *seed, *n, stderr)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := handwriting.WriteDir(*out, photos); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %d photos to %s\n", len(photos), *out)
	}
	inputs := make([][]float32, len(photos))
	for i, p := range photos {
		x, err := infer.PhotoFromBytes(p.JPEG)
		if err != nil {
			fmt.Fprintf(stderr, "photo %s: %v\n", handwriting.Name(p, i), err)
		}
		inputs[i] = x
	}
	if *stats {
		if err := printStats(stdout, inputs); err != nil {
			return err
		}
	}
	var preds []*infer.Prediction
	if *model != "" {
		m, err := infer.Load(*model)
		if err != nil {
			return err
		}
		defer m.Close()
		preds = make([]*infer.Prediction, len(photos))
		right, read := 0, 0
		perStyle := map[handwriting.Style][2]int{}
		for i, x := range inputs {
			if x == nil {
				continue
			}
			pr, err := m.Predict(x)
			if err != nil {
				return err
			}
			preds[i] = &pr[0]
			read++
			st := perStyle[photos[i].Style]
			st[1]++
			if pr[0].Digit == photos[i].Label {
				right++
				st[0]++
			}
			perStyle[photos[i].Style] = st
		}
		styles := make([]string, 0, len(perStyle))
		for s := range perStyle {
			styles = append(styles, string(s))
		}
		sort.Strings(styles)
		width := 18
		for _, s := range styles {
			width = max(width, len(s))
		}
		for _, s := range styles {
			st := perStyle[handwriting.Style(s)]
			fmt.Fprintf(stdout, "%-*s %3d/%3d\n", width, s, st[0], st[1])
		}
		fmt.Fprintf(stdout, "accuracy %.4f (%d of %d photos; %d unreadable count as wrong)\n",
			float64(right)/float64(len(photos)), right, len(photos), len(photos)-read)
		if c := confusions(photos, preds); c != "" {
			fmt.Fprintf(stdout, "read wrong (digit→answer ×photos): %s\n", c)
		}
	}
	if *sheet != "" {
		idx := make([]int, 0, *sheetN)
		for i := 0; i < len(photos) && len(idx) < *sheetN; i++ {
			idx = append(idx, i)
		}
		if err := writeSheet(*sheet, photos, inputs, preds, idx); err != nil {
			return err
		}
	}
	if *misses != "" {
		var idx []int
		for i := range photos {
			if preds[i] == nil || preds[i].Digit != photos[i].Label {
				idx = append(idx, i)
			}
		}
		if err := writeSheet(*misses, photos, inputs, preds, idx); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d misses in %s\n", len(idx), *misses)
	}
	return nil
}

// confusions lists the wrong answers as "7→1 ×3", most frequent first,
// then by digit.
func confusions(photos []handwriting.Photo, preds []*infer.Prediction) string {
	type pair struct{ is, read int }
	count := map[pair]int{}
	for i, p := range preds {
		if p != nil && p.Digit != photos[i].Label {
			count[pair{photos[i].Label, p.Digit}]++
		}
	}
	pairs := make([]pair, 0, len(count))
	for q := range count {
		pairs = append(pairs, q)
	}
	sort.Slice(pairs, func(a, b int) bool {
		pa, pb := pairs[a], pairs[b]
		if count[pa] != count[pb] {
			return count[pa] > count[pb]
		}
		return pa.is < pb.is || pa.is == pb.is && pa.read < pb.read
	})
	var parts []string
	for _, q := range pairs {
		parts = append(parts, fmt.Sprintf("%d→%d ×%d", q.is, q.read, count[q]))
	}
	return strings.Join(parts, ", ")
}

// generate returns n photos of the set seed of source (strokes or fonts).
func generate(source string, seed uint64, n int, stderr io.Writer) ([]handwriting.Photo, error) {
	if source == "strokes" {
		fmt.Fprintf(stderr, "generating %d photos (seed %d)\n", n, seed)
		return handwriting.Generate(seed, n), nil
	}
	fonts, err := handwriting.SystemFonts()
	if err != nil {
		return nil, fmt.Errorf("-source fonts: %w", err)
	}
	fmt.Fprintf(stderr, "generating %d photos (seed %d) in %d fonts\n", n, seed, len(fonts))
	return handwriting.GenerateFonts(seed, n, fonts)
}

// printStats prints InkStats of MNIST's test digits, of the same digits
// passed through the photo pipeline as images, and of the photos' inputs.
func printStats(w io.Writer, inputs [][]float32) error {
	dir, err := data.Locate("")
	if err != nil {
		return err
	}
	d, err := data.Load(dir)
	if err != nil {
		return err
	}
	var again, photos []float32
	for i := 0; i < 2000; i++ {
		x, err := infer.Preprocess(infer.ToImage(d.Test.Image(i)))
		if err == nil {
			again = append(again, x...)
		}
	}
	for _, x := range inputs {
		photos = append(photos, x...)
	}
	return infer.WriteStatsTable(w, []string{"MNIST test", "MNIST test through the pipeline", "photos"},
		[]infer.StatsSummary{infer.Summarise(d.Test.Images), infer.Summarise(again), infer.Summarise(photos)})
}

// writeSheet draws the photos idx: each upright, with the 28×28 input
// beneath and a caption (label, style, the model's answer).
func writeSheet(path string, photos []handwriting.Photo, inputs [][]float32, preds []*infer.Prediction, idx []int) error {
	const (
		thumb = 150
		small = 4 * infer.Side
		pad   = 6
		cellW = thumb + 2*pad
		cellH = thumb + small + 3*pad + 3*13
		cols  = 8
	)
	rows := max(1, (len(idx)+cols-1)/cols)
	canvas := image.NewRGBA(image.Rect(0, 0, cols*cellW, rows*cellH))
	stddraw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.RGBA{40, 40, 40, 255}), image.Point{}, stddraw.Src)
	text := func(s string, x, y int, c color.Color) {
		d := font.Drawer{Dst: canvas, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	for k, i := range idx {
		p := photos[i]
		x0, y0 := (k%cols)*cellW+pad, (k/cols)*cellH+pad
		img, _, err := image.Decode(bytes.NewReader(p.JPEG))
		if err != nil {
			return fmt.Errorf("photo %d: %w", i, err)
		}
		b := img.Bounds()
		f := float64(thumb) / float64(max(b.Dx(), b.Dy()))
		tw, th := max(1, int(float64(b.Dx())*f)), max(1, int(float64(b.Dy())*f))
		t := image.NewRGBA(image.Rect(0, 0, tw, th))
		draw.BiLinear.Scale(t, t.Bounds(), img, b, draw.Src, nil)
		up := upright(t, p.Orientation)
		ub := up.Bounds()
		off := image.Pt(x0+(thumb-ub.Dx())/2, y0+(thumb-ub.Dy())/2)
		stddraw.Draw(canvas, ub.Add(off), up, image.Point{}, stddraw.Src)
		sy := y0 + thumb + pad
		sx := x0 + (thumb-small)/2
		if x := inputs[i]; x != nil {
			for y := 0; y < small; y++ {
				for xx := 0; xx < small; xx++ {
					v := uint8(min(1, max(0, x[(y/4)*infer.Side+xx/4]))*255 + 0.5)
					canvas.SetRGBA(sx+xx, sy+y, color.RGBA{v, v, v, 255})
				}
			}
		}
		ty := sy + small + 12
		text(fmt.Sprintf("%s", p.Style), x0, ty, color.RGBA{220, 220, 220, 255})
		info := fmt.Sprintf("#%d %dx%d", i, p.Width, p.Height)
		if p.Orientation != 1 {
			info += fmt.Sprintf(" o%d", p.Orientation)
		}
		text(info, x0, ty+13, color.RGBA{160, 160, 160, 255})
		if preds != nil {
			if pr := preds[i]; pr == nil {
				text("unreadable", x0, ty+26, color.RGBA{255, 130, 130, 255})
			} else if pr.Digit == p.Label {
				text(fmt.Sprintf("read %d %2.0f%%", pr.Digit, 100*pr.Confidence), x0, ty+26, color.RGBA{140, 230, 140, 255})
			} else {
				text(fmt.Sprintf("read %d %2.0f%% (is %d)", pr.Digit, 100*pr.Confidence, p.Label), x0, ty+26, color.RGBA{255, 130, 130, 255})
			}
		}
	}
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, canvas) })
}

// upright turns a thumbnail of stored pixels as EXIF orientation o says.
func upright(img *image.RGBA, o int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if o != 3 && o != 6 && o != 8 {
		return img
	}
	ow, oh := w, h
	if o != 3 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			var sx, sy int
			switch o {
			case 3:
				sx, sy = w-1-x, h-1-y
			case 6:
				sx, sy = y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			out.SetRGBA(x, y, img.RGBAAt(sx, sy))
		}
	}
	return out
}
