package imagefile

import (
	"bytes"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		path    string
		formats []string
		want    string
		err     string
	}{
		{"a/curves.png", Figure, "png", ""},
		{"curves.SVG", Figure, "svg", ""},
		{"c.jpeg", Figure, "jpg", ""},
		{"c.tiff", Figure, "tif", ""},
		{"c.pdf", Figure, "pdf", ""},
		{"wrong.jpg", Raster, "jpg", ""},
		{"wrong.PNG", Raster, "png", ""},
		{"wrong.svg", Raster, "", `wrong.svg: unknown picture format ".svg": want .png or .jpg`},
		{"wrong.txt", Raster, "", `wrong.txt: unknown picture format ".txt": want .png or .jpg`},
		{"c.gif", Figure, "", `c.gif: unknown picture format ".gif": want .png, .svg, .pdf, .eps, .jpg or .tif`},
		{"grid", Raster, "", `grid: no extension to tell the picture's format: want .png or .jpg`},
		{"dir.png/", Raster, "", `dir.png/: no extension to tell the picture's format: want .png or .jpg`},
	}
	for _, tc := range tests {
		got, err := Format(tc.path, tc.formats)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("Format(%q): %q, %v; want %q, %q", tc.path, got, err, tc.want, tc.err)
		}
	}
}

// What Write writes is what the extension says, read back by the decoders.
func TestWriteFollowsTheExtension(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.White)
	dir := t.TempDir()
	for name, want := range map[string]string{"a.png": "png", "b.jpg": "jpeg", "c.JPEG": "jpeg"} {
		path := filepath.Join(dir, name)
		if err := Write(path, img); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || format != want || cfg.Width != 8 || cfg.Height != 6 {
			t.Errorf("%s: %s %dx%d (%v), want %s 8x6", name, format, cfg.Width, cfg.Height, err, want)
		}
	}
	if err := Write(filepath.Join(dir, "d.gif"), img); err == nil {
		t.Error("Write of a .gif name succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "d.gif")); err == nil {
		t.Error("a refused name was written")
	}
}
