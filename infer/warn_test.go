package infer

import (
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// twoDigits writes two MNIST images side by side, as "42" is written, dark
// on light paper, scale times larger: a (18+28)·scale × 28·scale picture.
func twoDigits(a, b []float32, scale int) *image.Gray {
	const shift = 18 // MNIST's margins overlap
	img := image.NewGray(image.Rect(0, 0, (shift+Side)*scale, Side*scale))
	for y := 0; y < Side*scale; y++ {
		for x := 0; x < (shift+Side)*scale; x++ {
			u, v := x/scale, y/scale
			var c float32
			if u < Side {
				c = a[v*Side+u]
			}
			if u >= shift {
				c = max(c, b[v*Side+u-shift])
			}
			img.Pix[y*img.Stride+x] = uint8(math.Round(255 * (1 - 0.85*float64(c))))
		}
	}
	return img
}

// gray28 is an MNIST image as a 28×28 picture, white on black.
func gray28(x []float32) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, Side, Side))
	for i, v := range x {
		img.Pix[i] = uint8(math.Round(255 * float64(v)))
	}
	return img
}

func TestShapeWarnings(t *testing.T) {
	d := testData(t)
	warned := func(img image.Image) []string {
		t.Helper()
		_, w, err := preprocess(img, 1)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	// one digit: MNIST's own images, and photos of them, are not warned about
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 300
	var false28, falsePhotos int
	for i := range n {
		if w := warned(gray28(d.Test.Image(i))); len(w) > 0 {
			false28++
			t.Logf("test image %d (digit %d): %q", i, d.Test.Labels[i], w)
		}
		if i%10 == 0 {
			size := 180 + 140*rng.Float64()
			s := scene{w: 800, h: 600, ink: mnistInk(d.Test.Image(i)), size: size, cx: 400, cy: 300,
				angle: (rng.Float64() - 0.5) * 0.3, shadow: rng.IntN(4) != 0, noise: 0.03, seed: uint64(i)}
			if w := warned(s.render()); len(w) > 0 {
				falsePhotos++
				t.Logf("photo of test image %d (digit %d): %q", i, d.Test.Labels[i], w)
			}
		}
	}
	if false28 > n/50 || falsePhotos > 1 {
		t.Errorf("warnings for %d of %d MNIST images (want at most 2%%) and %d of %d photos of them (want at most 1)", false28, n, falsePhotos, n/10)
	}

	// "42": two digits side by side, on a photo
	four, two := -1, -1
	for i := 0; four < 0 || two < 0; i++ {
		switch d.Test.Labels[i] {
		case 4:
			four = i
		case 2:
			two = i
		}
	}
	w := warned(twoDigits(d.Test.Image(four), d.Test.Image(two), 8))
	if !contains(w, "2 separate marks of similar size side by side: the image may hold more than one digit") ||
		!contains(w, "times as wide as it is tall: one digit rarely is") {
		t.Errorf(`"42": warnings %q, want several marks and a wide patch of ink`, w)
	}

	// a digit cut by the image's edge
	cut := scene{w: 400, h: 400, ink: mnistInk(d.Test.Image(0)), size: 300, cx: 60, cy: 200, noise: 0.02, seed: 2}
	if w := warned(cut.render()); !contains(w, "the ink touches the image's border: the digit may be cut off, or the image is not of one digit") {
		t.Errorf("a digit cut by the border: warnings %q", w)
	}
}

func contains(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}
