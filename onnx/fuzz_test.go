package onnx_test

import (
	"testing"

	"github.com/perceptron-mnist/perceptron/onnx"
)

// FuzzDecode feeds Decode hostile bytes, seeded with real models: it must
// return a model or an error, never panic, and what it returns must be
// consistent (initializers hold as many values as their dimensions say).
func FuzzDecode(f *testing.F) {
	for i, m := range []*onnx.Model{randomModel(1, []int{784, 10}), randomModel(2, []int{6, 4, 3, 2}, onnx.ReLU, onnx.Tanh)} {
		m.Metadata = append(m.Metadata, onnx.Prop{Key: "seed", Value: string(rune('0' + i))})
		b, err := m.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := onnx.Decode(b)
		if err != nil {
			return
		}
		for _, init := range m.Initializers {
			n := int64(1)
			for _, d := range init.Dims {
				n *= d
			}
			if int64(len(init.Data)) != n {
				t.Fatalf("initializer %s: %d values for dimensions %v", init.Name, len(init.Data), init.Dims)
			}
		}
	})
}
