package plot

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/train"
)

func TestReadableTicks(t *testing.T) {
	for _, r := range [][2]float64{
		{1.989, 2.0}, {0.9, 0.99}, {0, 1}, {0.001, 0.0012}, {95, 5000}, {-0.3, 0.4},
		{1e-5, 3e-5}, {0.96, 0.9601}, {0.0898, 2.31}, {0.3, 0.31},
	} {
		lo, hi := r[0], r[1]
		var labels []string
		seen := map[string]bool{}
		for _, tk := range (readableTicks{}).Ticks(lo, hi) {
			if tk.Value < lo-1e-12 || tk.Value > hi+1e-12 {
				t.Errorf("[%v, %v]: tick %v outside the range", lo, hi, tk.Value)
			}
			if tk.Label == "" {
				continue
			}
			labels = append(labels, tk.Label)
			if seen[tk.Label] {
				t.Errorf("[%v, %v]: label %q twice in %q", lo, hi, tk.Label, labels)
			}
			seen[tk.Label] = true
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || math.Abs(v-tk.Value) > 1e-9*math.Max(math.Abs(tk.Value), hi-lo) {
				t.Errorf("[%v, %v]: label %q at %v", lo, hi, tk.Label, tk.Value)
			}
		}
		if len(labels) < 3 || len(labels) > 11 {
			t.Errorf("[%v, %v]: %d labels %q, want 3 to 11", lo, hi, len(labels), labels)
		}
		// one precision for all labels of an axis
		for _, l := range labels {
			if len(l)-len(regexp.MustCompile(`\..*`).ReplaceAllString(l, "")) != len(labels[0])-len(regexp.MustCompile(`\..*`).ReplaceAllString(labels[0], "")) {
				t.Errorf("[%v, %v]: labels %q of different precision", lo, hi, labels)
				break
			}
		}
	}
}

// The labels drawn in the figure of a one-epoch run whose losses are 1.989
// and 2.000 (the numbers of the issue): distinct on each axis, and an epoch
// axis labelled 1 only.
func TestOneEpochFigureLabels(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Epochs = 1
	h := train.History{{Epoch: 1, TrainLoss: 1.989, TestLoss: 2.000, TrainAcc: 0.31, TestAcc: 0.30}}
	for _, runs := range [][]*Run{
		{{Dir: "a", Config: cfg, History: h}},
		{{Dir: "a", Config: cfg, History: h}, {Dir: "b", Config: cfg, History: train.History{{Epoch: 1, TrainLoss: 1.99, TestLoss: 1.995, TrainAcc: 0.3, TestAcc: 0.3}}}},
	} {
		var b bytes.Buffer
		if err := WriteCurves(&b, "svg", runs); err != nil {
			t.Fatal(err)
		}
		// numeric texts: the epoch labels share the lowest row; the others
		// are the accuracy (left half) and loss (right half) labels
		texts := regexp.MustCompile(`<text x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(b.String(), -1)
		half := Width.Points() / 2
		var epochs []string
		ys := map[bool][]string{}
		for _, m := range texts {
			if _, err := strconv.ParseFloat(m[3], 64); err != nil {
				continue
			}
			x, _ := strconv.ParseFloat(m[1], 64)
			if y, _ := strconv.ParseFloat(m[2], 64); y > -30 {
				epochs = append(epochs, m[3])
				continue
			}
			ys[x > float64(half)] = append(ys[x > float64(half)], m[3])
		}
		if len(epochs) != 2 || epochs[0] != "1" || epochs[1] != "1" {
			t.Errorf("%d runs: epoch labels %q, want \"1\" on each panel", len(runs), epochs)
		}
		for side, labels := range ys {
			seen := map[string]bool{}
			for _, l := range labels {
				if seen[l] {
					t.Errorf("%d runs: panel %v labels %q: %q twice", len(runs), side, labels, l)
				}
				seen[l] = true
			}
			if len(labels) < 3 {
				t.Errorf("%d runs: panel %v labels %q, want at least 3", len(runs), side, labels)
			}
		}
	}
}

// adamHistory makes a run's history that rises (accuracy) and falls (loss)
// from a to b over n epochs; with overfit the test loss falls, then rises
// again to the top of the panel, as in Adam's (200, 250) run of the study.
func adamHistory(n int, a, b float64, overfit bool) train.History {
	h := make(train.History, n)
	for i := range h {
		g := float64(i) / float64(n)
		f := 1 - math.Exp(-5*g)
		acc := a + (b-a)*f
		tl, vl := 2.3-(2.3-0.3)*f, 2.3-(2.3-0.32)*f
		if overfit {
			tl = 0.01 + 0.32*math.Exp(-25*g)
			vl = 0.14 + 0.19*math.Exp(-40*g) + 0.2*math.Pow(g, 1.3)
		}
		h[i] = train.Epoch{Epoch: i + 1, TrainAcc: acc, TestAcc: acc - 0.01, TrainLoss: tl, TestLoss: vl, Seconds: 1}
	}
	return h
}

// The legends of the study's figures stay clear of the curves: the box of
// each legend, as drawn, meets the bounding box of no segment of any curve.
func TestLegendsClearOfCurves(t *testing.T) {
	adam := func(batch, epochs int) train.Config {
		c := train.DefaultConfig()
		c.Hidden, c.Activation, c.Optimizer, c.LR, c.Batch, c.Epochs = graph.Sizes{20}, "relu", "adam", 0.001, batch, epochs
		return c
	}
	for _, tc := range []struct {
		name string
		runs []*Run
	}{
		{"4_adam_batch_epochs", []*Run{
			{Dir: "a", Config: adam(200, 10), History: adamHistory(10, 0.90, 0.95, false)},
			{Dir: "b", Config: adam(2000, 10), History: adamHistory(10, 0.80, 0.91, false)},
			{Dir: "c", Config: adam(20000, 10), History: adamHistory(10, 0.30, 0.72, false)},
			{Dir: "d", Config: adam(20000, 100), History: adamHistory(100, 0.30, 0.92, false)},
		}},
		{"4_adam_batch_epochs -quick", []*Run{ // epochs scaled by 0.02: 1, 1, 1, 2
			{Dir: "a", Config: adam(200, 1), History: train.History{{Epoch: 1, TrainAcc: 0.86, TestAcc: 0.84, TrainLoss: 0.52, TestLoss: 0.58}}},
			{Dir: "b", Config: adam(2000, 1), History: train.History{{Epoch: 1, TrainAcc: 0.45, TestAcc: 0.44, TrainLoss: 1.80, TestLoss: 1.82}}},
			{Dir: "c", Config: adam(20000, 1), History: train.History{{Epoch: 1, TrainAcc: 0.15, TestAcc: 0.14, TrainLoss: 2.29, TestLoss: 2.30}}},
			{Dir: "d", Config: adam(20000, 2), History: train.History{{Epoch: 1, TrainAcc: 0.15, TestAcc: 0.14, TrainLoss: 2.29, TestLoss: 2.30},
				{Epoch: 2, TrainAcc: 0.3, TestAcc: 0.28, TrainLoss: 2.2, TestLoss: 2.21}}},
		}},
		{"5_curves (200, 250)", []*Run{{Dir: "e", Config: adam(200, 250), History: adamHistory(250, 0.91, 0.995, true)}}},
		{"one run", []*Run{{Dir: "f", Config: train.DefaultConfig(), History: history(10, 0)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Curves(tc.runs)
			if err != nil {
				t.Fatal(err)
			}
			c := vgimg.New(Width, Height)
			d.Draw(draw.New(c))
			f := d.(*figure)
			if keep := os.Getenv("PLOT_TEST_KEEP"); keep != "" { // to look at them
				if err := SaveCurves(tc.runs, filepath.Join(keep, strings.NewReplacer(" ", "_", ",", "").Replace(tc.name)+".png")); err != nil {
					t.Fatal(err)
				}
			}
			for i, p := range f.plots {
				box := legendBox(p, f.panels[i], f.labels[i])
				dc := p.DataCanvas(f.panels[i])
				tx, ty := p.Transforms(&dc)
				for k, xy := range f.curves[i] {
					if hit := segmentIn(xy, tx, ty, box); hit >= 0 {
						t.Errorf("panel %q: legend box %v meets curve %q at epoch %v", p.Title.Text, box, f.labels[i][k], xy[hit].X)
					}
				}
			}
		})
	}
}

// segmentIn returns the index of the first point of xy whose segment from
// the point before has a bounding box (widened by the line's half width)
// that meets box, or -1.
func segmentIn(xy plotter.XYs, tx, ty func(float64) vg.Length, box vg.Rectangle) int {
	w := vg.Points(1)
	for j := range xy {
		a, b := xy[j], xy[max(j-1, 0)]
		r := vg.Rectangle{Min: vg.Point{X: min(tx(a.X), tx(b.X)) - w, Y: min(ty(a.Y), ty(b.Y)) - w},
			Max: vg.Point{X: max(tx(a.X), tx(b.X)) + w, Y: max(ty(a.Y), ty(b.Y)) + w}}
		if r.Min.X < box.Max.X && box.Min.X < r.Max.X && r.Min.Y < box.Max.Y && box.Min.Y < r.Max.Y {
			return j
		}
	}
	return -1
}
