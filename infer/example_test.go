package infer_test

import (
	"fmt"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"image"
	"image/color"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/infer"
)

// A run directory written by `perceptron train` (here: a fresh, untrained
// network saved the same way) is loaded and asked about one input.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "model")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	p, _ := graph.NewParams(graph.NewArch([]int{32}, graph.Sigmoid), 1)
	info, _ := modeljson.NewModel(p, nil, nil)
	if err := modeljson.Save(dir, p, info); err != nil {
		log.Fatal(err)
	}

	m, err := infer.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	fmt.Println(m.Info.Architecture.Formula)
	preds, err := m.Predict(make([]float32, infer.Pixels)) // one black image
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(preds), "prediction of", len(preds[0].Probabilities), "probabilities")
	// Output:
	// softmax(sigmoid(x @ w1 + b1) @ w2 + b2)
	// 1 prediction of 10 probabilities
}

// Loading names the file that is wrong.
func ExampleLoad_error() {
	dir, _ := os.MkdirTemp("", "model")
	defer os.RemoveAll(dir)
	_, err := infer.Load(dir)
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "DIR"))
	// Output: load model: read DIR/model.json: open DIR/model.json: no such file or directory
}

// A photo of a dark digit on light paper becomes a 28×28 input: white on
// black, the ink's longer side 20 pixels, centred on its centre of mass.
func ExamplePreprocess() {
	// a "1": a thick dark bar on a light page, off-centre
	img := image.NewGray(image.Rect(0, 0, 400, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			v := uint8(220)
			if x >= 100 && x < 130 && y >= 50 && y < 250 {
				v = 30
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	x, err := infer.Preprocess(img)
	if err != nil {
		log.Fatal(err)
	}
	cx, cy, _ := infer.CentreOfMass(x)
	fmt.Printf("%d values, centre of mass (%.0f, %.0f)\n", len(x), cx, cy)
	for _, row := range strings.Split(infer.ASCII(x), "\n")[4:7] { // rows 4 to 6 of the 28: the bar's top
		fmt.Println(strings.TrimRight(row, " "))
	}
	// Output:
	// 784 values, centre of mass (14, 14)
	//
	//                           @@@@@@
	//                           @@@@@@
}

// ReadPhoto reads an image file (PNG, JPEG with its EXIF orientation, GIF,
// BMP, WebP, TIFF) and prepares it; what is not an image is refused,
// naming the file.
func ExampleReadPhoto() {
	dir, _ := os.MkdirTemp("", "photos")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "digit.png")
	os.WriteFile(path, []byte("not really a png"), 0o644)
	_, err := infer.ReadPhoto(path)
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "DIR"))
	// Output: DIR/digit.png: not an image in a known format (PNG, JPEG, GIF, BMP, WebP, TIFF)
}
