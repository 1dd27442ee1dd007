package serve

import (
	"encoding/json"
	"fmt"

	"github.com/perceptron-mnist/perceptron/infer"
)

// ModelInfo is the answer of GET /api/model.
type ModelInfo struct {
	Dir          string  `json:"dir,omitempty"` // run directory the model was loaded from
	Inputs       int     `json:"inputs"`
	Hidden       int     `json:"hidden"`
	Outputs      int     `json:"outputs"`
	Activation   string  `json:"activation"`
	Architecture string  `json:"architecture"` // for example "784 → 64 → 10, sigmoid, softmax"
	Params       int     `json:"params"`       // weights and biases
	Formula      string  `json:"formula,omitempty"`
	TestAccuracy float64 `json:"test_accuracy,omitempty"` // fraction, from model.json's metrics.test_acc
	// Training and Metrics are model.json's records of how the model was
	// trained and how it fared, as written.
	Training json.RawMessage `json:"training,omitempty"`
	Metrics  json.RawMessage `json:"metrics,omitempty"`
}

// Describe summarises m: its architecture, parameter count and, when it was
// loaded from a run directory, its recorded test accuracy.
func Describe(m *infer.Model) ModelInfo {
	a := m.Params.Arch
	h, o := a.NumParams()
	info := ModelInfo{
		Dir:          m.Dir,
		Inputs:       a.Inputs,
		Hidden:       a.Hidden,
		Outputs:      a.Outputs,
		Activation:   a.Activation,
		Architecture: fmt.Sprintf("%d → %d → %d, %s, softmax", a.Inputs, a.Hidden, a.Outputs, a.Activation),
		Params:       h + o,
	}
	if m.Info != nil {
		info.Formula = m.Info.Architecture.Formula
		info.Training = m.Info.Training
		info.Metrics = m.Info.Metrics
		var metrics struct {
			TestAcc float64 `json:"test_acc"`
		}
		if len(m.Info.Metrics) > 0 && json.Unmarshal(m.Info.Metrics, &metrics) == nil {
			info.TestAccuracy = metrics.TestAcc
		}
	}
	return info
}
