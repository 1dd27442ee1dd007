package augment_test

import (
	"fmt"

	"github.com/perceptron-mnist/perceptron/augment"
)

// Distort one image the way training with -augment does: the distortion of
// a sample depends only on the run's seed, the epoch and the sample's index.
func Example() {
	src := make([]float32, augment.Pixels)
	for y := 6; y < 22; y++ { // a "1": a stroke two pixels wide
		src[y*augment.Side+13], src[y*augment.Side+14] = 1, 1
	}
	recipe := augment.Default()
	var z augment.Distorter
	dst := make([]float32, augment.Pixels)
	p := augment.Rand(1, 1, 0) // seed 1, epoch 1, sample 0
	d := recipe.Draw(&p)
	z.Apply(dst, src, &d)
	ink := func(img []float32) (s float32) {
		for _, v := range img {
			s += v
		}
		return s
	}
	fmt.Printf("rotated %.1f°, slant %.2f, %+.0f%% in size, stroke thickness %+.2f\n", d.Rotate, d.Shear, 100*d.Scale, d.Thickness)
	fmt.Printf("ink %.1f → %.1f\n", ink(src), ink(dst))
	// Output:
	// rotated 11.2°, slant 0.15, -10% in size, stroke thickness +0.84
	// ink 32.0 → 50.7
}
