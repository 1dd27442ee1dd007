package main

import (
	"fmt"
	"io"

	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/serve"
)

// photoPreset is the train -preset recommended for reading photographed
// handwriting (train.Presets lists it).
const photoPreset = "handwriting"

// describeModel writes on w which model a command uses: its run directory,
// architecture, preset and recorded test accuracy. With photos, a model
// that was not trained from the handwriting preset gets a line that
// recommends it.
func describeModel(w io.Writer, dir string, m *infer.Model, photos bool) {
	info := serve.Describe(m)
	line := fmt.Sprintf("model %s: %s", dir, info.Architecture)
	if info.Preset != "" {
		line += ", preset " + info.Preset
	}
	if n := m.Ensemble(); n > 1 {
		line += fmt.Sprintf(", %d networks averaged", n)
	}
	if info.TestAccuracy > 0 {
		line += fmt.Sprintf(", test accuracy %.2f%%", 100*info.TestAccuracy)
	}
	fmt.Fprintln(w, line)
	if photos && info.Preset != photoPreset {
		fmt.Fprintf(w, "for photos of handwriting, the recommended model is trained by 'perceptron train -preset %s'\n", photoPreset)
	}
}
