package handwriting

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func TestGenerateIsSeeded(t *testing.T) {
	checkSeeded(t, Generate(3, 6), Generate(3, 6), Generate(3, 3), Generate(4, 6))
}

// checkSeeded checks sets a and b of one seed, a shorter set prefix of it
// and a set other of another seed: a and b the same, prefix the start of
// a, other different, labels i mod 10.
func checkSeeded(t *testing.T, a, b, prefix, other []Photo) {
	t.Helper()
	for i := range a {
		if !bytes.Equal(a[i].JPEG, b[i].JPEG) {
			t.Fatalf("photo %d differs between two runs of the same seed", i)
		}
		if i < len(prefix) && !bytes.Equal(a[i].JPEG, prefix[i].JPEG) {
			t.Fatalf("photo %d of a %d-photo set differs from photo %d of a %d-photo set", i, len(prefix), i, len(a))
		}
		if i < len(other) && bytes.Equal(a[i].JPEG, other[i].JPEG) {
			t.Fatalf("photo %d is the same for two seeds", i)
		}
		if a[i].Label != i%10 {
			t.Errorf("photo %d has label %d, want %d", i, a[i].Label, i%10)
		}
	}
}

func TestPhotosAreJPEGsOfTheStatedSize(t *testing.T) {
	orient := map[int]int{}
	photos := append(Generate(1, 20), One(1, LargeEvery/2))
	for i, p := range photos {
		if i == 20 {
			i = LargeEvery / 2
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.JPEG))
		if err != nil {
			t.Fatalf("photo %d: %v", i, err)
		}
		if cfg.Width != p.Width || cfg.Height != p.Height {
			t.Errorf("photo %d: JPEG is %d×%d, Photo says %d×%d", i, cfg.Width, cfg.Height, p.Width, p.Height)
		}
		if long := max(p.Width, p.Height); (i%LargeEvery == LargeEvery/2) != (long == 4032) {
			t.Errorf("photo %d: %d×%d", i, p.Width, p.Height)
		}
		orient[p.Orientation]++
		// an EXIF segment follows the start-of-image marker exactly when the photo is stored turned
		exif := bytes.HasPrefix(p.JPEG[2:], []byte{0xFF, 0xE1}) && bytes.Contains(p.JPEG[:40], []byte("Exif\x00\x00"))
		if exif != (p.Orientation != 1) {
			t.Errorf("photo %d: orientation %d, Exif segment %v", i, p.Orientation, exif)
		}
	}
	if orient[1] == 0 || orient[1] == len(photos) {
		t.Errorf("orientations %v: want most upright and some turned", orient)
	}
}

func TestStyles(t *testing.T) {
	styles := map[Style]int{}
	for i := 0; i < 400; i++ {
		rng := rand.New(rand.NewPCG(1, uint64(i)))
		strokes, s := skeleton(i%10, rng)
		if len(strokes) == 0 || s[0] != byte('0'+i%10) {
			t.Fatalf("digit %d: style %q, %d strokes", i%10, s, len(strokes))
		}
		styles[s]++
	}
	for _, s := range []Style{"1 flag", "1 plain", "1 flag and base", "2 loop", "2 plain", "4 open", "4 closed",
		"7", "7 barred", "9 straight tail", "9 curved tail", "8 two loops", "8 one stroke"} {
		if styles[s] == 0 {
			t.Errorf("no %q among 400 digits (styles %v)", s, styles)
		}
	}
}

func TestTurnTurnsBack(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Pix[0] = 255 // the top-left pixel is marked
	for o, want := range map[int]image.Point{3: {2, 1}, 6: {0, 2}, 8: {1, 0}} {
		s := turn(img, o)
		found := image.Point{-1, -1}
		for y := 0; y < s.Bounds().Dy(); y++ {
			for x := 0; x < s.Bounds().Dx(); x++ {
				if s.Pix[y*s.Stride+4*x] == 255 {
					found = image.Pt(x, y)
				}
			}
		}
		if found != want {
			t.Errorf("orientation %d: the top-left pixel is stored at %v, want %v", o, found, want)
		}
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	photos := Generate(2, 3)
	if err := WriteDir(dir, photos); err != nil {
		t.Fatal(err)
	}
	for i, p := range photos {
		b, err := os.ReadFile(filepath.Join(dir, Name(p, i)))
		if err != nil || !bytes.Equal(b, p.JPEG) {
			t.Fatalf("%s: %v", Name(p, i), err)
		}
	}
	if Name(photos[2], 2) != "2_0002.jpg" {
		t.Errorf("name %q", Name(photos[2], 2))
	}
	if err := WriteDir(filepath.Join(dir, "0_0000.jpg"), photos); err == nil {
		t.Error("writing into a file: no error")
	}
}

func BenchmarkOne(b *testing.B) {
	for i := 0; i < b.N; i++ {
		One(1, i%40)
	}
}
