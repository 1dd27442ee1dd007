package plot

import (
	"bytes"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/train"
)

// history returns n epochs of plausible curves.
func history(n int, shift float64) train.History {
	h := make(train.History, n)
	for i := range h {
		x := float64(i + 1)
		h[i] = train.Epoch{Epoch: i + 1, TrainLoss: 0.1 + 0.5/x + shift, TestLoss: 0.15 + 0.5/x + shift,
			TrainAcc: 0.99 - 0.1/x - shift, TestAcc: 0.97 - 0.1/x - shift, Seconds: 0.8}
	}
	return h
}

// countNear counts the pixels within a small distance of c.
func countNear(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			d := math.Abs(float64(r>>8)-float64(c.R)) + math.Abs(float64(g>>8)-float64(c.G)) + math.Abs(float64(bl>>8)-float64(c.B))
			if d <= 12 {
				n++
			}
		}
	}
	return n
}

func TestSaveCurves(t *testing.T) {
	cfg := train.DefaultConfig()
	for _, tc := range []struct {
		name   string
		runs   []*Run
		colors []color.RGBA
		min    int // pixels of each colour
	}{
		{"one run", []*Run{{Dir: "a", Config: cfg, History: history(6, 0)}}, Palette[:2], 400},
		{"one epoch", []*Run{{Dir: "a", Config: cfg, History: history(1, 0)}}, Palette[:2], 100},
		{"three runs", []*Run{
			{Dir: "a", Config: cfg, History: history(10, 0)},
			{Dir: "b", Config: train.Config{Hidden: graph.Sizes{20}, Activation: "relu", Optimizer: "adam", LR: 0.001, Batch: 200, Epochs: 10, Seed: 1}, History: history(10, 0.02)},
			{Dir: "c", Config: cfg, History: history(250, 0.04)},
		}, Palette[:3], 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if keep := os.Getenv("PLOT_TEST_KEEP"); keep != "" { // to look at them
				dir = filepath.Join(keep, strings.ReplaceAll(tc.name, " ", "_"))
				os.RemoveAll(dir)
				os.MkdirAll(dir, 0o755)
			}
			png, svg := filepath.Join(dir, "curves.png"), filepath.Join(dir, "curves.svg")
			if err := SaveCurves(tc.runs, png, svg); err != nil {
				t.Fatal(err)
			}
			img := testenv.DecodePNG(t, png)
			w, h := Pixels(Width, Height)
			if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
				t.Errorf("curves.png is %v, want %d×%d", b, w, h)
			}
			for _, c := range tc.colors {
				if n := countNear(img, c); n < tc.min {
					t.Errorf("%d pixels of line colour %v, want at least %d", n, c, tc.min)
				}
			}
			s, err := os.ReadFile(svg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(s, []byte("<svg")) || !bytes.Contains(s, []byte("model accuracy")) {
				t.Errorf("curves.svg is not an SVG of the curves: %.200s", s)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 2 {
				t.Errorf("directory holds %d files, want 2 (no temporary files)", len(left))
			}
		})
	}
}

func TestSaveCurvesRefuses(t *testing.T) {
	dir := t.TempDir()
	runs := []*Run{{Dir: "a", History: history(3, 0)}}
	for _, tc := range []struct {
		runs []*Run
		path string
		want string
	}{
		{runs, filepath.Join(dir, "curves.txt"), `unknown picture format ".txt"`},
		{nil, filepath.Join(dir, "curves.png"), "no runs"},
		{[]*Run{{Dir: "empty"}}, filepath.Join(dir, "curves.png"), "curves of empty: no epochs"},
		{runs, filepath.Join(dir, "missing", "curves.png"), "no such file or directory"},
	} {
		err := SaveCurves(tc.runs, tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SaveCurves(%s): %v, want %q", tc.path, err, tc.want)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %d files behind", len(left))
	}
}

func TestTitles(t *testing.T) {
	a := train.DefaultConfig()
	b := a
	b.Batch, b.Epochs = 500, 20
	for _, tc := range []struct {
		name   string
		runs   []*Run
		title  string
		labels []string
	}{
		{"one", []*Run{{Dir: "runs/x", Config: a}}, "784-64-10 sigmoid, sgd, lr=0.5, batch=100, epochs=10, seed=1", []string{"x"}},
		{"two", []*Run{{Dir: "x", Config: a}, {Dir: "y", Config: b}}, "784-64-10 sigmoid, sgd, lr=0.5, seed=1",
			[]string{"batch=100 epochs=10", "batch=500 epochs=20"}},
		{"same", []*Run{{Dir: "runs/x/", Config: a}, {Dir: "y", Config: a}}, "784-64-10 sigmoid, sgd, lr=0.5, batch=100, epochs=10, seed=1",
			[]string{"x", "y"}},
		{"two alike", []*Run{{Dir: "x", Config: a}, {Dir: "y", Config: b}, {Dir: "z", Config: a}}, "784-64-10 sigmoid, sgd, lr=0.5, seed=1",
			[]string{"batch=100 epochs=10 (x)", "batch=500 epochs=20", "batch=100 epochs=10 (z)"}},
		{"unknown config", []*Run{{Dir: "runs/x"}}, "x", []string{"x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			title, labels := Titles(tc.runs)
			if title != tc.title || !reflect.DeepEqual(labels, tc.labels) {
				t.Errorf("Titles = %q %q, want %q %q", title, labels, tc.title, tc.labels)
			}
		})
	}
}

func TestReadRun(t *testing.T) {
	dir := t.TempDir()
	cfg := train.DefaultConfig()
	cfg.Hidden, cfg.Epochs = graph.Sizes{5}, 3
	h := history(3, 0)
	if err := h.Save(filepath.Join(dir, train.MetricsFile), filepath.Join(dir, train.HistoryFile)); err != nil {
		t.Fatal(err)
	}
	// without model.json: the curves, no configuration
	r, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Config.Equal(train.Config{}) || len(r.History) != 3 {
		t.Errorf("ReadRun without model.json: %+v", r)
	}
	p, err := graph.NewParams(cfg.Arch(), 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := modeljson.NewModel(p, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := modeljson.Save(dir, p, m); err != nil {
		t.Fatal(err)
	}
	if r, err = ReadRun(dir); err != nil {
		t.Fatal(err)
	}
	if !r.Config.Equal(cfg) {
		t.Errorf("config %+v, want %+v", r.Config, cfg)
	}
	for i, e := range r.History { // metrics.csv keeps 8 significant digits
		if e.Epoch != h[i].Epoch || math.Abs(e.TestAcc-h[i].TestAcc) > 1e-7 || math.Abs(e.TrainLoss-h[i].TrainLoss) > 1e-7 {
			t.Errorf("epoch %d: %+v, want %+v", i+1, e, h[i])
		}
	}
}

func TestReadRunRefuses(t *testing.T) {
	if _, err := ReadRun(t.TempDir()); err == nil || !strings.Contains(err.Error(), "metrics.csv: no such file") {
		t.Errorf("ReadRun of an empty directory: %v", err)
	}
}

func TestHiddenUnits(t *testing.T) {
	const inputs, hidden = 784, 10
	w1 := make([]float32, inputs*hidden)
	for i := range inputs {
		for j := range hidden {
			// unit j: positive on row j, negative elsewhere in column j, zero else
			switch r, c := i/Side, i%Side; {
			case r == j:
				w1[i*hidden+j] = 0.5
			case c == j:
				w1[i*hidden+j] = -0.25
			}
		}
	}
	path := filepath.Join(t.TempDir(), "hidden_units.png")
	if err := SaveHiddenUnits(path, w1, inputs, hidden); err != nil {
		t.Fatal(err)
	}
	img := testenv.DecodePNG(t, path)
	cols, rows, s := UnitsLayout(hidden)
	if cols != 4 || rows != 3 || s != 4 {
		t.Errorf("layout %d×%d scale %d, want 4×3 scale 4", cols, rows, s)
	}
	if b := img.Bounds(); b.Dx() != cols*(Side*s+Gap)+Gap || b.Dy() != rows*(Side*s+Gap)+Gap {
		t.Errorf("size %v", b)
	}
	// unit 2 is tile (2, 0): its row 2 is red, its column 2 light blue, the rest white
	at := func(unit, r, c int) color.RGBA {
		x := Gap + (unit%cols)*(Side*s+Gap) + c*s
		y := Gap + (unit/cols)*(Side*s+Gap) + r*s
		return color.RGBAModel.Convert(img.At(x+1, y+1)).(color.RGBA)
	}
	if got := at(2, 2, 5); got != Positive {
		t.Errorf("largest weight drawn %v, want %v", got, Positive)
	}
	if got := at(2, 7, 2); got != shade(-0.25, 0.5) || got == White {
		t.Errorf("negative weight drawn %v, want %v", got, shade(-0.25, 0.5))
	}
	if got := at(2, 7, 7); got != White {
		t.Errorf("zero weight drawn %v, want white", got)
	}
	if got := at(11, 7, 7); got != Background { // no unit 11
		t.Errorf("empty tile %v, want background", got)
	}
	if _, err := HiddenUnits(w1[:100], inputs, hidden); err == nil {
		t.Error("short w1: no error")
	}
	if _, err := HiddenUnits(make([]float32, 100*3), 100, 3); err == nil || !strings.Contains(err.Error(), "100 inputs") {
		t.Errorf("100 inputs: %v", err)
	}
}

// TestCurvesBand: a configuration over several seeds is drawn as its mean
// with a shaded band between the lowest and the highest seed.
func TestCurvesBand(t *testing.T) {
	cfg := train.DefaultConfig()
	seeds := []train.History{history(8, 0), history(8, 0.03), history(8, 0.06)}
	// The band of the train curve: Palette[0] at alpha 0x40 over white.
	band := color.RGBA{0xff - (0xff-0x1f)/4, 0xff - (0xff-0x77)/4, 0xff - (0xff-0xb4)/4, 0xff}
	var counts []int
	for _, r := range []*Run{
		{Dir: "a", Config: cfg, History: history(8, 0.03)},
		{Dir: "a", Config: cfg, History: history(8, 0.03), Seeds: seeds},
	} {
		path := filepath.Join(t.TempDir(), "curves.png")
		if err := SaveCurves([]*Run{r}, path); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, countNear(testenv.DecodePNG(t, path), band))
	}
	if counts[0] > 500 || counts[1] < 5000 {
		t.Errorf("band-coloured pixels: %d without seeds, %d with 3 seeds; want few and at least 5000", counts[0], counts[1])
	}
	title, _ := Titles([]*Run{{Dir: "a", Config: cfg, Seeds: seeds}})
	if want := "784-64-10 sigmoid, sgd, lr=0.5, batch=100, epochs=10, seeds=1–3"; title != want {
		t.Errorf("title %q, want %q", title, want)
	}
}

// TestHiddenUnitsOfAWideLayer draws a layer of 512 units: the picture shows
// MaxUnits of them, those with the largest input weights, in order.
func TestHiddenUnitsOfAWideLayer(t *testing.T) {
	const inputs, hidden = Side * Side, 512
	w1 := make([]float32, inputs*hidden)
	strong := map[int]bool{}
	for j := 0; j < hidden; j += 5 { // 103 strong units; the 3 last of them (by norm) are weaker
		strong[j] = true
	}
	for i := range inputs {
		for j := range hidden {
			v := float32(0.01)
			if strong[j] {
				v = 1 - float32(j)/1024
			}
			w1[i*hidden+j] = v
		}
	}
	shown := ShownUnits(w1, inputs, hidden)
	if len(shown) != MaxUnits || shown[0] != 0 || shown[MaxUnits-1] != 495 {
		t.Fatalf("shown %d units, %v…%v; want the %d strongest, 0…495", len(shown), shown[0], shown[len(shown)-1], MaxUnits)
	}
	for i, j := range shown {
		if !strong[j] || (i > 0 && j <= shown[i-1]) {
			t.Fatalf("unit %d shown at %d: not one of the strongest, or out of order", j, i)
		}
	}
	img, err := HiddenUnits(w1, inputs, hidden)
	if err != nil {
		t.Fatal(err)
	}
	cols, rows, s := UnitsLayout(MaxUnits)
	if b := img.Bounds(); b.Dx() != cols*(Side*s+Gap)+Gap || b.Dy() != rows*(Side*s+Gap)+Gap {
		t.Errorf("picture %v, want the %d×%d grid of %d tiles", b, cols, rows, MaxUnits)
	}
	if ShownUnits(w1[:inputs*64], inputs, 64)[63] != 63 {
		t.Error("a layer of 64 units is not shown whole")
	}
}
