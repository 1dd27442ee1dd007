package train

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// param is a weight tensor with a gradient, as the solvers see a learnable node.
type param struct{ w, g *tensor.Dense }

func (p param) Value() G.Value         { return p.w }
func (p param) Grad() (G.Value, error) { return p.g, nil }
func (p param) Name() string           { return "param" }

func TestFusedAdamMatchesGorgonia(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := [][2]int{{31, 7}, {1, 7}, {7, 3}, {1, 3}}
	var ours, theirs []G.ValueGrad
	for _, s := range sizes {
		w := make([]float32, s[0]*s[1])
		for i := range w {
			w[i] = float32(rng.NormFloat64())
		}
		mk := func() param {
			return param{
				w: tensor.New(tensor.WithShape(s[0], s[1]), tensor.WithBacking(append([]float32(nil), w...))),
				g: tensor.New(tensor.WithShape(s[0], s[1]), tensor.WithBacking(make([]float32, len(w)))),
			}
		}
		ours, theirs = append(ours, mk()), append(theirs, mk())
	}
	a := newFusedAdam(0.01, 0.9, 0.999, 1e-7)
	b := G.NewAdamSolver(G.WithLearnRate(0.01), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7))
	for step := 1; step <= 50; step++ {
		for i := range ours {
			go1, go2 := ours[i].(param).g.Data().([]float32), theirs[i].(param).g.Data().([]float32)
			for j := range go1 {
				v := float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-5)))
				if rng.IntN(10) == 0 {
					v = 0 // relu's dead units give exact zeros
				}
				go1[j], go2[j] = v, v
			}
		}
		if err := a.Step(ours); err != nil {
			t.Fatal(err)
		}
		if err := b.Step(theirs); err != nil {
			t.Fatal(err)
		}
		for i := range ours {
			w1, w2 := ours[i].(param).w.Data().([]float32), theirs[i].(param).w.Data().([]float32)
			g1 := ours[i].(param).g.Data().([]float32)
			for j := range w1 {
				if math.Float32bits(w1[j]) != math.Float32bits(w2[j]) {
					t.Fatalf("step %d, parameter %d[%d]: fused Adam %v, gorgonia %v", step, i, j, w1[j], w2[j])
				}
				if g1[j] != 0 {
					t.Fatalf("step %d, parameter %d[%d]: gradient %v not zeroed", step, i, j, g1[j])
				}
			}
		}
	}
}
