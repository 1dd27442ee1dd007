package handwriting_test

import (
	"fmt"

	"github.com/perceptron-mnist/perceptron/internal/handwriting"
)

func Example() {
	for i, p := range handwriting.Generate(1, 3) {
		fmt.Println(handwriting.Name(p, i), p.Label, p.Style)
	}
	// Output:
	// 0_0000.jpg 0 0 egg
	// 1_0001.jpg 1 1 flag
	// 2_0002.jpg 2 2 loop
}

// The font set: the digits of Debian's handwriting fonts, photographed by
// the same phone as Generate's strokes.
func ExampleGenerateFonts() {
	fonts, err := handwriting.SystemFonts()
	if err != nil {
		fmt.Println(err) // names the Debian packages to install
		return
	}
	photos, err := handwriting.GenerateFonts(1, 20, fonts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, p := range photos[9:11] {
		fmt.Println(handwriting.Name(p, 9+i), p.Label, p.Style) // 9_0009.jpg 9 font DKG, then 0_0010.jpg 0 font DKG Bold
	}
}
