package infer

import (
	"encoding/binary"
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

// scene is a synthetic phone photo of one handwritten digit: dark ink on
// light paper under uneven light (a gradient and a soft-edged shadow), with
// sensor noise, the digit off-centre and turned a little.
type scene struct {
	w, h   int
	ink    func(u, v float64) float64 // ink coverage 0-1 at digit coordinates in [0,1]²
	size   float64                    // digit height, pixels
	cx, cy float64                    // digit centre, pixels
	angle  float64                    // rotation, radians
	shadow bool                       // a shadow and a gradient across the page
	noise  float64                    // standard deviation of the sensor noise
	seed   uint64
}

func (s scene) render() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, s.w, s.h))
	rng := rand.New(rand.NewPCG(s.seed, 99))
	sin, cos := math.Sincos(-s.angle)
	// shadow edge: a line across the page, soft over 4% of the width
	sa, ca := math.Sincos(0.6)
	edge := 0.55 * (float64(s.w)*ca + float64(s.h)*sa)
	soft := 0.04 * float64(s.w)
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			light := 0.9
			if s.shadow {
				light = 0.95 - 0.25*float64(x)/float64(s.w) - 0.1*float64(y)/float64(s.h)
				t := (float64(x)*ca + float64(y)*sa - edge) / soft
				light *= 1 - 0.45*smooth(t)
			}
			dx, dy := float64(x)-s.cx, float64(y)-s.cy
			u := (dx*cos-dy*sin)/s.size + 0.5
			v := (dx*sin+dy*cos)/s.size + 0.5
			var c float64
			if u > -0.1 && u < 1.1 && v > -0.1 && v < 1.1 {
				c = s.ink(u, v)
			}
			p := light*(1-0.85*c) + rng.NormFloat64()*s.noise
			img.Pix[y*img.Stride+x] = uint8(math.Round(255 * math.Min(1, math.Max(0, p))))
		}
	}
	return img
}

// smooth goes from 0 to 1 as t goes from -1 to 1.
func smooth(t float64) float64 {
	t = math.Min(1, math.Max(-1, t))
	return 0.5 + 0.5*math.Sin(t*math.Pi/2)
}

// strokes returns the ink of a pen of the given width (in digit heights)
// drawn along polylines; aa is the width of the soft edge.
func strokes(width, aa float64, lines ...[]float64) func(u, v float64) float64 {
	return func(u, v float64) float64 {
		d := math.Inf(1)
		for _, l := range lines {
			for i := 0; i+3 < len(l); i += 2 {
				d = math.Min(d, segDist(u, v, l[i], l[i+1], l[i+2], l[i+3]))
			}
		}
		return math.Min(1, math.Max(0, (width/2-d)/aa+0.5))
	}
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	vx, vy := bx-ax, by-ay
	t := ((px-ax)*vx + (py-ay)*vy) / (vx*vx + vy*vy)
	t = math.Min(1, math.Max(0, t))
	return math.Hypot(px-ax-t*vx, py-ay-t*vy)
}

// ellipse returns a closed polyline around (cx, cy) with radii rx, ry.
func ellipse(cx, cy, rx, ry float64) []float64 {
	var l []float64
	for i := 0; i <= 32; i++ {
		a := 2 * math.Pi * float64(i) / 32
		l = append(l, cx+rx*math.Cos(a), cy+ry*math.Sin(a))
	}
	return l
}

// penDigits are digits drawn with a thick marker.
var penDigits = map[int]func(u, v float64) float64{
	0: strokes(0.1, 0.004, ellipse(0.5, 0.5, 0.25, 0.4)),
	1: strokes(0.1, 0.004, []float64{0.35, 0.25, 0.55, 0.1, 0.55, 0.9}),
	4: strokes(0.1, 0.004, []float64{0.6, 0.9, 0.6, 0.1, 0.15, 0.62, 0.8, 0.62}),
	7: strokes(0.1, 0.004, []float64{0.2, 0.15, 0.8, 0.15, 0.4, 0.9}),
}

// mnistInk returns the ink of a 28×28 MNIST image drawn large: bilinear
// upsampling, then a soft threshold, as a thick dark pen would draw it.
func mnistInk(x []float32) func(u, v float64) float64 {
	at := func(i, j int) float64 {
		if i < 0 || j < 0 || i >= Side || j >= Side {
			return 0
		}
		return float64(x[j*Side+i])
	}
	return func(u, v float64) float64 {
		fx, fy := u*Side-0.5, v*Side-0.5
		i, j := int(math.Floor(fx)), int(math.Floor(fy))
		tx, ty := fx-float64(i), fy-float64(j)
		b := (at(i, j)*(1-tx)+at(i+1, j)*tx)*(1-ty) + (at(i, j+1)*(1-tx)+at(i+1, j+1)*tx)*ty
		return math.Min(1, math.Max(0, (b-0.3)/0.3))
	}
}

func encodeJPEG(t testing.TB, img image.Image) []byte { return testenv.EncodeJPEG(t, img, 88) }

func encodePNG(t testing.TB, img image.Image) []byte { return testenv.EncodePNG(t, img) }

// withOrientation inserts an Exif APP1 segment recording orientation o
// right after a JPEG's start-of-image marker, in the given byte order.
func withOrientation(jpg []byte, o uint16, bo binary.AppendByteOrder) []byte {
	var tiff []byte
	if bo == binary.LittleEndian {
		tiff = append(tiff, "II"...)
	} else {
		tiff = append(tiff, "MM"...)
	}
	tiff = bo.AppendUint16(tiff, 42)
	tiff = bo.AppendUint32(tiff, 8) // IFD0 right after the header
	tiff = bo.AppendUint16(tiff, 2) // two entries
	// an unrelated entry first: ImageWidth (0x0100), LONG
	tiff = bo.AppendUint16(tiff, 0x0100)
	tiff = bo.AppendUint16(tiff, 4)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint32(tiff, 640)
	// Orientation (0x0112), SHORT, one value
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// rotateCCW returns img turned 90° counter-clockwise: what a phone held
// sideways stores, to be turned clockwise (orientation 6) for display.
func rotateCCW(img *image.Gray) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// (x, y) goes to (y, w-1-x)
			out.Pix[(w-1-x)*out.Stride+y] = img.Pix[y*img.Stride+x]
		}
	}
	return out
}
