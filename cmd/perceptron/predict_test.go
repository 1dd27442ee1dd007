package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/npy"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/internal/testmodel"
	"github.com/perceptron-mnist/perceptron/train"
)

// defaultModelDir saves the network trained with the default configuration
// (trained once per test binary, about 10 s) into a new directory.
func defaultModelDir(t *testing.T) (string, *data.MNIST) {
	t.Helper()
	return testmodel.Dir(t), testenv.MNIST(t)
}

// saveModel writes p as a run directory.
func saveModel(t *testing.T, p *graph.Params) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	m, err := modeljson.NewModel(p, train.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := modeljson.Save(dir, p, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

// untrainedModelDir saves a freshly initialised network: enough to test
// reading inputs and refusing bad files.
func untrainedModelDir(t *testing.T) string {
	t.Helper()
	p, err := graph.NewParams(graph.NewArch([]int{16}, graph.Sigmoid), 1)
	if err != nil {
		t.Fatal(err)
	}
	return saveModel(t, p)
}

// jsonLines decodes predict -json output.
func jsonLines(t *testing.T, out string) []predictLine {
	t.Helper()
	var lines []predictLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l predictLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestPredictFirstFive(t *testing.T) {
	dir, _ := defaultModelDir(t)
	code, out, errOut := perceptron(t, "predict", "-model", dir, "-first", "5", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	want := []int{7, 2, 1, 0, 4}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, l := range lines {
		var sum float64
		for _, p := range l.Probabilities {
			sum += float64(p)
		}
		if l.Input != "test:"+string(rune('0'+i)) || l.Digit != want[i] || l.Label == nil || *l.Label != want[i] ||
			len(l.Probabilities) != 10 || math.Abs(sum-1) > 1e-4 || l.Confidence != l.Probabilities[l.Digit] {
			t.Errorf("line %d: %+v (probabilities sum to %v); want digit and label %d", i, l, sum, want[i])
		}
	}
	// the raw output has exactly the keys the issue names, and label
	var raw map[string]any
	json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &raw)
	for _, k := range []string{"input", "digit", "confidence", "probabilities", "label"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON line has no %q: %v", k, raw)
		}
	}

	// plain: the ASCII picture, then the digit, its confidence, runner-up, label
	code, out, errOut = perceptron(t, "predict", "-model", dir, "-first", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != 29 || len(rows[10]) != 56 || !strings.ContainsAny(out, "@%#") ||
		!strings.HasPrefix(rows[28], "test:0: 7 (confidence 0.") || !strings.Contains(rows[28], "runner-up") ||
		!strings.HasSuffix(rows[28], "label 7, right") {
		t.Errorf("plain output:\n%s", out)
	}
}

// paperPhoto draws a 28×28 MNIST image large as dark ink on a noisy,
// unevenly lit page, off-centre.
func paperPhoto(x []float32, w, h, size, cx, cy int, seed uint64) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 1))
	for y := 0; y < h; y++ {
		for xx := 0; xx < w; xx++ {
			light := 0.92 - 0.3*float64(xx)/float64(w)
			u := (float64(xx-cx)/float64(size) + 0.5) * 28
			v := (float64(y-cy)/float64(size) + 0.5) * 28
			var ink float64
			if i, j := int(u), int(v); u >= 0 && v >= 0 && i < 28 && j < 28 {
				ink = math.Min(1, 2*float64(x[j*28+i]))
			}
			p := light*(1-0.8*ink) + 0.02*rng.NormFloat64()
			img.Pix[y*img.Stride+xx] = uint8(255 * math.Min(1, math.Max(0, p)))
		}
	}
	return img
}

func TestPredictFolderOfPhotos(t *testing.T) {
	model, d := defaultModelDir(t)
	photos := filepath.Join(t.TempDir(), "photos")
	os.Mkdir(photos, 0o755)
	const n = 10
	for i := 0; i < n; i++ {
		img := paperPhoto(d.Test.Image(i), 640, 480, 300, 250+10*i, 260, uint64(i))
		var b bytes.Buffer
		name := filepath.Join(photos, "digit-"+string(rune('a'+i)))
		if i%2 == 0 {
			png.Encode(&b, img)
			name += ".png"
		} else {
			jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
			name += ".JPG"
		}
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(photos, "README.txt"), []byte("not a photo"), 0o644) // skipped in a directory
	seen := filepath.Join(t.TempDir(), "seen")
	code, out, errOut := perceptron(t, "predict", "-model", model, "-json", "-save-preprocessed", seen, photos)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	if len(lines) != n {
		t.Fatalf("%d lines for %d photos:\n%s", len(lines), n, out)
	}
	right := 0
	for i, l := range lines {
		if l.Label != nil || !strings.HasPrefix(l.Input, filepath.Join(photos, "digit-"+string(rune('a'+i)))) {
			t.Errorf("line %d: %+v", i, l)
		}
		if l.Digit == int(d.Test.Labels[i]) {
			right++
		}
		f, err := os.Open(l.Preprocessed)
		if err != nil {
			t.Fatalf("line %d: preprocessed image: %v", i, err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() != 28 || img.Bounds().Dy() != 28 {
			t.Errorf("%s: %v, bounds %v", l.Preprocessed, err, img.Bounds())
		}
	}
	if right < 8 {
		t.Errorf("%d of %d photos recognised, want at least 8:\n%s", right, n, out)
	}
}

func TestPredictNpy(t *testing.T) {
	model, d := defaultModelDir(t)
	dir := t.TempDir()
	write := func(name string, shape []int, x []float32) string {
		var b bytes.Buffer
		if err := npy.Write(&b, shape, x); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, b.Bytes(), 0o644)
		return p
	}
	three := d.Test.Images[:3*784]
	cube := write("cube.npy", []int{3, 28, 28}, three)
	flat := write("flat.npy", []int{3, 784}, three)
	code, out, errOut := perceptron(t, "predict", "-model", model, "-json", cube, flat, "-first", "3")
	if code == 0 {
		t.Fatalf("flags after arguments were taken: %s", out)
	}
	code, out, errOut = perceptron(t, "predict", "-model", model, "-json", "-first", "3", cube, flat)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 9:\n%s", len(lines), out)
	}
	for i := 0; i < 3; i++ {
		for k, l := range []predictLine{lines[3+i], lines[6+i]} {
			want := []string{cube, flat}[k] + "[" + string(rune('0'+i)) + "]"
			if l.Input != want || l.Digit != lines[i].Digit {
				t.Errorf("%s: %+v, want digit %d", want, l, lines[i].Digit)
			}
			for c := range l.Probabilities {
				if l.Probabilities[c] != lines[i].Probabilities[c] {
					t.Fatalf("%s: probabilities %v, test image %d gives %v", want, l.Probabilities, i, lines[i].Probabilities)
				}
			}
		}
	}

	// arrays that are not images
	bad := []struct {
		name  string
		shape []int
		x     []float32
		want  string
	}{
		{"small.npy", []int{2, 27, 27}, make([]float32, 2*27*27), "array of shape [2 27 27], want (N, 28, 28) or (N, 784)"},
		{"bytes.npy", []int{1, 784}, append(make([]float32, 783), 255), "image 0, pixel 783 is 255: want pixel/255 values in [0, 1]"},
		{"none.npy", []int{0, 784}, nil, "holds no image"},
	}
	for _, b := range bad {
		p := write(b.name, b.shape, b.x)
		code, out, errOut := perceptron(t, "predict", "-model", model, p)
		if code != 1 || out != "" || !strings.Contains(errOut, p) || !strings.Contains(errOut, b.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %q", b.name, code, out, errOut, b.want)
		}
	}
	full, _ := os.ReadFile(cube)
	p := filepath.Join(dir, "truncated.npy")
	os.WriteFile(p, full[:len(full)-100], 0o644)
	if code, _, errOut := perceptron(t, "predict", "-model", model, p); code != 1 || !strings.Contains(errOut, p+": shape [3 28 28] of <f4 needs 9408 data bytes, the file holds 9308") {
		t.Errorf("truncated .npy: exit %d, stderr %q", code, errOut)
	}
}

// pngBomb returns a PNG whose header claims w×h pixels.
func pngBomb(w, h uint32) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	out := b.Bytes()
	// IHDR data starts at byte 16; its CRC follows the 13 data bytes
	put := func(at int, v uint32) {
		out[at], out[at+1], out[at+2], out[at+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, w)
	put(20, h)
	put(29, crc(out[12:29]))
	return out
}

func crc(b []byte) uint32 {
	c := ^uint32(0)
	for _, x := range b {
		c ^= uint32(x)
		for k := 0; k < 8; k++ {
			if c&1 != 0 {
				c = c>>1 ^ 0xEDB88320
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

func TestPredictRefusesBadImages(t *testing.T) {
	model := untrainedModelDir(t)
	dir := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	var good bytes.Buffer
	d, _ := loadData("")
	png.Encode(&good, paperPhoto(d.Test.Image(0), 200, 200, 120, 100, 100, 1))
	tests := []struct {
		name string
		path string
		want string
	}{
		{"text", file("notes.jpg", []byte("dear diary, today I trained a perceptron")), "not an image in a known format"},
		{"empty", file("empty.png", nil), "empty file, not an image"},
		{"bomb", file("bomb.png", pngBomb(100000, 100000)), "png header claims 100000×100000 pixels: refusing"},
		{"truncated", file("half.png", good.Bytes()[:good.Len()/2]), "corrupt png image"},
		{"blank", file("blank.png", func() []byte {
			var b bytes.Buffer
			png.Encode(&b, image.NewGray(image.Rect(0, 0, 64, 64)))
			return b.Bytes()
		}()), "no ink found"},
		{"missing", filepath.Join(dir, "nope.png"), "no such file or directory"},
		{"empty dir", func() string { p := filepath.Join(dir, "emptydir"); os.Mkdir(p, 0o755); return p }(), "no images in the directory"},
	}
	goodPath := file("good.png", good.Bytes())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := perceptron(t, "predict", "-model", model, tc.path, goodPath)
			if code != 1 || !strings.Contains(errOut, tc.path) || !strings.Contains(errOut, tc.want) ||
				!strings.Contains(errOut, "1 of 2 inputs could not be read") || strings.Contains(errOut, "panic") {
				t.Errorf("exit %d, stderr %q; want exit 1 naming %s and saying %q", code, errOut, tc.path, tc.want)
			}
			// the good image beside it is still predicted
			if !strings.HasPrefix(out, goodPath+": ") || strings.Count(out, "\n") != 1 {
				t.Errorf("stdout %q, want one line for %s", out, goodPath)
			}
		})
	}
}

func TestPredictRefusesBadModels(t *testing.T) {
	npy := func(shape []int) []byte {
		n := 1
		for _, d := range shape {
			n *= d
		}
		var b bytes.Buffer
		npy.Write(&b, shape, make([]float32, n))
		return b.Bytes()
	}
	edit := func(file, old, new string) func(dir string) {
		return func(dir string) {
			p := filepath.Join(dir, file)
			b, _ := os.ReadFile(p)
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s has no %q", file, old)
			}
			os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644)
		}
	}
	tests := []struct {
		name   string
		file   string
		modify func(dir string)
		want   string
	}{
		{"truncated", "w1.npy", func(dir string) {
			p := filepath.Join(dir, "w1.npy")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "w1.npy"},
		{"mis-shaped", "b2.npy", func(dir string) { os.WriteFile(filepath.Join(dir, "b2.npy"), npy([]int{11}), 0o644) }, "[11]"},
		{"corrupt", "w2.npy", func(dir string) { os.WriteFile(filepath.Join(dir, "w2.npy"), []byte("PK\x03\x04 a zip file"), 0o644) }, "w2.npy"},
		{"version", "model.json", edit("model.json", `"format_version": 2`, `"format_version": 7`), "format version 7"},
		{"hidden", "model.json", edit("model.json", `"hidden": 16`, `"hidden": 17`), "do not match architecture 784 → 17 → 10 sigmoid"},
		{"units", "model.json", func(dir string) {
			edit("model.json", `"hidden": 16`, `"hidden": 17`)(dir)
			edit("model.json", `"units": 16`, `"units": 17`)(dir)
		}, "architecture 784 → 17 → 10 needs [784 17]"},
		{"missing", "", func(dir string) { os.Remove(filepath.Join(dir, "model.json")) }, " holds no model.json: not a run directory written by perceptron train\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := untrainedModelDir(t)
			tc.modify(dir)
			for _, cmd := range [][]string{{"predict", "-model", dir, "-first", "1"}, {"eval", "-model", dir}} {
				code, out, errOut := perceptron(t, cmd...)
				if code != 1 || out != "" || !strings.Contains(errOut, filepath.Join(dir, tc.file)) || !strings.Contains(errOut, tc.want) {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 naming %s and saying %q", cmd[0], code, out, errOut, tc.file, tc.want)
				}
			}
		})
	}
}

func TestPredictUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"predict", "x.png"}, "-model DIR is required"},
		{[]string{"predict", "-model", "m"}, "nothing to predict"},
		{[]string{"predict", "-model", "m", "-first", "-2"}, "-first -2"},
	}
	for _, tc := range tests {
		code, out, errOut := perceptron(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestPredictPyMatchesGo(t *testing.T) {
	py := testenv.NeedPython(t, "numpy", "PIL")
	model, d := defaultModelDir(t)
	dir := t.TempDir()
	var b bytes.Buffer
	const n = 50
	npy.Write(&b, []int{n, 28, 28}, d.Test.Images[:n*784])
	arr := filepath.Join(dir, "x.npy")
	os.WriteFile(arr, b.Bytes(), 0o644)
	pngs := filepath.Join(dir, "png")
	code, goOut, errOut := perceptron(t, "predict", "-model", model, "-json", "-first", "2", "-save-preprocessed", pngs, arr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	goLines := jsonLines(t, goOut)
	cmd := exec.Command(py, "../../scripts/predict.py", model, arr,
		filepath.Join(pngs, "test-00000-28x28.png"), filepath.Join(pngs, "test-00001-28x28.png"), "--json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pyOut, err := cmd.Output()
	if err != nil {
		t.Fatalf("predict.py: %v\n%s", err, stderr.String())
	}
	pyLines := jsonLines(t, string(pyOut))
	if len(pyLines) != n+2 || len(goLines) != n+2 {
		t.Fatalf("%d Python lines and %d Go lines, want %d", len(pyLines), len(goLines), n+2)
	}
	// Python's order: the array, then the PNGs; Go's: the test images, then the array
	for i, pl := range pyLines {
		gl := goLines[(i+2)%(n+2)]
		if pl.Digit != gl.Digit {
			t.Errorf("%s: Python says %d, Go says %d", pl.Input, pl.Digit, gl.Digit)
		}
		for c := range pl.Probabilities {
			if math.Abs(float64(pl.Probabilities[c]-gl.Probabilities[c])) > 2e-3 { // the PNGs are rounded to 8 bits
				t.Fatalf("%s class %d: Python %v, Go %v", pl.Input, c, pl.Probabilities[c], gl.Probabilities[c])
			}
		}
		if i < n {
			for c := range pl.Probabilities {
				if math.Abs(float64(pl.Probabilities[c]-gl.Probabilities[c])) > 1e-5 {
					t.Fatalf("%s class %d: Python %v, Go %v", pl.Input, c, pl.Probabilities[c], gl.Probabilities[c])
				}
			}
		}
	}
	// a model.json from the future is refused, naming the file
	os.WriteFile(filepath.Join(model, "model.json"), []byte(`{"format": "perceptron-mnist", "format_version": 9}`), 0o644)
	out, err := exec.Command(py, "../../scripts/predict.py", model, arr).CombinedOutput()
	if err == nil || !strings.Contains(string(out), filepath.Join(model, "model.json")+": format version 9") {
		t.Errorf("predict.py on a version 9 model: %v\n%s", err, out)
	}
}

// A folder of runs given as -model (or to plot) is named as such, with a
// few of its runs to choose from, by every command that reads a model.
func TestFolderOfRunsAsModel(t *testing.T) {
	sweepDir := t.TempDir()
	for _, name := range []string{"a", "b", "c", "d"} {
		run := untrainedModelDir(t)
		if err := os.Rename(run, filepath.Join(sweepDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(sweepDir, "results.md"), []byte("| run |\n"), 0o644)
	want := sweepDir + " is a sweep of 4 runs, not a run: give one of them, such as " + filepath.Join(sweepDir, "a") + ", " +
		filepath.Join(sweepDir, "b") + ", " + filepath.Join(sweepDir, "c") + " (and 1 more)\n"
	for _, args := range [][]string{
		{"predict", "-model", sweepDir, "-first", "1"},
		{"eval", "-model", sweepDir},
		{"summary", "-model", sweepDir},
		{"serve", "-model", sweepDir, "-addr", "127.0.0.1:0"},
		{"plot", sweepDir},
	} {
		prefix := "perceptron " + args[0] + ": -model "
		if args[0] == "plot" {
			prefix = "perceptron plot: "
		}
		code, out, errOut := perceptron(t, args...)
		if code != 1 || out != "" || errOut != prefix+want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", args, code, out, errOut, prefix+want)
		}
	}
}

// predict -json gives every input a line, in order: the failed ones as
// {"input", "error"}, so that a script reading stdout sees which failed.
func TestPredictJSONReportsFailedInputs(t *testing.T) {
	model := untrainedModelDir(t)
	dir := t.TempDir()
	d, _ := loadData("")
	var good, blank bytes.Buffer
	png.Encode(&good, paperPhoto(d.Test.Image(0), 200, 200, 120, 100, 100, 1))
	png.Encode(&blank, image.NewGray(image.Rect(0, 0, 64, 64)))
	goodPath, blankPath, missing := filepath.Join(dir, "good.png"), filepath.Join(dir, "blank.png"), filepath.Join(dir, "nope.png")
	os.WriteFile(goodPath, good.Bytes(), 0o644)
	os.WriteFile(blankPath, blank.Bytes(), 0o644)
	code, out, errOut := perceptron(t, "predict", "-model", model, "-json", blankPath, goodPath, missing)
	if code != 1 || !strings.Contains(errOut, "2 of 3 inputs could not be read") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines on stdout, want one per input:\n%s", len(lines), out)
	}
	for i, want := range []struct{ input, err string }{
		{blankPath, blankPath + ": no ink found"}, {goodPath, ""}, {missing, "no such file or directory"},
	} {
		var l map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &l); err != nil {
			t.Fatal(err)
		}
		e, _ := l["error"].(string)
		switch {
		case l["input"] != want.input:
			t.Errorf("line %d: input %v, want %s", i, l["input"], want.input)
		case want.err == "" && (e != "" || l["digit"] == nil):
			t.Errorf("line %d: %s, want a prediction", i, lines[i])
		case want.err != "" && (!strings.Contains(e, want.err) || len(l) != 2):
			t.Errorf("line %d: %s, want only input and an error saying %q", i, lines[i], want.err)
		}
	}
}

// An image that is not one digit is predicted, with a warning.
func TestPredictWarnsOfNotOneDigit(t *testing.T) {
	model := untrainedModelDir(t)
	dir := t.TempDir()
	d, _ := loadData("")
	// "42": two test digits side by side on paper
	four, two := d.Test.Image(4), d.Test.Image(1) // labels 4 and 2
	if d.Test.Labels[4] != 4 || d.Test.Labels[1] != 2 {
		t.Fatal("test images 4 and 1 are not a 4 and a 2")
	}
	const scale, shift = 8, 18
	img := image.NewGray(image.Rect(0, 0, (shift+28)*scale, 28*scale))
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			u, v := x/scale, y/scale
			var c float32
			if u < 28 {
				c = four[v*28+u]
			}
			if u >= shift {
				c = max(c, two[v*28+u-shift])
			}
			img.Pix[y*img.Stride+x] = uint8(255 - 200*c)
		}
	}
	var b, one bytes.Buffer
	png.Encode(&b, img)
	png.Encode(&one, paperPhoto(d.Test.Image(0), 200, 200, 120, 100, 100, 1))
	both, single := filepath.Join(dir, "42.png"), filepath.Join(dir, "7.png")
	os.WriteFile(both, b.Bytes(), 0o644)
	os.WriteFile(single, one.Bytes(), 0o644)

	code, out, errOut := perceptron(t, "predict", "-model", model, "-json", both, single)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := jsonLines(t, out)
	if len(lines) != 2 || !strings.Contains(lines[0].Warning, "2 separate marks of similar size side by side") ||
		!strings.Contains(lines[0].Warning, "times as wide as it is tall") || lines[1].Warning != "" {
		t.Errorf("warnings %q and %q; want several marks and a wide patch for 42.png, none for 7.png", lines[0].Warning, lines[1].Warning)
	}
	code, out, _ = perceptron(t, "predict", "-model", model, both)
	if code != 0 || !strings.HasPrefix(out, both+": ") || !strings.Contains(out, "; warning: 2 separate marks") || strings.Count(out, "\n") != 1 {
		t.Errorf("text: exit %d, %q; want one line with the warning", code, out)
	}
}
