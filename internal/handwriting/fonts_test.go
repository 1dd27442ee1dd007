package handwriting

import (
	"bytes"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// goFonts writes two of the Go fonts into a temporary directory, so that
// the font set's tests do not need Debian's fonts.
func goFonts(t *testing.T) []Font {
	t.Helper()
	dir := t.TempDir()
	var fonts []Font
	for _, f := range []struct {
		name string
		ttf  []byte
	}{{"Go", goregular.TTF}, {"Go Italic", goitalic.TTF}} {
		path := filepath.Join(dir, strings.ReplaceAll(f.name, " ", "")+".ttf")
		if err := os.WriteFile(path, f.ttf, 0o644); err != nil {
			t.Fatal(err)
		}
		fonts = append(fonts, Font{Name: f.name, Path: path, Package: "golang.org/x/image"})
	}
	return fonts
}

func TestGenerateFontsIsSeeded(t *testing.T) {
	fonts := goFonts(t)
	gen := func(seed uint64, n int) []Photo {
		t.Helper()
		photos, err := GenerateFonts(seed, n, fonts)
		if err != nil {
			t.Fatal(err)
		}
		if len(photos) != n {
			t.Fatalf("%d photos, want %d", len(photos), n)
		}
		return photos
	}
	a := gen(3, 12)
	checkSeeded(t, a, gen(3, 12), gen(3, 11), gen(4, 3))
	strokes := Generate(3, 3)
	for i := range a {
		if i < len(strokes) && a[i].Width == strokes[i].Width && a[i].Height == strokes[i].Height {
			t.Errorf("photo %d has the size of the stroke set's photo %d (%d×%d): the scenes should differ", i, i, a[i].Width, a[i].Height)
		}
		// photos 10k to 10k+9 are the digits in font k mod 2
		if want := Style("font " + fonts[(i/10)%2].Name); a[i].Style != want {
			t.Errorf("photo %d has style %q, want %q", i, a[i].Style, want)
		}
	}
}

func TestFontPhotosDecode(t *testing.T) {
	fonts := goFonts(t)
	photos, err := GenerateFonts(1, 12, fonts)
	if err != nil {
		t.Fatal(err)
	}
	f, err := loadFont(fonts[0])
	if err != nil {
		t.Fatal(err)
	}
	photos = append(photos, oneFont(1, LargeEvery/2, []face{f}))
	turned := 0
	for i, p := range photos {
		img, err := jpeg.Decode(bytes.NewReader(p.JPEG))
		if err != nil {
			t.Fatalf("photo %d: %v", i, err)
		}
		if b := img.Bounds(); b.Dx() != p.Width || b.Dy() != p.Height {
			t.Errorf("photo %d: JPEG is %d×%d, Photo says %d×%d", i, b.Dx(), b.Dy(), p.Width, p.Height)
		}
		if p.Orientation != 1 {
			turned++
		}
		// the digit is ink on paper: some pixels darker than the median
		var lum []int
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			for x := b.Min.X; x < b.Max.X; x += 2 {
				r, g, bb, _ := img.At(x, y).RGBA()
				lum = append(lum, int(r+g+bb)/3>>8)
			}
		}
		counts := make([]int, 256)
		for _, v := range lum {
			counts[v]++
		}
		median, dark := 0, 0
		for v, seen := 0, 0; v < 256; v++ {
			if seen += counts[v]; seen <= len(lum)/2 {
				median = v
			}
		}
		for _, v := range lum {
			if 5*v < 4*median { // pencil under a shadow is not much darker
				dark++
			}
		}
		if dark < len(lum)/1000 {
			t.Errorf("photo %d (%s): %d of %d pixels darker than the paper (median %d): no ink?", i, p.Style, dark, len(lum), median)
		}
	}
	if p := photos[len(photos)-1]; max(p.Width, p.Height) != 4032 {
		t.Errorf("font photo %d is %d×%d, want 12 MP", LargeEvery/2, p.Width, p.Height)
	}
	if turned == 0 || turned == len(photos) {
		t.Errorf("%d of %d photos turned: want some", turned, len(photos))
	}
}

func TestGenerateFontsErrors(t *testing.T) {
	fonts := goFonts(t)
	dir := t.TempDir()
	notFont := filepath.Join(dir, "notes.ttf")
	if err := os.WriteFile(notFont, []byte("not a font"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "Kristi.ttf")
	for _, tc := range []struct {
		name  string
		fonts []Font
		want  []string
	}{
		{"no fonts", nil, []string{"no fonts"}},
		{"missing file", append(fonts, Font{"Kristi", missing, "fonts-kristi"}), []string{"Kristi", missing, "fonts-kristi"}},
		{"not a font", []Font{{"Notes", notFont, "none"}}, []string{"Notes", notFont}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			photos, err := GenerateFonts(1, 3, tc.fonts)
			if err == nil {
				t.Fatalf("no error (%d photos)", len(photos))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestMissingSystemFonts(t *testing.T) {
	fonts, err := fontsIn(t.TempDir())
	if err == nil {
		t.Fatalf("no error for an empty font directory (%d fonts)", len(fonts))
	}
	for _, f := range debianFonts() {
		if !strings.Contains(err.Error(), f.Package) {
			t.Errorf("error %q does not name package %s", err, f.Package)
		}
	}
	if !strings.Contains(err.Error(), "apt-get install -y fonts-") {
		t.Errorf("error %q does not say what to install", err)
	}
}

// TestCIInstallsTheFonts checks that .ci/run installs every package
// SystemFonts needs.
func TestCIInstallsTheFonts(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range debianFonts() {
		if !bytes.Contains(b, []byte(f.Package)) {
			t.Errorf(".ci/run does not install %s (font %s)", f.Package, f.Name)
		}
	}
}

func TestDistances(t *testing.T) {
	const w, h = 9, 7
	for _, tc := range []struct {
		name string
		on   [][2]int
	}{
		{"one pixel", [][2]int{{4, 3}}},
		{"corners", [][2]int{{0, 0}, {8, 6}}},
		{"a line", [][2]int{{2, 1}, {3, 2}, {4, 3}, {5, 4}}},
	} {
		on := make([]bool, w*h)
		for _, p := range tc.on {
			on[p[1]*w+p[0]] = true
		}
		got := distances(on, w, h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				want := math.Inf(1)
				for _, p := range tc.on {
					want = min(want, math.Hypot(float64(x-p[0]), float64(y-p[1])))
				}
				if math.Abs(got[y*w+x]-want) > 1e-9 {
					t.Errorf("%s: distance at (%d, %d) %g, want %g", tc.name, x, y, got[y*w+x], want)
				}
			}
		}
	}
}

func TestThicken(t *testing.T) {
	// a vertical bar 8 pixels wide on a 40×40 grid
	const w, h = 40, 40
	cov := make([]uint8, w*h)
	for y := 5; y < 35; y++ {
		for x := 16; x < 24; x++ {
			cov[y*w+x] = 255
		}
	}
	width := func(a []float32) float64 {
		var s float64
		for x := 0; x < w; x++ {
			s += float64(a[20*w+x])
		}
		return s
	}
	for _, tc := range []struct {
		f, grow, want float64
	}{
		{0, 10, 8},
		{0.5, 10, 12},  // out by half the half width on each side
		{-0.5, 10, 4},  // in by as much
		{1, 1, 10},     // at most grow out
		{-1, 10, 2.5},  // leaving about a pixel each side of the middle
		{0.25, 10, 10}, // fractions of a pixel stay fractions
	} {
		if got := width(thicken(cov, w, h, tc.f, tc.grow, 1)); math.Abs(got-tc.want) > 0.6 {
			t.Errorf("thicken by %g (at most %g out): bar %.2f wide, want %g", tc.f, tc.grow, got, tc.want)
		}
	}
	if got := width(thicken(cov, w, h, 0, 10, 0.5)); math.Abs(got-4) > 1e-6 {
		t.Errorf("opacity 0.5: the bar's ink sums to %.2f, want 4", got)
	}
}
