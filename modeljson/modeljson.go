package modeljson

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/npy"
	"gorgonia.org/tensor"
)

// ModelFile is the name of the file that describes a saved model.
const ModelFile = "model.json"

// Format and FormatVersion identify model.json files this package writes.
// Version 2 lists the layers (Architecture.Layers) and has as many weight
// files as the network has dense layers; version 1, written before networks
// had more than one hidden layer, has neither a layer list nor more than
// four weight files, and is still read.
const (
	Format        = "perceptron-mnist"
	FormatVersion = 2
)

// Model is the content of model.json: what the weights are and how to use
// them, with whatever the trainer records about how they were made.
type Model struct {
	Format        string          `json:"format"`
	FormatVersion int             `json:"format_version"`
	Architecture  Architecture    `json:"architecture"`
	Input         Input           `json:"input"`
	Training      json.RawMessage `json:"training,omitempty"`
	Metrics       json.RawMessage `json:"metrics,omitempty"`
	Weights       []WeightFile    `json:"weights"`
}

// Architecture is graph.Arch with the fixed parts of the network spelled
// out. Its "hidden" is a number for one hidden layer (as in version 1) and
// a list for several.
type Architecture struct {
	graph.Arch
	// Layers are the dense layers from the input side, the output layer
	// last (version 2; filled from Arch when a version 1 file is read).
	Layers           []Layer `json:"layers,omitempty"`
	OutputActivation string  `json:"output_activation"` // "softmax"
	Loss             string  `json:"loss"`              // "categorical_crossentropy"
	WeightInit       string  `json:"weight_init"`       // "glorot_uniform"
	BiasInit         string  `json:"bias_init"`         // "zeros"
	Formula          string  `json:"formula"`
}

// Layer describes one dense layer: Units neurons computing
// Activation(input @ Weights + Bias), named as Keras's model.summary() names
// them.
type Layer struct {
	Name       string `json:"name"`       // "dense_1", "dense_2", …
	Type       string `json:"type"`       // "Dense"
	Units      int    `json:"units"`      // neurons
	Activation string `json:"activation"` // sigmoid, relu, tanh; softmax for the last
	Weights    string `json:"weights"`    // the weight matrix's name in Weights: "w1", …
	Bias       string `json:"bias"`       // the bias's name: "b1", …
}

// Layers returns the layer list of an architecture.
func Layers(a graph.Arch) []Layer {
	var out []Layer
	w := a.Widths()
	for i := range a.Depth() {
		out = append(out, Layer{Name: fmt.Sprintf("dense_%d", i+1), Type: "Dense", Units: w[i+1],
			Activation: a.LayerActivation(i), Weights: fmt.Sprintf("w%d", i+1), Bias: fmt.Sprintf("b%d", i+1)})
	}
	return out
}

// Formula writes the network as an expression:
// "softmax(relu(x @ w1 + b1) @ w2 + b2)".
func Formula(a graph.Arch) string {
	f := "x"
	for i := range a.Depth() {
		f = fmt.Sprintf("%s(%s @ w%d + b%d)", a.LayerActivation(i), f, i+1, i+1)
	}
	return f
}

// Input says how an image becomes the network's input.
type Input struct {
	Shape    []int  `json:"shape"`    // [784]
	Layout   string `json:"layout"`   // "28x28 row-major"
	Scaling  string `json:"scaling"`  // "pixel/255"
	Polarity string `json:"polarity"` // "white ink on black"
}

// WeightFile names one parameter's .npy file and its shape.
type WeightFile struct {
	Name  string `json:"name"`
	File  string `json:"file"`
	Shape []int  `json:"shape"`
	Dtype string `json:"dtype"`
}

// NewModel returns the description of p, with training and metrics recorded
// as given (anything that marshals to JSON, or nil).
func NewModel(p *graph.Params, training, metrics any) (*Model, error) {
	m := &Model{
		Format:        Format,
		FormatVersion: FormatVersion,
		Architecture: Architecture{
			Arch:             p.Arch,
			Layers:           Layers(p.Arch),
			OutputActivation: graph.Softmax,
			Loss:             "categorical_crossentropy",
			WeightInit:       "glorot_uniform",
			BiasInit:         "zeros",
			Formula:          Formula(p.Arch),
		},
		Input: Input{Shape: []int{p.Inputs}, Layout: "28x28 row-major", Scaling: "pixel/255", Polarity: "white ink on black"},
	}
	shapes := fileShapes(p.Arch)
	for i, name := range p.ParamNames() {
		m.Weights = append(m.Weights, WeightFile{Name: name, File: name + ".npy", Shape: shapes[i], Dtype: "float32"})
	}
	var err error
	if training != nil {
		if m.Training, err = json.Marshal(training); err != nil {
			return nil, fmt.Errorf("model training record: %w", err)
		}
	}
	if metrics != nil {
		if m.Metrics, err = json.Marshal(metrics); err != nil {
			return nil, fmt.Errorf("model metrics: %w", err)
		}
	}
	return m, nil
}

// fileShapes are the shapes of the parameters in their .npy files, in the
// order of graph.Params.Tensors: weights In × Out, biases 1-D.
func fileShapes(a graph.Arch) [][]int {
	s := a.ParamShapes()
	for i := 1; i < len(s); i += 2 {
		s[i] = s[i][1:]
	}
	return s
}

// Save writes p's .npy files (w1.npy, b1.npy, …) into dir, then m as
// model.json, each through a temporary file, so a reader never sees a
// half-written file.
func Save(dir string, p *graph.Params, m *Model) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	shapes, names := fileShapes(p.Arch), p.ParamNames()
	for i, t := range p.Tensors() {
		err := atomicfile.Write(filepath.Join(dir, names[i]+".npy"), func(w io.Writer) error {
			return npy.Write(w, shapes[i], graph.F32(t))
		})
		if err != nil {
			return fmt.Errorf("save model: %w", err)
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(dir, ModelFile), append(b, '\n'))
}

// WeightFiles returns the names of the .npy files of a model of
// architecture a: w1.npy, b1.npy, …
func WeightFiles(a graph.Arch) []string {
	var out []string
	for _, n := range a.ParamNames() {
		out = append(out, n+".npy")
	}
	return out
}

// maxModelJSON bounds the size of model.json.
const maxModelJSON = 1 << 20

// ReadModel reads and checks dir/model.json.
func ReadModel(dir string) (*Model, error) {
	path := filepath.Join(dir, ModelFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxModelJSON+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxModelJSON {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, maxModelJSON)
	}
	m, err := decodeModel(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return m, nil
}

// decodeModel parses and checks the content of a model.json, of version 1
// or 2; a version 1 model gets its layer list.
func decodeModel(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Format != Format {
		return nil, fmt.Errorf("format %q, want %q", m.Format, Format)
	}
	if m.FormatVersion != 1 && m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("format version %d, this program reads versions 1 and %d", m.FormatVersion, FormatVersion)
	}
	a := m.Architecture.Arch
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.Inputs != 784 || a.Outputs != 10 {
		return nil, fmt.Errorf("architecture %v: this program uses MNIST networks 784 → … → 10", a)
	}
	want := Layers(a)
	switch {
	case m.FormatVersion == 1 && len(a.Hidden) != 1:
		return nil, fmt.Errorf("format version 1 with %d hidden layers: version 1 has one", len(a.Hidden))
	case m.FormatVersion == 1 && m.Architecture.Layers != nil:
		return nil, fmt.Errorf("format version 1 with a layer list: version 1 has none")
	case m.FormatVersion == 1:
		m.Architecture.Layers = want
	case !slices.Equal(m.Architecture.Layers, want):
		return nil, fmt.Errorf("layers %s do not match architecture %v %s, which has %s",
			layerList(m.Architecture.Layers), a, a.Activation, layerList(want))
	}
	names, shapes := a.ParamNames(), fileShapes(a)
	if len(m.Weights) != len(names) {
		return nil, fmt.Errorf("%d weight files listed, want %d (%s)", len(m.Weights), len(names), strings.Join(names, " "))
	}
	for i, w := range m.Weights {
		switch {
		case w.Name != names[i]:
			return nil, fmt.Errorf("weight %d is %q, want %q", i, w.Name, names[i])
		case w.File == "" || w.File == "." || w.File == ".." || filepath.Base(w.File) != w.File:
			return nil, fmt.Errorf("weight %s: file %q must be a plain file name in the model directory", w.Name, w.File)
		case !slices.Equal(w.Shape, shapes[i]):
			return nil, fmt.Errorf("weight %s has shape %v, architecture %v needs %v", w.Name, w.Shape, a, shapes[i])
		case w.Dtype != "float32":
			return nil, fmt.Errorf("weight %s has dtype %q, want float32", w.Name, w.Dtype)
		}
	}
	return &m, nil
}

// layerList writes layers for a message: "dense_1 Dense 64 sigmoid w1 b1, …".
func layerList(ls []Layer) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%s %s %d %s %s %s", l.Name, l.Type, l.Units, l.Activation, l.Weights, l.Bias))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Load reads a model saved by Save (or by a version of this program that
// wrote format version 1): model.json and the .npy files it lists, each
// checked against the architecture.
func Load(dir string) (*graph.Params, *Model, error) {
	m, err := ReadModel(dir)
	if err != nil {
		return nil, nil, err
	}
	var ts []*tensor.Dense
	for _, w := range m.Weights {
		_, data, err := npy.Read(filepath.Join(dir, w.File), w.Shape)
		if err != nil {
			return nil, nil, err
		}
		shape := w.Shape
		if len(shape) == 1 {
			shape = []int{1, shape[0]}
		}
		ts = append(ts, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)))
	}
	p, err := graph.FromTensors(m.Architecture.Arch, ts)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return p, m, nil
}
