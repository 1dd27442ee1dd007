package train

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	G "gorgonia.org/gorgonia"
)

// The reflect/unsafe access to AdamSolver is only sound for the layout it
// was written against (gorgonia v0.9.18); this fails if an upgrade changes it.
func TestAdamStateLayout(t *testing.T) {
	if _, err := checkAdamLayout(); err != nil {
		t.Fatal(err)
	}
}

// stepper trains a small network on fixed pseudo-random batches.
type stepper struct {
	p *graph.Params
	g *graph.TrainGraph
	s *G.AdamSolver
}

func newStepper(t *testing.T, p *graph.Params) *stepper {
	g, err := graph.NewTrainGraph(p, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	s, _ := NewSolver(Adam, 0.01)
	return &stepper{p: p, g: g, s: s.(*G.AdamSolver)}
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

func TestAdamStateRestoresExactly(t *testing.T) {
	p, _ := graph.NewParams(graph.NewArch(8, graph.ReLU), 3)
	a := newStepper(t, p)
	if st, err := GetAdamState(a.s); err != nil || st.Iter != 0 || st.M != nil {
		t.Fatalf("fresh solver: state %+v, %v", st, err)
	}
	a.steps(t, 0, 5)
	st, err := GetAdamState(a.s)
	if err != nil {
		t.Fatal(err)
	}
	if st.Iter != 5 || len(st.M) != 4 || len(st.V[0]) != 784*8 {
		t.Fatalf("state after 5 steps: iter %d, %d moments", st.Iter, len(st.M))
	}
	var shapes [][]int
	for _, x := range p.Tensors() {
		shapes = append(shapes, x.Shape().Clone())
	}
	b := newStepper(t, p.Clone())
	if err := SetAdamState(b.s, st, shapes); err != nil {
		t.Fatal(err)
	}
	c := newStepper(t, p.Clone()) // same weights, fresh moments
	a.steps(t, 5, 9)
	b.steps(t, 5, 9)
	c.steps(t, 5, 9)
	for i := range 4 {
		wa, wb, wc := graph.F32(a.p.Tensors()[i]), graph.F32(b.p.Tensors()[i]), graph.F32(c.p.Tensors()[i])
		if !slices.Equal(wa, wb) {
			t.Errorf("%s: restored solver's weights differ from the uninterrupted one", graph.Names[i])
		}
		if i == 0 && slices.Equal(wa, wc) {
			t.Error("a fresh solver gave the same weights: the test cannot tell state from no state")
		}
	}
	// the state is copied, not shared
	st.M[0][0] = 1e9
	if st2, _ := GetAdamState(b.s); st2.M[0][0] == 1e9 || st2.Iter != 9 {
		t.Errorf("restored solver shares the state's slices or lost its count (iter %d)", st2.Iter)
	}
	if err := SetAdamState(b.s, &AdamState{Iter: 3}, shapes); err == nil {
		t.Error("a state with steps but no moments was accepted")
	}
}
