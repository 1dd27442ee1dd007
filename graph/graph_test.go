package graph

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// refLoss is the network's mean cross-entropy computed in float64 with plain
// loops: the reference for the graph's loss and, by central differences,
// for its symbolic gradients.
func refLoss(a Arch, w [4][]float64, x []float64, y []int) float64 {
	n := len(y)
	var total float64
	h := make([]float64, a.Hidden)
	z := make([]float64, a.Outputs)
	for i := 0; i < n; i++ {
		for j := range h {
			s := w[1][j]
			for k := 0; k < a.Inputs; k++ {
				s += x[i*a.Inputs+k] * w[0][k*a.Hidden+j]
			}
			if a.Activation == Sigmoid {
				h[j] = 1 / (1 + math.Exp(-s))
			} else {
				h[j] = math.Max(s, 0)
			}
		}
		mx := math.Inf(-1)
		for o := range z {
			s := w[3][o]
			for j := range h {
				s += h[j] * w[2][j*a.Outputs+o]
			}
			z[o] = s
			mx = math.Max(mx, s)
		}
		var sum float64
		for o := range z {
			sum += math.Exp(z[o] - mx)
		}
		total -= z[y[i]] - mx - math.Log(sum)
	}
	return total / float64(n)
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	for _, act := range []string{Sigmoid, ReLU} {
		t.Run(act, func(t *testing.T) {
			const batch = 8
			a := NewArch(12, act)
			p, err := NewParams(a, 7)
			if err != nil {
				t.Fatal(err)
			}
			// non-zero biases, so their gradients are exercised off the origin
			rng := rand.New(rand.NewPCG(1, 2))
			for _, b := range []*[]float32{ptr(F32(p.B1)), ptr(F32(p.B2))} {
				for i := range *b {
					(*b)[i] = float32(rng.NormFloat64() * 0.3)
				}
			}
			tg, err := NewTrainGraph(p, batch)
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
			x, y := tg.Inputs()
			labels := make([]int, batch)
			for i := range x {
				x[i] = float32(rng.Float64())
			}
			for i := range labels {
				labels[i] = rng.IntN(10)
				y[i*10+labels[i]] = 1
			}
			loss, err := tg.Run()
			if err != nil {
				t.Fatal(err)
			}
			grads, err := tg.Grads()
			if err != nil {
				t.Fatal(err)
			}

			var w [4][]float64
			for i, tt := range p.Tensors() {
				for _, v := range F32(tt) {
					w[i] = append(w[i], float64(v))
				}
			}
			x64 := make([]float64, len(x))
			for i, v := range x {
				x64[i] = float64(v)
			}
			want := refLoss(a, w, x64, labels)
			if math.Abs(float64(loss)-want) > 1e-5*math.Max(1, want) {
				t.Fatalf("graph loss %v, float64 reference %v", loss, want)
			}
			const eps = 1e-5
			checked := 0
			for pi := range w {
				idx := rng.Perm(len(w[pi]))
				if len(idx) > 200 {
					idx = idx[:200]
				}
				for _, i := range idx {
					orig := w[pi][i]
					w[pi][i] = orig + eps
					up := refLoss(a, w, x64, labels)
					w[pi][i] = orig - eps
					down := refLoss(a, w, x64, labels)
					w[pi][i] = orig
					fd := (up - down) / (2 * eps)
					got := float64(grads[pi][i])
					if math.Abs(got-fd) > 1e-4+1e-3*math.Abs(fd) {
						t.Errorf("d loss/d %s[%d] = %g, finite difference %g", Names[pi], i, got, fd)
					}
					checked++
				}
			}
			if checked < 300 {
				t.Fatalf("checked only %d gradient entries", checked)
			}
		})
	}
}

func ptr(s []float32) *[]float32 { return &s }

func TestForwardMatchesTrainingLoss(t *testing.T) {
	// The evaluator's loss on a batch equals the training graph's loss on it,
	// at a batch size that needs a partial last graph.
	p, _ := NewParams(NewArch(16, Sigmoid), 3)
	const n = 10
	tg, err := NewTrainGraph(p, n)
	if err != nil {
		t.Fatal(err)
	}
	x, y := tg.Inputs()
	labels := make([]uint8, n)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range x {
		x[i] = float32(rng.Float64())
	}
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
		y[i*10+int(labels[i])] = 1
	}
	loss, err := tg.Run()
	if err != nil {
		t.Fatal(err)
	}
	ev := NewEvaluator(p, 4) // batches 4, 4, 2
	defer ev.Close()
	eloss, _, err := ev.Evaluate(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(eloss-float64(loss)) > 1e-5 {
		t.Fatalf("evaluator loss %v, training graph loss %v", eloss, loss)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p, _ := NewParams(NewArch(5, ReLU), 9)
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
	if q.Arch != p.Arch || compact.String() != `{"epochs":1}` {
		t.Fatalf("loaded %+v, training %s", q.Arch, m2.Training)
	}
	for i, tt := range p.Tensors() {
		a, b := F32(tt), F32(q.Tensors()[i])
		if len(a) != len(b) {
			t.Fatalf("%s: %d values, want %d", Names[i], len(b), len(a))
		}
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("%s[%d] = %v, want %v", Names[i], j, b[j], a[j])
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
	p, _ := NewParams(NewArch(5, Sigmoid), 1)
	m, _ := NewModel(p, nil, nil)
	npy := func(shape []int, data []float32) []byte {
		var b bytes.Buffer
		if err := WriteNpy(&b, shape, data); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	good := npy([]int{784, 5}, make([]float32, 784*5))
	tests := []struct {
		name   string
		file   string
		modify func(dir string) // after a good save
		want   string
	}{
		{"truncated w1", "w1.npy", func(dir string) { write(t, dir, "w1.npy", good[:len(good)-7]) }, "w1.npy: truncated"},
		{"w1 wrong shape", "w1.npy", func(dir string) { write(t, dir, "w1.npy", npy([]int{5, 784}, make([]float32, 784*5))) }, "w1.npy: shape [5 784], want [784 5]"},
		{"b2 NaN", "b2.npy", func(dir string) {
			write(t, dir, "b2.npy", npy([]int{10}, []float32{0, 0, float32(math.NaN()), 0, 0, 0, 0, 0, 0, 0}))
		}, "b2.npy: value 2 is NaN"},
		{"not npy", "w2.npy", func(dir string) { write(t, dir, "w2.npy", []byte("hello, world, this is text")) }, "w2.npy: not a valid .npy file"},
		{"missing b1", "b1.npy", func(dir string) { os.Remove(filepath.Join(dir, "b1.npy")) }, "b1.npy: open"},
		{"future version", "model.json", func(dir string) { edit(t, dir, `"format_version": 1`, `"format_version": 2`) },
			"model.json: format version 2, this program reads version 1"},
		{"shape vs architecture", "model.json", func(dir string) { edit(t, dir, `"hidden": 5`, `"hidden": 6`) },
			"model.json: weight w1 has shape [784 5], architecture 784 → 6 → 10 needs [784 6]"},
		{"bad activation", "model.json", func(dir string) { edit(t, dir, `"activation": "sigmoid"`, `"activation": "tanh"`) },
			`model.json: activation "tanh": want "sigmoid" or "relu"`},
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
