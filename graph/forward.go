package graph

import (
	"fmt"
	"github.com/perceptron-mnist/perceptron/internal/compute"
	"math"
	"runtime"
	"sync"

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
	vm    *compute.Machine
}

// NewForward builds and compiles the forward graph for batches of the given size.
func NewForward(p *Params, batch int) (*Forward, error) {
	n, err := build(p, batch, false)
	if err != nil {
		return nil, err
	}
	f := &Forward{net: n, batch: batch}
	f.logpV = tensor.New(tensor.WithShape(batch, p.Outputs), tensor.WithBacking(make([]float32, batch*p.Outputs)))
	read := G.Read(n.logp, &f.logpV)
	f.vm = compute.NewMachine(G.NewTapeMachine(n.g.ExactSubgraphRoots(read), G.WithEngine(compute.Engine{})))
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
	if err := f.vm.Run(); err != nil {
		return nil, fmt.Errorf("run forward graph: %w", err)
	}
	return f.logpV.Data().([]float32), nil
}

// runOn computes the log-probabilities of images (Batch()×Inputs values)
// read in place: the input node is bound to them for the run, and to
// Input()'s tensor again afterwards.
func (f *Forward) runOn(images []float32) ([]float32, error) {
	if len(images) != len(f.Input()) {
		return nil, fmt.Errorf("run forward graph: %d input values, want %d", len(images), len(f.Input()))
	}
	view := tensor.New(tensor.WithShape(f.xT.Shape().Clone()...), tensor.WithBacking(images))
	if err := G.Let(f.x, view); err != nil {
		return nil, fmt.Errorf("run forward graph: %w", err)
	}
	defer G.Let(f.x, f.xT)
	return f.Run()
}

// Close releases the machine's resources.
func (f *Forward) Close() error { return f.vm.Close() }

// Evaluator runs the forward network over data sets of any size, in batches
// of at most a fixed size, with one more graph for a last partial batch.
// With GOMAXPROCS above 1 it runs as many batches at a time, each on a graph
// of its own (sharing the weights), and still hands them over in order.
type Evaluator struct {
	p       *Params
	max     int
	workers int
	graphs  []map[int]*Forward // per worker, by batch size
}

// The evaluation's batches: as many images as keep the activations of the
// widest layer within evalActivations values (2 MiB of float32, about the
// second-level cache of a core, where the next layer reads them), but at
// least MinEvalBatch and at most MaxEvalBatch images.
const (
	evalActivations = 1 << 19
	MinEvalBatch    = 256
	MaxEvalBatch    = 2048
)

// EvalBatch returns the largest batch an Evaluator on a runs by default:
// evalActivations divided by the width of a's widest layer (hidden or
// output), from MinEvalBatch to MaxEvalBatch. 784-20-10 and 784-256-10
// get 2048 images, 784-1024-10 512. (A batch of 10,000 images, the
// previous size, left 784-256-10's activations in memory: its evaluation
// took a fifth more CPU time, docs/speed.md.) In the default build the
// results do not depend on the batch size: each image's log-probabilities
// are computed the same way in any batch. OpenBLAS (the openblas build)
// picks its kernels by the products' sizes and may move the last bits.
func EvalBatch(a Arch) int {
	widest := a.Outputs
	for _, w := range a.Hidden {
		widest = max(widest, w)
	}
	return min(MaxEvalBatch, max(MinEvalBatch, evalActivations/max(1, widest)))
}

// NewEvaluator returns an Evaluator on p for batches of at most maxBatch
// images (EvalBatch(p.Arch) when maxBatch <= 0), running up to GOMAXPROCS
// batches at a time.
func NewEvaluator(p *Params, maxBatch int) *Evaluator {
	if maxBatch <= 0 {
		maxBatch = EvalBatch(p.Arch)
	}
	w := max(1, runtime.GOMAXPROCS(0))
	e := &Evaluator{p: p, max: maxBatch, workers: w, graphs: make([]map[int]*Forward, w)}
	for i := range e.graphs {
		e.graphs[i] = map[int]*Forward{}
	}
	return e
}

func (e *Evaluator) graph(worker, batch int) (*Forward, error) {
	if f, ok := e.graphs[worker][batch]; ok {
		return f, nil
	}
	f, err := NewForward(e.p, batch)
	if err != nil {
		return nil, err
	}
	e.graphs[worker][batch] = f
	return f, nil
}

// evalJob is one batch of a round of LogProbs.
type evalJob struct {
	lo, rows int
	g        *Forward
	logp     []float32
	err      error
}

// LogProbs computes the log-probabilities of images (n×Inputs values) and
// calls f with the index of the first image of each batch and the batch's
// log-probabilities (rows×Outputs, valid only during the call), batch after
// batch in order, from the calling goroutine.
func (e *Evaluator) LogProbs(images []float32, f func(first int, logp []float32) error) error {
	in := e.p.Inputs
	if len(images)%in != 0 {
		return fmt.Errorf("evaluate: %d input values is not a whole number of %d-value images", len(images), in)
	}
	n := len(images) / in
	// batches of at most e.max, as many as a whole number of rounds of
	// one per worker, of the same size (but for the last)
	batches := max(1, (n+e.max-1)/e.max) // one (empty) for no images
	batches = (batches + e.workers - 1) / e.workers * e.workers
	size := max(1, (n+batches-1)/batches)
	if n > size { // batches at the same time, one per core: the product worker would only take their time
		release := compute.Hold()
		defer release()
	}
	jobs := make([]evalJob, e.workers)
	for lo := 0; lo < n; {
		// a round: up to one batch per worker, run at the same time
		k := 0
		for ; k < e.workers && lo < n; k++ {
			rows := min(size, n-lo)
			g, err := e.graph(k, rows) // graphs are built one at a time
			if err != nil {
				return err
			}
			jobs[k] = evalJob{lo: lo, rows: rows, g: g}
			lo += rows
		}
		run := func(j *evalJob) { j.logp, j.err = j.g.runOn(images[j.lo*in : (j.lo+j.rows)*in]) }
		if k == 1 {
			run(&jobs[0])
		} else {
			var wg sync.WaitGroup
			for j := range jobs[:k] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					run(&jobs[j])
				}()
			}
			wg.Wait()
		}
		for _, j := range jobs[:k] {
			if j.err != nil {
				return j.err
			}
			if err := f(j.lo, j.logp); err != nil {
				return err
			}
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
	for _, m := range e.graphs {
		for _, f := range m {
			f.Close()
		}
		clear(m)
	}
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
