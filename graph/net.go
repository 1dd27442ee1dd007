package graph

import (
	"fmt"

	"github.com/perceptron-mnist/perceptron/internal/compute"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// net is the expression x → logp built on a graph.
type net struct {
	g            *G.ExprGraph
	x            *G.Node // batch × Inputs
	weights      G.Nodes // w1, …, wN
	logits, logp *G.Node // batch × Outputs
	xT           *tensor.Dense
	learnables   G.Nodes // w1, b1, …, wN, bN
	// with dropout: one mask per hidden layer (batch × width), its values
	// 0 or 1/(1-rate), multiplied into the layer's output
	masks  G.Nodes
	maskTs []*tensor.Dense
}

// build declares the network on a new graph for a batch of the given size,
// bound to p's tensors; with dropout, each hidden layer's output is
// multiplied by a mask input.
func build(p *Params, batch int, dropout bool) (*net, error) {
	if batch < 1 {
		return nil, fmt.Errorf("batch size %d: want at least 1", batch)
	}
	if len(p.Layers) != p.Depth() {
		return nil, fmt.Errorf("build graph: %d layers of parameters for architecture %v", len(p.Layers), p.Arch)
	}
	g := G.NewGraph()
	n := &net{g: g}
	n.xT = tensor.New(tensor.WithShape(batch, p.Inputs), tensor.WithBacking(make([]float32, batch*p.Inputs)))
	n.x = G.NewMatrix(g, tensor.Float32, G.WithShape(batch, p.Inputs), G.WithName("x"), G.WithValue(n.xT))

	var err error
	must := func(v *G.Node, e error) *G.Node {
		if err == nil && e != nil {
			err = e
		}
		return v
	}
	h := n.x
	for i, l := range p.Layers {
		w := G.NewMatrix(g, tensor.Float32, G.WithShape(l.In(), l.Out()), G.WithName(fmt.Sprintf("w%d", i+1)), G.WithValue(l.W))
		b := G.NewMatrix(g, tensor.Float32, G.WithShape(1, l.Out()), G.WithName(fmt.Sprintf("b%d", i+1)), G.WithValue(l.B))
		n.weights = append(n.weights, w)
		n.learnables = append(n.learnables, w, b)
		if err != nil {
			continue
		}
		// h·W + b, b broadcast along the batch axis
		z := must(G.BroadcastAdd(must(G.Mul(h, w)), b, nil, []byte{0}))
		if i == len(p.Layers)-1 {
			n.logits = z
			break
		}
		switch l.Activation {
		case Sigmoid:
			h = must(G.Sigmoid(z))
		case ReLU:
			h = must(G.Rectify(z))
		case Tanh:
			h = must(G.Tanh(z))
		default:
			return nil, fmt.Errorf("build graph: layer %d: %w", i+1, CheckActivation(l.Activation))
		}
		if dropout && err == nil {
			mt := tensor.New(tensor.WithShape(batch, l.Out()), tensor.WithBacking(make([]float32, batch*l.Out())))
			m := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, l.Out()), G.WithName(fmt.Sprintf("mask%d", i+1)), G.WithValue(mt))
			n.masks, n.maskTs = append(n.masks, m), append(n.maskTs, mt)
			h = must(G.HadamardProd(h, m))
		}
	}
	// output layer: log-softmax of its logits, normalised per row
	if err == nil {
		n.logp = must(compute.LogSoftMax(n.logits))
	}
	if err != nil {
		return nil, fmt.Errorf("build graph: %w", err)
	}
	return n, nil
}
