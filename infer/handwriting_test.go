package infer

import (
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/handwriting"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/internal/testmodel"
)

// TestHandwritingDevSet reads photos of handwriting that is not MNIST's
// (internal/handwriting: synthetic pen strokes photographed as a phone
// would, two of them 12 MP, some turned by EXIF) with the study's default
// model and with the recommended model of `train -preset handwriting`. On
// the 500 photos of `go run ./scripts/handwriting -n 500 -seed 1` the
// default model read 97.8% (88.2% before the pipeline's shadow fixes) and
// the preset's ensemble of three 98.8% (its single networks 98.6-98.8%); on
// these 200, 97.5% and 99.0%; the bars are 92% and 97%. Unreadable
// photos count as wrong.
func TestHandwritingDevSet(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 200 photos and trains the preset (six to twelve minutes)")
	}
	scoreHandwriting(t, handwriting.Generate(1, 200), barDefault, barPreset)
}

// TestHandwritingFontSet reads the held-out second development set: the
// digits of Debian's handwriting fonts (handwriting.SystemFonts), each
// varied as a hand would, photographed by the same phone. On the 500
// photos of `go run ./scripts/handwriting -source fonts -n 500 -seed 1`
// the default model read 93.6% and the preset's ensemble of three 97.0%
// (one network of 512, the preset before, 96.2%; 84.6% and, with the
// 784-256-10 preset of then, 93.2% before the pipeline stood digits upright
// and put their centre of mass where MNIST's is), on these 300 95.3% and
// 98.0%. The default model's threshold is a little below what it measured,
// to catch a regression; the preset's is issue 13's bar of 97%.
// It skips where the fonts are not installed, except in CI (CI=true).
func TestHandwritingFontSet(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 300 photos and trains the preset (six to twelve minutes)")
	}
	photos, err := handwriting.GenerateFonts(1, 300, testenv.Fonts(t))
	if err != nil {
		t.Fatal(err)
	}
	scoreHandwriting(t, photos, 0.93, barPreset)
}

// Issue 13's bars for photos of handwriting: the share the default model
// and the preset's model should read.
const barDefault, barPreset = 0.92, 0.97

// scoreHandwriting reads photos with the default model and the preset's,
// and fails if either reads fewer than its share of them (unreadable
// photos count as wrong). It logs a model's shortfall from its bar.
func scoreHandwriting(t *testing.T, photos []handwriting.Photo, wantDefault, wantPreset float64) {
	t.Helper()
	var inputs []float32
	var labels []uint8
	unread := 0
	for i, p := range photos {
		x, err := PhotoFromBytes(p.JPEG)
		if err != nil {
			t.Logf("%s: %v", handwriting.Name(p, i), err)
			unread++
			continue
		}
		inputs = append(inputs, x...)
		labels = append(labels, uint8(p.Label))
	}
	for _, tc := range []struct {
		name      string
		m         func(testing.TB) *Model
		want, bar float64
	}{
		{"default model", defaultModel, wantDefault, barDefault},
		{"preset handwriting", func(tb testing.TB) *Model {
			m := New(testmodel.Preset(tb).Params)
			tb.Cleanup(func() { m.Close() })
			return m
		}, wantPreset, barPreset},
	} {
		m := tc.m(t)
		r, err := m.Evaluate(inputs, labels, 0)
		if err != nil {
			t.Fatal(err)
		}
		acc := r.Accuracy * float64(r.N) / float64(len(photos))
		t.Logf("%s: %.1f%% of %d photos right (%d unreadable)", tc.name, 100*acc, len(photos), unread)
		if acc < tc.bar {
			t.Logf("%s: %.1f points below issue 13's bar of %.0f%%", tc.name, 100*(tc.bar-acc), 100*tc.bar)
		}
		if acc < tc.want {
			t.Errorf("%s reads %.1f%% of %d photos of handwriting, want at least %.1f%%", tc.name, 100*acc, len(photos), 100*tc.want)
		}
	}
}
