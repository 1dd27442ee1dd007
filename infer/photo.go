package infer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"

	// decoders for image.Decode
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Limits on the photos ReadPhoto accepts. A file whose header claims more
// pixels is refused before any pixel is decoded.
const (
	MaxPhotoBytes  = 64 << 20    // file size
	MaxPhotoSide   = 20000       // pixels on either side
	MaxPhotoPixels = 100_000_000 // width × height
)

// ErrNoInk reports a photo in which no handwriting was found.
var ErrNoInk = errors.New("no ink found: the image looks like blank paper (or the digit is too faint or too small)")

// Formats lists the image formats ReadPhoto decodes.
const Formats = "PNG, JPEG, GIF, BMP, WebP, TIFF"

// ReadPhoto reads a photo or scan of one handwritten digit (any of Formats)
// and returns it as the network's input: 28×28 = 784 values in [0, 1], white
// ink on black, prepared as MNIST's digits were (see Preprocess). A JPEG's
// EXIF orientation is honoured. Errors name the file.
func ReadPhoto(path string) ([]float32, error) {
	x, _, err := ReadPhotoWarnings(path)
	return x, err
}

// ReadPhotoWarnings is ReadPhoto that also returns what the preparation saw
// that suggests the image is not a photo of one digit: several separate
// marks of similar size, ink touching the image's border, a very wide
// patch of ink. The image is prepared all the same.
func ReadPhotoWarnings(path string) ([]float32, []string, error) {
	img, o, err := DecodePhoto(path)
	if err != nil {
		return nil, nil, err
	}
	x, warnings, err := preprocess(img, o)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, warnings, nil
}

// PhotoFromBytes is ReadPhoto for an image already in memory, such as an
// upload; errors do not name a file. It applies the same limits.
func PhotoFromBytes(b []byte) ([]float32, error) {
	x, _, err := PhotoFromBytesWarnings(b)
	return x, err
}

// PhotoFromBytesWarnings is PhotoFromBytes with ReadPhotoWarnings's
// warnings.
func PhotoFromBytesWarnings(b []byte) ([]float32, []string, error) {
	switch {
	case len(b) == 0:
		return nil, nil, errors.New("empty body, not an image")
	case len(b) > MaxPhotoBytes:
		return nil, nil, fmt.Errorf("image is %d bytes, more than the %d an image may have", len(b), MaxPhotoBytes)
	}
	img, o, err := decode(b)
	if err != nil {
		return nil, nil, err
	}
	return preprocess(img, o)
}

// DecodePhoto reads and decodes an image file within the limits above and
// returns it with its EXIF orientation (1 when it has none).
func DecodePhoto(path string) (image.Image, Orientation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err // *PathError names the file
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	switch {
	case st.IsDir():
		return nil, 0, fmt.Errorf("%s: is a directory", path)
	case st.Size() == 0:
		return nil, 0, fmt.Errorf("%s: empty file, not an image", path)
	case st.Size() > MaxPhotoBytes:
		return nil, 0, fmt.Errorf("%s: file is %d bytes, more than the %d an image may have", path, st.Size(), MaxPhotoBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxPhotoBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	img, o, err := decode(b)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return img, o, nil
}

// decode checks the header's dimensions, then decodes the image.
func decode(b []byte) (img image.Image, o Orientation, err error) {
	defer func() {
		// a decoder must never crash the program on a malformed file
		if p := recover(); p != nil {
			img, o, err = nil, 0, fmt.Errorf("corrupt image (decoder failed: %v)", p)
		}
	}()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, 0, fmt.Errorf("not an image in a known format (%s)", Formats)
		}
		return nil, 0, fmt.Errorf("unreadable image header: %w", err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxPhotoSide || cfg.Height > MaxPhotoSide ||
		int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return nil, 0, fmt.Errorf("%s header claims %d×%d pixels: refusing images over %d pixels a side or %d megapixels",
			format, cfg.Width, cfg.Height, MaxPhotoSide, MaxPhotoPixels/1_000_000)
	}
	img, _, err = image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, 0, fmt.Errorf("corrupt %s image: %w", format, err)
	}
	// the frame decoded can differ from the header's size (a GIF's frame
	// lies anywhere on its screen, and may be empty)
	if r := img.Bounds(); r.Dx() < 1 || r.Dy() < 1 || r.Dx() > MaxPhotoSide || r.Dy() > MaxPhotoSide {
		return nil, 0, fmt.Errorf("%s image has a frame of %d×%d pixels: no image to read", format, r.Dx(), r.Dy())
	}
	o = 1
	if format == "jpeg" {
		o = JPEGOrientation(b)
	}
	return img, o, nil
}

// Preprocess turns an upright photo or scan of one handwritten digit into
// the network's input: 28×28 = 784 values in [0, 1], white ink on black.
//
// The steps follow MNIST's: the image becomes gray, downscaled early to at
// most 1024 pixels a side; the paper's brightness is estimated at a coarse
// scale (a percentile per cell, then a morphological closing that removes
// strokes but keeps shadows) and divided out, so uneven light is not ink;
// what is clearly darker than the local paper is ink, graded between the
// paper's noise level and the ink's typical darkness; specks and marks far
// from the digit are dropped; the ink is cropped, sheared upright (its slant
// taken from its second moments), its longer side scaled to 20 pixels with
// area averaging, and pasted into 28×28 with its centre of mass at (14, 14)
// to the nearest pixel, where MNIST's digits have theirs. Squared or ruled
// paper's lines around a small digit are not ink. Dark ink on light paper and light ink on a dark ground
// are both recognised.
func Preprocess(img image.Image) ([]float32, error) {
	x, _, err := preprocess(img, 1)
	return x, err
}

// working size: photos are box-averaged down to at most this many pixels a side
const workSide = 1024

func preprocess(img image.Image, o Orientation) ([]float32, []string, error) {
	b := img.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 {
		return nil, nil, fmt.Errorf("image has no pixels")
	}
	g := toGray(img, workSide)
	g = o.apply(g)
	return mnistStyle(g)
}

// gray is a single-channel image, 0 black to 1 white.
type gray struct {
	w, h int
	pix  []float32
}

// toGray converts img to gray (luma, transparent parts as white paper),
// averaging f×f blocks so that neither side exceeds maxSide.
func toGray(img image.Image, maxSide int) *gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	f := (max(w, h) + maxSide - 1) / maxSide
	ow, oh := (w+f-1)/f, (h+f-1)/f
	out := &gray{w: ow, h: oh, pix: make([]float32, ow*oh)}
	row := make([]float32, w)
	acc := make([]float32, ow)
	for oy := 0; oy < oh; oy++ {
		clear(acc)
		y0, y1 := oy*f, min(oy*f+f, h)
		for y := y0; y < y1; y++ {
			lumaRow(img, b.Min.Y+y, row)
			for ox := 0; ox < ow; ox++ {
				var s float32
				for _, v := range row[ox*f : min(ox*f+f, w)] {
					s += v
				}
				acc[ox] += s
			}
		}
		dst := out.pix[oy*ow : (oy+1)*ow]
		for ox := range dst {
			n := (min(ox*f+f, w) - ox*f) * (y1 - y0)
			dst[ox] = acc[ox] / float32(n)
		}
	}
	return out
}

// lumaRow fills row with the luma of image row y (Rec. 601, in [0, 1]),
// with fast paths for the types decoders return.
func lumaRow(img image.Image, y int, row []float32) {
	b := img.Bounds()
	const k = 1.0 / 255
	switch m := img.(type) {
	case *image.YCbCr: // JPEG: the Y plane is the luma
		p := m.Y[(y-m.Rect.Min.Y)*m.YStride:]
		for x := range row {
			row[x] = float32(p[x]) * k
		}
	case *image.Gray:
		p := m.Pix[(y-m.Rect.Min.Y)*m.Stride:]
		for x := range row {
			row[x] = float32(p[x]) * k
		}
	case *image.NRGBA:
		p := m.Pix[(y-m.Rect.Min.Y)*m.Stride:]
		for x := range row {
			q := p[4*x : 4*x+4 : 4*x+4]
			l := (0.299*float32(q[0]) + 0.587*float32(q[1]) + 0.114*float32(q[2])) * k
			a := float32(q[3]) * k
			row[x] = a*l + 1 - a // over white paper
		}
	case *image.RGBA: // premultiplied
		p := m.Pix[(y-m.Rect.Min.Y)*m.Stride:]
		for x := range row {
			q := p[4*x : 4*x+4 : 4*x+4]
			l := (0.299*float32(q[0]) + 0.587*float32(q[1]) + 0.114*float32(q[2])) * k
			row[x] = l + 1 - float32(q[3])*k
		}
	case *image.Paletted:
		var lut [256]float32
		for i, c := range m.Palette {
			lut[i] = lumaOf(c)
		}
		p := m.Pix[(y-m.Rect.Min.Y)*m.Stride:]
		for x := range row {
			row[x] = lut[p[x]]
		}
	default:
		for x := range row {
			row[x] = lumaOf(img.At(b.Min.X+x, y))
		}
	}
}

// lumaOf returns the luma of c composed over white.
func lumaOf(c color.Color) float32 {
	r, g, bl, a := c.RGBA() // premultiplied, 16 bits
	l := 0.299*float32(r) + 0.587*float32(g) + 0.114*float32(bl)
	return (l + float32(0xffff-a)) / 0xffff
}
