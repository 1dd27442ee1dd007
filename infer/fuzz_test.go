package infer

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"testing"
)

// Fuzz targets for the readers of infer (added with issue 7; the readers
// belong to the model-use work): no input may panic, and what is accepted
// must be what the callers rely on.

func FuzzDecodeNpyImages(f *testing.F) {
	f.Add(npyBytes("<f4", "(1, 784)", make([]byte, 4*784)))
	f.Add(npyBytes("|u1", "(2, 28, 28)", make([]byte, 2*784)))
	f.Add(npyBytes("<f8", "(784,)", make([]byte, 8*784)))
	f.Add(npyBytes("<f4", "(4000000000, 784)", nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		images, n, err := decodeNpyImages(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if n < 1 || len(images) != n*Pixels {
			t.Fatalf("%d images but %d values", n, len(images))
		}
		for i, v := range images {
			if !(v >= 0 && v <= 1) || math.IsNaN(float64(v)) {
				t.Fatalf("value %d is %v, want [0, 1]", i, v)
			}
		}
	})
}

func FuzzDecodePhoto(f *testing.F) {
	img := image.NewGray(image.Rect(0, 0, 6, 4))
	img.SetGray(2, 1, color.Gray{Y: 200})
	for _, enc := range []func(*bytes.Buffer) error{
		func(w *bytes.Buffer) error { return png.Encode(w, img) },
		func(w *bytes.Buffer) error { return jpeg.Encode(w, img, nil) },
		func(w *bytes.Buffer) error { return gif.Encode(w, img, nil) },
	} {
		var w bytes.Buffer
		if err := enc(&w); err != nil {
			f.Fatal(err)
		}
		f.Add(w.Bytes())
	}
	f.Add(pngBomb(100000, 100000))
	f.Fuzz(func(t *testing.T, b []byte) {
		JPEGOrientation(b)
		img, o, err := decode(b)
		if err != nil {
			return
		}
		r := img.Bounds()
		if r.Dx() < 1 || r.Dy() < 1 || r.Dx() > MaxPhotoSide || r.Dy() > MaxPhotoSide || o < 1 || o > 8 {
			t.Fatalf("accepted a %v image, orientation %d", r, o)
		}
		// small accepted images go through preprocessing without panicking
		if r.Dx()*r.Dy() <= 1<<16 {
			Preprocess(img)
		}
	})
}
