package infer

import (
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/handwriting"
)

// TestHandwritingDevSet reads photos of handwriting that is not MNIST's
// (internal/handwriting: synthetic pen strokes photographed as a phone
// would, two of them 12 MP, some turned by EXIF) with the study's default
// model. On the 500 photos of `go run ./scripts/handwriting -n 500 -seed 1`
// it read 97.0% (88.2% before the pipeline's shadow fixes); 92% is the
// issue's bar for the default model.
func TestHandwritingDevSet(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 200 photos")
	}
	m := defaultModel(t)
	photos := handwriting.Generate(1, 200)
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
	r, err := m.Evaluate(inputs, labels, 0)
	if err != nil {
		t.Fatal(err)
	}
	right := r.Accuracy * float64(r.N)
	acc := right / float64(len(photos)) // unreadable photos count as wrong
	t.Logf("default model: %.1f%% of %d photos right (%d unreadable)", 100*acc, len(photos), unread)
	if acc < 0.92 {
		t.Errorf("default model reads %.1f%% of %d photos of handwriting, want at least 92%%", 100*acc, len(photos))
	}
}
