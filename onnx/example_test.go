package onnx_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/onnx"
)

// A network of two dense layers, 4 → 3 (relu) → 2 (softmax), written as an
// ONNX file and read back.
func ExampleModel_WriteFile() {
	m := &onnx.Model{
		Layers: []onnx.Dense{
			{In: 4, Out: 3, Activation: onnx.ReLU,
				W: []float32{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}, B: []float32{0, 0, 0.5}},
			{In: 3, Out: 2, Activation: onnx.Softmax,
				W: []float32{1, -1, -1, 1, 0.5, 0.5}, B: []float32{0, 0}},
		},
		ProducerName:    "perceptron",
		ProducerVersion: "example",
		Metadata:        []onnx.Prop{{Key: "test_accuracy", Value: "0.97"}},
	}
	dir, err := os.MkdirTemp("", "onnx-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.onnx")
	if err := m.WriteFile(path); err != nil {
		log.Fatal(err)
	}

	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	f, err := onnx.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("IR version %d, opset %d, %s %s\n", f.IRVersion, f.Opsets[""], f.ProducerName, f.ProducerVersion)
	for _, v := range f.Inputs {
		fmt.Printf("input  %s %v %v\n", v.Name, v.Params[0], v.Dims[1:])
	}
	for _, n := range f.Nodes {
		fmt.Printf("%s = %s%v\n", n.Output, n.Op, n.Inputs)
	}
	for _, v := range f.Outputs {
		fmt.Printf("output %s %v %v\n", v.Name, v.Params[0], v.Dims[1:])
	}
	acc, _ := f.Meta("test_accuracy")
	fmt.Println("test accuracy", acc)
	// Output:
	// IR version 8, opset 13, perceptron example
	// input  x N [4]
	// xw1 = MatMul[x w1]
	// z1 = Add[xw1 b1]
	// h1 = Relu[z1]
	// xw2 = MatMul[h1 w2]
	// z2 = Add[xw2 b2]
	// probabilities = Softmax[z2]
	// output probabilities N [2]
	// test accuracy 0.97
}
