package serve

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/infer"
)

// ModelInfo is the answer of GET /api/model.
type ModelInfo struct {
	// Dir is the name of the run directory the model was loaded from: its
	// last element only, so that no path of the machine is shown.
	Dir          string      `json:"dir,omitempty"`
	Inputs       int         `json:"inputs"`
	Hidden       graph.Sizes `json:"hidden"` // one number for one hidden layer, a list for several
	Outputs      int         `json:"outputs"`
	Activation   string      `json:"activation"`
	Architecture string      `json:"architecture"` // for example "784 → 64 → 10, sigmoid, softmax"
	Params       int         `json:"params"`       // weights and biases
	Layers       []Layer     `json:"layers"`       // the dense layers, input side first
	Formula      string      `json:"formula,omitempty"`
	Preset       string      `json:"preset,omitempty"`        // the train -preset it was trained from, if any
	TestAccuracy float64     `json:"test_accuracy,omitempty"` // fraction, from model.json's metrics.test_acc
	// Training and Metrics are model.json's records of how the model was
	// trained and how it fared, as written.
	Training json.RawMessage `json:"training,omitempty"`
	Metrics  json.RawMessage `json:"metrics,omitempty"`
}

// Layer is one dense layer in ModelInfo.
type Layer struct {
	Name       string `json:"name"` // "dense_1", …, as model.json names it
	Units      int    `json:"units"`
	Activation string `json:"activation"` // softmax for the last
	Params     int    `json:"params"`
}

// Describe summarises m: its architecture, parameter count and, when it was
// loaded from a run directory, its recorded test accuracy.
func Describe(m *infer.Model) ModelInfo {
	a := m.Params.Arch
	info := ModelInfo{
		Dir:          runName(m.Dir),
		Inputs:       a.Inputs,
		Hidden:       a.Hidden,
		Outputs:      a.Outputs,
		Activation:   a.Activation,
		Architecture: fmt.Sprintf("%v, %s, softmax", a, a.Activation),
		Params:       a.NumParams(),
		Preset:       m.Preset(),
	}
	for i, p := range a.LayerParams() {
		l := m.Params.Layers[i]
		info.Layers = append(info.Layers, Layer{Name: fmt.Sprintf("dense_%d", i+1), Units: l.Out(), Activation: l.Activation, Params: p})
	}
	if m.Info != nil {
		info.Formula = m.Info.Architecture.Formula
		info.Training = m.Info.Training
		info.Metrics = withRunName(m.Info.Metrics)
		var metrics struct {
			TestAcc float64 `json:"test_acc"`
		}
		if len(m.Info.Metrics) > 0 && json.Unmarshal(m.Info.Metrics, &metrics) == nil {
			info.TestAccuracy = metrics.TestAcc
		}
	}
	return info
}

// runName returns the last element of a run directory's path ("" for none).
func runName(dir string) string {
	if dir == "" {
		return ""
	}
	return filepath.Base(filepath.Clean(dir))
}

// withRunName returns model.json's metrics with the path of the directory
// the run was trained in (run_dir) cut to the run's name.
func withRunName(metrics json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if len(metrics) == 0 || json.Unmarshal(metrics, &m) != nil {
		return metrics
	}
	raw, ok := m["run_dir"]
	if !ok {
		return metrics
	}
	var dir string
	if json.Unmarshal(raw, &dir) != nil {
		delete(m, "run_dir")
	} else {
		m["run_dir"], _ = json.Marshal(runName(dir))
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return b
}
