package graph

import (
	"fmt"
	"github.com/perceptron-mnist/perceptron/internal/compute"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// net is the expression x → logp built on a graph.
type net struct {
	g              *G.ExprGraph
	x              *G.Node // batch × Inputs
	w1, b1, w2, b2 *G.Node
	logits, logp   *G.Node // batch × Outputs
	xT             *tensor.Dense
	learnables     G.Nodes
}

// build declares the network on a new graph for a batch of the given size,
// bound to p's tensors.
func build(p *Params, batch int) (*net, error) {
	if batch < 1 {
		return nil, fmt.Errorf("batch size %d: want at least 1", batch)
	}
	g := G.NewGraph()
	n := &net{g: g}
	n.xT = tensor.New(tensor.WithShape(batch, p.Inputs), tensor.WithBacking(make([]float32, batch*p.Inputs)))
	n.x = G.NewMatrix(g, tensor.Float32, G.WithShape(batch, p.Inputs), G.WithName("x"), G.WithValue(n.xT))
	n.w1 = G.NewMatrix(g, tensor.Float32, G.WithShape(p.Inputs, p.Hidden), G.WithName("w1"), G.WithValue(p.W1))
	n.b1 = G.NewMatrix(g, tensor.Float32, G.WithShape(1, p.Hidden), G.WithName("b1"), G.WithValue(p.B1))
	n.w2 = G.NewMatrix(g, tensor.Float32, G.WithShape(p.Hidden, p.Outputs), G.WithName("w2"), G.WithValue(p.W2))
	n.b2 = G.NewMatrix(g, tensor.Float32, G.WithShape(1, p.Outputs), G.WithName("b2"), G.WithValue(p.B2))
	n.learnables = G.Nodes{n.w1, n.b1, n.w2, n.b2}

	var err error
	must := func(v *G.Node, e error) *G.Node {
		if err == nil && e != nil {
			err = e
		}
		return v
	}
	// hidden layer: act(x·W1 + b1), b1 broadcast along the batch axis
	z1 := must(G.BroadcastAdd(must(G.Mul(n.x, n.w1)), n.b1, nil, []byte{0}))
	var h *G.Node
	if err == nil {
		switch p.Activation {
		case Sigmoid:
			h = must(G.Sigmoid(z1))
		case ReLU:
			h = must(G.Rectify(z1))
		default:
			return nil, fmt.Errorf("activation %q: want %q or %q", p.Activation, Sigmoid, ReLU)
		}
	}
	// output layer: log-softmax of h·W2 + b2, normalised per row
	if err == nil {
		n.logits = must(G.BroadcastAdd(must(G.Mul(h, n.w2)), n.b2, nil, []byte{0}))
	}
	if err == nil {
		n.logp = must(compute.LogSoftMax(n.logits))
	}
	if err != nil {
		return nil, fmt.Errorf("build graph: %w", err)
	}
	return n, nil
}
