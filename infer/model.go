package infer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"math"
	"slices"

	"github.com/perceptron-mnist/perceptron/graph"
)

// Model is a trained network ready to predict. It is not safe for
// concurrent use.
type Model struct {
	Dir    string           // the run directory it was loaded from ("" when built in memory)
	Params *graph.Params    // the weights
	Info   *modeljson.Model // model.json (nil when built in memory)
	ev     *graph.Evaluator
}

// Load reads the model saved in a run directory (model.json and the .npy
// files it lists). Every file is checked against the architecture that
// model.json declares; an error names the file and what is wrong with it.
func Load(dir string) (*Model, error) {
	p, info, err := modeljson.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	m := New(p)
	m.Dir, m.Info = dir, info
	return m, nil
}

// Preset returns the name of the preset the model was trained from, as
// model.json's training record gives it ("handwriting"), or "" for none
// (and for a model built in memory or a record without one).
func (m *Model) Preset() string {
	if m.Info == nil || len(m.Info.Training) == 0 {
		return ""
	}
	var t struct {
		Preset string `json:"preset"`
	}
	if json.Unmarshal(m.Info.Training, &t) != nil {
		return ""
	}
	return t.Preset
}

// Ensemble returns the number of networks the model averages, as
// model.json's training record gives it (train's -ensemble), or 1.
func (m *Model) Ensemble() int {
	if m.Info == nil || len(m.Info.Training) == 0 {
		return 1
	}
	var t struct {
		Ensemble int `json:"ensemble"`
	}
	if json.Unmarshal(m.Info.Training, &t) != nil || t.Ensemble < 2 {
		return 1
	}
	return t.Ensemble
}

// New returns a Model that predicts with p's current weights.
func New(p *graph.Params) *Model {
	return &Model{Params: p, ev: graph.NewEvaluator(p, 0)}
}

// Layers returns the network's dense layers from the input side: the
// hidden layers, then the output layer, whose activation is graph.Softmax
// (Predict returns its probabilities). Layer i computes
// Activation(in·W + B) with W In()×Out() (Weights(), row-major) and B
// (Biases()) of Out() values; a model of one hidden layer has two. The
// slices are the model's own storage: read them, do not modify them.
func (m *Model) Layers() []graph.Dense { return m.Params.Layers }

// Close releases the model's graphs.
func (m *Model) Close() error { return m.ev.Close() }

// Prediction is the network's answer for one input.
type Prediction struct {
	Digit         int       // the most probable class
	Confidence    float32   // its probability
	RunnerUp      int       // the second most probable class
	RunnerUpConf  float32   // its probability
	Probabilities []float32 // one per class, summing to 1
}

// Predict returns a prediction for each input of images, which holds
// n×784 values: 28×28 row-major pixels scaled to [0, 1], white ink on black.
func (m *Model) Predict(images []float32) ([]Prediction, error) {
	k := m.Params.Outputs
	out := make([]Prediction, 0, len(images)/max(1, m.Params.Inputs))
	err := m.ev.LogProbs(images, func(first int, logp []float32) error {
		probs := make([]float32, len(logp)) // one allocation per batch, sliced per row
		copy(probs, logp)
		for r := 0; r < len(probs)/k; r++ {
			row := probs[r*k : (r+1)*k : (r+1)*k]
			graph.Exp(row)
			out = append(out, newPrediction(row))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return out, nil
}

func newPrediction(p []float32) Prediction {
	best, second := top2(p)
	return Prediction{Digit: best, Confidence: p[best], RunnerUp: second, RunnerUpConf: p[second], Probabilities: p}
}

// top2 returns the indices of the largest and second largest values (the
// first ones on ties).
func top2(v []float32) (best, second int) {
	best, second = 0, -1
	for i := 1; i < len(v); i++ {
		switch {
		case v[i] > v[best]:
			best, second = i, best
		case second < 0 || v[i] > v[second]:
			second = i
		}
	}
	return best, second
}

// Report is how a model fares on a labelled set.
type Report struct {
	N         int            // images evaluated
	Accuracy  float64        // fraction predicted right
	Loss      float64        // mean cross-entropy
	Confusion [][]int        // Confusion[true][predicted] counts
	Precision []float64      // per class: right / predicted as the class (NaN when never predicted)
	Recall    []float64      // per class: right / truly of the class (NaN when absent)
	Wrong     []WrongExample // the most confidently wrong, most confident first
}

// WrongExample is one misclassified image.
type WrongExample struct {
	Index      int     // its index in the set
	Label      int     // the true digit
	Digit      int     // the predicted digit
	Confidence float32 // the probability of the predicted digit
	TrueProb   float32 // the probability given to the true digit
}

// Evaluate predicts every image of a labelled set (n×784 values, n labels)
// and returns accuracy, loss, confusion matrix, per-class precision and
// recall, and the keepWrong most confidently wrong examples.
func (m *Model) Evaluate(images []float32, labels []uint8, keepWrong int) (*Report, error) {
	k := m.Params.Outputs
	if len(images) != len(labels)*m.Params.Inputs {
		return nil, fmt.Errorf("evaluate: %d input values for %d labels, want %d per image", len(images), len(labels), m.Params.Inputs)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("evaluate: no images")
	}
	r := &Report{N: len(labels), Confusion: make([][]int, k)}
	for i := range r.Confusion {
		r.Confusion[i] = make([]int, k)
	}
	var loss float64
	var wrong []WrongExample
	err := m.ev.LogProbs(images, func(first int, logp []float32) error {
		for i := 0; i < len(logp)/k; i++ {
			row := logp[i*k : (i+1)*k]
			l := int(labels[first+i])
			if l >= k {
				return fmt.Errorf("label %d of image %d is not a class 0-%d", l, first+i, k-1)
			}
			d := graph.Argmax(row)
			loss -= float64(row[l])
			r.Confusion[l][d]++
			if d != l {
				wrong = append(wrong, WrongExample{Index: first + i, Label: l, Digit: d,
					Confidence: float32(math.Exp(float64(row[d]))), TrueProb: float32(math.Exp(float64(row[l])))})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	right := 0
	r.Precision, r.Recall = make([]float64, k), make([]float64, k)
	for c := 0; c < k; c++ {
		right += r.Confusion[c][c]
		predicted, actual := 0, 0
		for o := 0; o < k; o++ {
			predicted += r.Confusion[o][c]
			actual += r.Confusion[c][o]
		}
		r.Precision[c] = float64(r.Confusion[c][c]) / float64(predicted) // NaN when 0/0
		r.Recall[c] = float64(r.Confusion[c][c]) / float64(actual)
	}
	r.Accuracy = float64(right) / float64(r.N)
	r.Loss = loss / float64(r.N)
	sortWrong(wrong)
	if len(wrong) > keepWrong {
		wrong = wrong[:max(keepWrong, 0)]
	}
	r.Wrong = wrong
	return r, nil
}

// sortWrong orders wrong examples by the confidence of the wrong answer,
// highest first, then by index.
func sortWrong(w []WrongExample) {
	slices.SortFunc(w, func(a, b WrongExample) int {
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		return cmp.Compare(a.Index, b.Index)
	})
}
