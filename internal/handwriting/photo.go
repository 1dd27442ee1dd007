package handwriting

import (
	"encoding/binary"
	"image"
	"math"
	"math/rand/v2"
)

// scene is how a digit is photographed: the frame, the paper, the light and
// the camera.
type scene struct {
	w, h           int     // the photo upright, pixels
	size           float64 // the digit's height, pixels
	cx, cy         float64 // its centre
	persp          [2]float64
	paper          [3]float64
	fibre          float64 // paper texture's strength
	rule           int     // 0 plain, 1 lined, 2 squared
	ruleGap        float64 // pixels between rulings
	ruleAngle      float64
	exposure       float64
	grad           [3]float64 // light's gradient: direction x, y and strength
	vignette       float64
	shadow         bool
	shadowDir      [2]float64
	shadowAt       float64 // the shadow's edge, as a fraction across
	shadowSoft     float64 // its soft width, pixels
	shadowDepth    float64
	balance        [3]float64 // white balance
	blur           float64    // ink's blur, pixels
	noise          float64
	specks         int
	motion         [2]float64 // camera shake, pixels
	paperX, paperY float64    // texture offset
}

func newScene(rng *rand.Rand, i int) scene {
	var s scene
	if i%LargeEvery == LargeEvery/2 {
		s.w, s.h = 4032, 3024
	} else {
		long := int(u(rng, 640, 1400))
		s.w, s.h = long, long*3/4
		if chance(rng, 0.2) {
			s.h = long * 9 / 16
		}
	}
	if chance(rng, 0.5) {
		s.w, s.h = s.h, s.w
	}
	short := float64(min(s.w, s.h))
	s.size = short * u(rng, 0.2, 0.6)
	marginX := (float64(s.w) - 0.9*s.size) / 2
	marginY := (float64(s.h) - 1.2*s.size) / 2
	s.cx = float64(s.w)/2 + u(rng, -0.7, 0.7)*max(0, marginX)
	s.cy = float64(s.h)/2 + u(rng, -0.7, 0.7)*max(0, marginY)
	s.persp = [2]float64{u(rng, -0.25, 0.25) / float64(s.w), u(rng, -0.25, 0.25) / float64(s.h)}
	warm := u(rng, -0.04, 0.06)
	base := u(rng, 0.86, 0.99)
	s.paper = [3]float64{base + warm/2, base, base - warm}
	s.fibre = u(rng, 0.005, 0.03)
	switch k := rng.IntN(20); {
	case k < 2:
		s.rule = 1
	case k < 3:
		s.rule = 2
	}
	s.ruleGap = s.size * u(rng, 0.35, 0.7)
	s.ruleAngle = rng.NormFloat64() * 0.03
	s.exposure = u(rng, 0.6, 1.0)
	a := u(rng, 0, 2*math.Pi)
	s.grad = [3]float64{math.Cos(a), math.Sin(a), u(rng, 0, 0.35)}
	s.vignette = u(rng, 0, 0.3)
	if chance(rng, 0.45) {
		s.shadow = true
		a := u(rng, 0, 2*math.Pi)
		s.shadowDir = [2]float64{math.Cos(a), math.Sin(a)}
		s.shadowAt = u(rng, 0.15, 0.45)
		s.shadowSoft = u(rng, 0.03, 0.12) * float64(max(s.w, s.h))
		s.shadowDepth = u(rng, 0.1, 0.4)
	}
	s.balance = [3]float64{1 + u(rng, -0.06, 0.06), 1, 1 + u(rng, -0.08, 0.06)}
	scale := float64(max(s.w, s.h)) / 1000
	s.blur = u(rng, 0.3, 1.6) * scale
	if chance(rng, 0.1) {
		a := u(rng, 0, math.Pi)
		l := u(rng, 1, 4) * scale
		s.motion = [2]float64{l * math.Cos(a), l * math.Sin(a)}
	}
	s.noise = u(rng, 0.004, 0.03)
	if chance(rng, 0.3) {
		s.specks = 1 + rng.IntN(4)
	}
	s.paperX, s.paperY = u(rng, 0, 1000), u(rng, 0, 1000)
	return s
}

// inkMap is the ink on the paper around the digit: its darkness 0-1 on a
// grid of pixels from (x0, y0).
type inkMap struct {
	x0, y0, w, h int
	a            []float32
}

func (m *inkMap) at(x, y float64) float64 {
	fx, fy := x-float64(m.x0)-0.5, y-float64(m.y0)-0.5
	ix, iy := int(math.Floor(fx)), int(math.Floor(fy))
	if ix < -1 || iy < -1 || ix >= m.w || iy >= m.h {
		return 0
	}
	tx, ty := fx-float64(ix), fy-float64(iy)
	get := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= m.w || y >= m.h {
			return 0
		}
		return float64(m.a[y*m.w+x])
	}
	return (get(ix, iy)*(1-tx)+get(ix+1, iy)*tx)*(1-ty) + (get(ix, iy+1)*(1-tx)+get(ix+1, iy+1)*tx)*ty
}

// draw rasterises the pen's path at the scene's scale and place, then blurs
// it as the lens does.
func (s *scene) draw(rng *rand.Rand, w writer, paths [][]inkPoint) *inkMap {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, path := range paths {
		for i := range path {
			q := &path[i]
			q.x, q.y, q.r = s.cx+q.x*s.size, s.cy+q.y*s.size, q.r*s.size/2
			x0, y0, x1, y1 = min(x0, q.x-q.r), min(y0, q.y-q.r), max(x1, q.x+q.r), max(y1, q.y+q.r)
		}
	}
	pad := s.pad()
	m := &inkMap{x0: int(x0 - pad), y0: int(y0 - pad)}
	m.w, m.h = int(x1+pad)-m.x0+1, int(y1+pad)-m.y0+1
	m.a = make([]float32, m.w*m.h)
	for _, path := range paths {
		for i := 0; i+1 < len(path) || i == 0 && len(path) == 1; i++ {
			a, b := path[i], path[min(i+1, len(path)-1)]
			r := (a.r + b.r) / 2
			op := (a.a + b.a) / 2
			bx0, by0 := int(math.Floor(min(a.x, b.x)-r-1))-m.x0, int(math.Floor(min(a.y, b.y)-r-1))-m.y0
			bx1, by1 := int(math.Ceil(max(a.x, b.x)+r+1))-m.x0, int(math.Ceil(max(a.y, b.y)+r+1))-m.y0
			for y := max(0, by0); y <= min(m.h-1, by1); y++ {
				for x := max(0, bx0); x <= min(m.w-1, bx1); x++ {
					px, py := float64(x+m.x0)+0.5, float64(y+m.y0)+0.5
					d := segDist(px, py, a.x, a.y, b.x, b.y)
					c := min(1, max(0, r-d+0.5)) * op
					if c > float64(m.a[y*m.w+x]) {
						m.a[y*m.w+x] = float32(c)
					}
				}
			}
		}
	}
	s.lens(rng, w.pencil, m)
	return m
}

// pad is the margin an ink map needs around the ink for the lens's blur
// and the camera's shake.
func (s *scene) pad() float64 { return 3*s.blur + math.Hypot(s.motion[0], s.motion[1]) + 3 }

// lens adds a pencil's grain to the ink on m, if pencil, then the camera's
// shake and the lens's blur.
func (s *scene) lens(rng *rand.Rand, pencil bool, m *inkMap) {
	if pencil { // graphite leaves grain
		for i, v := range m.a {
			if v > 0 {
				m.a[i] = v * float32(0.55+0.45*rng.Float64())
			}
		}
	}
	if s.motion != [2]float64{} {
		m.a = smear(m.a, m.w, m.h, s.motion)
	}
	gaussBlur(m.a, m.w, m.h, s.blur)
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	vx, vy := bx-ax, by-ay
	l := vx*vx + vy*vy
	t := 0.0
	if l > 0 {
		t = min(1, max(0, ((px-ax)*vx+(py-ay)*vy)/l))
	}
	return math.Hypot(px-ax-t*vx, py-ay-t*vy)
}

// smear averages the map along a camera shake's path.
func smear(a []float32, w, h int, d [2]float64) []float32 {
	n := max(2, int(math.Ceil(math.Hypot(d[0], d[1]))))
	out := make([]float32, len(a))
	for k := 0; k <= n; k++ {
		t := float64(k)/float64(n) - 0.5
		dx, dy := int(math.Round(t*d[0])), int(math.Round(t*d[1]))
		for y := max(0, -dy); y < min(h, h-dy); y++ {
			for x := max(0, -dx); x < min(w, w-dx); x++ {
				out[(y+dy)*w+x+dx] += a[y*w+x]
			}
		}
	}
	for i := range out {
		out[i] /= float32(n + 1)
	}
	return out
}

// gaussBlur blurs a w×h map in place by about a Gaussian of standard
// deviation sigma: three box filters in each direction.
func gaussBlur(a []float32, w, h int, sigma float64) {
	// a box of width 2r+1 has variance r(r+1)/3: three of them, r(r+1) = sigma²
	r := int(math.Round((math.Sqrt(4*sigma*sigma+1) - 1) / 2))
	if r < 1 {
		return
	}
	tmp := make([]float32, max(w, h))
	line := make([]float32, max(w, h))
	box := func(n, stride, off int) {
		for k := 0; k < n; k++ {
			line[k] = a[off+k*stride]
		}
		for pass := 0; pass < 3; pass++ {
			var s float32
			for k := -r; k <= r; k++ {
				s += line[min(n-1, max(0, k))]
			}
			for k := 0; k < n; k++ {
				tmp[k] = s / float32(2*r+1)
				s += line[min(n-1, k+r+1)] - line[max(0, k-r)]
			}
			copy(line[:n], tmp[:n])
		}
		for k := 0; k < n; k++ {
			a[off+k*stride] = line[k]
		}
	}
	for y := 0; y < h; y++ {
		box(w, 1, y*w)
	}
	for x := 0; x < w; x++ {
		box(h, w, x)
	}
}

// render draws the digit's strokes on paper as writer w does and
// photographs them.
func (s *scene) render(rng *rand.Rand, w writer, strokes []stroke) *image.RGBA {
	return s.photograph(rng, s.draw(rng, w, w.trace(rng, strokes)), w.ink)
}

// photograph photographs the ink on paper: ink's darkness is the colour
// colour's coverage (from draw, or a font's glyph), already through the lens.
func (s *scene) photograph(rng *rand.Rand, ink *inkMap, colour [3]float64) *image.RGBA {
	texture := newNoise(rng, 48)
	fine := newNoise(rng, 400)
	img := image.NewRGBA(image.Rect(0, 0, s.w, s.h))
	W, H := float64(s.w), float64(s.h)
	long := max(W, H)
	var specks [][3]float64
	for k := 0; k < s.specks; k++ {
		specks = append(specks, [3]float64{u(rng, 0, W), u(rng, 0, H), u(rng, 0.5, 2.5) * long / 1000})
	}
	sr, cr := math.Sincos(s.ruleAngle)
	lineW := max(1, long/800)
	seed := rng.Uint64()
	for y := 0; y < s.h; y++ {
		noise := rand.New(rand.NewPCG(seed, uint64(y)))
		fy := float64(y) + 0.5
		for x := 0; x < s.w; x++ {
			fx := float64(x) + 0.5
			// the camera sees the paper at (px, py): a homography about the centre
			dx, dy := fx-W/2, fy-H/2
			den := 1 + s.persp[0]*dx + s.persp[1]*dy
			px, py := W/2+dx/den, H/2+dy/den
			// paper: colour, fibres, rulings
			tex := 1 + s.fibre*(texture.at(px/long, py/long)+0.5*fine.at(px/long, py/long))
			r, g, b := s.paper[0]*tex, s.paper[1]*tex, s.paper[2]*tex
			if s.rule > 0 {
				ly := py*cr - px*sr
				if d := math.Abs(math.Remainder(ly, s.ruleGap)); d < lineW {
					r, g, b = r*0.82, g*0.9, b*0.98
				} else if s.rule == 2 {
					lx := px*cr + py*sr
					if d := math.Abs(math.Remainder(lx, s.ruleGap)); d < lineW {
						r, g, b = r*0.82, g*0.9, b*0.98
					}
				}
			}
			// ink
			if a := ink.at(px, py); a > 0 {
				r *= 1 - a*(1-colour[0])
				g *= 1 - a*(1-colour[1])
				b *= 1 - a*(1-colour[2])
			}
			for _, sp := range specks {
				if math.Hypot(px-sp[0], py-sp[1]) < sp[2] {
					r, g, b = r*0.5, g*0.5, b*0.5
				}
			}
			// light
			nx, ny := dx/long, dy/long
			l := s.exposure * (1 + s.grad[2]*(nx*s.grad[0]+ny*s.grad[1])) * (1 - s.vignette*(nx*nx+ny*ny)*2)
			if s.shadow {
				t := (dx*s.shadowDir[0] + dy*s.shadowDir[1] + (0.5-s.shadowAt)*long) / s.shadowSoft
				l *= 1 - s.shadowDepth*smoothstep(t)
			}
			n := s.noise * (noise.Float64() + noise.Float64() - 1) * 1.7
			o := img.Pix[y*img.Stride+4*x:]
			o[0] = byte8(r*l*s.balance[0] + n + s.noise*(noise.Float64()-0.5))
			o[1] = byte8(g*l*s.balance[1] + n)
			o[2] = byte8(b*l*s.balance[2] + n + s.noise*(noise.Float64()-0.5))
			o[3] = 255
		}
	}
	return img
}

func byte8(v float64) uint8 { return uint8(255*min(1, max(0, v)) + 0.5) }

// smoothstep goes from 0 to 1 as t goes from -1 to 1.
func smoothstep(t float64) float64 {
	t = min(1, max(-1, t))
	return 0.5 + 0.5*math.Sin(t*math.Pi/2)
}

// noise2 is value noise on an n×n grid over [0, 1]², values in [-1, 1].
type noise2 struct {
	n int
	v []float64
}

func newNoise(rng *rand.Rand, n int) noise2 {
	v := make([]float64, (n+1)*(n+1))
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return noise2{n, v}
}

func (z noise2) at(x, y float64) float64 {
	fx, fy := min(float64(z.n)-1e-9, max(0, x*float64(z.n))), min(float64(z.n)-1e-9, max(0, y*float64(z.n)))
	ix, iy := int(fx), int(fy)
	tx, ty := fx-float64(ix), fy-float64(iy)
	k := z.n + 1
	return (z.v[iy*k+ix]*(1-tx)+z.v[iy*k+ix+1]*tx)*(1-ty) + (z.v[(iy+1)*k+ix]*(1-tx)+z.v[(iy+1)*k+ix+1]*tx)*ty
}

// turn returns the upright image img as a phone held another way stores
// it: the pixels such that turning them as orientation o says shows img.
func turn(img *image.RGBA, o int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var sx, sy int // where upright (x, y) is stored
			switch o {
			case 3:
				sx, sy = w-1-x, h-1-y
			case 6: // shown after turning 90° clockwise
				sx, sy = y, w-1-x
			case 8: // shown after turning 90° counter-clockwise
				sx, sy = h-1-y, x
			default:
				sx, sy = x, y
			}
			copy(out.Pix[sy*out.Stride+4*sx:sy*out.Stride+4*sx+4], img.Pix[y*img.Stride+4*x:])
		}
	}
	return out
}

// withOrientation inserts an Exif APP1 segment recording orientation o
// right after a JPEG's start-of-image marker.
func withOrientation(jpg []byte, o uint16) []byte {
	bo := binary.BigEndian
	tiff := []byte("MM")
	tiff = bo.AppendUint16(tiff, 42)
	tiff = bo.AppendUint32(tiff, 8) // IFD0 right after the header
	tiff = bo.AppendUint16(tiff, 1) // one entry
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3) // SHORT
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
