package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/onnx"
)

// exportONNX runs `perceptron export` on dir and returns the decoded file.
func exportONNX(t *testing.T, dir string, flags ...string) (string, *onnx.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.onnx")
	code, out, errOut := perceptron(t, append(append([]string{"export", "-format", "onnx"}, flags...), dir, "-o", path)...)
	if code != 0 || out != "" || !strings.Contains(errOut, "wrote "+path) {
		t.Fatalf("export: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := onnx.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return path, f
}

// checkONNX runs ONNX's checker with full shape inference on the files.
func checkONNX(t *testing.T, paths ...string) {
	t.Helper()
	py := testenv.NeedPython(t, "onnx")
	const check = "import sys, onnx\nfor p in sys.argv[1:]: onnx.checker.check_model(onnx.load(p), full_check=True)\n"
	if out, err := exec.Command(py, append([]string{"-c", check}, paths...)...).CombinedOutput(); err != nil {
		t.Fatalf("onnx.checker: %v\n%s", err, out)
	}
}

// torchAccuracy runs scripts/torch_model.py --check on a run directory.
func torchAccuracy(t *testing.T, dir, dataDir string) float64 {
	t.Helper()
	py := testenv.NeedPython(t, "torch", "numpy")
	out, err := exec.Command(py, "../../scripts/torch_model.py", dir, "--check", "--data", dataDir, "--json").Output()
	if err != nil {
		t.Fatalf("torch_model.py --check: %v\n%s", err, out)
	}
	var r struct {
		N        int     `json:"n"`
		Accuracy float64 `json:"accuracy"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.N != 10000 {
		t.Fatalf("torch_model.py printed %q (%v), want 10000 images", out, err)
	}
	return r.Accuracy
}

// TestExportRuntimes exports the default run (784 → 64 sigmoid → 10) and
// runs it in the runtimes people use (see checkRuntimes).
func TestExportRuntimes(t *testing.T) {
	dir, d := defaultModelDir(t)
	checkRuntimes(t, dir, d.Dir, "784 → 64 sigmoid → 10 softmax")
}

// checkRuntimes exports the run in dir and checks it in the runtimes people
// use: ONNX's checker accepts it, onnxruntime-node's accuracy on the 10,000
// test images equals `perceptron eval`'s and its probabilities `perceptron
// predict -json`'s, and the torch script gives the same accuracy.
func checkRuntimes(t *testing.T, dir, dataDir, arch string) {
	t.Helper()
	path, f := exportONNX(t, dir)
	checkONNX(t, path)
	if got, _ := f.Meta("architecture"); got != arch {
		t.Errorf("metadata architecture %q, want %q", got, arch)
	}

	code, out, errOut := perceptron(t, "eval", "-model", dir, "-json", "-out", "-")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errOut)
	}
	var ev evalJSON
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatal(err)
	}
	if got, ok := f.Meta("test_accuracy"); !ok || got != strconv.FormatFloat(ev.Accuracy, 'g', -1, 64) {
		t.Errorf("metadata test_accuracy %q, eval says %v", got, ev.Accuracy)
	}
	var training map[string]any
	if s, _ := f.Meta("training"); json.Unmarshal([]byte(s), &training) != nil || training["activation"] == nil || training["hidden"] == nil {
		t.Errorf("metadata training %q, want the run's configuration", s)
	}
	if f.ProducerName != "perceptron" || f.ProducerVersion == "" {
		t.Errorf("producer %q %q", f.ProducerName, f.ProducerVersion)
	}

	ort := testenv.NeedOnnxruntime(t)
	res := ort.Run(t, path, dataDir)
	if res.N != 10000 || math.Abs(res.Accuracy-ev.Accuracy) > 1e-4 {
		t.Errorf("onnxruntime: accuracy %v on %d images, eval %v", res.Accuracy, res.N, ev.Accuracy)
	}
	code, out, errOut = perceptron(t, "predict", "-model", dir, "-first", "10000", "-json")
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	if len(lines) != 10000 || len(res.Probabilities) != 10000 {
		t.Fatalf("%d predictions and %d onnxruntime rows, want 10000", len(lines), len(res.Probabilities))
	}
	worst := 0.0
	for i, l := range lines {
		for j, p := range l.Probabilities {
			worst = math.Max(worst, math.Abs(float64(p)-res.Probabilities[i][j]))
		}
	}
	if worst > 1e-5 {
		t.Errorf("onnxruntime's probabilities differ from predict -json's by up to %.3g, want at most 1e-5", worst)
	}
	acc := torchAccuracy(t, dir, dataDir)
	if math.Abs(acc-ev.Accuracy) > 1e-4 {
		t.Errorf("torch accuracy %v, eval %v", acc, ev.Accuracy)
	}
	t.Logf("%s: eval %.4f, onnxruntime %.4f, torch %.4f; largest probability difference %.3g", arch, ev.Accuracy, res.Accuracy, acc, worst)
}

// TestExportBest exports the best/ weights of a -save-best run.
func TestExportBest(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	code, _, errOut := perceptron(t, "train", "-hidden", "8", "-epochs", "3", "-train-limit", "2000", "-test-limit", "1000",
		"-lr", "2", "-save-best", "-out", run)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	for _, c := range []struct {
		flags   []string
		dir     string
		weights string
	}{{nil, run, "last epoch"}, {[]string{"-best"}, filepath.Join(run, "best"), "best epoch (best/)"}} {
		_, f := exportONNX(t, run, c.flags...)
		p, info, err := modeljson.Load(c.dir)
		if err != nil {
			t.Fatal(err)
		}
		for i, tensor := range p.Tensors() {
			init := f.Initializer(p.ParamNames()[i])
			if init == nil || !slices.Equal(init.Data, graph.F32(tensor)) {
				t.Errorf("%v: initializer %s differs from %s", c.flags, p.ParamNames()[i], c.dir)
			}
		}
		var s struct {
			TestAcc float64 `json:"test_acc"`
		}
		json.Unmarshal(info.Metrics, &s)
		if w, _ := f.Meta("weights"); w != c.weights {
			t.Errorf("%v: metadata weights %q, want %q", c.flags, w, c.weights)
		}
		if acc, _ := f.Meta("test_accuracy"); acc != strconv.FormatFloat(s.TestAcc, 'g', -1, 64) {
			t.Errorf("%v: metadata test_accuracy %q, %s/model.json says %v", c.flags, acc, c.dir, s.TestAcc)
		}
	}
}

// TestExportStdout checks that -o - writes the same bytes to stdout.
func TestExportStdout(t *testing.T) {
	dir := untrainedModelDir(t)
	path, _ := exportONNX(t, dir)
	code, out, errOut := perceptron(t, "export", "-format", "onnx", "-o", "-", dir)
	want, _ := os.ReadFile(path)
	if code != 0 || out != string(want) || errOut != "" {
		t.Errorf("export -o -: exit %d, %d bytes on stdout (want the %d of %s), stderr %q", code, len(out), len(want), path, errOut)
	}
}

// TestExportRefuses checks that bad input is refused with a clear error
// and a non-zero exit, and that nothing is written.
func TestExportRefuses(t *testing.T) {
	model := untrainedModelDir(t)
	version := filepath.Join(t.TempDir(), "v9")
	os.MkdirAll(version, 0o755)
	for _, f := range []string{"w1.npy", "b1.npy", "w2.npy", "b2.npy", "model.json"} {
		b, _ := os.ReadFile(filepath.Join(model, f))
		if f == "model.json" {
			b = []byte(strings.Replace(string(b), `"format_version": 2`, `"format_version": 9`, 1))
		}
		os.WriteFile(filepath.Join(version, f), b, 0o644)
	}
	tmp := t.TempDir()
	out := filepath.Join(tmp, "model.onnx")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no such run", []string{"-format", "onnx", filepath.Join(tmp, "nope"), "-o", out}, 1,
			"perceptron export: " + filepath.Join(tmp, "nope") + ": no such directory\n"},
		{"format version", []string{"-format", "onnx", version, "-o", out}, 1,
			"perceptron export: load model: read " + filepath.Join(version, "model.json") + ": format version 9, this program reads versions 1 and 2\n"},
		{"unknown format", []string{"-format", "tflite", model, "-o", out}, 2,
			"perceptron export: -format \"tflite\": want one of onnx\n"},
		{"unwritable", []string{"-format", "onnx", model, "-o", filepath.Join(tmp, "no", "dir", "m.onnx")}, 1,
			"perceptron export: write " + filepath.Join(tmp, "no", "dir", "m.onnx") + ": open "},
		{"onto a directory", []string{"-format", "onnx", model, "-o", tmp}, 1, "perceptron export: write " + tmp + ": "},
		{"no best", []string{"-format", "onnx", "-best", model, "-o", out}, 1,
			"perceptron export: -best: " + filepath.Join(model, "best") + " holds no best epoch's model (train with -save-best to keep one)\n"},
		{"no -o", []string{"-format", "onnx", model}, 2, "perceptron export: -o FILE is required\n"},
		{"no run", []string{"-format", "onnx", "-o", out}, 2, "perceptron export: want one RUN_DIR, got 0 arguments\n"},
		{"two runs", []string{"-format", "onnx", model, model, "-o", out}, 2, "perceptron export: want one RUN_DIR, got 2 arguments\n"},
		{"bad flag", []string{"-frobnicate", model, "-o", out}, 2, "flag provided but not defined: -frobnicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, errOut := perceptron(t, append([]string{"export"}, tc.args...)...)
			if code != tc.code || stdout != "" || !strings.HasPrefix(errOut, tc.want) && !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, errOut, tc.code, tc.want)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("left %d files in the output directory (%s)", len(entries), entries[0].Name())
			}
		})
	}
}

// TestTorchStateDict saves a run's network with scripts/torch_model.py and
// reads the state_dict back: its tensors are the run's weights, the linear
// layers' transposed; a missing run is refused naming its model.json, and
// nothing is written.
func TestTorchStateDict(t *testing.T) {
	py := testenv.NeedPython(t, "torch", "numpy")
	dir := untrainedModelDir(t)
	pt := filepath.Join(t.TempDir(), "net.pt")
	if out, err := exec.Command(py, "../../scripts/torch_model.py", dir, pt).CombinedOutput(); err != nil {
		t.Fatalf("torch_model.py: %v\n%s", err, out)
	}
	const compare = `
import sys, numpy as np, torch
sd = torch.load(sys.argv[2])
d = sys.argv[1]
pairs = [("0.weight", "w1", True), ("0.bias", "b1", False), ("2.weight", "w2", True), ("2.bias", "b2", False)]
assert sorted(sd) == sorted(k for k, _, _ in pairs), sorted(sd)
for key, name, transposed in pairs:
    a = np.load(f"{d}/{name}.npy")
    got = sd[key].numpy()
    assert np.array_equal(got.T if transposed else got, a), key
print("ok")
`
	if out, err := exec.Command(py, "-c", compare, dir, pt).CombinedOutput(); err != nil || string(out) != "ok\n" {
		t.Fatalf("state_dict: %v\n%s", err, out)
	}

	missing := filepath.Join(t.TempDir(), "nope")
	bad := filepath.Join(t.TempDir(), "bad.pt")
	out, err := exec.Command(py, "../../scripts/torch_model.py", missing, bad).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "torch_model.py: "+filepath.Join(missing, "model.json")) {
		t.Errorf("missing run: %v\n%s", err, out)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a refused run left its .pt file")
	}
}

// TestExportThreeLayers trains a network of three hidden layers (784 → 64
// → 32 → 16 → 10, tanh) and checks its export in every runtime, as the
// default run's.
func TestExportThreeLayers(t *testing.T) {
	d := testenv.MNIST(t)
	run := filepath.Join(t.TempDir(), "run")
	code, _, errOut := perceptron(t, "train", "-hidden", "64+32+16", "-activation", "tanh", "-epochs", "2",
		"-train-limit", "20000", "-out", run)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	checkRuntimes(t, run, d.Dir, "784 → 64 tanh → 32 tanh → 16 tanh → 10 softmax")
}
