package onnx_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/onnx"
)

// randomModel returns a network of the given widths (inputs first) with
// seeded Glorot-like weights, the activations given for the hidden layers
// and Softmax at the end.
func randomModel(seed uint64, widths []int, activations ...string) *onnx.Model {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &onnx.Model{ProducerName: "perceptron", ProducerVersion: "test",
		Metadata: []onnx.Prop{{Key: "test_accuracy", Value: "0.5"}, {Key: "training", Value: `{"seed":1}`}}}
	for i := 0; i+1 < len(widths); i++ {
		in, out := widths[i], widths[i+1]
		l := onnx.Dense{In: in, Out: out, W: make([]float32, in*out), B: make([]float32, out), Activation: onnx.Softmax}
		if i < len(activations) {
			l.Activation = activations[i]
		}
		limit := math.Sqrt(6 / float64(in+out))
		for k := range l.W {
			l.W[k] = float32((2*rng.Float64() - 1) * limit)
		}
		for k := range l.B {
			l.B[k] = float32(rng.NormFloat64() * 0.1)
		}
		m.Layers = append(m.Layers, l)
	}
	return m
}

// forward computes the model's probabilities for n inputs in float64.
func forward(m *onnx.Model, x []float32) [][]float64 {
	n := len(x) / m.Layers[0].In
	out := make([][]float64, n)
	for r := range out {
		h := make([]float64, m.Layers[0].In)
		for i := range h {
			h[i] = float64(x[r*len(h)+i])
		}
		for _, l := range m.Layers {
			z := make([]float64, l.Out)
			for j := range z {
				s := float64(l.B[j])
				for i := 0; i < l.In; i++ {
					s += h[i] * float64(l.W[i*l.Out+j])
				}
				z[j] = s
			}
			switch l.Activation {
			case onnx.ReLU:
				for j := range z {
					z[j] = math.Max(z[j], 0)
				}
			case onnx.Sigmoid:
				for j := range z {
					z[j] = 1 / (1 + math.Exp(-z[j]))
				}
			case onnx.Tanh:
				for j := range z {
					z[j] = math.Tanh(z[j])
				}
			case onnx.Softmax:
				mx, sum := slices.Max(z), 0.0
				for j := range z {
					z[j] = math.Exp(z[j] - mx)
					sum += z[j]
				}
				for j := range z {
					z[j] /= sum
				}
			}
			h = z
		}
		out[r] = h
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	m := randomModel(1, []int{784, 32, 16, 8, 10}, onnx.ReLU, onnx.Tanh, onnx.Sigmoid)
	m.DocString = "a test"
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	f, err := onnx.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.IRVersion != 8 || !maps(f.Opsets, map[string]int64{"": 13}) {
		t.Errorf("ir_version %d, opsets %v: want 8 and {\"\": 13}", f.IRVersion, f.Opsets)
	}
	if f.ProducerName != "perceptron" || f.ProducerVersion != "test" || f.DocString != "a test" || f.GraphName != "perceptron" {
		t.Errorf("producer %q %q, doc %q, graph %q", f.ProducerName, f.ProducerVersion, f.DocString, f.GraphName)
	}
	if !slices.Equal(f.Metadata, m.Metadata) {
		t.Errorf("metadata %v, want %v", f.Metadata, m.Metadata)
	}
	var ops []string
	for _, n := range f.Nodes {
		ops = append(ops, n.Op)
	}
	want := "MatMul Add Relu MatMul Add Tanh MatMul Add Sigmoid MatMul Add Softmax"
	if got := strings.Join(ops, " "); got != want {
		t.Errorf("ops %s, want %s", got, want)
	}
	last := f.Nodes[len(f.Nodes)-1]
	if last.Output != "probabilities" || last.Axis == nil || *last.Axis != 1 {
		t.Errorf("last node %+v, want Softmax axis 1 giving probabilities", last)
	}
	if f.Nodes[0].Inputs[0] != "x" {
		t.Errorf("first node reads %v, want x", f.Nodes[0].Inputs)
	}
	for i, l := range m.Layers {
		n := string(rune('1' + i))
		w, bias := f.Initializer("w"+n), f.Initializer("b"+n)
		if w == nil || bias == nil {
			t.Fatalf("layer %d: initializers w%s, b%s missing", i+1, n, n)
		}
		if !slices.Equal(w.Dims, []int64{int64(l.In), int64(l.Out)}) || !slices.Equal(w.Data, l.W) {
			t.Errorf("w%s: dims %v, want [%d %d], or other values", n, w.Dims, l.In, l.Out)
		}
		if !slices.Equal(bias.Dims, []int64{int64(l.Out)}) || !slices.Equal(bias.Data, l.B) {
			t.Errorf("b%s: dims %v, want [%d], or other values", n, bias.Dims, l.Out)
		}
	}
	for _, c := range []struct {
		got  []onnx.ValueInfo
		name string
		dim  int64
	}{{f.Inputs, "x", 784}, {f.Outputs, "probabilities", 10}} {
		if len(c.got) != 1 {
			t.Fatalf("%d values, want %s only", len(c.got), c.name)
		}
		v := c.got[0]
		if v.Name != c.name || v.ElemType != 1 || !slices.Equal(v.Dims, []int64{-1, c.dim}) || v.Params[0] != "N" {
			t.Errorf("%+v, want %s float32 [N, %d]", v, c.name, c.dim)
		}
	}
	// the same model gives the same bytes
	b2, err := m.Marshal()
	if err != nil || !bytes.Equal(b, b2) {
		t.Errorf("a second Marshal gave other bytes (%v)", err)
	}
}

func maps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestDecodeHostile(t *testing.T) {
	b, err := randomModel(2, []int{784, 10}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// every truncation either decodes (cut at a field boundary) or fails
	// cleanly, never panics
	for n := 0; n < len(b); n += 1 + n/8 {
		onnx.Decode(b[:n])
	}
	for _, bad := range [][]byte{{0xff}, {0x3a, 0x05, 0x01}, {0x0a}} {
		if _, err := onnx.Decode(bad); err == nil {
			t.Errorf("Decode(%x) succeeded", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := func() *onnx.Model { return randomModel(3, []int{4, 3, 2}, onnx.ReLU) }
	for _, c := range []struct {
		name   string
		change func(m *onnx.Model)
		want   string
	}{
		{"no layers", func(m *onnx.Model) { m.Layers = nil }, "onnx: model has no layers"},
		{"short weights", func(m *onnx.Model) { m.Layers[0].W = m.Layers[0].W[1:] }, "onnx: layer 1: 11 weights for 4 × 3"},
		{"short biases", func(m *onnx.Model) { m.Layers[1].B = nil }, "onnx: layer 2: 0 biases for 2 outputs"},
		{"empty layer", func(m *onnx.Model) { m.Layers[0].Out = 0 }, "onnx: layer 1 is 4 → 0: want at least 1 input and 1 output"},
		{"chain", func(m *onnx.Model) {
			m.Layers[1].In, m.Layers[1].W = 2, m.Layers[1].W[:4]
		}, "onnx: layer 2 takes 2 inputs but layer 1 gives 3"},
		{"last not softmax", func(m *onnx.Model) { m.Layers[1].Activation = onnx.Sigmoid }, `onnx: last layer's activation is "sigmoid", want "softmax" (the output is probabilities)`},
		{"softmax inside", func(m *onnx.Model) { m.Layers[0].Activation = onnx.Softmax }, `onnx: layer 1: "softmax" is for the last layer only`},
		{"unknown activation", func(m *onnx.Model) { m.Layers[0].Activation = "swish" }, `onnx: layer 1: activation "swish": want linear, relu, sigmoid, tanh or softmax`},
		{"NaN weight", func(m *onnx.Model) { m.Layers[1].W[5] = float32(math.NaN()) }, "onnx: layer 2: weight 5 is NaN"},
		{"infinite bias", func(m *onnx.Model) { m.Layers[0].B[2] = float32(math.Inf(-1)) }, "onnx: layer 1: bias 2 is -Inf"},
		{"metadata twice", func(m *onnx.Model) { m.Metadata = append(m.Metadata, m.Metadata[0]) }, `onnx: metadata key "test_accuracy" given twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := ok()
			c.change(m)
			_, err := m.Marshal()
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
	if err := ok().Validate(); err != nil {
		t.Errorf("valid model: %v", err)
	}
	m := ok()
	m.Layers[0].Activation = onnx.Linear
	if err := m.Validate(); err != nil {
		t.Errorf("linear hidden layer: %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := randomModel(4, []int{4, 2})
	bad.Layers[0].Activation = onnx.ReLU
	if err := bad.WriteFile(path); err == nil {
		t.Fatal("an invalid model was written")
	}
	if err := randomModel(4, []int{4, 2}).WriteFile(filepath.Join(dir, "no", "such", "model.onnx")); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("failed writes changed the file to %q", b)
	}
	good := randomModel(4, []int{4, 2})
	if err := good.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	want, _ := good.Marshal()
	if b, _ := os.ReadFile(path); !bytes.Equal(b, want) {
		t.Error("the file differs from Marshal's bytes")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want model.onnx only", len(entries))
	}
}

// TestChecker runs ONNX's own checker (Debian's python3-onnx) with full
// shape inference on networks of one to four layers and every activation.
func TestChecker(t *testing.T) {
	py := testenv.NeedPython(t, "onnx")
	dir := t.TempDir()
	models := map[string]*onnx.Model{
		"one.onnx":    randomModel(5, []int{784, 10}),
		"two.onnx":    randomModel(6, []int{784, 20, 10}, onnx.Sigmoid),
		"four.onnx":   randomModel(7, []int{784, 32, 16, 8, 10}, onnx.ReLU, onnx.Tanh, onnx.Sigmoid),
		"linear.onnx": randomModel(8, []int{784, 5, 10}, onnx.Linear),
	}
	var paths []string
	for name, m := range models {
		p := filepath.Join(dir, name)
		if err := m.WriteFile(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	const check = `
import sys, onnx
for path in sys.argv[1:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    out = inferred.graph.output[0].type.tensor_type.shape.dim
    print(path, [d.dim_param or d.dim_value for d in out], {p.key: p.value for p in m.metadata_props}["test_accuracy"])
`
	out, err := exec.Command(py, append([]string{"-c", check}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("onnx.checker: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), "['N', 10] 0.5"); got != len(paths) {
		t.Errorf("checker output:\n%s\nwant %d models of output [N, 10] with test_accuracy 0.5", out, len(paths))
	}
}

// TestOnnxruntime runs a four-layer network with every activation in
// onnxruntime-node on the 10,000 MNIST test images and compares its
// probabilities with a float64 forward pass of the same weights.
func TestOnnxruntime(t *testing.T) {
	ort := testenv.NeedOnnxruntime(t)
	d := testenv.MNIST(t)
	m := randomModel(9, []int{784, 48, 24, 16, 10}, onnx.Tanh, onnx.ReLU, onnx.Sigmoid)
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := m.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	res := ort.Run(t, path, d.Dir)
	want := forward(m, d.Test.Images)
	if res.N != d.Test.Len() || len(res.Probabilities) != len(want) {
		t.Fatalf("onnxruntime predicted %d images (%d rows), want %d", res.N, len(res.Probabilities), len(want))
	}
	worst, right := 0.0, 0
	for i, p := range res.Probabilities {
		for j := range p {
			worst = math.Max(worst, math.Abs(p[j]-want[i][j]))
		}
		if slices.Index(want[i], slices.Max(want[i])) == int(d.Test.Labels[i]) {
			right++
		}
	}
	if worst > 1e-5 {
		t.Errorf("probabilities differ from float64 by up to %.3g, want at most 1e-5", worst)
	}
	if acc := float64(right) / float64(res.N); math.Abs(acc-res.Accuracy) > 1e-4 {
		t.Errorf("onnxruntime accuracy %v, float64 forward %v", res.Accuracy, acc)
	}
	t.Logf("onnxruntime on %d images: largest difference %.3g", res.N, worst)
}
