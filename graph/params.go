package graph

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Dense is one fully connected layer: out = Activation(in·W + B), for a
// batch of inputs as the rows of in.
type Dense struct {
	W          *tensor.Dense // In × Out
	B          *tensor.Dense // 1 × Out (a row, broadcast over the batch)
	Activation string        // Sigmoid, ReLU or Tanh; Softmax for the output layer
}

// In returns the number of inputs of the layer.
func (d Dense) In() int { return d.W.Shape()[0] }

// Out returns the number of neurons of the layer.
func (d Dense) Out() int { return d.W.Shape()[1] }

// Weights returns the weights, In×Out values in row-major order: element
// i*Out+j joins input i to neuron j. It is the tensor's storage, not a copy.
func (d Dense) Weights() []float32 { return F32(d.W) }

// Biases returns the Out biases. It is the tensor's storage, not a copy.
func (d Dense) Biases() []float32 { return F32(d.B) }

// Params holds the network's weights as float32 tensors. The solvers update
// them in place, and every graph built on them sees the update.
type Params struct {
	Arch
	// Layers are the dense layers from the input side: the hidden layers,
	// then the output layer.
	Layers []Dense
}

// NewParams returns parameters initialised as Keras does: Glorot-uniform
// weights, drawn layer after layer from a PCG generator seeded by seed, and
// zero biases.
func NewParams(a Arch, seed uint64) (*Params, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x676c6f726f74)) // "glorot"
	p := &Params{Arch: a}
	w := a.Widths()
	for i := range a.Depth() {
		p.Layers = append(p.Layers, Dense{W: glorot(rng, w[i], w[i+1]), B: zeros(1, w[i+1]), Activation: a.LayerActivation(i)})
	}
	return p, nil
}

// FromTensors returns the parameters of a with the given tensors, in the
// order of Tensors, after checking their shapes.
func FromTensors(a Arch, ts []*tensor.Dense) (*Params, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	shapes, names := a.ParamShapes(), a.ParamNames()
	if len(ts) != len(shapes) {
		return nil, fmt.Errorf("%d parameter tensors, architecture %v needs %d", len(ts), a, len(shapes))
	}
	p := &Params{Arch: a}
	for i, t := range ts {
		if !t.Shape().Eq(tensor.Shape(shapes[i])) || t.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("parameter %s is %v %v, want float32 %v", names[i], t.Dtype(), t.Shape(), shapes[i])
		}
	}
	for i := range a.Depth() {
		p.Layers = append(p.Layers, Dense{W: ts[2*i], B: ts[2*i+1], Activation: a.LayerActivation(i)})
	}
	return p, nil
}

// glorot returns a fanIn × fanOut matrix drawn uniformly from ±sqrt(6/(fanIn+fanOut)).
func glorot(rng *rand.Rand, fanIn, fanOut int) *tensor.Dense {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	w := make([]float32, fanIn*fanOut)
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * limit)
	}
	return tensor.New(tensor.WithShape(fanIn, fanOut), tensor.WithBacking(w))
}

func zeros(r, c int) *tensor.Dense {
	return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(make([]float32, r*c)))
}

// Tensors returns the parameters in the order w1, b1, …, wN, bN (the order
// of Arch.ParamNames).
func (p *Params) Tensors() []*tensor.Dense {
	out := make([]*tensor.Dense, 0, 2*len(p.Layers))
	for _, l := range p.Layers {
		out = append(out, l.W, l.B)
	}
	return out
}

// Clone returns a deep copy of p.
func (p *Params) Clone() *Params {
	c := &Params{Arch: p.Arch}
	c.Arch.Hidden = append(Sizes(nil), p.Hidden...)
	for _, l := range p.Layers {
		c.Layers = append(c.Layers, Dense{W: l.W.Clone().(*tensor.Dense), B: l.B.Clone().(*tensor.Dense), Activation: l.Activation})
	}
	return c
}

// F32 returns the float32 backing slice of a parameter tensor.
func F32(t *tensor.Dense) []float32 { return t.Data().([]float32) }
