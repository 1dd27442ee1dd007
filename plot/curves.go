package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"go-hep.org/x/hep/hplot"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/internal/imagefile"
	"github.com/perceptron-mnist/perceptron/train"
)

// Size of the curves figure: 25 cm × 10 cm, which is 945 × 378 pixels at
// hplot's 96 dots per inch.
const (
	Width  = 25 * vg.Centimeter
	Height = 10 * vg.Centimeter
	DPI    = 96
)

// Pixels returns the size in pixels of a raster image of w × h.
func Pixels(w, h vg.Length) (int, int) {
	return int(math.Ceil(w.Dots(DPI))), int(math.Ceil(h.Dots(DPI)))
}

// Palette is matplotlib's default colour cycle ("tab10"): one run's train
// curve is Palette[0] and its test curve Palette[1]; with several runs, run
// i has Palette[i%10], solid for train and dashed for test.
var Palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xd6, 0x27, 0x28, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xbc, 0xbd, 0x22, 0xff},
	{0x17, 0xbe, 0xcf, 0xff},
}

// Describe returns the configuration as short phrases, the architecture
// first: "784-64-10 sigmoid", "sgd", "lr=0.5", "batch=100", "epochs=10",
// "seed=1", then "train-limit=N" and "test-limit=N" when set.
func Describe(c train.Config) []string {
	d := []string{fmt.Sprintf("784-%d-10 %s", c.Hidden, c.Activation), c.Optimizer,
		"lr=" + strconv.FormatFloat(c.LR, 'g', -1, 64), fmt.Sprintf("batch=%d", c.Batch),
		fmt.Sprintf("epochs=%d", c.Epochs), fmt.Sprintf("seed=%d", c.Seed)}
	if c.TrainLimit > 0 {
		d = append(d, fmt.Sprintf("train-limit=%d", c.TrainLimit))
	}
	if c.TestLimit > 0 {
		d = append(d, fmt.Sprintf("test-limit=%d", c.TestLimit))
	}
	return d
}

// Titles returns a figure title made of what the runs' configurations have
// in common, and for each run a legend label made of what sets it apart
// (its directory's name when nothing does).
func Titles(runs []*Run) (title string, labels []string) {
	descs := make([][]string, len(runs))
	count := map[string]int{}
	for i, r := range runs {
		if r.Config != (train.Config{}) {
			descs[i] = Describe(r.Config)
			if n := len(r.Seeds); n > 1 {
				descs[i][5] = fmt.Sprintf("seeds=%d–%d", r.Config.Seed, r.Config.Seed+uint64(n-1))
			}
		}
		for _, d := range descs[i] {
			count[d]++
		}
	}
	var common []string
	for _, d := range descs[0] {
		if count[d] == len(runs) {
			common = append(common, d)
		}
	}
	labels = make([]string, len(runs))
	for i := range runs {
		var own []string
		for _, d := range descs[i] {
			if count[d] != len(runs) {
				own = append(own, d)
			}
		}
		labels[i] = strings.Join(own, " ")
	}
	seen := map[string]int{}
	for _, l := range labels {
		seen[l]++
	}
	for i, r := range runs { // runs of one configuration: tell them by directory
		if base := filepath.Base(filepath.Clean(r.Dir)); labels[i] == "" {
			labels[i] = base
		} else if seen[labels[i]] > 1 {
			labels[i] += " (" + base + ")"
		}
	}
	title = strings.Join(common, ", ")
	if title == "" && len(runs) == 1 {
		title = labels[0]
	}
	return title, labels
}

// Curves returns the figure of the runs' learning curves: accuracy on the
// left, loss on the right, train and test against epoch, titled with the
// configuration. The epoch axis spans the configured number of epochs, so a
// run in progress is drawn on the axis it will fill.
func Curves(runs []*Run) (hplot.Drawer, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("curves: no runs")
	}
	title, labels := Titles(runs)
	tp := hplot.NewTiledPlot(draw.Tiles{Cols: 2, Rows: 1, PadX: vg.Centimeter})
	acc, loss := tp.Plot(0, 0), tp.Plot(1, 0)
	acc.Title.Text, acc.Y.Label.Text = "model accuracy", "accuracy"
	loss.Title.Text, loss.Y.Label.Text = "model loss", "loss"
	acc.Legend.Top, loss.Legend.Top = false, true // out of the curves' way
	lastEpoch := 1
	for _, r := range runs {
		lastEpoch = max(lastEpoch, r.Config.Epochs, len(r.History))
	}
	for _, p := range []*hplot.Plot{acc, loss} {
		p.X.Label.Text = "epoch"
		p.X.Min, p.X.Max = 1, float64(max(lastEpoch, 2))
		p.X.Tick.Marker = epochTicks{}
		p.Add(plotter.NewGrid())
		if len(runs) > 1 {
			p.Legend.TextStyle.Font.Size = vg.Points(9)
		}
	}
	banded := false
	for i, r := range runs {
		if len(r.History) == 0 {
			return nil, fmt.Errorf("curves of %s: no epochs", r.Dir)
		}
		banded = banded || len(r.Seeds) > 1
		trainColor, testColor := Palette[(2*i)%len(Palette)], Palette[(2*i+1)%len(Palette)]
		var dashes []vg.Length
		prefix := ""
		if len(runs) > 1 {
			trainColor, testColor = Palette[i%len(Palette)], Palette[i%len(Palette)]
			dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			prefix = labels[i] + " "
		}
		for _, c := range []struct {
			p           *hplot.Plot
			train, test func(e train.Epoch) float64
		}{
			{acc, func(e train.Epoch) float64 { return e.TrainAcc }, func(e train.Epoch) float64 { return e.TestAcc }},
			{loss, func(e train.Epoch) float64 { return e.TrainLoss }, func(e train.Epoch) float64 { return e.TestLoss }},
		} {
			if len(r.Seeds) > 1 {
				if err := addBand(c.p, r.Seeds, c.train, trainColor); err != nil {
					return nil, err
				}
				if err := addBand(c.p, r.Seeds, c.test, testColor); err != nil {
					return nil, err
				}
			}
			if err := addCurve(c.p, r.History, c.train, trainColor, nil, prefix+"train"); err != nil {
				return nil, err
			}
			if err := addCurve(c.p, r.History, c.test, testColor, dashes, prefix+"test"); err != nil {
				return nil, err
			}
		}
	}
	if banded {
		title = strings.TrimPrefix(title+"; mean over the seeds, band: lowest to highest seed", "; ")
	}
	return &titled{title: title, body: tp}, nil
}

// addBand shades, at each epoch, the range of y over the seeds' histories
// (an epoch only some seeds reached spans those).
func addBand(p *hplot.Plot, seeds []train.History, y func(train.Epoch) float64, c color.RGBA) error {
	var lo, hi plotter.XYs
	for e := 0; ; e++ {
		first := true
		var pl, ph plotter.XY
		for _, h := range seeds {
			if e < len(h) {
				v := y(h[e])
				if first {
					pl, ph = plotter.XY{X: float64(h[e].Epoch), Y: v}, plotter.XY{X: float64(h[e].Epoch), Y: v}
					first = false
				}
				pl.Y, ph.Y = min(pl.Y, v), max(ph.Y, v)
			}
		}
		if first {
			break
		}
		lo, hi = append(lo, pl), append(hi, ph)
	}
	if len(lo) < 2 {
		return nil // one epoch: the points say it
	}
	ring := append(plotter.XYs{}, hi...)
	for i := len(lo) - 1; i >= 0; i-- {
		ring = append(ring, lo[i])
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return fmt.Errorf("band: %w", err)
	}
	poly.Color = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x40}
	poly.LineStyle.Width = 0
	p.Add(poly)
	return nil
}

func addCurve(p *hplot.Plot, h train.History, y func(train.Epoch) float64, c color.Color, dashes []vg.Length, label string) error {
	xy := make(plotter.XYs, len(h))
	for i, e := range h {
		xy[i].X, xy[i].Y = float64(e.Epoch), y(e)
	}
	line, points, err := plotter.NewLinePoints(xy)
	if err != nil {
		return fmt.Errorf("curve %s: %w", label, err)
	}
	line.Color, line.Width, line.Dashes = c, vg.Points(2), dashes
	points.Color, points.Shape, points.Radius = c, draw.CircleGlyph{}, vg.Points(2.5)
	if len(h) > 30 {
		points.Radius = 0 // a line alone reads better
	}
	p.Add(line, points)
	p.Legend.Add(label, line)
	return nil
}

// epochTicks labels whole epochs only, at most about ten of them.
type epochTicks struct{}

func (epochTicks) Ticks(lo, hi float64) []gplot.Tick {
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		step = s
		if (last-first)/s <= 10 {
			break
		}
	}
	var ticks []gplot.Tick
	for e := first; e <= last; e++ {
		t := gplot.Tick{Value: float64(e)}
		if e%step == 0 || (e == first && step > 1 && e == 1) {
			t.Label = strconv.Itoa(e)
		}
		ticks = append(ticks, t)
	}
	if len(ticks) > 200 { // minor ticks only where they can be seen
		ticks = ticks[:0]
		for e := (first + step - 1) / step * step; e <= last; e += step {
			ticks = append(ticks, gplot.Tick{Value: float64(e), Label: strconv.Itoa(e)})
		}
	}
	return ticks
}

// titled draws a title above a figure.
type titled struct {
	title string
	body  hplot.Drawer
}

func (t *titled) Draw(c draw.Canvas) {
	c.SetColor(color.White) // a background, also for SVG
	c.Fill(c.Rectangle.Path())
	if t.title == "" {
		t.body.Draw(c)
		return
	}
	sty := hplot.New().Title.TextStyle
	sty.Color = color.Black
	sty.XAlign, sty.YAlign = text.XCenter, text.YTop
	pad := vg.Points(4)
	c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - pad}, t.title)
	t.body.Draw(draw.Crop(c, 0, 0, 0, -(sty.Height(t.title) + 2*pad)))
}

// WriteCurves renders the curves of runs to w in format ("png", "svg",
// "pdf", ...), Width × Height.
func WriteCurves(w io.Writer, format string, runs []*Run) error {
	d, err := Curves(runs)
	if err != nil {
		return err
	}
	wt, err := hplot.WriterTo(d, Width, Height, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// SaveCurves writes the curves of runs to each path, in the format of its
// extension (imagefile.Figure), through a temporary file so that a viewer
// never sees half of one. A path of no known format is refused before any
// is drawn.
func SaveCurves(runs []*Run, paths ...string) error {
	formats := make([]string, len(paths))
	for i, path := range paths {
		f, err := imagefile.Format(path, imagefile.Figure)
		if err != nil {
			return fmt.Errorf("plot %w", err)
		}
		formats[i] = f
	}
	for i, path := range paths {
		if err := atomicfile.Write(path, func(w io.Writer) error { return WriteCurves(w, formats[i], runs) }); err != nil {
			return err
		}
	}
	return nil
}
