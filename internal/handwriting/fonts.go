package handwriting

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Font is a font file whose digits are a second source of handwriting,
// photographed by GenerateFonts as the pen strokes of Generate are.
type Font struct {
	Name    string // the photos' Style is "font " + Name
	Path    string // a TrueType or OpenType file
	Package string // the Debian package that installs Path
}

// FontDir is where Debian installs fonts; SystemFonts' paths are in it.
const FontDir = "/usr/share/fonts"

// debianFonts lists the handwriting-style fonts of SystemFonts: the
// regular, bold and oblique faces of Debian's packages, paths relative to
// FontDir. .ci/run installs the packages (a test checks that it names
// each). Left out: fonts-femkeklaver (its digits are outlines, not
// strokes), setofont-ex.ttf of fonts-seto (no digits), Breip's second
// file (the same digits), light and bold oblique faces.
func debianFonts() []Font {
	return []Font{
		{"DKG", "truetype/fifthhorseman/dkg.ttf", "fonts-dkg-handwriting"},
		{"DKG Bold", "truetype/fifthhorseman/dkgBd.ttf", "fonts-dkg-handwriting"},
		{"DKG Italic", "truetype/fifthhorseman/dkgIt.ttf", "fonts-dkg-handwriting"},
		{"Breip", "truetype/breip/Breip.ttf", "fonts-breip"},
		{"Because We Build", "opentype/bwht/BecauseWeBuild-Regular.otf", "fonts-bwht"},
		{"Because We Connect", "opentype/bwht/BecauseWeConnect-Regular.otf", "fonts-bwht"},
		{"Because We Create", "opentype/bwht/BecauseWeCreate-Regular.otf", "fonts-bwht"},
		{"Because We Learn", "opentype/bwht/BecauseWeLearn-Regular.otf", "fonts-bwht"},
		{"Because We Mentor", "opentype/bwht/BecauseWeMentor-Regular.otf", "fonts-bwht"},
		{"Because We Organize", "opentype/bwht/BecauseWeOrganize-Regular.otf", "fonts-bwht"},
		{"Humor Sans", "truetype/humor-sans/Humor-Sans.ttf", "fonts-humor-sans"},
		{"Klee One", "truetype/klee/KleeOne-Regular.ttf", "fonts-klee"},
		{"Klee One SemiBold", "truetype/klee/KleeOne-SemiBold.ttf", "fonts-klee"},
		{"Kristi", "truetype/kristi/Kristi.ttf", "fonts-kristi"},
		{"Rufscript", "truetype/rufscript/Rufscript010.ttf", "fonts-rufscript"},
		{"Comic Neue", "opentype/comic-neue/ComicNeue-Regular.otf", "fonts-comic-neue"},
		{"Comic Neue Bold", "opentype/comic-neue/ComicNeue-Bold.otf", "fonts-comic-neue"},
		{"Comic Neue Italic", "opentype/comic-neue/ComicNeue-Italic.otf", "fonts-comic-neue"},
		{"Dancing Script", "opentype/dancingscript/DancingScript-Regular.otf", "fonts-dancingscript"},
		{"Dancing Script Bold", "opentype/dancingscript/DancingScript-Bold.otf", "fonts-dancingscript"},
		{"Kaushan Script", "opentype/kaushanscript/KaushanScript-Regular.otf", "fonts-kaushanscript"},
		{"Seto", "truetype/seto/setofont.ttf", "fonts-seto"},
		{"Kiloji", "truetype/kiloji/kiloji.ttf", "fonts-kiloji"},
		{"Kiloji Bold", "truetype/kiloji/kiloji_b.ttf", "fonts-kiloji"},
		{"Purisa", "truetype/tlwg/Purisa.ttf", "fonts-tlwg-purisa-ttf"},
		{"Purisa Bold", "truetype/tlwg/Purisa-Bold.ttf", "fonts-tlwg-purisa-ttf"},
		{"Purisa Oblique", "truetype/tlwg/Purisa-Oblique.ttf", "fonts-tlwg-purisa-ttf"},
		{"Andika", "truetype/andika/Andika-Regular.ttf", "fonts-sil-andika"},
		{"Andika Bold", "truetype/andika/Andika-Bold.ttf", "fonts-sil-andika"},
		{"Andika Italic", "truetype/andika/Andika-Italic.ttf", "fonts-sil-andika"},
		{"Tomson Talks", "truetype/tomsontalks/TomsonTalks.ttf", "fonts-tomsontalks"},
	}
}

// SystemFonts returns the handwriting fonts installed from Debian's
// packages. If any is missing, the error names the files and the apt-get
// line that installs them.
func SystemFonts() ([]Font, error) { return fontsIn(FontDir) }

// fontsIn is SystemFonts with the fonts installed in dir.
func fontsIn(dir string) ([]Font, error) {
	fonts := debianFonts()
	var missing, pkgs []string
	for i := range fonts {
		fonts[i].Path = filepath.Join(dir, fonts[i].Path)
		if _, err := os.Stat(fonts[i].Path); err != nil {
			missing = append(missing, fonts[i].Path)
			if !slices.Contains(pkgs, fonts[i].Package) {
				pkgs = append(pkgs, fonts[i].Package)
			}
		}
	}
	if len(missing) > 0 {
		shown := missing[:min(3, len(missing))]
		more := ""
		if len(missing) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
		}
		return nil, fmt.Errorf("%d of %d handwriting fonts are not installed (%s%s); install them with: apt-get install -y %s",
			len(missing), len(fonts), strings.Join(shown, ", "), more, strings.Join(pkgs, " "))
	}
	return fonts, nil
}

// GenerateFonts returns n photos of the font set seed: photos 10k to 10k+9
// show the digits 0 to 9 in font k mod len(fonts), each varied as a
// person's hand would vary it (slant, rotation, proportions, stroke width,
// pen) and photographed by the same phone as Generate's (paper, light,
// shadow, perspective, blur, noise, JPEG, 12 MP photos, EXIF orientation).
// Same seed and fonts, same bytes; photo i does not depend on n. It reads
// every font file first and fails if one cannot be read or lacks a digit.
func GenerateFonts(seed uint64, n int, fonts []Font) ([]Photo, error) {
	if len(fonts) == 0 {
		return nil, errors.New("no fonts to write the digits with")
	}
	faces := make([]face, len(fonts))
	for i, f := range fonts {
		var err error
		if faces[i], err = loadFont(f); err != nil {
			return nil, err
		}
	}
	return generate(n, func(i int) Photo { return oneFont(seed, i, faces) }), nil
}

// face is a font's ten digits as outlines, in units of glyphPPEM per em.
type face struct {
	name   string
	digits [10]sfnt.Segments
}

const glyphPPEM = 1024

func loadFont(f Font) (face, error) {
	where := fmt.Sprintf("font %s (%s, Debian package %s)", f.Name, f.Path, f.Package)
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return face{}, fmt.Errorf("font %s (Debian package %s): %w", f.Name, f.Package, err)
	}
	ft, err := sfnt.Parse(b)
	if err != nil {
		return face{}, fmt.Errorf("%s: %w", where, err)
	}
	out := face{name: f.Name}
	var buf sfnt.Buffer
	for d := range out.digits {
		gi, err := ft.GlyphIndex(&buf, rune('0'+d))
		if err == nil && gi == 0 {
			err = errors.New("no glyph")
		}
		var segs sfnt.Segments
		if err == nil {
			segs, err = ft.LoadGlyph(&buf, gi, fixed.I(glyphPPEM), nil)
		}
		if err == nil && len(segs) == 0 {
			err = errors.New("an empty glyph")
		}
		if err != nil {
			return face{}, fmt.Errorf("%s: digit %d: %w", where, d, err)
		}
		out.digits[d] = slices.Clone(segs)
	}
	return out, nil
}

// fontStream keeps the font set's random numbers apart from the stroke
// set's of the same seed.
const fontStream = 0x666f6e7473 // "fonts"

// oneFont returns photo i of the font set seed.
func oneFont(seed uint64, i int, faces []face) Photo {
	rng := rand.New(rand.NewPCG(seed^fontStream, uint64(i)*0x9E3779B97F4A7C15+1))
	label := i % 10
	f := faces[(i/10)%len(faces)]
	w := newWriter(rng)
	h := newHand(rng, w)
	sc := newScene(rng, i)
	ink := sc.glyph(rng, h, f.digits[label])
	return store(rng, sc.photograph(rng, ink, w.ink), label, Style("font "+f.name))
}

// hand is how a person varies a font's digit: shear (the top to the
// right), rotation (radians), width factor, the change of stroke width (a
// fraction of the font's half stroke width; negative thins), and the pen.
type hand struct {
	slant, rotate, aspect, thicken float64
	opacity                        float64
	pencil                         bool
}

func newHand(rng *rand.Rand, w writer) hand {
	return hand{
		slant:   min(0.35, max(-0.2, 0.05+0.12*rng.NormFloat64())),
		rotate:  w.rotate,
		aspect:  u(rng, 0.8, 1.2),
		thicken: u(rng, -0.4, 0.6),
		opacity: w.opacity,
		pencil:  w.pencil,
	}
}

// glyph rasterises a digit's outline at the scene's size and place as
// hand h writes it, thickens or thins its strokes, and passes it through
// the lens.
func (s *scene) glyph(rng *rand.Rand, h hand, segs sfnt.Segments) *inkMap {
	// the outline's ink box, in glyph units
	gx0, gy0, gx1, gy1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	walk(segs, func(x, y float64) {
		gx0, gy0, gx1, gy1 = min(gx0, x), min(gy0, y), max(gx1, x), max(gy1, y)
	})
	gcx, gcy, gh := (gx0+gx1)/2, (gy0+gy1)/2, max(1, gy1-gy0)
	sin, cos := math.Sincos(h.rotate)
	// to the paper's pixels: the ink box's height is the scene's size
	paper := func(x, y float64) (float64, float64) {
		qx, qy := (x-gcx)/gh, (y-gcy)/gh
		qx = qx*h.aspect - h.slant*qy
		return s.cx + (qx*cos-qy*sin)*s.size, s.cy + (qx*sin+qy*cos)*s.size
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	walk(segs, func(x, y float64) {
		px, py := paper(x, y)
		x0, y0, x1, y1 = min(x0, px), min(y0, py), max(x1, px), max(y1, py)
	})
	grow := 0.08 * s.size // the most a stroke's edge moves out
	pad := s.pad() + grow + 2
	m := &inkMap{x0: int(x0 - pad), y0: int(y0 - pad)}
	m.w, m.h = int(x1+pad)-m.x0+1, int(y1+pad)-m.y0+1

	z := vector.NewRasterizer(m.w, m.h)
	at := func(p fixed.Point26_6) (float32, float32) {
		px, py := paper(float64(p.X)/64, float64(p.Y)/64)
		return float32(px - float64(m.x0)), float32(py - float64(m.y0))
	}
	open := false
	for _, sg := range segs {
		switch sg.Op {
		case sfnt.SegmentOpMoveTo:
			if open {
				z.ClosePath()
			}
			z.MoveTo(at(sg.Args[0]))
			open = true
		case sfnt.SegmentOpLineTo:
			z.LineTo(at(sg.Args[0]))
		case sfnt.SegmentOpQuadTo:
			bx, by := at(sg.Args[0])
			cx, cy := at(sg.Args[1])
			z.QuadTo(bx, by, cx, cy)
		case sfnt.SegmentOpCubeTo:
			bx, by := at(sg.Args[0])
			cx, cy := at(sg.Args[1])
			dx, dy := at(sg.Args[2])
			z.CubeTo(bx, by, cx, cy, dx, dy)
		}
	}
	if open {
		z.ClosePath()
	}
	cov := image.NewAlpha(image.Rect(0, 0, m.w, m.h))
	z.Draw(cov, cov.Bounds(), image.Opaque, image.Point{})

	m.a = thicken(cov.Pix, m.w, m.h, h.thicken, grow, h.opacity)
	s.lens(rng, h.pencil, m)
	return m
}

// thicken returns the coverage cov (w×h, 0-255) with every stroke's edge
// moved out by f times the strokes' half width (in by -f, thinning), at
// most grow pixels out and leaving at least a pixel, times opacity.
func thicken(cov []uint8, w, h int, f, grow, opacity float64) []float32 {
	in := make([]bool, len(cov))
	out := make([]bool, len(cov))
	for i, c := range cov {
		in[i] = c >= 128
		out[i] = !in[i]
	}
	toIn, toOut := distances(in, w, h), distances(out, w, h)
	// a stroke of half width r has its pixels' distances to the edge spread
	// evenly over [0, r]; a pixel's centre is half a pixel nearer the edge
	// than the centre of the nearest pixel outside
	var sum float64
	var k int
	for i, v := range in {
		if v {
			sum += toOut[i] - 0.5
			k++
		}
	}
	half := 2 * sum / float64(max(1, k))
	r := min(grow, max(-(half-1), f*half))
	a := make([]float32, len(cov))
	for i, c := range cov {
		var sd float64 // signed distance to the edge, negative inside
		switch {
		case c > 0 && c < 255:
			sd = 0.5 - float64(c)/255
		case in[i]:
			sd = 0.5 - toOut[i]
		default:
			sd = toIn[i] - 0.5
		}
		a[i] = float32(min(1, max(0, 0.5-sd+r)) * opacity)
	}
	return a
}

// walk calls fn at points along an outline (the ends of its segments and
// points on its curves), in glyph units.
func walk(segs sfnt.Segments, fn func(x, y float64)) {
	pt := func(p fixed.Point26_6) (float64, float64) { return float64(p.X) / 64, float64(p.Y) / 64 }
	var px, py float64
	for _, sg := range segs {
		switch sg.Op {
		case sfnt.SegmentOpMoveTo, sfnt.SegmentOpLineTo:
			px, py = pt(sg.Args[0])
			fn(px, py)
		case sfnt.SegmentOpQuadTo:
			bx, by := pt(sg.Args[0])
			cx, cy := pt(sg.Args[1])
			for k := 1; k <= 8; k++ {
				t := float64(k) / 8
				fn((1-t)*(1-t)*px+2*t*(1-t)*bx+t*t*cx, (1-t)*(1-t)*py+2*t*(1-t)*by+t*t*cy)
			}
			px, py = cx, cy
		case sfnt.SegmentOpCubeTo:
			bx, by := pt(sg.Args[0])
			cx, cy := pt(sg.Args[1])
			dx, dy := pt(sg.Args[2])
			for k := 1; k <= 8; k++ {
				t := float64(k) / 8
				s := 1 - t
				fn(s*s*s*px+3*s*s*t*bx+3*s*t*t*cx+t*t*t*dx, s*s*s*py+3*s*s*t*by+3*s*t*t*cy+t*t*t*dy)
			}
			px, py = dx, dy
		}
	}
}

// distances returns, for each pixel of a w×h grid, the Euclidean distance
// to the nearest pixel where on is true (about 1e10 if there is none): the
// exact transform of Felzenszwalb and Huttenlocher, by columns then rows.
func distances(on []bool, w, h int) []float64 {
	g := make([]float64, w*h)
	for i, v := range on {
		if !v {
			g[i] = far
		}
	}
	n := max(w, h)
	f, d := make([]float64, n), make([]float64, n)
	v, z := make([]int, n), make([]float64, n+1)
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			f[y] = g[y*w+x]
		}
		lowerEnvelope(f[:h], d[:h], v, z)
		for y := 0; y < h; y++ {
			g[y*w+x] = d[y]
		}
	}
	for y := 0; y < h; y++ {
		row := g[y*w : (y+1)*w]
		copy(f, row)
		lowerEnvelope(f[:w], row, v, z)
	}
	for i, s := range g {
		g[i] = math.Sqrt(s)
	}
	return g
}

const far = 1e20 // a squared distance beyond any grid's

// lowerEnvelope sets d[q] to the least (q-p)² + f[p] over p, using v and z
// (len(f) and len(f)+1 long) as scratch.
func lowerEnvelope(f, d []float64, v []int, z []float64) {
	n := len(f)
	if n == 0 {
		return
	}
	k := 0
	v[0], z[0], z[1] = 0, math.Inf(-1), math.Inf(1)
	for q := 1; q < n; q++ {
		fq := f[q] + float64(q*q)
		s := (fq - f[v[k]] - float64(v[k]*v[k])) / float64(2*(q-v[k]))
		for s <= z[k] {
			k--
			s = (fq - f[v[k]] - float64(v[k]*v[k])) / float64(2*(q-v[k]))
		}
		k++
		v[k], z[k], z[k+1] = q, s, math.Inf(1)
	}
	k = 0
	for q := 0; q < n; q++ {
		for z[k+1] < float64(q) {
			k++
		}
		dq := float64(q - v[k])
		d[q] = dq*dq + f[v[k]]
	}
}
