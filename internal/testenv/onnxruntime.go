package testenv

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Root returns the repository's top directory.
func Root(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("testenv: cannot find the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Onnxruntime is node with scripts/onnxruntime/check.js, which runs an ONNX
// model with npm's onnxruntime-node on the MNIST test set.
type Onnxruntime struct{ Node, Script string }

// NeedOnnxruntime returns node and check.js once `npm ci --ignore-scripts`
// has installed onnxruntime-node in scripts/onnxruntime. Without them the
// test skips, except in CI (CI=true), where .ci/run installs them and the
// test fails.
func NeedOnnxruntime(tb testing.TB) Onnxruntime {
	tb.Helper()
	dir := filepath.Join(Root(tb), "scripts", "onnxruntime")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "onnxruntime-node", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but no node with onnxruntime-node: %v (.ci/run installs nodejs and runs npm ci --ignore-scripts in %s)", err, dir)
		}
		tb.Skipf("no node with onnxruntime-node (apt-get install nodejs npm; cd %s && npm ci --ignore-scripts): %v", dir, err)
	}
	return Onnxruntime{node, filepath.Join(dir, "check.js")}
}

// OnnxruntimeResult is what check.js prints: the number of test images, the
// fraction predicted right and each image's probabilities.
type OnnxruntimeResult struct {
	N             int         `json:"n"`
	Accuracy      float64     `json:"accuracy"`
	Probabilities [][]float64 `json:"probabilities"`
}

// Run runs model on the MNIST test set in dataDir, or fails the test.
func (o Onnxruntime) Run(tb testing.TB, model, dataDir string) *OnnxruntimeResult {
	tb.Helper()
	cmd := exec.Command(o.Node, o.Script, model, dataDir, "--probabilities")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", o.Script, model, err, stderr.Bytes())
	}
	var r OnnxruntimeResult
	if err := json.Unmarshal(out, &r); err != nil {
		tb.Fatalf("%s printed %.200q: %v", o.Script, out, err)
	}
	return &r
}
