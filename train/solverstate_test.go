package train

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	G "gorgonia.org/gorgonia"
)

// The reflect/unsafe access to the solvers' state is only sound for the
// layout it was written against (gorgonia v0.9.18); this fails if an
// upgrade changes it.
func TestSolverStateLayout(t *testing.T) {
	for _, o := range []string{Adam, Momentum, RMSProp} {
		s, err := NewSolver(Config{Optimizer: o, LR: 0.01, Momentum: 0.9})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := checkLayout(s); err != nil {
			t.Errorf("%s: %v", o, err)
		}
	}
}

// stepper trains a small network on fixed pseudo-random batches.
type stepper struct {
	p *graph.Params
	g *graph.TrainGraph
	s G.Solver
}

func newStepper(t *testing.T, p *graph.Params, optimizer string) *stepper {
	g, err := graph.NewTrainGraph(p, 4, graph.Regularization{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	s, err := NewSolver(Config{Optimizer: optimizer, LR: 0.01, Momentum: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	return &stepper{p: p, g: g, s: s}
}

func (st *stepper) steps(t *testing.T, from, to int) {
	for i := from; i < to; i++ {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		x, y := st.g.Inputs()
		for j := range x {
			x[j] = rng.Float32()
		}
		clear(y)
		for r := range 4 {
			y[r*10+rng.IntN(10)] = 1
		}
		if _, err := st.g.Run(); err != nil {
			t.Fatal(err)
		}
		if err := st.g.Step(st.s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSolverStateRestoresExactly steps a solver, copies its state into a
// fresh one and wants both to step on to the same bits, where a fresh
// solver without the state does not, for Adam, Momentum and RMSprop on a
// network of two hidden layers.
func TestSolverStateRestoresExactly(t *testing.T) {
	for _, o := range []string{Adam, Momentum, RMSProp} {
		t.Run(o, func(t *testing.T) {
			p, _ := graph.NewParams(graph.NewArch([]int{8, 5}, graph.ReLU), 3)
			a := newStepper(t, p, o)
			if st, err := GetSolverState(a.s); err != nil || st.Iter != 0 || st.Moments != nil {
				t.Fatalf("fresh solver: state %+v, %v", st, err)
			}
			a.steps(t, 0, 5)
			st, err := GetSolverState(a.s)
			if err != nil {
				t.Fatal(err)
			}
			wantIter := 0
			if o == Adam {
				wantIter = 5
			}
			if st.Iter != wantIter || len(st.Moments) != len(MomentNames(o)) || len(st.Moments[0]) != 6 || len(st.Moments[0][0]) != 784*8 {
				t.Fatalf("state after 5 steps: iter %d, %d moments", st.Iter, len(st.Moments))
			}
			shapes := p.ParamShapes()
			b := newStepper(t, p.Clone(), o)
			if err := SetSolverState(b.s, st, shapes); err != nil {
				t.Fatal(err)
			}
			c := newStepper(t, p.Clone(), o) // same weights, fresh state
			a.steps(t, 5, 9)
			b.steps(t, 5, 9)
			c.steps(t, 5, 9)
			for i := range a.p.Tensors() {
				wa, wb, wc := graph.F32(a.p.Tensors()[i]), graph.F32(b.p.Tensors()[i]), graph.F32(c.p.Tensors()[i])
				if !slices.Equal(wa, wb) {
					t.Errorf("%s: restored solver's weights differ from the uninterrupted one", p.ParamNames()[i])
				}
				if i == 0 && slices.Equal(wa, wc) {
					t.Error("a fresh solver gave the same weights: the test cannot tell state from no state")
				}
			}
			// the state is copied, not shared
			st.Moments[0][0][0] = 1e9
			if st2, _ := GetSolverState(b.s); st2.Moments[0][0][0] == 1e9 || st2.Iter != 9*wantIter/5 {
				t.Errorf("restored solver shares the state's slices or lost its count (iter %d)", st2.Iter)
			}
			if o == Adam {
				if err := SetSolverState(b.s, &SolverState{Iter: 3}, shapes); err == nil {
					t.Error("a state with steps but no moments was accepted")
				}
			}
			if err := SetSolverState(b.s, &SolverState{Moments: [][][]float32{{{1}}}}, shapes); err == nil {
				t.Error("a state of the wrong size was accepted")
			}
		})
	}
}
