package modeljson

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/npy"
	"gorgonia.org/tensor"
)

// ModelFile is the name of the file that describes a saved model.
const ModelFile = "model.json"

// Format and FormatVersion identify model.json files this package writes.
const (
	Format        = "perceptron-mnist"
	FormatVersion = 1
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

// Architecture is Arch with the fixed parts of the network spelled out.
type Architecture struct {
	graph.Arch
	OutputActivation string `json:"output_activation"` // "softmax"
	Loss             string `json:"loss"`              // "categorical_crossentropy"
	WeightInit       string `json:"weight_init"`       // "glorot_uniform"
	BiasInit         string `json:"bias_init"`         // "zeros"
	Formula          string `json:"formula"`
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
			OutputActivation: "softmax",
			Loss:             "categorical_crossentropy",
			WeightInit:       "glorot_uniform",
			BiasInit:         "zeros",
			Formula:          fmt.Sprintf("softmax(%s(x @ w1 + b1) @ w2 + b2)", p.Activation),
		},
		Input: Input{Shape: []int{p.Inputs}, Layout: "28x28 row-major", Scaling: "pixel/255", Polarity: "white ink on black"},
	}
	for i, name := range graph.Names {
		m.Weights = append(m.Weights, WeightFile{Name: name, File: name + ".npy", Shape: fileShape(p.Arch, i), Dtype: "float32"})
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

// fileShape is the shape of parameter i in its .npy file: biases are 1-D.
func fileShape(a graph.Arch, i int) []int {
	switch i {
	case 0:
		return []int{a.Inputs, a.Hidden}
	case 1:
		return []int{a.Hidden}
	case 2:
		return []int{a.Hidden, a.Outputs}
	default:
		return []int{a.Outputs}
	}
}

// Save writes p's four .npy files into dir, then m as model.json, each
// through a temporary file, so a reader never sees a half-written file.
func Save(dir string, p *graph.Params, m *Model) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	for i, t := range p.Tensors() {
		shape := fileShape(p.Arch, i)
		err := atomicfile.Write(filepath.Join(dir, graph.Names[i]+".npy"), func(w io.Writer) error {
			return npy.Write(w, shape, graph.F32(t))
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

// decodeModel parses and checks the content of a model.json.
func decodeModel(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Format != Format {
		return nil, fmt.Errorf("format %q, want %q", m.Format, Format)
	}
	if m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("format version %d, this program reads version %d", m.FormatVersion, FormatVersion)
	}
	if err := m.Architecture.Validate(); err != nil {
		return nil, err
	}
	if a := m.Architecture; a.Inputs != 784 || a.Outputs != 10 {
		return nil, fmt.Errorf("architecture %d → %d → %d: this program uses MNIST networks 784 → H → 10", a.Inputs, a.Hidden, a.Outputs)
	}
	if len(m.Weights) != len(graph.Names) {
		return nil, fmt.Errorf("%d weight files listed, want %d (%v)", len(m.Weights), len(graph.Names), graph.Names)
	}
	for i, w := range m.Weights {
		want := fileShape(m.Architecture.Arch, i)
		switch {
		case w.Name != graph.Names[i]:
			return nil, fmt.Errorf("weight %d is %q, want %q", i, w.Name, graph.Names[i])
		case w.File == "" || w.File == "." || w.File == ".." || filepath.Base(w.File) != w.File:
			return nil, fmt.Errorf("weight %s: file %q must be a plain file name in the model directory", w.Name, w.File)
		case !slices.Equal(w.Shape, want):
			return nil, fmt.Errorf("weight %s has shape %v, architecture %d → %d → %d needs %v",
				w.Name, w.Shape, m.Architecture.Inputs, m.Architecture.Hidden, m.Architecture.Outputs, want)
		case w.Dtype != "float32":
			return nil, fmt.Errorf("weight %s has dtype %q, want float32", w.Name, w.Dtype)
		}
	}
	return &m, nil
}

// Load reads a model saved by Save: model.json and the .npy files it lists,
// each checked against the architecture.
func Load(dir string) (*graph.Params, *Model, error) {
	m, err := ReadModel(dir)
	if err != nil {
		return nil, nil, err
	}
	a := m.Architecture.Arch
	p := &graph.Params{Arch: a}
	dst := []**tensor.Dense{&p.W1, &p.B1, &p.W2, &p.B2}
	for i, w := range m.Weights {
		_, data, err := npy.Read(filepath.Join(dir, w.File), w.Shape)
		if err != nil {
			return nil, nil, err
		}
		shape := w.Shape
		if len(shape) == 1 {
			shape = []int{1, shape[0]}
		}
		*dst[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	}
	return p, m, nil
}
