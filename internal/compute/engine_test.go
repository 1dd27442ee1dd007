package compute

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func randomTensor(r *rand.Rand, eng tensor.Engine, shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
		if r.IntN(10) == 0 {
			s[i] = 0
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(s), tensor.WithEngine(eng))
}

func sameBits(a, b tensor.Tensor) error {
	if !a.Shape().Eq(b.Shape()) {
		return fmt.Errorf("shape %v != %v", a.Shape(), b.Shape())
	}
	x, y := a.Data(), b.Data()
	xs, ok1 := x.([]float32)
	ys, ok2 := y.([]float32)
	if !ok1 || !ok2 {
		if !reflect.DeepEqual(x, y) {
			return fmt.Errorf("%v != %v", x, y)
		}
		return nil
	}
	for i := range xs {
		if math.Float32bits(xs[i]) != math.Float32bits(ys[i]) {
			return fmt.Errorf("element %d: %g != %g", i, xs[i], ys[i])
		}
	}
	return nil
}

// TestEngineMatchesStdEng runs each element-wise operation the way gorgonia
// and its solvers call it, with every way of placing the result, once on
// tensors of the standard engine and once on tensors of Engine, and wants
// the same bits in the same tensors. The cases the short path leaves to the
// standard engine (a new result, broadcasting, a transposed view, float64)
// are in the table too.
func TestEngineMatchesStdEng(t *testing.T) {
	type operands struct{ a, b, r tensor.Tensor }
	type op func(o operands) (tensor.Tensor, error)
	vv := func(f func(a, b interface{}, opts ...tensor.FuncOpt) (tensor.Tensor, error)) map[string]op {
		return map[string]op{
			"unsafe": func(o operands) (tensor.Tensor, error) { return f(o.a, o.b, tensor.UseUnsafe()) },
			"reuse":  func(o operands) (tensor.Tensor, error) { return f(o.a, o.b, tensor.WithReuse(o.r)) },
			"incr":   func(o operands) (tensor.Tensor, error) { return f(o.a, o.b, tensor.WithIncr(o.r)) },
			"safe":   func(o operands) (tensor.Tensor, error) { return f(o.a, o.b) },
		}
	}
	vs := func(f func(a, b interface{}, opts ...tensor.FuncOpt) (tensor.Tensor, error), s float32) map[string]op {
		return map[string]op{
			"unsafe":      func(o operands) (tensor.Tensor, error) { return f(o.a, s, tensor.UseUnsafe()) },
			"reuse":       func(o operands) (tensor.Tensor, error) { return f(o.a, s, tensor.WithReuse(o.r)) },
			"incr":        func(o operands) (tensor.Tensor, error) { return f(o.a, s, tensor.WithIncr(o.r)) },
			"left unsafe": func(o operands) (tensor.Tensor, error) { return f(s, o.a, tensor.UseUnsafe()) },
			"left reuse":  func(o operands) (tensor.Tensor, error) { return f(s, o.a, tensor.WithReuse(o.r)) },
			"left incr":   func(o operands) (tensor.Tensor, error) { return f(s, o.a, tensor.WithIncr(o.r)) },
			"scalar tensor": func(o operands) (tensor.Tensor, error) {
				return f(o.a, tensor.New(tensor.FromScalar(s)), tensor.UseUnsafe())
			},
		}
	}
	ops := map[string]map[string]op{
		"Add":       vv(tensor.Add),
		"Mul":       vv(tensor.Mul),
		"Div":       vv(tensor.Div),
		"AddScalar": vs(tensor.Add, 0.25),
		"MulScalar": vs(tensor.Mul, 0.9),
		"DivScalar": vs(tensor.Div, 3),
		"Sqrt": {
			"unsafe": func(o operands) (tensor.Tensor, error) { return tensor.Sqrt(o.a, tensor.UseUnsafe()) },
			"reuse":  func(o operands) (tensor.Tensor, error) { return tensor.Sqrt(o.a, tensor.WithReuse(o.r)) },
			"incr":   func(o operands) (tensor.Tensor, error) { return tensor.Sqrt(o.a, tensor.WithIncr(o.r)) },
		},
		"Gte": {
			"same reuse": func(o operands) (tensor.Tensor, error) {
				return tensor.Gte(o.a, float32(0), tensor.AsSameType(), tensor.WithReuse(o.r))
			},
			"same unsafe": func(o operands) (tensor.Tensor, error) {
				return tensor.Gte(o.a, float32(0), tensor.AsSameType(), tensor.UseUnsafe())
			},
			"left same reuse": func(o operands) (tensor.Tensor, error) {
				return tensor.Gte(float32(0), o.a, tensor.AsSameType(), tensor.WithReuse(o.r))
			},
			"bool": func(o operands) (tensor.Tensor, error) { return tensor.Gte(o.a, float32(0)) },
		},
	}
	shapes := []struct {
		name       string
		a, b, r    []int
		transposeA bool // a is a lazily transposed a.T()
	}{
		{"200×20", []int{200, 20}, []int{200, 20}, []int{200, 20}, false},
		{"1×10", []int{1, 10}, []int{1, 10}, []int{1, 10}, false},
		{"784×20", []int{784, 20}, []int{784, 20}, []int{784, 20}, false},
		{"20×200 transposed", []int{200, 20}, []int{20, 200}, []int{20, 200}, true},
		{"broadcast", []int{200, 20}, []int{1, 20}, []int{200, 20}, false},
		{"1×1", []int{1, 1}, []int{1, 1}, []int{1, 1}, false},
	}
	for opName, cases := range ops {
		for caseName, f := range cases {
			for _, sh := range shapes {
				name := opName + "/" + caseName + "/" + sh.name
				run := func(eng tensor.Engine) (operands, tensor.Tensor, error) {
					r := rand.New(rand.NewPCG(3, 4))
					a := randomTensor(r, eng, sh.a...)
					o := operands{a, randomTensor(r, eng, sh.b...), randomTensor(r, eng, sh.r...)}
					if opName == "Sqrt" || opName == "Div" || opName == "DivScalar" {
						for _, x := range []tensor.Tensor{o.a, o.b} {
							s := x.Data().([]float32)
							for i := range s {
								s[i] = float32(math.Abs(float64(s[i])))
							}
						}
					}
					if sh.transposeA {
						if err := a.T(); err != nil {
							t.Fatal(err)
						}
					}
					ret, err := f(o)
					return o, ret, err
				}
				so, sret, serr := run(G.StandardEngine{})
				eo, eret, eerr := run(Engine{})
				if (serr != nil) != (eerr != nil) {
					t.Errorf("%s: error %v, standard engine %v", name, eerr, serr)
					continue
				}
				if serr != nil {
					continue
				}
				// the result is the same operand (or a new tensor in both)
				for i, pair := range [][2]tensor.Tensor{{so.a, eo.a}, {so.b, eo.b}, {so.r, eo.r}} {
					if (sret == pair[0]) != (eret == pair[1]) {
						t.Errorf("%s: returns operand %d: %v, standard engine %v", name, i, eret == pair[1], sret == pair[0])
					}
					if err := sameBits(pair[0], pair[1]); err != nil {
						t.Errorf("%s: operand %d after the operation: %v", name, i, err)
					}
				}
				if err := sameBits(sret, eret); err != nil {
					t.Errorf("%s: result: %v", name, err)
				}
			}
		}
	}
}

// TestEngineRepeatMatchesStdEng repeats matrices along each axis with
// Engine and with the standard engine and wants the same bits, and the
// same refusal of a reuse tensor of the wrong shape.
func TestEngineRepeatMatchesStdEng(t *testing.T) {
	for _, tc := range []struct {
		name         string
		shape, reuse []int
		axis, rep    int
		transpose    bool
	}{
		{"bias row", []int{1, 20}, []int{200, 20}, 0, 200, false},
		{"loss column", []int{200, 1}, []int{200, 10}, 1, 10, false},
		{"rows", []int{3, 4}, []int{6, 4}, 0, 2, false},
		{"columns", []int{3, 4}, []int{3, 12}, 1, 3, false},
		{"once", []int{3, 4}, []int{3, 4}, 1, 1, false},
		{"transposed", []int{4, 3}, []int{3, 8}, 1, 2, true},
		{"wrong reuse", []int{3, 4}, []int{4, 6}, 0, 2, false},
	} {
		run := func(eng tensor.Engine) (tensor.Tensor, error) {
			r := rand.New(rand.NewPCG(1, 1))
			x := randomTensor(r, eng, tc.shape...)
			if tc.transpose {
				if err := x.T(); err != nil {
					t.Fatal(err)
				}
			}
			return tensor.RepeatReuse(x, randomTensor(r, eng, tc.reuse...), tc.axis, tc.rep)
		}
		want, werr := run(G.StandardEngine{})
		got, err := run(Engine{})
		if (err != nil) != (werr != nil) {
			t.Errorf("%s: error %v, standard engine %v", tc.name, err, werr)
			continue
		}
		if err == nil {
			if err := sameBits(got, want); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	}
}

// TestTensorPoolIsOff checks that gorgonia's tensor pool is off (see
// engine.go): with it on, ReturnTensor wipes the tensor it pools.
func TestTensorPoolIsOff(t *testing.T) {
	d := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))
	tensor.ReturnTensor(d)
	if !d.Shape().Eq(tensor.Shape{2, 2}) || d.Dtype() != tensor.Float32 {
		t.Fatalf("ReturnTensor pooled the tensor (shape now %v, type %v): the tensor pool is on", d.Shape(), d.Dtype())
	}
}

// regression is a softmax regression (x·W + b, LogSoftMax, mean
// cross-entropy) with its gradients, compiled to a Machine: a small
// training graph of the kind the network's are.
type regression struct {
	x, y   *tensor.Dense
	w, b   *G.Node
	lossV  G.Value
	params G.Nodes
	m      *Machine
}

func newRegression(t *testing.T, batch, in, out int) *regression {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	g := G.NewGraph()
	reg := &regression{
		x: tensor.New(tensor.WithShape(batch, in), tensor.WithBacking(make([]float32, batch*in))),
		y: tensor.New(tensor.WithShape(batch, out), tensor.WithBacking(make([]float32, batch*out))),
	}
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, in), G.WithName("x"), G.WithValue(reg.x))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, out), G.WithName("y"), G.WithValue(reg.y))
	reg.w = G.NewMatrix(g, tensor.Float32, G.WithShape(in, out), G.WithName("w"), G.WithValue(randomTensor(r, tensor.StdEng{}, in, out)))
	reg.b = G.NewMatrix(g, tensor.Float32, G.WithShape(1, out), G.WithName("b"), G.WithValue(randomTensor(r, tensor.StdEng{}, 1, out)))
	reg.params = G.Nodes{reg.w, reg.b}
	z := G.Must(G.BroadcastAdd(G.Must(G.Mul(x, reg.w)), reg.b, nil, []byte{0}))
	logp, err := LogSoftMax(z)
	if err != nil {
		t.Fatal(err)
	}
	loss := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(y, logp)), 1))))))
	grads, err := G.Grad(loss, reg.params...)
	if err != nil {
		t.Fatal(err)
	}
	reg.lossV = G.NewF32(0)
	read := G.Read(loss, &reg.lossV)
	sub := g.ExactSubgraphRoots(append(G.Nodes{read}, grads...)...)
	reg.m = NewMachine(G.NewTapeMachine(sub, G.BindDualValues(reg.params...), G.WithEngine(Engine{})))
	return reg
}

// TestMachineRunsLikeRunAll trains the same small graph for 20 steps
// twice: with Machine as it runs (the program on the calling goroutine,
// registers kept) and with gorgonia's own RunAll and Reset after every
// run, and wants bit-identical losses and weights. It also wants the short
// way to be in use, so that an upgrade of gorgonia that disables it is
// noticed.
func TestMachineRunsLikeRunAll(t *testing.T) {
	const batch, in, out, steps = 50, 16, 10, 20
	train := func(gorgonias bool) (*regression, []float32) {
		reg := newRegression(t, batch, in, out)
		defer reg.m.Close()
		if reg.m.tape == nil {
			t.Fatalf("the machine runs through RunAll: gorgonia's tape machine is not the one machine.go knows")
		}
		if gorgonias {
			reg.m.tape = nil
		}
		s := G.NewAdamSolver(G.WithLearnRate(0.01), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7))
		r := rand.New(rand.NewPCG(5, 6))
		var losses []float32
		for range steps {
			x, y := reg.x.Float32s(), reg.y.Float32s()
			for i := range x {
				x[i] = r.Float32()
			}
			clear(y)
			for i := range batch {
				y[i*out+r.IntN(out)] = 1
			}
			if err := reg.m.Run(); err != nil {
				t.Fatal(err)
			}
			losses = append(losses, float32(*reg.lossV.(*G.F32)))
			if err := s.Step(G.NodesToValueGrads(reg.params)); err != nil {
				t.Fatal(err)
			}
		}
		return reg, losses
	}
	g, gl := train(true)
	m, ml := train(false)
	for i := range gl {
		if math.Float32bits(gl[i]) != math.Float32bits(ml[i]) {
			t.Fatalf("loss of step %d: %v, with RunAll %v", i+1, ml[i], gl[i])
		}
	}
	if ml[steps-1] >= ml[0] {
		t.Errorf("loss went from %v to %v: the steps did not train", ml[0], ml[steps-1])
	}
	for _, pair := range [][2]*G.Node{{g.w, m.w}, {g.b, m.b}} {
		if err := sameBits(pair[0].Value().(tensor.Tensor), pair[1].Value().(tensor.Tensor)); err != nil {
			t.Errorf("%s after %d steps: %v", pair[0].Name(), steps, err)
		}
	}
}
