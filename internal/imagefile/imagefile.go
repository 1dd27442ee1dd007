// Package imagefile is the one rule for the pictures the commands write:
// the file name's extension picks the format, and a name whose extension
// is not one of the formats that kind of picture is written in is refused
// before any work.
package imagefile

import (
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
)

// The formats of each kind of picture, by their usual extension.
var (
	// Raster is for pictures that are pixels (image.Image): grids of digits,
	// the hidden units' weights.
	Raster = []string{"png", "jpg"}
	// Figure is for drawings (learning curves), which gonum/plot renders in
	// each of these.
	Figure = []string{"png", "svg", "pdf", "eps", "jpg", "tif"}
)

// aliases are the other extensions of a format.
var aliases = map[string]string{"jpeg": "jpg", "tiff": "tif"}

// Format returns the format path's extension names ("png", "jpg", ...),
// one of formats, or an error naming the path and the extensions allowed.
func Format(path string, formats []string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	f := strings.TrimPrefix(ext, ".")
	if a, ok := aliases[f]; ok {
		f = a
	}
	for _, g := range formats {
		if f == g && f != "" {
			return f, nil
		}
	}
	want := make([]string, len(formats))
	for i, g := range formats {
		want[i] = "." + g
	}
	list := strings.Join(want, ", ")
	if n := len(want); n > 1 {
		list = strings.Join(want[:n-1], ", ") + " or " + want[n-1]
	}
	if ext == "" {
		return "", fmt.Errorf("%s: no extension to tell the picture's format: want %s", path, list)
	}
	return "", fmt.Errorf("%s: unknown picture format %q: want %s", path, ext, list)
}

// Encode writes img to w in format, one of Raster.
func Encode(w io.Writer, format string, img image.Image) error {
	switch format {
	case "png":
		return png.Encode(w, img)
	case "jpg":
		return jpeg.Encode(w, img, &jpeg.Options{Quality: 92})
	}
	return fmt.Errorf("unknown picture format %q", format)
}

// Write writes img to path in the format of its extension (one of Raster),
// through a temporary file so that a viewer never sees half of it.
func Write(path string, img image.Image) error {
	format, err := Format(path, Raster)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { return Encode(w, format, img) })
}
