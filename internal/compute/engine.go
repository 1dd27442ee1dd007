package compute

import (
	"sync"

	"github.com/perceptron-mnist/perceptron/internal/f32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Engine is the tensor engine every graph here computes with, and so the
// engine gorgonia's solvers update the weights with: the tensors a machine
// runs on carry the machine's engine, and the solvers' moment estimates are
// clones of them. It is gorgonia's standard engine with a short path for the
// element-wise float32 arithmetic of a training step (add, multiply, divide,
// square root and compare, on whole contiguous tensors, in place, into a
// reused tensor or added into one), and for repeating a row or a column: the
// same IEEE operations in the same order as the standard engine, without
// its per-call iterators and checks, and with SSE on amd64. Everything else (and any case the short path does
// not know, such as broadcasting, views, masks or other types) goes to the
// standard engine. Results are bit-identical to the standard engine's;
// engine_test.go checks every case against it.
type Engine struct{ G.StandardEngine }

// gorgonia's tensor package keeps returned tensors in a pool, filled with
// "if len(pool) < cap(pool) { pool <- t }": two goroutines that return
// tensors at the same moment (two runs of a sweep stepping their Adam
// solvers, say) can both pass the test when one place is left, and one of
// them then blocks until some tensor is taken out of the pool, possibly
// forever. (A test build that updated two halves of the weights on two
// goroutines hung this way, one run in twelve.) The pool saves little: the
// graphs here keep their tensors between runs. So it is off in every
// program that uses this package.
func init() { tensor.DontUsePool() }

// dense32 returns t's elements if t is a dense float32 tensor laid out
// contiguously in row-major order, with at least two elements.
func dense32(t tensor.Tensor) ([]float32, bool) {
	d, ok := t.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Float32 || d.IsView() || d.RequiresIterator() || d.IsMasked() || d.Len() < 2 {
		return nil, false
	}
	s := d.Float32s() // Data would allocate an interface
	if len(s) != d.Len() {
		return nil, false
	}
	return s, true
}

// scalar32 returns s as a float32 if it is one, or a one-element float32 tensor.
func scalar32(s interface{}) (float32, bool) {
	switch s := s.(type) {
	case float32:
		return s, true
	case *tensor.Dense:
		if s.Dtype() == tensor.Float32 && s.Len() == 1 && !s.IsMasked() {
			switch v := s.Data().(type) {
			case float32:
				return v, true
			case []float32:
				if len(v) == 1 {
					return v[0], true
				}
			}
		}
	}
	return 0, false
}

// optPool recycles the option structs the short path parses its options
// into (the standard engine has a pool of its own for the same reason).
var optPool = sync.Pool{New: func() any { return new(tensor.OpOpt) }}

func parseOpts(opts []tensor.FuncOpt) *tensor.OpOpt {
	fo := optPool.Get().(*tensor.OpOpt)
	*fo = tensor.OpOpt{}
	for _, o := range opts {
		o(fo)
	}
	return fo
}

type arith int

const (
	add arith = iota
	mul
	div
)

// target is where an operation on a writes its result, from its options:
// into a itself (unsafe), into a reused tensor, or added into one (incr).
// ok is false when the short path does not handle the options.
func target(a tensor.Tensor, n int, opts []tensor.FuncOpt) (dst []float32, t tensor.Tensor, incr, ok bool) {
	fo := parseOpts(opts)
	defer optPool.Put(fo)
	r, incr := fo.IncrReuse()
	if r == nil {
		if fo.Safe() {
			return nil, nil, false, false // a new tensor: the standard engine allocates it
		}
		s, _ := dense32(a)
		return s, a, false, true
	}
	s, ok := dense32(r)
	if !ok || len(s) != n || !r.Shape().Eq(a.Shape()) {
		return nil, nil, false, false
	}
	return s, r, incr, true
}

func same(a, b []float32) bool { return &a[0] == &b[0] }

// vv computes dst = a op b element-wise, if the short path handles it.
func vv(op arith, a, b tensor.Tensor, opts []tensor.FuncOpt) (tensor.Tensor, bool) {
	x, ok1 := dense32(a)
	y, ok2 := dense32(b)
	if !ok1 || !ok2 || len(x) != len(y) || !a.Shape().Eq(b.Shape()) {
		return nil, false
	}
	dst, ret, incr, ok := target(a, len(x), opts)
	if !ok {
		return nil, false
	}
	l := loop{dst: dst, x: x, y: y}
	switch {
	case incr:
		if same(dst, x) || same(dst, y) {
			return nil, false
		}
		l.kind = [...]loopKind{add: addIncr, mul: mulIncr, div: divIncr}[op]
	case !same(dst, x):
		if same(dst, y) {
			return nil, false
		}
		l.copy = true
		// the standard engine's DivRecv: IEEE division
		l.kind = [...]loopKind{add: addVec, mul: mulVec, div: divVec}[op]
	default:
		// vecf32.Div: +Inf where the divisor is 0
		l.kind = [...]loopKind{add: addVec, mul: mulVec, div: divVecZeroInf}[op]
	}
	l.do()
	return ret, true
}

// vs computes dst = t op s (leftTensor) or s op t element-wise, if the
// short path handles it.
func vs(op arith, t tensor.Tensor, s interface{}, leftTensor bool, opts []tensor.FuncOpt) (tensor.Tensor, bool) {
	x, ok1 := dense32(t)
	c, ok2 := scalar32(s)
	if !ok1 || !ok2 {
		return nil, false
	}
	dst, ret, incr, ok := target(t, len(x), opts)
	if !ok {
		return nil, false
	}
	if incr && same(dst, x) {
		return nil, false
	}
	// the loop for add, mul, div with t on the left, div with s on the left
	kinds := [...]loopKind{addScalar, mulScalar, divScalar, divScalarLeft}
	if incr {
		kinds = [...]loopKind{addIncrScalar, mulIncrScalar, divIncrScalar, divIncrScalarLeft}
	}
	k := int(op)
	if op == div && !leftTensor {
		k++
	}
	l := loop{kind: kinds[k], copy: !incr && !same(dst, x), dst: dst, x: x, c: c}
	l.do()
	return ret, true
}

// Add is tensor.StdEng's Add with a short path.
func (e Engine) Add(a, b tensor.Tensor, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if r, ok := vv(add, a, b, opts); ok {
		return r, nil
	}
	return e.StandardEngine.Add(a, b, opts...)
}

// Mul is tensor.StdEng's Mul with a short path.
func (e Engine) Mul(a, b tensor.Tensor, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if r, ok := vv(mul, a, b, opts); ok {
		return r, nil
	}
	return e.StandardEngine.Mul(a, b, opts...)
}

// Div is tensor.StdEng's Div with a short path.
func (e Engine) Div(a, b tensor.Tensor, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if r, ok := vv(div, a, b, opts); ok {
		return r, nil
	}
	return e.StandardEngine.Div(a, b, opts...)
}

// AddScalar is tensor.StdEng's AddScalar with a short path.
func (e Engine) AddScalar(t tensor.Tensor, s interface{}, leftTensor bool, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if r, ok := vs(add, t, s, leftTensor, opts); ok {
		return r, nil
	}
	return e.StandardEngine.AddScalar(t, s, leftTensor, opts...)
}

// MulScalar is tensor.StdEng's MulScalar with a short path.
func (e Engine) MulScalar(t tensor.Tensor, s interface{}, leftTensor bool, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if r, ok := vs(mul, t, s, leftTensor, opts); ok {
		return r, nil
	}
	return e.StandardEngine.MulScalar(t, s, leftTensor, opts...)
}

// DivScalar is tensor.StdEng's DivScalar with a short path.
func (e Engine) DivScalar(t tensor.Tensor, s interface{}, leftTensor bool, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if r, ok := vs(div, t, s, leftTensor, opts); ok {
		return r, nil
	}
	return e.StandardEngine.DivScalar(t, s, leftTensor, opts...)
}

// Sqrt is tensor.StdEng's Sqrt with a short path.
func (e Engine) Sqrt(a tensor.Tensor, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if x, ok := dense32(a); ok {
		if dst, ret, incr, ok := target(a, len(x), opts); ok && !incr {
			l := loop{kind: sqrtVec, dst: dst, x: x, copy: !same(dst, x)}
			l.do()
			return ret, nil
		}
	}
	return e.StandardEngine.Sqrt(a, opts...)
}

// GteScalar is tensor.StdEng's GteScalar with a short path for a result of
// the same type (1 where the comparison holds, else 0), as a rectifier
// computes its mask.
func (e Engine) GteScalar(t tensor.Tensor, s interface{}, leftTensor bool, opts ...tensor.FuncOpt) (tensor.Tensor, error) {
	if x, ok := dense32(t); ok {
		fo := parseOpts(opts)
		same := fo.Same()
		optPool.Put(fo)
		if c, ok := scalar32(s); ok && same {
			if dst, ret, incr, ok := target(t, len(x), opts); ok && !incr {
				f32.GteScalar(dst, x, c, leftTensor)
				return ret, nil
			}
		}
	}
	return e.StandardEngine.GteScalar(t, s, leftTensor, opts...)
}

// Memcpy is tensor.StdEng's Memcpy, with long float32 arrays copied in two
// halves by the caller and the product worker (loop.do). The tensor
// package copies through it when it clones a tensor, as gorgonia's
// AdamSolver does four times per parameter and step.
func (e Engine) Memcpy(dst, src tensor.Memory) error {
	if d, ok := dst.(interface{ Data() interface{} }); ok && dst.MemSize() >= 4*splitMin && dst.MemSize() == src.MemSize() {
		if s, ok := src.(interface{ Data() interface{} }); ok {
			x, ok1 := d.Data().([]float32)
			y, ok2 := s.Data().([]float32)
			if ok1 && ok2 && len(x) == len(y) {
				loop{kind: copyOnly, copy: true, dst: x, x: y}.do()
				return nil
			}
		}
	}
	return e.StandardEngine.Memcpy(dst, src)
}

// RepeatReuse is tensor.StdEng's RepeatReuse with a short path for a
// float32 matrix repeated along one axis the same number of times for every
// element, as a broadcast addition repeats a bias row and the loss's
// gradient repeats a column: the same copies, without the standard engine's
// general index bookkeeping.
func (e Engine) RepeatReuse(t, reuse tensor.Tensor, axis int, repeats ...int) (tensor.Tensor, error) {
	if x, ok := repeatable(t); ok && len(repeats) == 1 && repeats[0] >= 1 && (axis == 0 || axis == 1) {
		s := t.Shape()
		want := tensor.Shape{s[0], s[1]}
		want[axis] *= repeats[0]
		if dst, ok := repeatable(reuse); ok && reuse.Shape().Eq(want) {
			repeat32(dst, x, s[0], s[1], axis, repeats[0])
			return reuse, nil
		}
	}
	return e.StandardEngine.RepeatReuse(t, reuse, axis, repeats...)
}

// repeatable returns t's elements if t is a contiguous float32 matrix.
func repeatable(t tensor.Tensor) ([]float32, bool) {
	d, ok := t.(*tensor.Dense)
	if !ok || d.Dims() != 2 || d.Dtype() != tensor.Float32 || d.IsView() || d.IsMasked() || !d.DataOrder().IsRowMajor() || !d.IsMatrix() {
		return nil, false
	}
	if d.RequiresIterator() && d.Len() > 1 {
		return nil, false
	}
	s := d.Float32s()
	if len(s) != d.Len() {
		return nil, false
	}
	return s, true
}

// repeat32 writes the rows×cols matrix x to dst with each element repeated
// r times along axis, as numpy.repeat does.
func repeat32(dst, x []float32, rows, cols, axis, r int) {
	if axis == 0 {
		for i := 0; i < rows; i++ {
			row := x[i*cols : (i+1)*cols]
			for range r {
				dst = dst[copy(dst, row):]
			}
		}
		return
	}
	for _, v := range x[:rows*cols] {
		d := dst[:r]
		for j := range d {
			d[j] = v
		}
		dst = dst[r:]
	}
}
