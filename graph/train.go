package graph

import (
	"fmt"
	"github.com/perceptron-mnist/perceptron/internal/compute"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TrainGraph is the network with its loss and symbolic gradients for one
// batch size, compiled to a tape machine. Fill Inputs, call Run, then Step.
type TrainGraph struct {
	*net
	batch  int
	y      *G.Node
	yT     *tensor.Dense
	loss   *G.Node
	grads  G.Nodes
	lossV  G.Value // filled by a read node on every run
	vm     *compute.Machine
	params *Params
	// a second pair of input tensors, filled while a run reads the bound
	// ones (Spare, Flip)
	spareX, spareY *tensor.Dense
}

// NewTrainGraph builds the training graph for batches of the given size on
// p's tensors: the mean cross-entropy of the batch and its gradient with
// respect to w1, b1, w2, b2 from G.Grad. Only what a step needs is compiled:
// the gradient with respect to the input data is pruned.
func NewTrainGraph(p *Params, batch int) (*TrainGraph, error) {
	return newTrainGraph(p, batch, compute.Engine{})
}

// newTrainGraph is NewTrainGraph on the given tensor engine.
func newTrainGraph(p *Params, batch int, eng tensor.Engine) (*TrainGraph, error) {
	n, err := build(p, batch)
	if err != nil {
		return nil, err
	}
	t := &TrainGraph{net: n, batch: batch, params: p}
	t.yT = tensor.New(tensor.WithShape(batch, p.Outputs), tensor.WithBacking(make([]float32, batch*p.Outputs)))
	t.y = G.NewMatrix(n.g, tensor.Float32, G.WithShape(batch, p.Outputs), G.WithName("y"), G.WithValue(t.yT))

	// loss = -mean_i Σ_k y_ik · logp_ik
	prod, err := G.HadamardProd(t.y, n.logp)
	if err == nil {
		prod, err = G.Sum(prod, 1)
	}
	if err == nil {
		prod, err = G.Mean(prod)
	}
	if err == nil {
		t.loss, err = G.Neg(prod)
	}
	if err != nil {
		return nil, fmt.Errorf("build loss: %w", err)
	}
	if t.grads, err = G.Grad(t.loss, n.learnables...); err != nil {
		return nil, fmt.Errorf("gradient: %w", err)
	}
	t.lossV = G.NewF32(0) // the read copies into it: no allocation per run
	read := G.Read(t.loss, &t.lossV)
	roots := append(G.Nodes{read}, t.grads...)
	sub := n.g.ExactSubgraphRoots(roots...)
	t.vm = compute.NewMachine(G.NewTapeMachine(sub, G.BindDualValues(n.learnables...), G.WithEngine(eng)))
	return t, nil
}

// Batch returns the batch size the graph was built for.
func (t *TrainGraph) Batch() int { return t.batch }

// Inputs returns the backing slices of the input images (Batch()×Inputs) and
// one-hot labels (Batch()×Outputs), to be filled in place before Run.
func (t *TrainGraph) Inputs() (x, y []float32) {
	return t.xT.Data().([]float32), t.yT.Data().([]float32)
}

// Spare returns the backing slices of a second pair of input tensors, of
// the same sizes as Inputs but not bound to the graph: they can be filled
// for the next batch while Run reads the bound ones, and then bound by Flip.
func (t *TrainGraph) Spare() (x, y []float32) {
	if t.spareX == nil {
		t.spareX = tensor.New(tensor.WithShape(t.xT.Shape().Clone()...), tensor.WithBacking(make([]float32, t.xT.Len())))
		t.spareY = tensor.New(tensor.WithShape(t.yT.Shape().Clone()...), tensor.WithBacking(make([]float32, t.yT.Len())))
	}
	return t.spareX.Data().([]float32), t.spareY.Data().([]float32)
}

// Flip binds the spare input tensors to the graph, so that Inputs returns
// them and Run reads them, and makes the tensors bound until now the spare ones.
func (t *TrainGraph) Flip() error {
	t.Spare()
	t.xT, t.spareX = t.spareX, t.xT
	t.yT, t.spareY = t.spareY, t.yT
	if err := G.Let(t.x, t.xT); err != nil {
		return fmt.Errorf("bind input: %w", err)
	}
	if err := G.Let(t.y, t.yT); err != nil {
		return fmt.Errorf("bind labels: %w", err)
	}
	return nil
}

// Run computes the loss of the current batch and the gradients of all
// parameters, and returns the loss.
func (t *TrainGraph) Run() (float32, error) {
	if err := t.vm.Run(); err != nil {
		return 0, fmt.Errorf("run training graph: %w", err)
	}
	return lossValue(t.lossV), nil
}

// Step applies one update of solver with the gradients of the last Run.
func (t *TrainGraph) Step(solver G.Solver) error {
	if err := solver.Step(G.NodesToValueGrads(t.learnables)); err != nil {
		return fmt.Errorf("solver step: %w", err)
	}
	return nil
}

// Grads returns copies of the gradients of the last Run, in the order
// w1, b1, w2, b2.
func (t *TrainGraph) Grads() ([][]float32, error) {
	out := make([][]float32, len(t.learnables))
	for i, n := range t.learnables {
		g, err := n.Grad()
		if err != nil {
			return nil, fmt.Errorf("gradient of %s: %w", n.Name(), err)
		}
		out[i] = append([]float32(nil), g.Data().([]float32)...)
	}
	return out, nil
}

// Close releases the machine's resources.
func (t *TrainGraph) Close() error { return t.vm.Close() }

func lossValue(v G.Value) float32 {
	switch v := v.(type) {
	case *G.F32:
		return float32(*v)
	case *tensor.Dense:
		return v.Data().([]float32)[0]
	}
	return float32(0)
}
