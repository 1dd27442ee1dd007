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
	d := []string{fmt.Sprintf("784-%s-10 %s", strings.ReplaceAll(c.Hidden.String(), "+", "-"), c.Activation), c.Optimizer,
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
		if !r.Config.Equal(train.Config{}) {
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
// run in progress is drawn on the axis it will fill. Each legend goes in a
// corner of its panel that no curve passes through, the axis extended to
// make room when none is free.
func Curves(runs []*Run) (hplot.Drawer, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("curves: no runs")
	}
	title, labels := Titles(runs)
	f := &figure{title: title, tiles: draw.Tiles{Cols: 2, Rows: 1, PadX: vg.Centimeter, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1, PadY: 1},
		plots: []*hplot.Plot{hplot.New(), hplot.New()}, legendTop: []bool{false, true}}
	f.curves, f.bands, f.labels = make([][]plotter.XYs, 2), make([][]plotter.XYs, 2), make([][]string, 2)
	acc, loss := f.plots[0], f.plots[1]
	acc.Title.Text, acc.Y.Label.Text = "model accuracy", "accuracy"
	loss.Title.Text, loss.Y.Label.Text = "model loss", "loss"
	lastEpoch := 1
	for _, r := range runs {
		lastEpoch = max(lastEpoch, r.Config.Epochs, len(r.History))
	}
	for i, p := range f.plots {
		p.Legend.Top = f.legendTop[i]
		p.X.Label.Text = "epoch"
		p.X.Min, p.X.Max = 1, float64(lastEpoch)
		if lastEpoch == 1 { // one epoch: its point in the middle, not an axis running to 2
			p.X.Min, p.X.Max = 0.5, 1.5
		}
		p.X.Tick.Marker = epochTicks{}
		p.Y.Tick.Marker = readableTicks{}
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
		for k, c := range []struct {
			train, test func(e train.Epoch) float64
		}{
			{func(e train.Epoch) float64 { return e.TrainAcc }, func(e train.Epoch) float64 { return e.TestAcc }},
			{func(e train.Epoch) float64 { return e.TrainLoss }, func(e train.Epoch) float64 { return e.TestLoss }},
		} {
			if len(r.Seeds) > 1 {
				if err := f.addBand(k, r.Seeds, c.train, trainColor); err != nil {
					return nil, err
				}
				if err := f.addBand(k, r.Seeds, c.test, testColor); err != nil {
					return nil, err
				}
			}
			if err := f.addCurve(k, r.History, c.train, trainColor, nil, prefix+"train"); err != nil {
				return nil, err
			}
			if err := f.addCurve(k, r.History, c.test, testColor, dashes, prefix+"test"); err != nil {
				return nil, err
			}
		}
	}
	if banded {
		f.title = strings.TrimPrefix(f.title+"; mean over the seeds, band: lowest to highest seed", "; ")
	}
	return f, nil
}

// figure is the two panels of Curves under a title.
type figure struct {
	title     string
	tiles     draw.Tiles
	plots     []*hplot.Plot
	legendTop []bool          // the side each panel's legend prefers
	labels    [][]string      // each panel's legend entries
	curves    [][]plotter.XYs // each panel's curves, in data coordinates
	bands     [][]plotter.XYs // the edges of each panel's seed bands
	panels    []draw.Canvas   // where each panel was last drawn
}

func (f *figure) addCurve(k int, h train.History, y func(train.Epoch) float64, c color.Color, dashes []vg.Length, label string) error {
	p := f.plots[k]
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
	f.labels[k] = append(f.labels[k], label)
	f.curves[k] = append(f.curves[k], xy)
	return nil
}

func (f *figure) Draw(c draw.Canvas) {
	c.SetColor(color.White) // a background, also for SVG
	c.Fill(c.Rectangle.Path())
	if f.title != "" {
		sty := hplot.New().Title.TextStyle
		sty.Color = color.Black
		sty.XAlign, sty.YAlign = text.XCenter, text.YTop
		pad := vg.Points(4)
		c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - pad}, f.title)
		c = draw.Crop(c, 0, 0, 0, -(sty.Height(f.title) + 2*pad))
	}
	f.panels = make([]draw.Canvas, len(f.plots))
	for i, p := range f.plots {
		tile := f.tiles.At(c, i, 0)
		f.placeLegend(i, tile)
		p.Draw(tile)
		f.panels[i] = tile
	}
}

// placeLegend puts panel i's legend in the first corner, its preferred side
// first, whose box no curve enters; when none is free it extends the y axis
// on the preferred side, a little at a time, to make room.
func (f *figure) placeLegend(i int, tile draw.Canvas) {
	p := f.plots[i]
	top := f.legendTop[i]
	corners := [][2]bool{{top, false}, {top, true}, {!top, false}, {!top, true}} // {Top, Left}
	span := p.Y.Max - p.Y.Min
	if !(span > 0) {
		span = math.Max(math.Abs(p.Y.Max), 1)
	}
	for range 12 {
		for _, k := range corners {
			p.Legend.Top, p.Legend.Left = k[0], k[1]
			box := legendBox(p, tile, f.labels[i])
			if !curvesEnter(p, tile, box, f.curves[i]) && !curvesEnter(p, tile, box, f.bands[i]) {
				return
			}
		}
		if top {
			p.Y.Max += 0.1 * span
		} else {
			p.Y.Min -= 0.1 * span
		}
	}
	p.Legend.Top, p.Legend.Left = top, false
}

// legendBox returns the box, in the canvas coordinates of tile, that p's
// legend of the given entries covers when p is drawn into tile, with a
// margin of a few points.
func legendBox(p *hplot.Plot, tile draw.Canvas, entries []string) vg.Rectangle {
	l := p.Legend
	dc := p.DataCanvas(tile)
	sty := l.TextStyle
	var width, enth vg.Length
	for _, e := range entries {
		width = max(width, l.ThumbnailWidth+sty.Rectangle(" "+e).Max.X)
		enth = max(enth, sty.Rectangle(e).Max.Y)
	}
	n := vg.Length(len(entries))
	height := n*enth + max(n-1, 0)*l.Padding + sty.FontExtents().Descent
	margin := vg.Points(4) // the axes' padding around the data, and room to breathe
	c := dc.Rectangle
	c.Min.X, c.Min.Y, c.Max.X, c.Max.Y = c.Min.X-margin, c.Min.Y-margin, c.Max.X+margin, c.Max.Y+margin
	var r vg.Rectangle
	if l.Left {
		r.Min.X, r.Max.X = c.Min.X, c.Min.X+width+margin
	} else {
		r.Min.X, r.Max.X = c.Max.X-width-margin, c.Max.X
	}
	if l.Top {
		r.Min.Y, r.Max.Y = c.Max.Y-height-margin, c.Max.Y
	} else {
		r.Min.Y, r.Max.Y = c.Min.Y, c.Min.Y+height+margin
	}
	return r
}

// curvesEnter reports whether the bounding box of any segment of the
// curves (data coordinates of p), or of any of their points, drawn into
// tile, meets box.
func curvesEnter(p *hplot.Plot, tile draw.Canvas, box vg.Rectangle, curves []plotter.XYs) bool {
	dc := p.DataCanvas(tile)
	tx, ty := p.Transforms(&dc)
	r := vg.Points(3) // half a line and a point's radius
	for _, xy := range curves {
		for j := range xy {
			a := xy[j]
			b := xy[max(j-1, 0)]
			x0, x1 := min(tx(a.X), tx(b.X))-r, max(tx(a.X), tx(b.X))+r
			y0, y1 := min(ty(a.Y), ty(b.Y))-r, max(ty(a.Y), ty(b.Y))+r
			if x0 < box.Max.X && box.Min.X < x1 && y0 < box.Max.Y && box.Min.Y < y1 {
				return true
			}
		}
	}
	return false
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

// readableTicks puts 3 to 7 labelled ticks at multiples of a round step (1,
// 2 or 5 times a power of ten) with four minor ticks between, every label
// written with the decimals the step needs: distinct labels for any range
// ("1.990", "1.995", "2.000", never "1.99", "1.99", "2").
type readableTicks struct{}

func (readableTicks) Ticks(lo, hi float64) []gplot.Tick {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	if !(hi > lo) {
		return []gplot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 6, 64)}}
	}
	step := tickStep(lo, hi)
	d := tickDecimals(step)
	var ticks []gplot.Tick
	for i := math.Ceil(lo / step * 5); i <= math.Floor(hi/step*5); i++ {
		v := i * step / 5
		t := gplot.Tick{Value: v}
		if math.Mod(i, 5) == 0 {
			if math.Abs(v) < step*1e-9 {
				v = 0 // no "-0.00"
			}
			t.Label = strconv.FormatFloat(v, 'f', d, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// tickStep returns the step of readable ticks between lo < hi: the
// largest 1, 2 or 5 times a power of ten that gives at least three ticks.
func tickStep(lo, hi float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(hi-lo)))
	for _, m := range []float64{5, 2, 1, 0.5, 0.2, 0.1, 0.05} {
		s := m * p
		if math.Floor(hi/s)-math.Ceil(lo/s) >= 2 {
			return s
		}
	}
	return 0.02 * p
}

// tickDecimals returns how many decimals write multiples of step exactly
// (step 0.005: 3; 0.2: 1; 50: 0).
func tickDecimals(step float64) int {
	for d := 0; d < 15; d++ {
		v := step * math.Pow(10, float64(d))
		if math.Abs(v-math.Round(v)) < 1e-6*v {
			return d
		}
	}
	return 15
}

// addBand shades, at each epoch, the range of y over the seeds' histories
// (an epoch only some seeds reached spans those).
func (f *figure) addBand(k int, seeds []train.History, y func(train.Epoch) float64, c color.RGBA) error {
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
	f.plots[k].Add(poly)
	f.bands[k] = append(f.bands[k], lo, hi)
	return nil
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
