package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"io"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
)

func init() {
	commands["summary"] = command{"show the network's layers, shapes and parameter counts, as Keras's model.summary()", runSummary}
}

// summaryLayer is one row of the summary.
type summaryLayer struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	OutputShape []*int `json:"output_shape"` // null for the batch axis
	Params      int    `json:"params"`
	Activation  string `json:"activation,omitempty"`
	KernelInit  string `json:"kernel_init,omitempty"`
	BiasInit    string `json:"bias_init,omitempty"`
}

// summaryJSON is what `summary -json` prints.
type summaryJSON struct {
	Name               string          `json:"name"`
	Layers             []summaryLayer  `json:"layers"`
	TotalParams        int             `json:"total_params"`
	TrainableParams    int             `json:"trainable_params"`
	NonTrainableParams int             `json:"non_trainable_params"`
	Bytes              int             `json:"bytes"` // float32 parameters
	Loss               string          `json:"loss"`
	Formula            string          `json:"formula"`
	Training           json.RawMessage `json:"training,omitempty"`
}

func runSummary(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("summary", "[train flags] | -model DIR [-json]",
		"Shows the network as Keras's model.summary() does: layers, output shapes, parameters per\n"+
			"layer and in total, activations and initialisation. The network is the one the train flags\n"+
			"describe, or the one saved in the run directory -model names.", stderr)
	tf := addTrainFlags(fs)
	modelDir := fs.String("model", "", "run directory of a saved model (instead of the train flags)")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var m *modeljson.Model
	name := ""
	if *modelDir != "" {
		var conflict string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "model" && f.Name != "json" && conflict == "" {
				conflict = f.Name
			}
		})
		if conflict != "" {
			return usagef("-%s describes a network to train; -model DIR describes a saved one: give one or the other", conflict)
		}
		var err error
		if err := checkModel(*modelDir); err != nil {
			return err
		}
		if m, err = modeljson.ReadModel(*modelDir); err != nil {
			return err
		}
		name = *modelDir
	} else {
		cfg, err := tf.config()
		if err != nil {
			return err
		}
		p := &graph.Params{Arch: cfg.NetworkArch()} // no weights needed to describe it
		if m, err = modeljson.NewModel(p, cfg, nil); err != nil {
			return err
		}
		name = cfg.Name()
	}
	s := describe(name, m)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(s)
	}
	printSummary(stdout, s)
	return nil
}

func intp(v int) *int { return &v }

// describe lists the layers of the model as Keras would: the input, each
// hidden layer ("hidden" when there is one, else "hidden_1", …) followed
// by its dropout when the model was trained with dropout (no parameters;
// active during training only), and the output layer.
func describe(name string, m *modeljson.Model) summaryJSON {
	a := m.Architecture
	var training struct {
		Dropout float64 `json:"dropout"`
	}
	if len(m.Training) > 0 {
		json.Unmarshal(m.Training, &training) // a record without dropout leaves it 0
	}
	lp := a.LayerParams()
	total := a.NumParams()
	s := summaryJSON{
		Name:        name,
		Layers:      []summaryLayer{{Name: "input", Type: "InputLayer", OutputShape: []*int{nil, intp(a.Inputs)}}},
		TotalParams: total, TrainableParams: total,
		Bytes: 4 * total, Loss: a.Loss, Formula: a.Formula, Training: m.Training,
	}
	for i, w := range a.Hidden {
		hidden, dropout := "hidden", "dropout"
		if len(a.Hidden) > 1 {
			hidden, dropout = fmt.Sprintf("hidden_%d", i+1), fmt.Sprintf("dropout_%d", i+1)
		}
		s.Layers = append(s.Layers, summaryLayer{Name: hidden, Type: "Dense", OutputShape: []*int{nil, intp(w)}, Params: lp[i],
			Activation: a.Activation, KernelInit: a.WeightInit, BiasInit: a.BiasInit})
		if training.Dropout > 0 {
			s.Layers = append(s.Layers, summaryLayer{Name: dropout, Type: "Dropout", OutputShape: []*int{nil, intp(w)},
				Activation: fmt.Sprintf("rate %g", training.Dropout)})
		}
	}
	s.Layers = append(s.Layers, summaryLayer{Name: "output", Type: "Dense", OutputShape: []*int{nil, intp(a.Outputs)}, Params: lp[len(lp)-1],
		Activation: a.OutputActivation, KernelInit: a.WeightInit, BiasInit: a.BiasInit})
	return s
}

func printSummary(w io.Writer, s summaryJSON) {
	const width = 100
	line := func(c byte) { fmt.Fprintln(w, strings.Repeat(string(c), width)) }
	row := func(a, b, c, d, e string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf(" %-24s %-16s %-10s %-12s %s", a, b, c, d, e), " "))
	}
	fmt.Fprintf(w, "Model: %q\n", s.Name)
	line('_')
	row("Layer (type)", "Output Shape", "Param #", "Activation", "Initialisation")
	line('=')
	for i, l := range s.Layers {
		dims := make([]string, len(l.OutputShape))
		for j, d := range l.OutputShape {
			dims[j] = "None"
			if d != nil {
				dims[j] = fmt.Sprint(*d)
			}
		}
		init := ""
		if l.KernelInit != "" {
			init = "kernel " + l.KernelInit + ", bias " + l.BiasInit
		}
		row(fmt.Sprintf("%s (%s)", l.Name, l.Type), "("+strings.Join(dims, ", ")+")", fmt.Sprint(l.Params), l.Activation, init)
		if i < len(s.Layers)-1 {
			fmt.Fprintln(w)
		}
	}
	line('=')
	fmt.Fprintf(w, "Total params: %s (%s)\n", thousands(s.TotalParams), byteSize(s.Bytes))
	fmt.Fprintf(w, "Trainable params: %s (%s)\n", thousands(s.TrainableParams), byteSize(s.Bytes))
	fmt.Fprintf(w, "Non-trainable params: %s (%s)\n", thousands(s.NonTrainableParams), byteSize(0))
	line('_')
	fmt.Fprintf(w, "Loss: %s\nFormula: %s\n", s.Loss, s.Formula)
	if len(s.Training) > 0 {
		printTraining(w, s.Training)
	}
}

// printTraining writes the training configuration one setting a line, the
// values aligned, in model.json's order: "  lr          0.5".
func printTraining(w io.Writer, raw json.RawMessage) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var keys, values []string
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		fmt.Fprintf(w, "Training: %s\n", raw)
		return
	}
	for dec.More() {
		t, err := dec.Token()
		k, ok := t.(string)
		var v json.RawMessage
		if err != nil || !ok || dec.Decode(&v) != nil {
			fmt.Fprintf(w, "Training: %s\n", raw)
			return
		}
		var str string
		if json.Unmarshal(v, &str) != nil { // not a string: the JSON itself, on one line
			var b bytes.Buffer
			json.Compact(&b, v)
			str = b.String()
		}
		keys, values = append(keys, k), append(values, str)
	}
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	fmt.Fprintln(w, "Training:")
	for i, k := range keys {
		fmt.Fprintf(w, "  %-*s  %s\n", width, k, values[i])
	}
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// byteSize writes a size as Keras does: "198.79 KB", "0.00 B".
func byteSize(b int) string {
	units := []string{"B", "KB", "MB", "GB"}
	v, u := float64(b), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.2f %s", v, units[u])
}
