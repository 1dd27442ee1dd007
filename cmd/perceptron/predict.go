package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/infer"
)

func init() {
	commands["predict"] = command{"predict digits of test images, photos or .npy arrays with a trained model", runPredict}
}

// imageExts are the file name extensions predict takes from a directory.
var imageExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".bmp": true,
	".webp": true, ".tif": true, ".tiff": true, ".npy": true,
}

// predictInput is one image to predict.
type predictInput struct {
	name  string    // the path, "path[i]" for an .npy array, or "test:<index>"
	x     []float32 // 784 values, nil when it could not be read
	label int       // the true digit, -1 when unknown
	save  string    // file name stem for -save-preprocessed
	warn  []string  // what preprocessing saw that suggests it is not one digit
	err   error
}

// predictLine is one line of `predict -json`.
type predictLine struct {
	Input              string    `json:"input"`
	Digit              int       `json:"digit"`
	Confidence         float32   `json:"confidence"`
	Probabilities      []float32 `json:"probabilities"`
	Label              *int      `json:"label,omitempty"`
	RunnerUp           int       `json:"runner_up"`
	RunnerUpConfidence float32   `json:"runner_up_confidence"`
	Preprocessed       string    `json:"preprocessed,omitempty"`
	// Warning says why the input may not be one digit (it is predicted all
	// the same).
	Warning string `json:"warning,omitempty"`
}

// predictError is the line of `predict -json` for an input that could not
// be read.
type predictError struct {
	Input string `json:"input"`
	Error string `json:"error"`
}

func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("predict", "-model DIR [-first N] [-json] [-save-preprocessed DIR] [-data DIR] [IMAGE...]",
		"Predicts digits with the model saved in a run directory. -first N takes the first N MNIST test\n"+
			"images and shows each beside its label and as ASCII art. Each IMAGE is a photo or scan of one\n"+
			"digit ("+infer.Formats+"; a directory stands for the images in it), prepared as MNIST's\n"+
			"digits were, or an .npy array of shape (N, 28, 28) or (N, 784) with pixel/255 values, white on\n"+
			"black. One line per input: the digit, its confidence and the runner-up.", stderr)
	modelDir := fs.String("model", "", "run directory of the model (model.json and its .npy files)")
	first := fs.Int("first", 0, "predict the first N test images, with their labels")
	asJSON := fs.Bool("json", false, "print one JSON object per input: input, digit, confidence, probabilities, label,\n"+
		"runner_up, runner_up_confidence, preprocessed, warning; for an input that could not be read: input, error")
	saveDir := fs.String("save-preprocessed", "", "write each 28×28 input as a PNG into this directory")
	dataDir := dataFlag(fs, " for -first")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *modelDir == "":
		return usagef("-model DIR is required")
	case *first < 0:
		return usagef("-first %d: want a number of test images", *first)
	case *first == 0 && fs.NArg() == 0:
		return usagef("nothing to predict: give -first N or IMAGE arguments")
	}
	if err := checkModel(*modelDir); err != nil {
		return err
	}
	m, err := infer.Load(*modelDir)
	if err != nil {
		return err
	}
	defer m.Close()
	describeModel(stderr, *modelDir, m, fs.NArg() > 0)

	var inputs []predictInput
	if *first > 0 {
		d, err := loadData(*dataDir)
		if err != nil {
			return err
		}
		if *first > d.Test.Len() {
			return usagef("-first %d: the test set has %d images", *first, d.Test.Len())
		}
		for i := 0; i < *first; i++ {
			inputs = append(inputs, predictInput{name: "test:" + strconv.Itoa(i), x: d.Test.Image(i),
				label: int(d.Test.Labels[i]), save: fmt.Sprintf("test-%05d", i)})
		}
	}
	for _, arg := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		inputs = append(inputs, readInputs(arg)...)
	}

	// predict everything that was read, in one batch
	var batch []float32
	for _, in := range inputs {
		batch = append(batch, in.x...)
	}
	preds, err := m.Predict(batch)
	if err != nil {
		return err
	}
	if *saveDir != "" {
		if err := os.MkdirAll(*saveDir, 0o755); err != nil {
			return fmt.Errorf("-save-preprocessed: %w", err)
		}
	}
	enc := json.NewEncoder(stdout)
	used := map[string]bool{}
	failed, k := 0, 0
	for _, in := range inputs {
		if in.err != nil {
			failed++
			fmt.Fprintf(stderr, "perceptron predict: %v\n", in.err)
			if *asJSON {
				if err := enc.Encode(predictError{Input: in.name, Error: in.err.Error()}); err != nil {
					return err
				}
			}
			continue
		}
		warning := strings.Join(in.warn, "; ")
		p := preds[k]
		k++
		saved := ""
		if *saveDir != "" {
			saved = uniqueName(*saveDir, in.save+"-28x28", ".png", used)
			if err := infer.WritePNG(saved, in.x); err != nil {
				return err
			}
		}
		if *asJSON {
			line := predictLine{Input: in.name, Digit: p.Digit, Confidence: p.Confidence, Probabilities: p.Probabilities,
				RunnerUp: p.RunnerUp, RunnerUpConfidence: p.RunnerUpConf, Preprocessed: saved, Warning: warning}
			if in.label >= 0 {
				line.Label = &in.label
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		if *first > 0 && in.label >= 0 {
			fmt.Fprint(stdout, infer.ASCII(in.x))
		}
		fmt.Fprintf(stdout, "%s: %d (confidence %.3f), runner-up %d (%.3f)", in.name, p.Digit, p.Confidence, p.RunnerUp, p.RunnerUpConf)
		if in.label >= 0 {
			verdict := "right"
			if in.label != p.Digit {
				verdict = "WRONG"
			}
			fmt.Fprintf(stdout, ", label %d, %s", in.label, verdict)
		}
		if warning != "" {
			fmt.Fprintf(stdout, "; warning: %s", warning)
		}
		fmt.Fprintln(stdout)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs could not be read", failed, len(inputs))
	}
	return nil
}

// readInputs reads one IMAGE argument: a photo, an .npy array of images, or
// a directory of them. Failures are recorded in the inputs.
func readInputs(arg string) []predictInput {
	st, err := os.Stat(arg)
	if err != nil {
		return []predictInput{{name: arg, label: -1, err: err}}
	}
	if !st.IsDir() {
		return readFile(arg)
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return []predictInput{{name: arg, label: -1, err: err}}
	}
	var out []predictInput
	for _, e := range entries { // sorted by name
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
			continue
		}
		out = append(out, readFile(filepath.Join(arg, e.Name()))...)
	}
	if len(out) == 0 {
		exts := make([]string, 0, len(imageExts))
		for e := range imageExts {
			exts = append(exts, e)
		}
		sort.Strings(exts)
		return []predictInput{{name: arg, label: -1,
			err: fmt.Errorf("%s: no images in the directory (looked for %s)", arg, strings.Join(exts, " "))}}
	}
	return out
}

func readFile(path string) []predictInput {
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		x, n, err := infer.ReadNpyImages(path)
		if err != nil {
			return []predictInput{{name: path, label: -1, err: err}}
		}
		out := make([]predictInput, n)
		for i := range out {
			out[i] = predictInput{name: fmt.Sprintf("%s[%d]", path, i), x: x[i*infer.Pixels : (i+1)*infer.Pixels],
				label: -1, save: fmt.Sprintf("%s-%05d", stem, i)}
		}
		return out
	}
	x, warn, err := infer.ReadPhotoWarnings(path)
	if err != nil {
		var pe *os.PathError
		if !errors.As(err, &pe) && !strings.Contains(err.Error(), path) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return []predictInput{{name: path, label: -1, err: err}}
	}
	return []predictInput{{name: path, x: x, label: -1, save: stem, warn: warn}}
}

// uniqueName returns dir/stem+ext, with -2, -3, ... added to the stem when
// the name was already used in this run.
func uniqueName(dir, stem, ext string, used map[string]bool) string {
	name := stem + ext
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d%s", stem, i, ext)
	}
	used[name] = true
	return filepath.Join(dir, name)
}
