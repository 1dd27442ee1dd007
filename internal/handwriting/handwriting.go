// Package handwriting generates a development set of handwritten digits
// that are not MNIST's: each digit is drawn as synthetic pen strokes by a
// writer of its own (slant, proportions, loops, open and closed 4s, barred
// and plain 7s, 1s with and without a flag, 2s with and without a loop,
// 9s with a straight or a curved tail, stroke width, pen colour and kind)
// and photographed as a phone would: paper texture and rulings, uneven
// light, a shadow, perspective, blur, sensor noise and JPEG compression,
// a few photos at 12 megapixels and some stored sideways or upside down
// with an EXIF orientation tag.
//
// The set is seeded: Generate(seed, n) returns the same bytes on every
// machine, and photo i of a set does not depend on n, so a smaller set is
// a prefix of a larger one.
package handwriting

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
)

// Photo is one generated photo of a handwritten digit.
type Photo struct {
	JPEG          []byte // the file, with an EXIF orientation tag when stored turned
	Label         int    // the digit written, 0-9
	Style         Style  // which way of writing the digit, e.g. "7 barred"
	Width, Height int    // pixels as stored in the file
	Orientation   int    // the EXIF orientation written (1: none, upright)
}

// Name returns the photo's file name in a set written by WriteDir:
// <label>_<index>.jpg, so that the label is the first character.
func Name(p Photo, i int) string { return fmt.Sprintf("%d_%04d.jpg", p.Label, i) }

// LargeEvery is how often a photo is a 12-megapixel one (4032×3024):
// photos LargeEvery/2, LargeEvery/2+LargeEvery, ... of a set.
const LargeEvery = 100

// Generate returns n photos of the set seed: photo i shows digit i mod 10,
// written and photographed as the seed and i decide. It uses every core.
func Generate(seed uint64, n int) []Photo {
	return generate(n, func(i int) Photo { return One(seed, i) })
}

// generate returns photos one(0), ..., one(n-1), made on every core.
func generate(n int, one func(i int) Photo) []Photo {
	out := make([]Photo, max(0, n))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = one(i)
			}
		}()
	}
	for i := range out {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// WriteDir writes photos into dir (created if missing) as Name(p, i), each
// file complete or absent.
func WriteDir(dir string, photos []Photo) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, p := range photos {
		path := filepath.Join(dir, Name(p, i))
		if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(p.JPEG); return err }); err != nil {
			return err
		}
	}
	return nil
}

// One returns photo i of the set seed (the i-th of Generate(seed, n)).
func One(seed uint64, i int) Photo {
	rng := rand.New(rand.NewPCG(seed, uint64(i)*0x9E3779B97F4A7C15+1))
	label := i % 10
	w := newWriter(rng)
	strokes, style := skeleton(label, rng)
	sc := newScene(rng, i)
	return store(rng, sc.render(rng, w, strokes), label, style)
}

// store returns the upright photo img as a phone stores it: about 15% of
// photos turned with an EXIF orientation tag, JPEG at a quality rng picks.
func store(rng *rand.Rand, img *image.RGBA, label int, style Style) Photo {
	o := 1
	if chance(rng, 0.15) {
		o = []int{6, 6, 6, 8, 8, 3}[rng.IntN(6)]
		img = turn(img, o)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 60 + rng.IntN(36)}); err != nil {
		panic(err) // encoding into memory does not fail
	}
	jpg := b.Bytes()
	if o != 1 {
		jpg = withOrientation(jpg, uint16(o))
	}
	r := img.Bounds()
	return Photo{JPEG: jpg, Label: label, Style: style, Width: r.Dx(), Height: r.Dy(), Orientation: o}
}

// writer is how one person writes: the shape of their digits and their pen.
type writer struct {
	slant, aspect, rotate float64 // shear (top to the right), width factor, radians
	jitter                float64 // control points' scatter, digit heights
	wobble, wobbleFreq    float64 // tremor along the stroke
	width                 float64 // pen width, digit heights
	ink                   [3]float64
	opacity               float64 // ink's darkness at full coverage
	pencil                bool    // grainy, grey
	pressure              float64 // how much width and darkness vary along a stroke
}

func newWriter(rng *rand.Rand) writer {
	w := writer{
		slant:      min(0.5, max(-0.3, 0.1+0.15*rng.NormFloat64())),
		aspect:     u(rng, 0.7, 1.25),
		rotate:     rng.NormFloat64() * 4 * math.Pi / 180,
		jitter:     u(rng, 0.012, 0.04),
		wobble:     u(rng, 0, 0.008),
		wobbleFreq: u(rng, 5, 20),
		width:      math.Exp(u(rng, math.Log(0.03), math.Log(0.15))),
		opacity:    u(rng, 0.75, 0.97),
		pressure:   u(rng, 0, 0.3),
	}
	switch k := rng.IntN(20); {
	case k < 8: // blue ballpoint
		w.ink = [3]float64{u(rng, 0.05, 0.2), u(rng, 0.1, 0.3), u(rng, 0.45, 0.75)}
	case k < 15: // black pen or marker
		v := u(rng, 0.02, 0.15)
		w.ink = [3]float64{v, v, v + 0.03}
	case k < 17: // pencil
		v := u(rng, 0.25, 0.45)
		w.ink = [3]float64{v, v, v}
		w.pencil = true
		w.opacity = u(rng, 0.7, 0.9)
		w.width = min(w.width, 0.07)
	case k < 19: // red or green felt pen
		if chance(rng, 0.5) {
			w.ink = [3]float64{u(rng, 0.6, 0.8), u(rng, 0.05, 0.2), u(rng, 0.1, 0.25)}
		} else {
			w.ink = [3]float64{u(rng, 0.05, 0.2), u(rng, 0.35, 0.5), u(rng, 0.15, 0.3)}
		}
	default: // dark violet
		w.ink = [3]float64{u(rng, 0.25, 0.4), u(rng, 0.05, 0.15), u(rng, 0.4, 0.55)}
	}
	return w
}

// trace turns the skeleton into pen positions in the digit's box (its
// height 1, centred on 0), with the writer's slant, proportions, scatter and
// tremor, and the pen's width and darkness at each.
func (w writer) trace(rng *rand.Rand, strokes []stroke) [][]inkPoint {
	var out [][]inkPoint
	sin, cos := math.Sincos(w.rotate)
	for _, s := range strokes {
		js := make(stroke, len(s))
		for i, q := range s {
			js[i] = pt{q.x + w.jitter*rng.NormFloat64(), q.y + w.jitter*rng.NormFloat64(), q.corner}
		}
		path := catmullRom(js, 0.01)
		phase, phase2 := u(rng, 0, 2*math.Pi), u(rng, 0, 2*math.Pi)
		pts := make([]inkPoint, len(path))
		var length float64
		for i, q := range path {
			if i > 0 {
				length += math.Hypot(q[0]-path[i-1][0], q[1]-path[i-1][1])
			}
			x := (q[0]-0.5)*w.aspect*0.85 + w.slant*(0.5-q[1])
			y := q[1] - 0.5
			x += w.wobble * math.Sin(w.wobbleFreq*length+phase)
			y += w.wobble * math.Cos(0.7*w.wobbleFreq*length+phase2)
			press := 1 + w.pressure*math.Sin(3*length+phase2)
			pts[i] = inkPoint{x*cos - y*sin, x*sin + y*cos, w.width * (0.85 + 0.15*press), w.opacity * min(1, 0.85+0.15*press)}
		}
		// a light touch at the ends of a stroke
		taper := max(1, len(pts)/25)
		for i := 0; i < taper && i < len(pts); i++ {
			f := 0.6 + 0.4*float64(i)/float64(taper)
			pts[i].r *= f
			pts[len(pts)-1-i].r *= f
		}
		out = append(out, pts)
	}
	return out
}

// inkPoint is a pen position: x, y, the stroke's width and darkness there.
type inkPoint struct{ x, y, r, a float64 }
