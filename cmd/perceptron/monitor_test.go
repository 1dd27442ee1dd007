package main

import (
	"flag"
	"image"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/plot"
	"github.com/perceptron-mnist/perceptron/tfevents"
	"github.com/perceptron-mnist/perceptron/train"
)

// trainSmall trains a small network for a few epochs into dir.
func trainSmall(t *testing.T, dir string, args ...string) (stderr string) {
	t.Helper()
	args = append([]string{"train", "-hidden", "16", "-epochs", "3", "-train-limit", "2000", "-test-limit", "500", "-out", dir}, args...)
	code, _, errOut := perceptron(t, args...)
	if code != 0 {
		t.Fatalf("perceptron %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return errOut
}

func TestTrainWritesTensorBoardEvents(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stderr := trainSmall(t, dir)
	if strings.ContainsAny(stderr, "\r\x1b") {
		t.Errorf("progress to a non-terminal has control characters: %q", stderr)
	}
	if n := strings.Count(stderr, " - val_accuracy: "); n != 3 {
		t.Errorf("%d Keras-like epoch lines on stderr, want 3:\n%s", n, stderr)
	}
	h, err := train.ReadHistory(filepath.Join(dir, train.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	files, err := tfevents.Files(filepath.Join(dir, LogsDir))
	if err != nil || len(files) != 1 {
		t.Fatalf("event files %v, %v; want one", files, err)
	}
	events, err := tfevents.ReadFile(files[0]) // checks every record's CRCs
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1+len(h) {
		t.Fatalf("%d events, want the file version and one per epoch (%d)", len(events), 1+len(h))
	}
	if events[0].FileVersion != "brain.Event:2" || events[0].Summary != nil {
		t.Errorf("first event %+v, want the file version brain.Event:2", events[0])
	}
	sizes := map[string]float64{"w1": 784 * 16, "b1": 16, "w2": 16 * 10, "b2": 10}
	for i, e := range events[1:] {
		ep := h[i]
		if e.Step != int64(ep.Epoch) || e.WallTime < events[0].WallTime {
			t.Errorf("event %d: step %d at %f, want step %d after %f", i+1, e.Step, e.WallTime, ep.Epoch, events[0].WallTime)
		}
		csvCell := map[string]float64{TagTrainLoss: ep.TrainLoss, TagTestLoss: ep.TestLoss,
			TagTrainAcc: ep.TrainAcc, TagTestAcc: ep.TestAcc, TagEpochSeconds: ep.Seconds}
		seen := map[string]bool{}
		for _, v := range e.Summary {
			seen[v.Tag] = true
			if v.Histo != nil {
				var sum float64
				for _, c := range v.Histo.Bucket {
					sum += c
				}
				if want, ok := sizes[v.Tag]; !ok || sum != want || v.Histo.Num != want {
					t.Errorf("epoch %d: histogram %s counts %v values in its buckets, num %v; want %v", ep.Epoch, v.Tag, sum, v.Histo.Num, want)
				}
				continue
			}
			want, ok := csvCell[v.Tag]
			if !ok {
				t.Errorf("epoch %d: unexpected scalar %s", ep.Epoch, v.Tag)
				continue
			}
			// metrics.csv keeps 8 significant digits, the event a float32:
			// equal at float32 precision (one unit in the last place)
			w := float32(want)
			if v.Scalar != w && v.Scalar != math.Nextafter32(w, float32(math.Inf(1))) && v.Scalar != math.Nextafter32(w, float32(math.Inf(-1))) {
				t.Errorf("epoch %d: %s = %v, metrics.csv has %v", ep.Epoch, v.Tag, v.Scalar, want)
			}
		}
		for tag := range csvCell {
			if !seen[tag] {
				t.Errorf("epoch %d: no scalar %s", ep.Epoch, tag)
			}
		}
		for tag := range sizes {
			if !seen[tag] {
				t.Errorf("epoch %d: no histogram %s", ep.Epoch, tag)
			}
		}
	}

	// the pictures
	curves := testenv.DecodePNG(t, filepath.Join(dir, CurvesPNG))
	if w, ht := plot.Pixels(plot.Width, plot.Height); curves.Bounds().Dx() != w || curves.Bounds().Dy() != ht {
		t.Errorf("%s is %v, want %d×%d", CurvesPNG, curves.Bounds(), w, ht)
	}
	for _, c := range plot.Palette[:2] {
		if n := countColor(curves, c); n < 300 {
			t.Errorf("%s: %d pixels of line colour %v, want at least 300", CurvesPNG, n, c)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, CurvesSVG)); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("%s: %v %.100q", CurvesSVG, err, b)
	}
	units := testenv.DecodePNG(t, filepath.Join(dir, HiddenUnitsPNG))
	cols, rows, s := plot.UnitsLayout(16)
	if units.Bounds().Dx() != cols*(28*s+plot.Gap)+plot.Gap || units.Bounds().Dy() != rows*(28*s+plot.Gap)+plot.Gap {
		t.Errorf("%s is %v for 16 units", HiddenUnitsPNG, units.Bounds())
	}
	if countColor(units, plot.Positive) == 0 || countColor(units, plot.Negative) == 0 {
		t.Errorf("%s: no tile reaches its largest positive and negative weights", HiddenUnitsPNG)
	}
}

func TestTrainMonitorFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stderr := trainSmall(t, dir, "-epochs", "1", "-quiet", "-tensorboard=false", "-plots=false")
	if stderr != "" {
		t.Errorf("-quiet printed %q", stderr)
	}
	for _, f := range []string{LogsDir, CurvesPNG, CurvesSVG, HiddenUnitsPNG} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("-tensorboard=false -plots=false wrote %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, train.MetricsFile)); err != nil {
		t.Error(err)
	}
}

func TestPlotCommand(t *testing.T) {
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	trainSmall(t, a, "-epochs", "2", "-quiet", "-tensorboard=false", "-plots=false")
	trainSmall(t, b, "-epochs", "2", "-quiet", "-tensorboard=false", "-plots=false", "-optimizer", "adam")

	// one run: RUN_DIR/curves.png, and hidden_units.png with -units
	code, out, errOut := perceptron(t, "plot", "-units", a)
	if code != 0 || out != filepath.Join(a, CurvesPNG)+"\n"+filepath.Join(a, HiddenUnitsPNG)+"\n" {
		t.Fatalf("plot -units %s: exit %d, stdout %q, stderr %q", a, code, out, errOut)
	}
	testenv.DecodePNG(t, filepath.Join(a, CurvesPNG))
	testenv.DecodePNG(t, filepath.Join(a, HiddenUnitsPNG))

	// two runs overlaid, one colour each
	cmp := filepath.Join(tmp, "compare.png")
	if code, out, errOut := perceptron(t, "plot", "-out", cmp, a, b); code != 0 || out != cmp+"\n" {
		t.Fatalf("plot two runs: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	img := testenv.DecodePNG(t, cmp)
	for _, c := range plot.Palette[:2] {
		if n := countColor(img, c); n < 300 {
			t.Errorf("compare.png: %d pixels of run colour %v, want at least 300", n, c)
		}
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plot"}, 2, "perceptron plot: no run directory given"},
		{[]string{"plot", filepath.Join(tmp, "none")}, 1, "perceptron plot: " + filepath.Join(tmp, "none") + ": no such directory\n"},
		{[]string{"plot", "-out", filepath.Join(tmp, "c.txt"), a}, 2, "perceptron plot: -out " + filepath.Join(tmp, "c.txt") + `: unknown picture format ".txt": want .png, .svg, .pdf, .eps, .jpg or .tif` + "\nrun 'perceptron plot -h' for the flags\n"},
		{[]string{"plot", "-out", filepath.Join(tmp, "c.gif"), filepath.Join(tmp, "none")}, 2, `unknown picture format ".gif"`},
	} {
		code, out, errOut := perceptron(t, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, errOut, tc.code, tc.want)
		}
	}
}

// countColor counts the pixels of img within a small distance of c.
func countColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if math.Abs(float64(r>>8)-float64(c.R))+math.Abs(float64(g>>8)-float64(c.G))+math.Abs(float64(bl>>8)-float64(c.B)) <= 12 {
				n++
			}
		}
	}
	return n
}

// TestMonitorReportsPictureErrors: the pictures are drawn on another
// goroutine, but a picture that cannot be written still fails the run,
// naming the file: at the next epoch, or at Close after the last.
func TestMonitorReportsPictureErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, HiddenUnitsPNG), 0o755); err != nil { // a directory where the picture goes
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	watch := addMonitorFlags(fs)
	cfg := train.DefaultConfig()
	opts := train.Options{Dir: dir}
	m, err := watch.attach(&opts, cfg, 0, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p, err := graph.NewParams(cfg.Arch(), 1)
	if err != nil {
		t.Fatal(err)
	}
	h := train.History{{Epoch: 1, TrainLoss: 0.5, TestLoss: 0.6, TrainAcc: 0.8, TestAcc: 0.7, Seconds: 1}}
	if err := opts.OnEpoch(h, p); err != nil {
		t.Fatalf("first epoch: %v (the pictures are drawn later)", err)
	}
	err = m.Close()
	if err == nil || !strings.Contains(err.Error(), HiddenUnitsPNG) {
		t.Fatalf("Close: %v; want an error naming %s", err, HiddenUnitsPNG)
	}
	if _, err := os.Stat(filepath.Join(dir, CurvesPNG)); err != nil {
		t.Errorf("the curves, drawn before the failing picture: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestEndMonitorDrawsAtClose: exercise's monitor draws nothing after an
// epoch and, at Close, the same files the per-epoch monitor leaves after
// the last epoch; a picture it cannot write fails Close, naming the file.
func TestEndMonitorDrawsAtClose(t *testing.T) {
	cfg := train.DefaultConfig()
	p, err := graph.NewParams(cfg.Arch(), 1)
	if err != nil {
		t.Fatal(err)
	}
	h := train.History{
		{Epoch: 1, TrainLoss: 0.5, TestLoss: 0.6, TrainAcc: 0.8, TestAcc: 0.7, Seconds: 1},
		{Epoch: 2, TrainLoss: 0.4, TestLoss: 0.5, TrainAcc: 0.85, TestAcc: 0.8, Seconds: 1},
	}
	run := func(add func(*flag.FlagSet) *monitorFlags, dir string, afterEpoch func()) error {
		watch := add(flag.NewFlagSet("x", flag.ContinueOnError))
		opts := train.Options{Dir: dir}
		m, err := watch.attach(&opts, cfg, 0, true, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		for i := range h {
			if err := opts.OnEpoch(h[:i+1], p); err != nil {
				t.Fatalf("epoch %d: %v", i+1, err)
			}
			afterEpoch()
		}
		return m.Close()
	}
	every, end := t.TempDir(), t.TempDir()
	if err := run(addMonitorFlags, every, func() {}); err != nil {
		t.Fatal(err)
	}
	if err := run(addEndMonitorFlags, end, func() {
		for _, f := range []string{CurvesPNG, CurvesSVG, HiddenUnitsPNG} {
			if _, err := os.Stat(filepath.Join(end, f)); err == nil {
				t.Errorf("%s drawn before the run ended", f)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{CurvesPNG, CurvesSVG, HiddenUnitsPNG} {
		a, errA := os.ReadFile(filepath.Join(every, f))
		b, errB := os.ReadFile(filepath.Join(end, f))
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Errorf("%s: drawn at the end (%d bytes, %v) differs from drawn after every epoch (%d bytes, %v)", f, len(b), errB, len(a), errA)
		}
	}

	bad := t.TempDir()
	if err := os.Mkdir(filepath.Join(bad, HiddenUnitsPNG), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := run(addEndMonitorFlags, bad, func() {}); err == nil || !strings.Contains(err.Error(), HiddenUnitsPNG) {
		t.Errorf("Close: %v; want an error naming %s", err, HiddenUnitsPNG)
	}
}
