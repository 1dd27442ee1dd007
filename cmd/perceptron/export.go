package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/onnx"
	"github.com/perceptron-mnist/perceptron/rundir"
	"github.com/perceptron-mnist/perceptron/train"
)

func init() {
	commands["export"] = command{"write a trained model in another format (ONNX) for other runtimes", runExport}
}

// exportFormats are the formats `export -format` writes.
var exportFormats = []string{"onnx"}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "-format onnx [-best] -o FILE RUN_DIR",
		"Writes the model saved in a run directory as one ONNX graph (IR version 8, opset 13): input x,\n"+
			"float32 [N, 784] (pixel/255, 28x28 row-major, white ink on black), output probabilities,\n"+
			"float32 [N, 10]; MatMul, Add and the activation per dense layer, Softmax at the end. The\n"+
			"run's training configuration and test accuracy go into the model's metadata_props. The file\n"+
			"is written through a temporary file: it is either complete or not there.", stderr)
	format := fs.String("format", "onnx", "output format: "+strings.Join(exportFormats, ", "))
	out := fs.String("o", "", "path of the file to write (\"-\" for stdout)")
	best := fs.Bool("best", false, "export the best epoch's weights (RUN_DIR/"+train.BestDir+", from train -save-best)")
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0)) // flags may follow RUN_DIR
		args = fs.Args()[1:]
	}
	switch {
	case len(pos) != 1:
		return usagef("want one RUN_DIR, got %d arguments", len(pos))
	case *format != "onnx":
		return usagef("-format %q: want one of %s", *format, strings.Join(exportFormats, ", "))
	case *out == "":
		return usagef("-o FILE is required")
	}
	dir := pos[0]
	if err := rundir.CheckRun(dir); err != nil {
		return err
	}
	if *best {
		dir = filepath.Join(dir, train.BestDir)
		if _, err := os.Stat(filepath.Join(dir, modeljson.ModelFile)); err != nil {
			return fmt.Errorf("-best: %s holds no best epoch's model (train with -save-best to keep one)", dir)
		}
	}
	m, err := infer.Load(dir)
	if err != nil {
		return err
	}
	defer m.Close()
	om, err := onnxModel(m, *best)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if *out == "-" {
		_, err := om.WriteTo(stdout)
		return err
	}
	if err := om.WriteFile(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "perceptron export: wrote %s (%s)\n", *out, describeLayers(om.Layers))
	return nil
}

// onnxModel returns the ONNX description of a loaded model, with its
// training record and metrics as metadata.
func onnxModel(m *infer.Model, best bool) (*onnx.Model, error) {
	layers := denseLayers(m.Params)
	om := &onnx.Model{
		Layers:          layers,
		ProducerName:    "perceptron",
		ProducerVersion: producerVersion(),
		DocString:       "MNIST digit classifier " + describeLayers(layers) + "; input x: 28x28 row-major pixel/255, white ink on black",
	}
	add := func(k, v string) { om.Metadata = append(om.Metadata, onnx.Prop{Key: k, Value: v}) }
	add("architecture", describeLayers(layers))
	add("input", "x: float32 [N, 784], 28x28 row-major, pixel/255, white ink on black")
	weights := "last epoch"
	if best {
		weights = "best epoch (" + train.BestDir + "/)"
	}
	add("weights", weights)
	compact := func(raw json.RawMessage) string {
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return string(raw)
		}
		return b.String()
	}
	if info := m.Info; info != nil {
		if len(info.Training) > 0 {
			add("training", compact(info.Training))
		}
		if len(info.Metrics) > 0 {
			add("metrics", compact(info.Metrics))
			var s struct {
				TestAcc *float64 `json:"test_acc"`
			}
			if err := json.Unmarshal(info.Metrics, &s); err == nil && s.TestAcc != nil {
				add("test_accuracy", strconv.FormatFloat(*s.TestAcc, 'g', -1, 64))
			}
		}
	}
	if err := om.Validate(); err != nil {
		return nil, fmt.Errorf("export %s: %w", m.Dir, err)
	}
	return om, nil
}

// denseLayers returns the network's layers, input first.
func denseLayers(p *graph.Params) []onnx.Dense {
	var out []onnx.Dense
	for _, l := range p.Layers {
		out = append(out, onnx.Dense{In: l.In(), Out: l.Out(), W: l.Weights(), B: l.Biases(), Activation: l.Activation})
	}
	return out
}

// describeLayers spells out the layers as "784 → 64 sigmoid → 10 softmax".
func describeLayers(layers []onnx.Dense) string {
	if len(layers) == 0 {
		return "no layers"
	}
	s := strconv.Itoa(layers[0].In)
	for _, l := range layers {
		s += fmt.Sprintf(" → %d %s", l.Out, l.Activation)
	}
	return s
}

// producerVersion is the module version of this binary, or its VCS
// revision for a development build.
func producerVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = s.Value
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
