package testenv

import (
	"os"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/handwriting"
)

// Fonts returns Debian's handwriting fonts (handwriting.SystemFonts), or
// skips the test where they are not installed, except in CI (CI=true),
// where .ci/run installs them and the test fails with the apt-get line.
func Fonts(tb testing.TB) []handwriting.Font {
	tb.Helper()
	fonts, err := handwriting.SystemFonts()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but %v (.ci/run installs them)", err)
		}
		tb.Skip(err)
	}
	return fonts
}
