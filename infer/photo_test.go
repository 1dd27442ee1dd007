package infer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// checkMNISTStyle fails unless x looks like an MNIST input: values in
// [0, 1], white ink on a black ground with a black border, peak 1, the ink's
// longer side 20 pixels, its centre of mass within a pixel of the centre.
func checkMNISTStyle(t *testing.T, name string, x []float32) {
	t.Helper()
	if len(x) != Pixels {
		t.Fatalf("%s: %d values, want %d", name, len(x), Pixels)
	}
	var sum, peak float64
	x0, y0, x1, y1 := Side, Side, -1, -1
	for i, v := range x {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("%s: pixel %d is %v, want [0, 1]", name, i, v)
		}
		sum += float64(v)
		peak = max(peak, float64(v))
		if v > 0.05 {
			px, py := i%Side, i/Side
			x0, y0, x1, y1 = min(x0, px), min(y0, py), max(x1, px), max(y1, py)
		}
	}
	if mean := sum / Pixels; peak != 1 || mean > 0.35 || mean < 0.03 {
		t.Errorf("%s: peak %v, mean %v: want white ink (peak 1) on a mostly black ground", name, peak, mean)
	}
	if x0 < 1 || y0 < 1 || x1 > Side-2 || y1 > Side-2 {
		t.Errorf("%s: ink reaches the frame: box x %d-%d, y %d-%d", name, x0, x1, y0, y1)
	}
	if long := max(x1-x0+1, y1-y0+1); long < 19 || long > 21 {
		t.Errorf("%s: ink box %d×%d, want its longer side 20", name, x1-x0+1, y1-y0+1)
	}
	cx, cy, err := CentreOfMass(x)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// MNIST's place for it, to the nearest pixel: within half a pixel on each axis
	if dx, dy := math.Abs(cx-massCentre), math.Abs(cy-massCentre); dx > 0.5 || dy > 0.5 {
		t.Errorf("%s: centre of mass (%.2f, %.2f), want within half a pixel of MNIST's (%d, %d)", name, cx, cy, massCentre, massCentre)
	}
}

// meanAbsDiff is the mean absolute difference of two inputs.
func meanAbsDiff(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += math.Abs(float64(a[i] - b[i]))
	}
	return s / float64(len(a))
}

// alignedDiff is the least mean absolute difference of two 28×28 inputs
// over shifts of b by up to one pixel in x and in y. Centring puts the
// centre of mass on MNIST's (14, 14) to the nearest pixel, as MNIST does:
// a digit whose centre falls halfway between two pixels may move by one
// for a small change in the photo.
func alignedDiff(a, b []float32) float64 {
	best := math.Inf(1)
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			var s float64
			for y := range Side {
				for x := range Side {
					var q float32
					if sx, sy := x-dx, y-dy; sx >= 0 && sy >= 0 && sx < Side && sy < Side {
						q = b[sy*Side+sx]
					}
					s += math.Abs(float64(a[y*Side+x] - q))
				}
			}
			best = min(best, s/Pixels)
		}
	}
	return best
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPreprocessSyntheticPhotos(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []int{0, 1, 4, 7} {
		// the reference: the same digit upright in the middle of even, clean paper
		ref := scene{w: 1200, h: 900, ink: penDigits[d], size: 450, cx: 600, cy: 450, angle: 0.1, noise: 0, seed: 1}
		want, err := Preprocess(ref.render())
		if err != nil {
			t.Fatalf("digit %d reference: %v", d, err)
		}
		checkMNISTStyle(t, "reference", want)

		// the photo: off-centre, under a shadow and a gradient, noisy
		s := scene{w: 1600, h: 1200, ink: penDigits[d], size: 450, cx: 520 + 80*float64(d), cy: 700, angle: 0.1,
			shadow: true, noise: 0.03, seed: uint64(d)}
		img := s.render()
		jpg := encodeJPEG(t, img)
		sideways := encodeJPEG(t, rotateCCW(img))
		upsideDown := encodeJPEG(t, rotateCCW(rotateCCW(img)))
		files := []struct {
			name string
			b    []byte
		}{
			{"photo.png", encodePNG(t, img)},
			{"photo.jpg", jpg},
			{"exif6-le.jpg", withOrientation(sideways, 6, binary.LittleEndian)},
			{"exif6-be.jpg", withOrientation(sideways, 6, binary.BigEndian)},
			{"exif3.jpg", withOrientation(upsideDown, 3, binary.BigEndian)},
		}
		for _, f := range files {
			name := filepath.Base(f.name)
			path := writeFile(t, dir, name, f.b)
			x, err := ReadPhoto(path)
			if err != nil {
				t.Fatalf("digit %d, %s: %v", d, name, err)
			}
			checkMNISTStyle(t, name, x)
			if diff := alignedDiff(x, want); diff > 0.06 {
				t.Errorf("digit %d, %s: mean difference %.3f from the clean upright digit, want < 0.06\n%s", d, name, diff, ASCII(x))
			}
		}
		// the orientation tag is what turned the sideways photo upright
		raw, err := Preprocess(decodeBytes(t, sideways))
		if err != nil {
			t.Fatal(err)
		}
		if diff := alignedDiff(raw, want); diff < 0.1 {
			t.Errorf("digit %d: sideways photo without its tag differs by only %.3f from upright: the test cannot see orientation", d, diff)
		}
	}
}

func decodeBytes(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestShadowIsNotInk(t *testing.T) {
	blank := func(u, v float64) float64 { return 0 }
	s := scene{w: 1600, h: 1200, ink: blank, size: 400, shadow: true, noise: 0.03, seed: 5}
	img := s.render()
	_, err := Preprocess(decodeBytes(t, encodeJPEG(t, img)))
	if !errors.Is(err, ErrNoInk) {
		t.Fatalf("blank paper under a shadow: got %v, want %v", err, ErrNoInk)
	}
	// the shadow is strong: a global threshold halfway between the paper's
	// brightest and darkest parts would call a third of the page ink
	dark := 0
	for _, p := range img.Pix {
		if p < 178 { // halfway between lit paper (about 230) and shaded paper (about 125)
			dark++
		}
	}
	if dark < len(img.Pix)/5 {
		t.Fatalf("only %d of %d pixels in the shadow: the test is too easy", dark, len(img.Pix))
	}
}

func TestInkOnDarkGround(t *testing.T) {
	// a white-on-black 28×28 image (what -save-preprocessed writes) comes
	// back as itself, nearly
	s := scene{w: 300, h: 300, ink: penDigits[4], size: 200, cx: 150, cy: 150, seed: 3}
	img := s.render()
	want, err := Preprocess(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Preprocess(ToImage(want))
	if err != nil {
		t.Fatal(err)
	}
	checkMNISTStyle(t, "white on black", got)
	if diff := alignedDiff(got, want); diff > 0.03 {
		t.Fatalf("preprocessing a preprocessed image changed it by %.3f\n%s\n%s", diff, ASCII(want), ASCII(got))
	}
}

// pngBomb returns a PNG whose header claims w×h pixels, with a tiny body.
func pngBomb(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		start := len(b)
		b = append(b, typ...)
		b = append(b, data...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit gray
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1})
	chunk("IEND", nil)
	return b
}

func TestReadPhotoRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := encodeJPEG(t, scene{w: 200, h: 200, ink: penDigits[1], size: 150, cx: 100, cy: 100}.render())
	var gifBomb bytes.Buffer
	gif.Encode(&gifBomb, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White, color.Black}), nil)
	gb := gifBomb.Bytes()
	binary.LittleEndian.PutUint16(gb[6:], 60000) // logical screen 60000×60000
	binary.LittleEndian.PutUint16(gb[8:], 60000)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"notes.txt", []byte("shopping list: eggs, milk\n"), "not an image in a known format"},
		{"empty.png", nil, "empty file"},
		{"bomb.png", pngBomb(100000, 100000), "png header claims 100000×100000 pixels: refusing"},
		{"wide.png", pngBomb(30000, 10), "png header claims 30000×10 pixels: refusing"},
		{"bomb.gif", gb, "header claims 60000×60000 pixels: refusing"},
		{"truncated.jpg", good[:len(good)/2], "corrupt jpeg image"},
		{"blank.png", encodePNG(t, image.NewGray(image.Rect(0, 0, 50, 50))), ErrNoInk.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, tc.name, tc.data)
			_, err := ReadPhoto(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadPhoto(%s): error %v, want one naming the file and saying %q", tc.name, err, tc.want)
			}
		})
	}
	huge := filepath.Join(dir, "huge.jpg") // sparse: no disk used
	if err := os.WriteFile(huge, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, MaxPhotoBytes+1); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPhoto(huge); err == nil || !strings.Contains(err.Error(), huge+": file is 67108865 bytes, more than the 67108864") {
		t.Errorf("ReadPhoto(huge file): %v", err)
	}
	if _, err := ReadPhoto(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("ReadPhoto(directory): %v", err)
	}
	if _, err := ReadPhoto(filepath.Join(dir, "missing.jpg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadPhoto(missing file): %v", err)
	}
}

func TestJPEGOrientation(t *testing.T) {
	jpg := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)))
	tests := []struct {
		name string
		data []byte
		want Orientation
	}{
		{"no exif", jpg, 1},
		{"little endian 6", withOrientation(jpg, 6, binary.LittleEndian), 6},
		{"big endian 8", withOrientation(jpg, 8, binary.BigEndian), 8},
		{"value out of range", withOrientation(jpg, 9, binary.BigEndian), 1},
		{"truncated segment", withOrientation(jpg, 6, binary.LittleEndian)[:30], 1},
		{"not a jpeg", []byte("GIF89a"), 1},
		{"empty", nil, 1},
	}
	for _, tc := range tests {
		if got := JPEGOrientation(tc.data); got != tc.want {
			t.Errorf("%s: orientation %d, want %d", tc.name, got, tc.want)
		}
	}
	// every orientation turns a marked corner back to the top left
	g := &gray{w: 3, h: 2, pix: []float32{1, 0, 0, 0, 0, 0}}
	stored := map[Orientation][]float32{ // how each orientation stores the upright image g
		2: {0, 0, 1, 0, 0, 0}, 3: {0, 0, 0, 0, 0, 1}, 4: {0, 0, 0, 1, 0, 0},
		5: {1, 0, 0, 0, 0, 0}, 6: {0, 0, 0, 0, 1, 0}, 7: {0, 0, 0, 0, 0, 1}, 8: {0, 1, 0, 0, 0, 0},
	}
	for o, pix := range stored {
		w, h := 3, 2
		if o >= 5 {
			w, h = 2, 3
		}
		up := o.apply(&gray{w: w, h: h, pix: pix})
		if up.w != g.w || up.h != g.h || meanAbsDiff(up.pix, g.pix) != 0 {
			t.Errorf("orientation %d: %d×%d %v, want %d×%d %v", o, up.w, up.h, up.pix, g.w, g.h, g.pix)
		}
	}
}

func TestGeneratedPhotosAreRecognised(t *testing.T) {
	d := testData(t)
	m := defaultModel(t)
	const n = 200
	rng := rand.New(rand.NewPCG(7, 8))
	photos := make([]float32, 0, n*Pixels)
	for i := 0; i < n; i++ {
		size := 180 + 140*rng.Float64()
		s := scene{w: 800, h: 600, ink: mnistInk(d.Test.Image(i)), size: size,
			cx: size/2 + (800-size)*rng.Float64(), cy: size/2 + (600-size)*rng.Float64(),
			angle: (rng.Float64() - 0.5) * 0.3, shadow: rng.IntN(4) != 0, noise: 0.02 + 0.03*rng.Float64(), seed: uint64(i)}
		x, err := Preprocess(decodeBytes(t, encodeJPEG(t, s.render())))
		if err != nil {
			t.Fatalf("test image %d as a photo: %v", i, err)
		}
		photos = append(photos, x...)
	}
	onPhotos, err := m.Evaluate(photos, d.Test.Labels[:n], 0)
	if err != nil {
		t.Fatal(err)
	}
	original, err := m.Evaluate(d.Test.Images[:n*Pixels], d.Test.Labels[:n], 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first %d test digits: %.1f%% right as MNIST images, %.1f%% right as generated photos",
		n, 100*original.Accuracy, 100*onPhotos.Accuracy)
	if onPhotos.Accuracy < 0.85 {
		t.Errorf("%.1f%% of %d generated photos recognised, want at least 85%%", 100*onPhotos.Accuracy, n)
	}
}

// The fuzzer's finding (testdata/fuzz/FuzzDecodePhoto/5160a944d06cfca6): a
// GIF whose only frame is zero pixels wide is refused by decode itself.
func TestDecodeRefusesEmptyFrame(t *testing.T) {
	corpus, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzDecodePhoto", "5160a944d06cfca6"))
	if err != nil {
		t.Fatal(err)
	}
	// the corpus file holds: go test fuzz v1 / []byte("...")
	lines := strings.SplitN(string(corpus), "\n", 2)
	v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(lines[1]), "[]byte("), ")"))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := decode([]byte(v))
	if err == nil || err.Error() != "gif image has a frame of 0×16 pixels: no image to read" {
		t.Errorf("decode: %v, %v; want the empty frame refused", img, err)
	}
}

func TestSmallDigitOnSquaredPaper(t *testing.T) {
	// a "1" 80 pixels high on squared paper whose faint lines, 2 pixels
	// every 30, cover more of the page than the digit does
	const w, h = 1200, 900
	img := image.NewGray(image.Rect(0, 0, w, h))
	lines := 0
	for y := range h {
		for x := range w {
			v := uint8(225)
			if x%30 < 2 || y%30 < 2 {
				v = 195
				lines++
			}
			if x >= 600 && x < 612 && y >= 400 && y < 480 {
				v = 40
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	if ink := 12 * 80; lines < 50*ink {
		t.Fatalf("the lines cover %d pixels, the digit %d: the test is too easy", lines, ink)
	}
	x, err := Preprocess(img)
	if err != nil {
		t.Fatalf("small digit on squared paper: %v", err)
	}
	checkMNISTStyle(t, "squared paper", x)
	// a bar: ink in the middle columns only, no line left in the input
	for y := range Side {
		for c := range Side {
			if x[y*Side+c] > 0.1 && (c < 10 || c > 17) {
				t.Fatalf("ink at column %d of row %d: the paper's lines were taken for ink\n%s", c, y, ASCII(x))
			}
		}
	}
}
