package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/compute"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// trainSteps trains g with s for the given number of steps on random
// images and labels (the same ones on every call) and returns the losses.
func trainSteps(t *testing.T, g *TrainGraph, s G.Solver, steps int) []float32 {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	var losses []float32
	for range steps {
		x, y := g.Inputs()
		for i := range x {
			x[i] = r.Float32()
		}
		clear(y)
		for i := 0; i < g.Batch(); i++ {
			y[i*g.params.Outputs+r.IntN(g.params.Outputs)] = 1
		}
		loss, err := g.Run()
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, loss)
		if err := g.Step(s); err != nil {
			t.Fatal(err)
		}
	}
	return losses
}

// TestEngineTrainsLikeStdEng trains the same network for 20 steps with each
// solver, once with the graphs on gorgonia's standard engine and once on
// Engine, and wants bit-identical losses and weights: the short path
// changes nothing but the speed. It also checks that the gradients and the
// weights the solver sees do carry Engine.
func TestEngineTrainsLikeStdEng(t *testing.T) {
	for _, tc := range []struct {
		act    string
		solver func() G.Solver
	}{
		{Sigmoid, func() G.Solver { return G.NewVanillaSolver(G.WithLearnRate(0.5)) }},
		{ReLU, func() G.Solver {
			return G.NewAdamSolver(G.WithLearnRate(0.01), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7))
		}},
	} {
		t.Run(tc.act, func(t *testing.T) {
			const batch, steps = 50, 20
			train := func(eng tensor.Engine) (*Params, []float32) {
				p, err := NewParams(NewArch([]int{16}, tc.act), 9)
				if err != nil {
					t.Fatal(err)
				}
				g, err := newTrainGraph(p, batch, Regularization{}, eng)
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				losses := trainSteps(t, g, tc.solver(), steps)
				for _, n := range g.learnables {
					grad, err := n.Grad()
					if err != nil {
						t.Fatal(err)
					}
					for what, v := range map[string]G.Value{"value": n.Value(), "gradient": grad} {
						if got := v.(tensor.Tensor).Engine(); got != eng {
							t.Errorf("%s of %s computes with %T, want %T", what, n.Name(), got, eng)
						}
					}
				}
				return p, losses
			}
			sp, sl := train(G.StandardEngine{})
			ep, el := train(compute.Engine{})
			for i := range sl {
				if math.Float32bits(sl[i]) != math.Float32bits(el[i]) {
					t.Fatalf("loss of step %d: %v, standard engine %v", i+1, el[i], sl[i])
				}
			}
			for i, pair := range pairs(sp, ep) {
				a, b := F32(pair[0]), F32(pair[1])
				for j := range a {
					if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
						t.Errorf("parameter %d after %d steps: element %d is %v, standard engine %v", i, steps, j, b[j], a[j])
						break
					}
				}
			}
			if sl[steps-1] >= sl[0] {
				t.Errorf("loss went from %v to %v: the steps did not train", sl[0], sl[steps-1])
			}
		})
	}
}

// pairs returns the tensors of p and q side by side, in the order of Tensors.
func pairs(p, q *Params) [][2]*tensor.Dense {
	var out [][2]*tensor.Dense
	for i, t := range p.Tensors() {
		out = append(out, [2]*tensor.Dense{t, q.Tensors()[i]})
	}
	return out
}
