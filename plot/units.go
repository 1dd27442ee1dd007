package plot

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"

	"github.com/perceptron-mnist/perceptron/internal/imagefile"
)

// Side is the side of an MNIST image: a hidden unit's 784 input weights
// are shown as a Side × Side tile.
const Side = 28

// Colours of the hidden units' tiles: a weight w of a tile whose largest
// |weight| is m is drawn between White (w = 0) and Positive (w = m) or
// Negative (w = -m); the tiles are separated by Gap pixels of Background.
var (
	Positive   = color.RGBA{0xb2, 0x18, 0x2b, 0xff}
	Negative   = color.RGBA{0x21, 0x66, 0xac, 0xff}
	White      = color.RGBA{0xff, 0xff, 0xff, 0xff}
	Background = color.RGBA{0x40, 0x40, 0x40, 0xff}
)

// Gap is the space between tiles, in pixels.
const Gap = 2

// UnitsLayout returns the grid of tiles for hidden units, as square as it
// gets, and the number of pixels per weight that keeps the picture near 800
// pixels wide (1 to 4).
func UnitsLayout(hidden int) (cols, rows, scale int) {
	cols = int(math.Ceil(math.Sqrt(float64(hidden))))
	rows = (hidden + cols - 1) / cols
	scale = min(max(800/(cols*(Side+Gap)), 1), 4)
	return cols, rows, scale
}

// MaxUnits is the most tiles HiddenUnits draws: beyond it the tiles get too
// small to read.
const MaxUnits = 100

// ShownUnits returns the hidden units HiddenUnits draws, in order: all of
// them up to MaxUnits, else the MaxUnits whose input weights have the
// largest norms (the most developed features; the first on ties).
func ShownUnits(w1 []float32, inputs, hidden int) []int {
	units := make([]int, hidden)
	for j := range units {
		units[j] = j
	}
	if hidden <= MaxUnits {
		return units
	}
	norm := make([]float64, hidden)
	for i := range inputs {
		row := w1[i*hidden : (i+1)*hidden]
		for j, w := range row {
			norm[j] += float64(w) * float64(w)
		}
	}
	slices.SortStableFunc(units, func(a, b int) int { return cmp.Compare(norm[b], norm[a]) })
	units = units[:MaxUnits]
	slices.Sort(units)
	return units
}

// HiddenUnits draws the input weights of the first hidden layer's units,
// column j of the inputs × hidden matrix w1 (row-major, inputs = 784), as
// 28×28 tiles, row by row in a grid: red for positive weights, blue for
// negative, each tile scaled by its own largest |weight|. A layer of more
// than MaxUnits units is shown by the MaxUnits of ShownUnits.
func HiddenUnits(w1 []float32, inputs, hidden int) (*image.RGBA, error) {
	if inputs != Side*Side {
		return nil, fmt.Errorf("hidden units: %d inputs, want %d (28×28 images)", inputs, Side*Side)
	}
	if hidden < 1 || len(w1) != inputs*hidden {
		return nil, fmt.Errorf("hidden units: %d weights for %d × %d", len(w1), inputs, hidden)
	}
	shown := ShownUnits(w1, inputs, hidden)
	cols, rows, s := UnitsLayout(len(shown))
	tile := Side*s + Gap
	img := image.NewRGBA(image.Rect(0, 0, cols*tile+Gap, rows*tile+Gap))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:i+4], []uint8{Background.R, Background.G, Background.B, Background.A})
	}
	for t, j := range shown {
		var m float64
		for i := range inputs {
			m = max(m, math.Abs(float64(w1[i*hidden+j])))
		}
		x0, y0 := Gap+(t%cols)*tile, Gap+(t/cols)*tile
		for i := range inputs {
			c := shade(float64(w1[i*hidden+j]), m)
			px, py := x0+(i%Side)*s, y0+(i/Side)*s
			for dy := range s {
				for dx := range s {
					img.SetRGBA(px+dx, py+dy, c)
				}
			}
		}
	}
	return img, nil
}

// shade maps w in [-m, m] to Negative … White … Positive.
func shade(w, m float64) color.RGBA {
	if m == 0 || math.IsNaN(w) {
		return White
	}
	t := min(math.Abs(w)/m, 1)
	to := Positive
	if w < 0 {
		to = Negative
	}
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + t*(float64(b)-float64(a)))) }
	return color.RGBA{mix(White.R, to.R), mix(White.G, to.G), mix(White.B, to.B), 0xff}
}

// SaveHiddenUnits writes HiddenUnits to path in the format of its extension
// (imagefile.Raster: PNG or JPEG), through a temporary file.
func SaveHiddenUnits(path string, w1 []float32, inputs, hidden int) error {
	if _, err := imagefile.Format(path, imagefile.Raster); err != nil {
		return fmt.Errorf("plot %w", err)
	}
	img, err := HiddenUnits(w1, inputs, hidden)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return imagefile.Write(path, img)
}
