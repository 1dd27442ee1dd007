package compute

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/chewxy/math32"
	"github.com/perceptron-mnist/perceptron/internal/f32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LogSoftMax applies log-softmax to each row of a float32 matrix, with its
// symbolic derivative: the same function and arithmetic as gorgonia's
// LogSoftMax(z) along the last axis, but computed in one loop over the rows.
// gorgonia's tensor engine starts one goroutine per row, forward and
// backward (70,000 per evaluation pass, 400 per training step), which cost
// more than the arithmetic.
func LogSoftMax(z *G.Node) (*G.Node, error) {
	if z.Dims() != 2 {
		return nil, fmt.Errorf("log-softmax of a %d-dimensional node: want a matrix", z.Dims())
	}
	return G.ApplyOp(logSoftMaxOp{}, z)
}

// logSoftMaxRows writes log-softmax of each row of x (rows of k values) to
// out: z - max - log Σ exp(z - max).
func logSoftMaxRows(out, x []float32, k int) {
	// The exponentials of a chunk of rows are computed together (f32.ExpVec,
	// four at a time) into e, and summed per row in order as before.
	var e [256]float32
	rows := max(1, len(e)/k)
	for lo := 0; lo+k <= len(x); lo += rows * k {
		hi := min(lo+rows*k, len(x)-len(x)%k)
		for r := lo; r < hi; r += k {
			row, o := x[r:r+k], out[r:r+k]
			mx := row[0]
			for _, v := range row[1:] {
				if v > mx {
					mx = v
				}
			}
			for j, v := range row {
				o[j] = v - mx
			}
		}
		if k > len(e) {
			logSoftMaxRow(out[lo:hi])
			continue
		}
		ez := e[:hi-lo]
		f32.ExpVec(ez, out[lo:hi])
		for r := lo; r < hi; r += k {
			var sum float32
			for _, v := range ez[r-lo : r-lo+k] {
				sum += v
			}
			l := math32.Log(sum)
			o := out[r : r+k]
			for j := range o {
				o[j] -= l
			}
		}
	}
}

// logSoftMaxRow turns a row of z - max into log-softmax, for rows too long
// for logSoftMaxRows's buffer.
func logSoftMaxRow(o []float32) {
	var sum float32
	for _, z := range o {
		sum += math32.Exp(z)
	}
	l := math32.Log(sum)
	for j := range o {
		o[j] -= l
	}
}

// logSoftMaxGradRows writes the gradient with respect to the input of
// log-softmax to dx, from its output y and the gradient g of the output:
// dx = g - exp(y)·Σg, per row.
func logSoftMaxGradRows(dx, y, g []float32, k int) {
	n := len(y) - len(y)%k
	if len(dx) > 0 && len(g) > 0 && &dx[0] == &g[0] {
		// dx is g: each exponential must wait for its row's sum
		for lo := 0; lo < n; lo += k {
			sum := sumRow(g[lo : lo+k])
			for j, v := range g[lo : lo+k] {
				dx[lo+j] = v - math32.Exp(y[lo+j])*sum
			}
		}
		return
	}
	f32.ExpVec(dx[:n], y[:n])
	for lo := 0; lo < n; lo += k {
		sum := sumRow(g[lo : lo+k])
		for j, v := range g[lo : lo+k] {
			dx[lo+j] = v - dx[lo+j]*sum
		}
	}
}

// sumRow adds up a row from left to right.
func sumRow(r []float32) float32 {
	sum := r[0]
	for _, v := range r[1:] {
		sum += v
	}
	return sum
}

// f32Matrix returns the data and row length of a float32 matrix value.
func f32Matrix(v G.Value, what string) ([]float32, int, error) {
	t, ok := v.(*tensor.Dense)
	if !ok || t.Dtype() != tensor.Float32 || t.Dims() != 2 {
		return nil, 0, fmt.Errorf("log-softmax: %s is %T %v, want a float32 matrix", what, v, v.Shape())
	}
	return t.Data().([]float32), t.Shape()[1], nil
}

func newLike(v G.Value) *tensor.Dense {
	return tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.Of(tensor.Float32))
}

func writeHash(h hash.Hash, s string) { fmt.Fprint(h, s) }

func hashcode(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// logSoftMaxOp is log-softmax along the rows of a matrix.
type logSoftMaxOp struct{}

func (logSoftMaxOp) Arity() int { return 1 }
func (logSoftMaxOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (logSoftMaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("log-softmax: input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (logSoftMaxOp) ReturnsPtr() bool      { return false }
func (logSoftMaxOp) CallsExtern() bool     { return false }
func (logSoftMaxOp) OverwritesInput() int  { return -1 }
func (logSoftMaxOp) WriteHash(h hash.Hash) { writeHash(h, "RowLogSoftMax") }
func (logSoftMaxOp) Hashcode() uint32      { return hashcode("RowLogSoftMax") }
func (logSoftMaxOp) String() string        { return "RowLogSoftMax" }

func (op logSoftMaxOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("log-softmax: %d inputs, want 1", len(in))
	}
	return op.UsePreallocDo(newLike(in[0]), in...)
}

func (logSoftMaxOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("log-softmax: %d inputs, want 1", len(in))
	}
	x, k, err := f32Matrix(in[0], "input")
	if err != nil {
		return nil, err
	}
	out, _, err := f32Matrix(prealloc, "output")
	if err != nil {
		return nil, err
	}
	logSoftMaxRows(out, x, k)
	return prealloc, nil
}

func (logSoftMaxOp) DiffWRT(inputs int) []bool { return []bool{true} }

func (logSoftMaxOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(logSoftMaxGradOp{}, output, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// logSoftMaxGradOp computes the input gradient of logSoftMaxOp from its
// output and the output's gradient.
type logSoftMaxGradOp struct{}

func (logSoftMaxGradOp) Arity() int { return 2 }
func (logSoftMaxGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (logSoftMaxGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("log-softmax gradient: input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (logSoftMaxGradOp) ReturnsPtr() bool      { return false }
func (logSoftMaxGradOp) CallsExtern() bool     { return false }
func (logSoftMaxGradOp) OverwritesInput() int  { return -1 }
func (logSoftMaxGradOp) WriteHash(h hash.Hash) { writeHash(h, "RowLogSoftMaxGrad") }
func (logSoftMaxGradOp) Hashcode() uint32      { return hashcode("RowLogSoftMaxGrad") }
func (logSoftMaxGradOp) String() string        { return "RowLogSoftMaxGrad" }

func (op logSoftMaxGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("log-softmax gradient: %d inputs, want 2", len(in))
	}
	return op.UsePreallocDo(newLike(in[0]), in...)
}

func (logSoftMaxGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("log-softmax gradient: %d inputs, want 2", len(in))
	}
	y, k, err := f32Matrix(in[0], "output")
	if err != nil {
		return nil, err
	}
	g, _, err := f32Matrix(in[1], "output gradient")
	if err != nil {
		return nil, err
	}
	dx, _, err := f32Matrix(prealloc, "input gradient")
	if err != nil {
		return nil, err
	}
	if len(y) != len(g) || len(y) != len(dx) {
		return nil, fmt.Errorf("log-softmax gradient: %d outputs, %d gradients, %d results", len(y), len(g), len(dx))
	}
	logSoftMaxGradRows(dx, y, g, k)
	return prealloc, nil
}

var (
	_ G.SDOp            = logSoftMaxOp{}
	_ G.UsePreallocDoer = logSoftMaxOp{}
	_ G.UsePreallocDoer = logSoftMaxGradOp{}
)
