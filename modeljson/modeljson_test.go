package modeljson

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/npy"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p, _ := graph.NewParams(graph.NewArch([]int{5}, graph.ReLU), 9)
	m, err := NewModel(p, map[string]int{"epochs": 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, p, m); err != nil {
		t.Fatal(err)
	}
	q, m2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, m2.Training); err != nil {
		t.Fatal(err)
	}
	if !q.Arch.Equal(p.Arch) || compact.String() != `{"epochs":1}` {
		t.Fatalf("loaded %+v, training %s", q.Arch, m2.Training)
	}
	for i, tt := range p.Tensors() {
		a, b := graph.F32(tt), graph.F32(q.Tensors()[i])
		if len(a) != len(b) {
			t.Fatalf("%s: %d values, want %d", p.ParamNames()[i], len(b), len(a))
		}
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("%s[%d] = %v, want %v", p.ParamNames()[i], j, b[j], a[j])
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	p, _ := graph.NewParams(graph.NewArch([]int{5}, graph.Sigmoid), 1)
	m, _ := NewModel(p, nil, nil)
	npyBytes := func(shape []int, data []float32) []byte {
		var b bytes.Buffer
		if err := npy.Write(&b, shape, data); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	good := npyBytes([]int{784, 5}, make([]float32, 784*5))
	tests := []struct {
		name   string
		file   string
		modify func(dir string) // after a good save
		want   string
	}{
		{"truncated w1", "w1.npy", func(dir string) { write(t, dir, "w1.npy", good[:len(good)-7]) }, "w1.npy: truncated"},
		{"w1 wrong shape", "w1.npy", func(dir string) { write(t, dir, "w1.npy", npyBytes([]int{5, 784}, make([]float32, 784*5))) }, "w1.npy: shape [5 784], want [784 5]"},
		{"b2 NaN", "b2.npy", func(dir string) {
			write(t, dir, "b2.npy", npyBytes([]int{10}, []float32{0, 0, float32(math.NaN()), 0, 0, 0, 0, 0, 0, 0}))
		}, "b2.npy: value 2 is NaN"},
		{"not npy", "w2.npy", func(dir string) { write(t, dir, "w2.npy", []byte("hello, world, this is text")) }, "w2.npy: not a valid .npy file"},
		{"missing b1", "b1.npy", func(dir string) { os.Remove(filepath.Join(dir, "b1.npy")) }, "b1.npy: open"},
		{"future version", "model.json", func(dir string) { edit(t, dir, `"format_version": 2`, `"format_version": 3`) },
			"model.json: format version 3, this program reads versions 1 and 2"},
		{"layers vs architecture", "model.json", func(dir string) { edit(t, dir, `"hidden": 5`, `"hidden": 6`) },
			"model.json: layers [dense_1 Dense 5 sigmoid w1 b1, dense_2 Dense 10 softmax w2 b2] do not match architecture 784 → 6 → 10 sigmoid"},
		{"shape vs architecture", "model.json", func(dir string) {
			edit(t, dir, `"hidden": 5`, `"hidden": 6`)
			edit(t, dir, `"units": 5`, `"units": 6`)
		}, "model.json: weight w1 has shape [784 5], architecture 784 → 6 → 10 needs [784 6]"},
		{"bad activation", "model.json", func(dir string) { edit(t, dir, `"activation": "sigmoid"`, `"activation": "softsign"`) },
			`model.json: activation "softsign": want sigmoid, relu or tanh`},
		{"version 1 with two layers", "model.json", func(dir string) { edit(t, dir, `"format_version": 2`, `"format_version": 1`) },
			"model.json: format version 1 with a layer list: version 1 has none"},
		{"not json", "model.json", func(dir string) { write(t, dir, "model.json", []byte("{")) }, "model.json: unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Save(dir, p, m); err != nil {
				t.Fatal(err)
			}
			tc.modify(dir)
			_, _, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) {
				t.Fatalf("error %q, want it to name %s and say %q", err, tc.file, tc.want)
			}
		})
	}
}

func write(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func edit(t *testing.T, dir, old, new string) {
	t.Helper()
	path := filepath.Join(dir, ModelFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("model.json has no %s:\n%s", old, b)
	}
	write(t, dir, ModelFile, bytes.Replace(b, []byte(old), []byte(new), 1))
}

func FuzzReadModel(f *testing.F) {
	p, _ := graph.NewParams(graph.NewArch([]int{5}, graph.Sigmoid), 1)
	m, _ := NewModel(p, map[string]any{"lr": 0.5}, nil)
	good, _ := json.Marshal(m)
	f.Add(good)
	f.Add([]byte(`{"format":"perceptron-mnist","format_version":2}`))
	f.Add(bytes.Replace(good, []byte(`"hidden":5`), []byte(`"hidden":99999999999`), 1))
	f.Add(bytes.Replace(good, []byte(`"w1.npy"`), []byte(`".."`), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeModel(b)
		if err != nil {
			return
		}
		if err := m.Architecture.Validate(); err != nil {
			t.Fatalf("accepted an invalid architecture: %v", err)
		}
		for i, w := range m.Weights {
			if filepath.Base(w.File) != w.File || w.File == ".." || w.File == "." {
				t.Fatalf("accepted weight file %q", w.File)
			}
			if !slices.Equal(w.Shape, fileShapes(m.Architecture.Arch)[i]) {
				t.Fatalf("accepted shape %v for %s", w.Shape, w.Name)
			}
		}
	})
}

func TestReadModelRefusesHostileJSON(t *testing.T) {
	p, _ := graph.NewParams(graph.NewArch([]int{5}, graph.Sigmoid), 1)
	m, _ := NewModel(p, nil, nil)
	good, _ := json.Marshal(m)
	tests := []struct {
		name, old, new, want string
	}{
		{"wrong format", `"format":"perceptron-mnist"`, `"format":"keras"`, `format "keras", want "perceptron-mnist"`},
		{"huge hidden", `"hidden":5`, `"hidden":4000000000`, "hidden size 4000000000: want 1 to 65536 neurons"},
		{"other inputs", `"inputs":784`, `"inputs":1000000000000`, "architecture 1000000000000 → 5 → 10: need at least 1 input and 2 outputs"},
		{"other outputs", `"outputs":10`, `"outputs":12`, "architecture 784 → 5 → 12: this program uses MNIST networks 784 → … → 10"},
		{"huge layers", `"hidden":5`, `"hidden":[65536,65536]`, "architecture 784 → 65536 → 65536 → 10 has 4347133962 parameters, more than the 67108864 allowed"},
		{"dotdot file", `"file":"w1.npy"`, `"file":".."`, `weight w1: file ".." must be a plain file name`},
		{"path file", `"file":"w1.npy"`, `"file":"/etc/passwd"`, `weight w1: file "/etc/passwd" must be a plain file name`},
		{"wrong dtype", `"dtype":"float32"`, `"dtype":"float64"`, `weight w1 has dtype "float64", want float32`},
		{"lying shape", `"shape":[784,5]`, `"shape":[784,5000000]`, "weight w1 has shape [784 5000000], architecture 784 → 5 → 10 needs [784 5]"},
		{"wrong type", `"hidden":5`, `"hidden":"5"`, "cannot unmarshal string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(good, []byte(tc.old)) {
				t.Fatalf("model.json has no %s: %s", tc.old, good)
			}
			dir := t.TempDir()
			write(t, dir, ModelFile, bytes.Replace(good, []byte(tc.old), []byte(tc.new), 1))
			_, err := ReadModel(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Join(dir, ModelFile)) {
				t.Fatalf("error %v, want %q naming the file", err, tc.want)
			}
		})
	}
	dir := t.TempDir()
	write(t, dir, ModelFile, append(append([]byte(`{"format":"`), bytes.Repeat([]byte("x"), maxModelJSON)...), `"}`...))
	if _, err := ReadModel(dir); err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Errorf("2 MB model.json: error %v", err)
	}
}
