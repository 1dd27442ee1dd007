package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/internal/testmodel"
	"github.com/perceptron-mnist/perceptron/npy"
	"github.com/perceptron-mnist/perceptron/serve"
)

// TestVersion1RunDirectory uses a run directory written by the version of
// perceptron before networks had several layers (model.json and
// checkpoint.bin format version 1, testmodel.V1Run) with every command that
// reads one, and wants what that version printed for it: the same summary,
// predictions and evaluation (to the last bits of float32: the matrix
// products have changed since, internal/gemm), a served model, and a resumed
// run that ends with the weights of the same run trained uninterrupted.
func TestVersion1RunDirectory(t *testing.T) {
	dir := testmodel.V1Run(t)
	golden := testmodel.Testdata(t)
	d := testenv.MNIST(t)

	t.Run("summary", func(t *testing.T) {
		code, out, errOut := perceptron(t, "summary", "-model", dir)
		want, _ := os.ReadFile(filepath.Join(golden, "v1run-summary.txt"))
		// the first line names the directory as given; the table, the loss
		// and the formula are compared (the training record's layout has
		// changed since, to a table of its own)
		_, got, _ := strings.Cut(out, "\n")
		_, wantRest, _ := strings.Cut(string(want), "\n")
		got, _, _ = strings.Cut(got, "\nTraining:")
		wantRest, _, _ = strings.Cut(wantRest, "\nTraining:")
		if code != 0 || got != wantRest {
			t.Errorf("exit %d, %s\ngot:\n%s\nwant:\n%s", code, errOut, got, wantRest)
		}
		code, out, _ = perceptron(t, "summary", "-model", dir, "-json")
		var g, w map[string]any
		wantJSON, _ := os.ReadFile(filepath.Join(golden, "v1run-summary.json"))
		if err := json.Unmarshal([]byte(out), &g); code != 0 || err != nil || json.Unmarshal(wantJSON, &w) != nil {
			t.Fatalf("summary -json: exit %d, %v: %s", code, err, out)
		}
		delete(g, "name")
		delete(w, "name")
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if !bytes.Equal(gb, wb) {
			t.Errorf("summary -json:\n%s\nwant\n%s", gb, wb)
		}
	})

	t.Run("predict", func(t *testing.T) {
		code, out, errOut := perceptron(t, "predict", "-model", dir, "-first", "20", "-json", "-data", d.Dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		want, _ := os.ReadFile(filepath.Join(golden, "v1run-predict.json"))
		got, wl := jsonLines(t, out), jsonLines(t, string(want))
		if len(got) != 20 || len(wl) != 20 {
			t.Fatalf("%d predictions, want 20 and 20", len(got))
		}
		for i := range wl {
			g, w := got[i], wl[i]
			if g.Input != w.Input || g.Digit != w.Digit || g.RunnerUp != w.RunnerUp {
				t.Errorf("prediction %d: %+v, want %+v", i, g, w)
				continue
			}
			for c := range w.Probabilities {
				if math.Abs(float64(g.Probabilities[c]-w.Probabilities[c])) > 1e-6 {
					t.Errorf("%s: class %d probability %v, want %v", w.Input, c, g.Probabilities[c], w.Probabilities[c])
				}
			}
		}
	})

	t.Run("eval", func(t *testing.T) {
		code, out, errOut := perceptron(t, "eval", "-model", dir, "-json", "-out", "-", "-data", d.Dir)
		var r struct {
			Images   int     `json:"images"`
			Accuracy float64 `json:"accuracy"`
			Loss     float64 `json:"loss"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		if r.Images != 10000 || r.Accuracy != testmodel.V1RunEvalAccuracy || math.Abs(r.Loss-testmodel.V1RunEvalLoss) > 1e-6 {
			t.Errorf("eval: %+v, want accuracy %v, loss %v", r, testmodel.V1RunEvalAccuracy, testmodel.V1RunEvalLoss)
		}
	})

	t.Run("numpy", func(t *testing.T) {
		py := testenv.NeedPython(t, "numpy")
		out, err := exec.Command(py, "../../scripts/check_accuracy.py", dir, "--data", d.Dir, "--json").CombinedOutput()
		var r struct {
			TestAcc float64 `json:"test_acc"`
		}
		if err != nil || json.Unmarshal(out, &r) != nil || r.TestAcc != testmodel.V1RunEvalAccuracy {
			t.Errorf("check_accuracy.py: %v: %s", err, out)
		}
	})

	t.Run("serve", func(t *testing.T) {
		m, err := infer.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		h, err := serve.New(m, serve.Options{})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/api/model")
		if err != nil {
			t.Fatal(err)
		}
		var info serve.ModelInfo
		err = json.NewDecoder(resp.Body).Decode(&info)
		resp.Body.Close()
		if err != nil || info.Architecture != "784 → 6 → 10, relu, softmax" || info.Params != testmodel.V1RunParams ||
			len(info.Layers) != 2 || info.Layers[0].Units != 6 {
			t.Errorf("GET /api/model: %+v, %v", info, err)
		}
		// a vertical bar, as a 1 is written
		img := image.NewGray(image.Rect(0, 0, 28, 28))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		for y := 4; y < 24; y++ {
			for x := 13; x < 16; x++ {
				img.SetGray(x, y, color.Gray{})
			}
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("image", "one.png")
		fw.Write(testenv.EncodePNG(t, img))
		mw.Close()
		resp, err = http.Post(srv.URL+"/api/predict", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		var res serve.Result
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		var sum float32
		for _, p := range res.Probabilities {
			sum += p
		}
		if err != nil || resp.StatusCode != http.StatusOK || len(res.Probabilities) != 10 || math.Abs(float64(sum)-1) > 1e-5 {
			t.Errorf("POST /api/predict: status %d, %+v, %v", resp.StatusCode, res, err)
		}
	})

	t.Run("resume", func(t *testing.T) {
		run := filepath.Join(t.TempDir(), "v1run")
		if err := os.CopyFS(run, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := perceptron(t, "train", "-resume", run, "-json", "-quiet", "-data", d.Dir)
		var s struct {
			TestAcc float64 `json:"test_acc"`
			Epochs  int     `json:"epochs"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &s) != nil {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		fresh := filepath.Join(t.TempDir(), "fresh")
		if code, _, errOut := perceptron(t, "train", "-hidden", "6", "-activation", "relu", "-optimizer", "adam", "-epochs", "4",
			"-train-limit", "6000", "-test-limit", "500", "-seed", "7", "-out", fresh, "-quiet", "-data", d.Dir); code != 0 {
			t.Fatalf("uninterrupted run: exit %d: %s", code, errOut)
		}
		// The checkpoint's weights were computed with the matrix products of
		// that time, which differ from today's in the last bits: the resumed
		// weights are the uninterrupted run's up to that rounding.
		for _, f := range []string{"w1.npy", "b1.npy", "w2.npy", "b2.npy"} {
			_, a, err1 := npy.Read(filepath.Join(run, f), nil)
			_, b, err2 := npy.Read(filepath.Join(fresh, f), nil)
			if err1 != nil || err2 != nil || len(a) != len(b) {
				t.Fatalf("%s: %v, %v", f, err1, err2)
			}
			var worst float64
			for i := range a {
				worst = max(worst, math.Abs(float64(a[i]-b[i])))
			}
			t.Logf("%s: largest difference from the uninterrupted run %.3g", f, worst)
			if worst > 1e-6 {
				t.Errorf("%s of the resumed run differs from the uninterrupted run's by up to %g", f, worst)
			}
		}
		if s.Epochs != 4 || math.Abs(s.TestAcc-testmodel.V1RunResumedTestAcc) > 0.01 {
			t.Errorf("resumed: %+v; want test accuracy near %v after 4 epochs", s, testmodel.V1RunResumedTestAcc)
		}
	})
}
