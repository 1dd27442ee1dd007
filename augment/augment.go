// Package augment distorts 28×28 grey-level digit images the way one
// person's handwriting differs from another's, so that a network trained on
// the distorted images reads handwriting it has not seen (Simard, Steinkraus
// & Platt 2003: "Best practices for convolutional neural networks applied to
// visual document analysis").
//
// A Recipe gives the range of each distortion; Draw picks one image's
// distortion from it with a seeded generator, uniformly within each range;
// a Distorter applies it. A distortion is, in this order:
//
//   - stroke thickness: a grey-level dilation (thicker) or erosion (thinner)
//     of the image by a 3×3 cross, blended with the image by a fraction
//     drawn from [-Thin, +Thicken] (1: the whole dilation, -1: the whole
//     erosion);
//   - an affine map about the image's centre (13.5, 13.5): scaling by
//     1+s (s within ±Scale) with an aspect change 1+a (a within ±Aspect: x
//     grows by 1+a, y shrinks by it), a horizontal shear (slant) x += h·(13.5-y)
//     (h within ±Shear: positive leans the top to the right), a rotation by
//     up to ±Rotate degrees (positive turns counter-clockwise as seen), and
//     a shift of up to ±Shift pixels in x and in y;
//   - optionally an elastic distortion: a random displacement of up to
//     ±Elastic pixels at each point of a 5×5 grid over the image,
//     interpolated bilinearly between them, a smooth random field like
//     Simard's Gaussian-filtered one (σ ≈ 4 pixels) at a fraction of its
//     cost;
//
// and the image is resampled bilinearly (zero outside it). Pixels stay in
// [0, 1]. A zero Recipe leaves every image as it is, bit for bit.
//
// The package knows nothing of networks or data sets: images are
// Pixels float32 values in row-major order, white ink (1) on black (0).
package augment

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Size of the images: Side × Side pixels, row-major.
const (
	Side   = 28
	Pixels = Side * Side
)

// centre is the point the affine map turns about.
const centre = (Side - 1) / 2.0

// grid is the number of points of the elastic field's grid along each side.
const grid = 5

// Recipe is the range of each distortion; each image's distortion is drawn
// uniformly within them. The zero Recipe changes nothing.
type Recipe struct {
	Rotate  float64 `json:"rotate_degrees"` // ± degrees
	Scale   float64 `json:"scale"`          // ± fraction of the size
	Aspect  float64 `json:"aspect"`         // ± fraction: width × (1+a), height ÷ (1+a)
	Shear   float64 `json:"shear"`          // ± horizontal shift per pixel of height (slant)
	Shift   float64 `json:"shift_pixels"`   // ± pixels in x and in y
	Thicken float64 `json:"thicken"`        // up to this fraction of a dilation by a 3×3 cross
	Thin    float64 `json:"thin"`           // up to this fraction of an erosion by a 3×3 cross
	Elastic float64 `json:"elastic_pixels"` // ± pixels at each point of the 5×5 grid (0: none)
}

// Default is the recipe `perceptron train -augment` uses: ±12° rotation,
// ±12% size, ±10% aspect, ±0.25 shear (about ±14° of slant), ±2 pixels of
// shift, strokes up to one pixel thicker on each side or 60% of the way to
// one pixel thinner, no elastic distortion.
func Default() Recipe {
	return Recipe{Rotate: 12, Scale: 0.12, Aspect: 0.1, Shear: 0.25, Shift: 2, Thicken: 1, Thin: 0.6}
}

// DefaultElastic is the elastic amplitude `train -elastic` adds to the
// recipe, in pixels.
const DefaultElastic = 1.5

// IsZero reports whether the recipe changes nothing.
func (r Recipe) IsZero() bool { return r == Recipe{} }

// Validate reports the first range that is negative, not finite or too
// large to leave a digit readable.
func (r Recipe) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
		max  float64
	}{
		{"rotate_degrees", r.Rotate, 180}, {"scale", r.Scale, 0.9}, {"aspect", r.Aspect, 0.9},
		{"shear", r.Shear, 2}, {"shift_pixels", r.Shift, Side}, {"thicken", r.Thicken, 1},
		{"thin", r.Thin, 1}, {"elastic_pixels", r.Elastic, Side},
	} {
		if !(f.v >= 0 && f.v <= f.max) {
			return fmt.Errorf("augmentation %s %v: want 0 to %v", f.name, f.v, f.max)
		}
	}
	return nil
}

// Distortion is one image's draw from a Recipe.
type Distortion struct {
	Rotate         float64 // degrees, counter-clockwise as seen
	Scale, Aspect  float64 // size × (1+Scale); width × (1+Aspect), height ÷ (1+Aspect)
	Shear          float64 // x += Shear·(centre-y)
	ShiftX, ShiftY float64 // pixels (x right, y down)
	Thickness      float64 // > 0: that fraction of a dilation; < 0: of an erosion
	// Elastic holds the x then the y displacement (pixels) at each point of
	// the 5×5 grid, row-major; all zero without elastic distortion.
	Elastic [2][grid * grid]float32
}

// Rand returns the generator of the distortion of sample index in epoch of
// a run seeded by seed: each image's distortion depends only on these three
// numbers, so a run gives the same images whatever the order, the batch or
// the thread that distorts them, and a resumed run continues exactly.
func Rand(seed uint64, epoch, index int) rand.PCG {
	var p rand.PCG
	p.Seed(seed^0x61756d656e74 /* "augment" */, uint64(uint32(epoch))<<32|uint64(uint32(index)))
	return p
}

// uniform returns a value uniform in [-r, r) (0 when r is 0, drawing
// nothing, so that ranges set to 0 do not change the draws of the others).
func uniform(p *rand.PCG, r float64) float64 {
	if r == 0 {
		return 0
	}
	u := float64(p.Uint64()>>11) / (1 << 53) // [0, 1)
	return (2*u - 1) * r
}

// Draw picks a distortion from the recipe with p.
func (r Recipe) Draw(p *rand.PCG) Distortion {
	d := Distortion{
		Rotate: uniform(p, r.Rotate),
		Scale:  uniform(p, r.Scale),
		Aspect: uniform(p, r.Aspect),
		Shear:  uniform(p, r.Shear),
		ShiftX: uniform(p, r.Shift),
		ShiftY: uniform(p, r.Shift),
	}
	if r.Thicken > 0 || r.Thin > 0 {
		// uniform in [-Thin, Thicken)
		u := float64(p.Uint64()>>11) / (1 << 53)
		d.Thickness = -r.Thin + u*(r.Thin+r.Thicken)
	}
	if r.Elastic > 0 {
		for c := range d.Elastic {
			for i := range d.Elastic[c] {
				d.Elastic[c][i] = float32(uniform(p, r.Elastic))
			}
		}
	}
	return d
}

// IsZero reports whether the distortion leaves an image as it is.
func (d *Distortion) IsZero() bool { return *d == Distortion{} }

// A Distorter applies distortions; it holds the scratch space it needs so
// that it allocates nothing. One Distorter must not be used by two
// goroutines at once.
type Distorter struct {
	src, thick padded
}

// padded is an image with a border of one zero pixel on each side, so that
// neighbours and interpolation need no bounds checks.
type padded [padSide * padSide]float32

const padSide = Side + 2

// load copies img into p's interior (the border stays 0).
func (p *padded) load(img []float32) {
	for y := range Side {
		copy(p[(y+1)*padSide+1:(y+1)*padSide+1+Side], img[y*Side:(y+1)*Side])
	}
}

// store copies p's interior into img.
func (p *padded) store(img []float32) {
	for y := range Side {
		copy(img[y*Side:(y+1)*Side], p[(y+1)*padSide+1:(y+1)*padSide+1+Side])
	}
}

// errSize reports images of the wrong size.
var errSize = errors.New("augment: images must have 784 pixels")

// Apply writes src distorted by d into dst (both Pixels values; they must
// not overlap).
func (z *Distorter) Apply(dst, src []float32, d *Distortion) {
	if len(dst) < Pixels || len(src) < Pixels {
		panic(errSize)
	}
	dst, src = dst[:Pixels], src[:Pixels]
	if d.IsZero() {
		copy(dst, src)
		return
	}
	z.src.load(src)
	b, ok := z.src.box()
	if !ok { // no ink
		clear(dst)
		return
	}
	img := &z.src
	if d.Thickness != 0 {
		// only the ink's box and one pixel around it can change
		b = rect{max(b.x0-1, 1), max(b.y0-1, 1), min(b.x1+1, Side), min(b.y1+1, Side)}
		clear(z.thick[:])
		thickness(&z.thick, &z.src, d.Thickness, b)
		img = &z.thick
	}
	warp(dst, img, d, b)
}

// rect is a rectangle of pixels of a padded image, bounds included.
type rect struct{ x0, y0, x1, y1 int }

// whole is the whole interior of a padded image.
var whole = rect{1, 1, Side, Side}

// Thickness writes src with its strokes thickened (t > 0) or thinned
// (t < 0) into dst: src blended with its grey-level dilation or erosion by
// a 3×3 cross (a pixel and its four neighbours; outside the image is 0) by
// the fraction |t| (at most 1). dst and src must not overlap.
func Thickness(dst, src []float32, t float64) {
	if len(dst) < Pixels || len(src) < Pixels {
		panic(errSize)
	}
	var in, out padded
	in.load(src)
	thickness(&out, &in, t, whole)
	out.store(dst)
}

// thickness is Thickness on padded images within b; dst is left alone
// outside it.
func thickness(dst, src *padded, t float64, b rect) {
	w := float32(math.Min(math.Abs(t), 1))
	for y := b.y0; y <= b.y1; y++ {
		row := src[y*padSide : (y+1)*padSide]
		up := src[(y-1)*padSide : y*padSide]
		down := src[(y+1)*padSide : (y+2)*padSide]
		out := dst[y*padSide : (y+1)*padSide]
		if t > 0 {
			for x := b.x0; x <= b.x1; x++ {
				v := row[x]
				m := max(v, row[x-1], row[x+1], up[x], down[x])
				out[x] = v + w*(m-v)
			}
		} else {
			for x := b.x0; x <= b.x1; x++ {
				v := row[x]
				m := min(v, row[x-1], row[x+1], up[x], down[x])
				out[x] = v + w*(m-v)
			}
		}
	}
}

// warp resamples src through d's affine map and elastic field into dst:
// each pixel of dst takes the bilinear interpolation of src at the point
// the inverse map sends it to. All of src's ink lies within b.
func warp(dst []float32, src *padded, d *Distortion, b rect) {
	// forward map about the centre: A = R·H·S, with S = diag(sx, sy), H the
	// shear x += h·(-y) (y down, so a positive h leans the top right) and R
	// the rotation counter-clockwise as seen with y down.
	sx, sy := (1+d.Scale)*(1+d.Aspect), (1+d.Scale)/(1+d.Aspect)
	th := d.Rotate * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	// H·S = [[sx, -h·sy], [0, sy]]; R = [[c, s], [-s, c]]
	a11, a12 := c*sx, -c*d.Shear*sy+s*sy
	a21, a22 := -s*sx, s*d.Shear*sy+c*sy
	det := a11*a22 - a12*a21
	// inverse
	i11, i12, i21, i22 := a22/det, -a12/det, -a21/det, a11/det
	elastic, emax := false, 0.0
	for _, f := range d.Elastic {
		for _, e := range f {
			emax = max(emax, math.Abs(float64(e)))
		}
	}
	elastic = emax > 0
	// Only points within one pixel of the ink can take a value other than
	// 0: most of an image is background, and costs a comparison.
	ulo, uhi, vlo, vhi := float64(b.x0-1), float64(b.x1+1), float64(b.y0-1), float64(b.y1+1)
	for y := range Side {
		dy := float64(y) - centre - d.ShiftY
		out := dst[y*Side : (y+1)*Side]
		// along the row, (u, v) = (u0, v0) + x·(i11, i21), in the padded
		// image's coordinates (+1)
		dx0 := -centre - d.ShiftX
		u0 := i11*dx0 + i12*dy + centre + 1
		v0 := i21*dx0 + i22*dy + centre + 1
		// the x where (u, v) can be within the ink's box, widened by the
		// largest elastic displacement and a pixel against rounding; every
		// x is still checked
		xa, xb := 0.0, float64(Side-1)
		for _, c := range [2][4]float64{{u0, i11, ulo - emax, uhi + emax}, {v0, i21, vlo - emax, vhi + emax}} {
			w0, dw, lo, hi := c[0], c[1], c[2], c[3]
			if dw == 0 {
				if !(w0 > lo && w0 < hi) {
					xa, xb = 1, 0
				}
				continue
			}
			p, q := (lo-w0)/dw, (hi-w0)/dw
			if p > q {
				p, q = q, p
			}
			xa, xb = max(xa, math.Floor(p)-1), min(xb, math.Ceil(q)+1)
		}
		if xa > xb {
			clear(out)
			continue
		}
		ia, ib := int(xa), int(xb)
		clear(out[:ia])
		clear(out[ib+1:])
		if elastic {
			for x := ia; x <= ib; x++ {
				ex, ey := field(&d.Elastic, float64(x), float64(y))
				out[x] = sample(src, u0+i11*float64(x)+ex, v0+i21*float64(x)+ey, ulo, uhi, vlo, vhi)
			}
			continue
		}
		// the affine map alone, in float32 steps along the row, the
		// bilinear interpolation written out (the hot loop of -augment)
		u, v := float32(u0+i11*float64(ia)), float32(v0+i21*float64(ia))
		du, dv := float32(i11), float32(i21)
		flo, fhi, glo, ghi := float32(ulo), float32(uhi), float32(vlo), float32(vhi)
		for x := ia; x <= ib; x, u, v = x+1, u+du, v+dv {
			if !(u > flo && u < fhi && v > glo && v < ghi) {
				out[x] = 0
				continue
			}
			x0, y0 := int(u), int(v) // u, v > 0: truncation is the floor
			fx, fy := u-float32(x0), v-float32(y0)
			i := y0*padSide + x0
			if i < 0 || i+padSide+1 >= len(src) {
				out[x] = 0 // not reached: the box lies within the padded image
				continue
			}
			p00, p10, p01, p11 := src[i], src[i+1], src[i+padSide], src[i+padSide+1]
			top := p00 + fx*(p10-p00)
			bot := p01 + fx*(p11-p01)
			out[x] = top + fy*(bot-top)
		}
	}
}

// sample is the bilinear interpolation of the padded image at (u, v)
// (padded coordinates), 0 outside the box (ulo, uhi) × (vlo, vhi), which
// lies within the padded image.
func sample(img *padded, u, v, ulo, uhi, vlo, vhi float64) float32 {
	if !(u > ulo && u < uhi && v > vlo && v < vhi) {
		return 0
	}
	x0, y0 := int(u), int(v) // u, v > 0: truncation is the floor
	fx, fy := float32(u-float64(x0)), float32(v-float64(y0))
	i := y0*padSide + x0
	p := img[i : i+padSide+2 : i+padSide+2]
	top := p[0] + fx*(p[1]-p[0])
	bot := p[padSide] + fx*(p[padSide+1]-p[padSide])
	return top + fy*(bot-top)
}

// box returns the smallest rectangle (padded coordinates, inclusive) that
// holds every non-zero pixel, and false if there is none.
func (p *padded) box() (rect, bool) {
	x0, y0, x1, y1 := padSide, padSide, -1, -1
	for y := 1; y <= Side; y++ {
		row := p[y*padSide+1 : y*padSide+1+Side]
		first := -1
		for x, v := range row {
			if v != 0 {
				first = x
				break
			}
		}
		if first < 0 {
			continue
		}
		last := first
		for x := Side - 1; x > first; x-- {
			if row[x] != 0 {
				last = x
				break
			}
		}
		x0, x1 = min(x0, first+1), max(x1, last+1)
		y0 = min(y0, y)
		y1 = y
	}
	return rect{x0, y0, x1, y1}, x1 >= 0
}

// field returns the elastic displacement at (x, y): the bilinear
// interpolation of the grid's displacements.
func field(e *[2][grid * grid]float32, x, y float64) (float64, float64) {
	const step = float64(Side-1) / (grid - 1)
	gx, gy := x/step, y/step
	ix, iy := min(int(gx), grid-2), min(int(gy), grid-2)
	fx, fy := gx-float64(ix), gy-float64(iy)
	i := iy*grid + ix
	lerp := func(f *[grid * grid]float32) float64 {
		top := float64(f[i])*(1-fx) + float64(f[i+1])*fx
		bot := float64(f[i+grid])*(1-fx) + float64(f[i+grid+1])*fx
		return top*(1-fy) + bot*fy
	}
	return lerp(&e[0]), lerp(&e[1])
}
