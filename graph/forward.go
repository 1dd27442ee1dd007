package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Forward is the forward-only network for one batch size: input images in,
// log-probabilities out. It shares the weight tensors of the Params it was
// built on, so it always computes with their current values.
type Forward struct {
	*net
	batch int
	logpV G.Value // batch × Outputs, filled by a read node
	vm    G.VM
}

// NewForward builds and compiles the forward graph for batches of the given size.
func NewForward(p *Params, batch int) (*Forward, error) {
	n, err := build(p, batch)
	if err != nil {
		return nil, err
	}
	f := &Forward{net: n, batch: batch}
	f.logpV = tensor.New(tensor.WithShape(batch, p.Outputs), tensor.WithBacking(make([]float32, batch*p.Outputs)))
	read := G.Read(n.logp, &f.logpV)
	f.vm = G.NewTapeMachine(n.g.ExactSubgraphRoots(read))
	return f, nil
}

// Batch returns the batch size the graph was built for.
func (f *Forward) Batch() int { return f.batch }

// Input returns the backing slice of the input images (Batch()×Inputs), to be
// filled in place before Run.
func (f *Forward) Input() []float32 { return f.xT.Data().([]float32) }

// Run computes the log-probabilities of the current input. The returned slice
// (Batch()×Outputs) is reused by the next Run.
func (f *Forward) Run() ([]float32, error) {
	defer f.vm.Reset()
	if err := f.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("run forward graph: %w", err)
	}
	return f.logpV.Data().([]float32), nil
}

// Close releases the machine's resources.
func (f *Forward) Close() error { return f.vm.Close() }

// Evaluator runs the forward network over data sets of any size, in batches
// of at most a fixed size, with one more graph for a last partial batch.
type Evaluator struct {
	p      *Params
	max    int
	graphs map[int]*Forward
}

// DefaultEvalBatch is the batch size evaluation uses unless told otherwise.
const DefaultEvalBatch = 10000

// NewEvaluator returns an Evaluator on p for batches of at most maxBatch
// images (DefaultEvalBatch when maxBatch <= 0).
func NewEvaluator(p *Params, maxBatch int) *Evaluator {
	if maxBatch <= 0 {
		maxBatch = DefaultEvalBatch
	}
	return &Evaluator{p: p, max: maxBatch, graphs: map[int]*Forward{}}
}

func (e *Evaluator) graph(batch int) (*Forward, error) {
	if f, ok := e.graphs[batch]; ok {
		return f, nil
	}
	f, err := NewForward(e.p, batch)
	if err != nil {
		return nil, err
	}
	e.graphs[batch] = f
	return f, nil
}

// LogProbs computes the log-probabilities of images (n×Inputs values) and
// calls f with the index of the first image of each batch and the batch's
// log-probabilities (rows×Outputs, valid only during the call).
func (e *Evaluator) LogProbs(images []float32, f func(first int, logp []float32) error) error {
	in := e.p.Inputs
	if len(images)%in != 0 {
		return fmt.Errorf("evaluate: %d input values is not a whole number of %d-value images", len(images), in)
	}
	n := len(images) / in
	for lo := 0; lo < n; lo += e.max {
		rows := min(e.max, n-lo)
		g, err := e.graph(rows)
		if err != nil {
			return err
		}
		copy(g.Input(), images[lo*in:(lo+rows)*in])
		logp, err := g.Run()
		if err != nil {
			return err
		}
		if err := f(lo, logp); err != nil {
			return err
		}
	}
	return nil
}

// Evaluate returns the mean cross-entropy loss and the accuracy of the
// network on images (n×Inputs values) with the given labels.
func (e *Evaluator) Evaluate(images []float32, labels []uint8) (loss, acc float64, err error) {
	k := e.p.Outputs
	if len(images) != len(labels)*e.p.Inputs {
		return 0, 0, fmt.Errorf("evaluate: %d images but %d labels", len(images)/e.p.Inputs, len(labels))
	}
	if len(labels) == 0 {
		return 0, 0, fmt.Errorf("evaluate: no images")
	}
	var sum float64
	correct := 0
	err = e.LogProbs(images, func(first int, logp []float32) error {
		for r := 0; r < len(logp)/k; r++ {
			row := logp[r*k : (r+1)*k]
			l := int(labels[first+r])
			sum -= float64(row[l])
			if Argmax(row) == l {
				correct++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	n := float64(len(labels))
	return sum / n, float64(correct) / n, nil
}

// Close releases the graphs.
func (e *Evaluator) Close() error {
	for _, f := range e.graphs {
		f.Close()
	}
	clear(e.graphs)
	return nil
}

// Argmax returns the index of the largest value (the first one on ties).
func Argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// Exp turns a row of log-probabilities into probabilities in place.
func Exp(logp []float32) {
	for i, l := range logp {
		logp[i] = float32(math.Exp(float64(l)))
	}
}
