package graph

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Activations of the hidden layer.
const (
	Sigmoid = "sigmoid"
	ReLU    = "relu"
)

// Arch is the shape of the network.
type Arch struct {
	Inputs     int    `json:"inputs"`     // 784
	Hidden     int    `json:"hidden"`     // H
	Outputs    int    `json:"outputs"`    // 10
	Activation string `json:"activation"` // Sigmoid or ReLU
}

// NewArch returns the MNIST architecture 784 → hidden → 10.
func NewArch(hidden int, activation string) Arch {
	return Arch{Inputs: 784, Hidden: hidden, Outputs: 10, Activation: activation}
}

// Validate reports whether the architecture can be built.
func (a Arch) Validate() error {
	switch {
	case a.Inputs < 1 || a.Outputs < 2:
		return fmt.Errorf("architecture %d → %d → %d: need at least 1 input and 2 outputs", a.Inputs, a.Hidden, a.Outputs)
	case a.Hidden < 1 || a.Hidden > 1<<16:
		return fmt.Errorf("hidden size %d: want 1 to 65536 neurons", a.Hidden)
	case a.Activation != Sigmoid && a.Activation != ReLU:
		return fmt.Errorf("activation %q: want %q or %q", a.Activation, Sigmoid, ReLU)
	}
	return nil
}

// NumParams returns the number of weights and biases of each layer.
func (a Arch) NumParams() (hidden, output int) {
	return a.Inputs*a.Hidden + a.Hidden, a.Hidden*a.Outputs + a.Outputs
}

// Params holds the network's weights as float32 tensors. The solvers update
// them in place, and every graph built on them sees the update.
type Params struct {
	Arch
	W1 *tensor.Dense // Inputs × Hidden
	B1 *tensor.Dense // 1 × Hidden (a row, broadcast over the batch)
	W2 *tensor.Dense // Hidden × Outputs
	B2 *tensor.Dense // 1 × Outputs
}

// NewParams returns parameters initialised as Keras does: Glorot-uniform
// weights, drawn from a PCG generator seeded by seed, and zero biases.
func NewParams(a Arch, seed uint64) (*Params, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x676c6f726f74)) // "glorot"
	return &Params{
		Arch: a,
		W1:   glorot(rng, a.Inputs, a.Hidden),
		B1:   zeros(1, a.Hidden),
		W2:   glorot(rng, a.Hidden, a.Outputs),
		B2:   zeros(1, a.Outputs),
	}, nil
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

// Tensors returns the parameters in the order w1, b1, w2, b2.
func (p *Params) Tensors() []*tensor.Dense { return []*tensor.Dense{p.W1, p.B1, p.W2, p.B2} }

// Names are the parameters' names, in the order of Tensors; also their file names
// without ".npy".
var Names = [4]string{"w1", "b1", "w2", "b2"}

// Clone returns a deep copy of p.
func (p *Params) Clone() *Params {
	c := &Params{Arch: p.Arch}
	c.W1 = p.W1.Clone().(*tensor.Dense)
	c.B1 = p.B1.Clone().(*tensor.Dense)
	c.W2 = p.W2.Clone().(*tensor.Dense)
	c.B2 = p.B2.Clone().(*tensor.Dense)
	return c
}

// F32 returns the float32 backing slice of a parameter tensor.
func F32(t *tensor.Dense) []float32 { return t.Data().([]float32) }
