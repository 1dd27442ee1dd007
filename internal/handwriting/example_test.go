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
