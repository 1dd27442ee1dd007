package graph

import (
	"fmt"
	"github.com/perceptron-mnist/perceptron/internal/compute"
	"math"
	"math/rand/v2"

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
	// dropout rate, and the generator state DrawMasks draws from
	dropout float64
	// a second pair of input tensors, filled while a run reads the bound
	// ones (Spare, Flip)
	spareX, spareY *tensor.Dense
}

// Regularization is what a training graph adds to the plain network.
type Regularization struct {
	// Dropout is the rate at which each hidden layer's outputs are dropped
	// (0 ≤ Dropout < 1): the kept ones are scaled by 1/(1-Dropout), as
	// Keras's Dropout layer does ("inverted" dropout), so that the network
	// is used without it for evaluation. The masks are drawn by DrawMasks
	// before each Run.
	Dropout float64
	// L2 adds L2·Σw² over the weight matrices (not the biases) to the loss,
	// as Keras's kernel_regularizer=l2(L2) does.
	L2 float64
}

// Validate reports a rate or factor out of range.
func (r Regularization) Validate() error {
	switch {
	case !(r.Dropout >= 0 && r.Dropout < 1):
		return fmt.Errorf("dropout rate %v: want 0 ≤ rate < 1", r.Dropout)
	case !(r.L2 >= 0) || math.IsInf(r.L2, 0):
		return fmt.Errorf("l2 factor %v: want 0 or more", r.L2)
	}
	return nil
}

// NewTrainGraph builds the training graph for batches of the given size on
// p's tensors: the mean cross-entropy of the batch (plus the L2 term) and
// its gradient with respect to w1, b1, …, wN, bN from G.Grad. Only what a
// step needs is compiled: the gradient with respect to the input data is
// pruned.
func NewTrainGraph(p *Params, batch int, reg Regularization) (*TrainGraph, error) {
	return newTrainGraph(p, batch, reg, compute.Engine{})
}

// newTrainGraph is NewTrainGraph on the given tensor engine.
func newTrainGraph(p *Params, batch int, reg Regularization, eng tensor.Engine) (*TrainGraph, error) {
	if err := reg.Validate(); err != nil {
		return nil, err
	}
	n, err := build(p, batch, reg.Dropout > 0)
	if err != nil {
		return nil, err
	}
	t := &TrainGraph{net: n, batch: batch, params: p, dropout: reg.Dropout}
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
	if reg.L2 > 0 { // + λ·Σ_l Σ W_l²
		for _, w := range n.weights {
			var sq *G.Node
			if err == nil {
				sq, err = G.Square(w)
			}
			if err == nil {
				sq, err = G.Sum(sq)
			}
			if err == nil {
				sq, err = G.Mul(G.NewConstant(float32(reg.L2)), sq)
			}
			if err == nil {
				t.loss, err = G.Add(t.loss, sq)
			}
		}
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

// Masks returns the backing slices of the dropout masks, one per hidden
// layer (Batch() × its width), or nil without dropout: Run multiplies each
// hidden layer's outputs by its mask. DrawMasks fills them.
func (t *TrainGraph) Masks() [][]float32 {
	var out [][]float32
	for _, m := range t.maskTs {
		out = append(out, F32(m))
	}
	return out
}

// DrawMasks fills the dropout masks for the next Run from rng: each value is
// 0 with probability equal to the dropout rate, else 1/(1-rate). It draws
// 32 random bits per value, two values per call of rng.Uint64. Without
// dropout it does nothing.
func (t *TrainGraph) DrawMasks(rng *rand.Rand) {
	if t.dropout == 0 {
		return
	}
	keep := float32(1 / (1 - t.dropout))
	// a value is dropped when its 32 bits are below rate·2³²
	cut := uint64(t.dropout * (1 << 32))
	for _, m := range t.maskTs {
		s := F32(m)
		for i := 0; i < len(s); i += 2 {
			r := rng.Uint64()
			s[i] = keepOrDrop(r&0xffffffff, cut, keep)
			if i+1 < len(s) {
				s[i+1] = keepOrDrop(r>>32, cut, keep)
			}
		}
	}
}

func keepOrDrop(bits, cut uint64, keep float32) float32 {
	if bits < cut {
		return 0
	}
	return keep
}

// Run computes the loss of the current batch and the gradients of all
// parameters, and returns the loss: the mean cross-entropy with the
// current dropout masks, plus the L2 term when there is one.
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
// w1, b1, …, wN, bN.
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
