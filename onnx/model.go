package onnx

import (
	"fmt"
	"math"
	"strconv"
)

// Activations a Dense layer may apply. Softmax is for the last layer only.
const (
	Linear  = "linear"  // none: the layer's output is x·W + b
	ReLU    = "relu"    // ONNX Relu
	Sigmoid = "sigmoid" // ONNX Sigmoid
	Tanh    = "tanh"    // ONNX Tanh
	Softmax = "softmax" // ONNX Softmax along axis 1 (per row)
)

// Versions this package writes.
const (
	IRVersion = 8  // ONNX IR version of the file (ONNX 1.10 and later read it)
	Opset     = 13 // version of the default operator set imported
)

// Names of the graph's input and output.
const (
	InputName  = "x"
	OutputName = "probabilities"
)

// Dense is one fully connected layer: Activation(x·W + B).
type Dense struct {
	In, Out    int
	W          []float32 // In×Out, row-major: W[i*Out+j] connects input i to output j
	B          []float32 // Out
	Activation string    // Linear, ReLU, Sigmoid, Tanh, or Softmax for the last layer
}

// Prop is one entry of the model's metadata_props.
type Prop struct{ Key, Value string }

// Model is a network to write as ONNX.
type Model struct {
	Layers          []Dense // input first; the last one's activation is Softmax
	ProducerName    string  // e.g. "perceptron"
	ProducerVersion string
	GraphName       string // the graph's name ("" for "perceptron")
	DocString       string // a description of the model, free text
	Metadata        []Prop // metadata_props, in this order
}

// Validate reports the first reason the model cannot be written: no
// layers, a layer whose weights do not have its shape or hold NaN or
// infinite values, layers that do not chain, an unknown activation, or a
// last layer that is not Softmax.
func (m *Model) Validate() error {
	if len(m.Layers) == 0 {
		return fmt.Errorf("onnx: model has no layers")
	}
	keys := map[string]bool{}
	for _, p := range m.Metadata {
		if keys[p.Key] {
			return fmt.Errorf("onnx: metadata key %q given twice", p.Key)
		}
		keys[p.Key] = true
	}
	for i, l := range m.Layers {
		n := i + 1
		switch {
		case l.In < 1 || l.Out < 1:
			return fmt.Errorf("onnx: layer %d is %d → %d: want at least 1 input and 1 output", n, l.In, l.Out)
		case len(l.W) != l.In*l.Out:
			return fmt.Errorf("onnx: layer %d: %d weights for %d × %d", n, len(l.W), l.In, l.Out)
		case len(l.B) != l.Out:
			return fmt.Errorf("onnx: layer %d: %d biases for %d outputs", n, len(l.B), l.Out)
		case i > 0 && l.In != m.Layers[i-1].Out:
			return fmt.Errorf("onnx: layer %d takes %d inputs but layer %d gives %d", n, l.In, i, m.Layers[i-1].Out)
		}
		last := i == len(m.Layers)-1
		switch a := l.Activation; {
		case last && a != Softmax:
			return fmt.Errorf("onnx: last layer's activation is %q, want %q (the output is %s)", a, Softmax, OutputName)
		case !last && a == Softmax:
			return fmt.Errorf("onnx: layer %d: %q is for the last layer only", n, Softmax)
		case opType(a) == "" && a != Linear:
			return fmt.Errorf("onnx: layer %d: activation %q: want %s, %s, %s, %s or %s", n, a, Linear, ReLU, Sigmoid, Tanh, Softmax)
		}
		if k := nonFinite(l.W); k >= 0 {
			return fmt.Errorf("onnx: layer %d: weight %d is %v", n, k, l.W[k])
		}
		if k := nonFinite(l.B); k >= 0 {
			return fmt.Errorf("onnx: layer %d: bias %d is %v", n, k, l.B[k])
		}
	}
	return nil
}

func nonFinite(v []float32) int {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return i
		}
	}
	return -1
}

// opType is the ONNX operator of an activation ("" for Linear or unknown).
func opType(activation string) string {
	switch activation {
	case ReLU:
		return "Relu"
	case Sigmoid:
		return "Sigmoid"
	case Tanh:
		return "Tanh"
	case Softmax:
		return "Softmax"
	}
	return ""
}

// Node is one operator of the graph: Op applied to Inputs gives Output.
type Node struct {
	Name   string
	Op     string   // MatMul, Add, Relu, Sigmoid, Tanh or Softmax
	Inputs []string // value or initializer names
	Output string
	Axis   *int64 // Softmax's axis attribute
}

// Nodes returns the graph's operators in order: for layer n, MatMul(h, wn),
// Add(·, bn) and the activation, named densen/matmul, densen/add and
// densen/<activation>. The last one's output is probabilities.
func (m *Model) Nodes() []Node {
	var nodes []Node
	in := InputName
	for i, l := range m.Layers {
		n := strconv.Itoa(i + 1)
		last := i == len(m.Layers)-1
		out := func(v string) string {
			if last && v != "" {
				return OutputName
			}
			return v
		}
		z := "z" + n
		addOut := z
		if l.Activation == Linear {
			addOut = out(z)
		}
		nodes = append(nodes,
			Node{Name: "dense" + n + "/matmul", Op: "MatMul", Inputs: []string{in, "w" + n}, Output: "xw" + n},
			Node{Name: "dense" + n + "/add", Op: "Add", Inputs: []string{"xw" + n, "b" + n}, Output: addOut})
		in = addOut
		if op := opType(l.Activation); op != "" {
			node := Node{Name: "dense" + n + "/" + l.Activation, Op: op, Inputs: []string{z}, Output: out("h" + n)}
			if op == "Softmax" {
				axis := int64(1)
				node.Axis = &axis
			}
			nodes = append(nodes, node)
			in = node.Output
		}
	}
	return nodes
}
