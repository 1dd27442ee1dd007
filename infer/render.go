package infer

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
)

// ToImage returns a 28×28 input as an 8-bit gray image (white ink on black,
// as the network sees it).
func ToImage(x []float32) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, Side, Side))
	for i, v := range x[:Pixels] {
		img.Pix[i] = uint8(min(1, max(0, v))*255 + 0.5)
	}
	return img
}

// WritePNG writes a 28×28 input as a gray PNG file, through a temporary file.
func WritePNG(path string, x []float32) error {
	if len(x) != Pixels {
		return fmt.Errorf("write %s: image of %d values, want %d", path, len(x), Pixels)
	}
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, ToImage(x)) })
}

// ASCII renders a 28×28 input as 28 lines of text, two characters per
// pixel (so that it looks square in a terminal), denser characters for
// brighter ink: " .:-=+*#%@".
func ASCII(x []float32) string {
	const ramp = " .:-=+*#%@"
	var b strings.Builder
	for y := 0; y < Side; y++ {
		for _, v := range x[y*Side : (y+1)*Side] {
			c := ramp[int(min(1, max(0, v))*float32(len(ramp)-1)+0.5)]
			b.WriteByte(c)
			b.WriteByte(c)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
