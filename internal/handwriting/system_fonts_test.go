package handwriting_test

import (
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/handwriting"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

// TestSystemFonts checks that each of Debian's handwriting fonts has the
// ten digits (skipped where they are not installed, except in CI).
func TestSystemFonts(t *testing.T) {
	fonts := testenv.Fonts(t)
	names := map[string]bool{}
	for _, f := range fonts {
		if names[f.Name] || f.Package == "" || !strings.HasPrefix(f.Path, handwriting.FontDir) {
			t.Errorf("font %+v: a name of its own, a package and a file in %s wanted", f, handwriting.FontDir)
		}
		names[f.Name] = true
	}
	// no photos, but every font read and its digits checked
	if _, err := handwriting.GenerateFonts(1, 0, fonts); err != nil {
		t.Fatal(err)
	}
}
