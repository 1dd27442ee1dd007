package graph

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

// trainSteps trains g with s for the given number of steps on random
// images and labels (the same ones on every call) and returns the losses.
func trainSteps(t *testing.T, g *TrainGraph, s G.Solver, steps int) []float32 {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	var losses []float32
	for range steps {
		x, y := g.Inputs()
		for i := range x {
			x[i] = r.Float32()
		}
		clear(y)
		for i := 0; i < g.Batch(); i++ {
			y[i*g.params.Outputs+r.IntN(g.params.Outputs)] = 1
		}
		loss, err := g.Run()
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, loss)
		if err := g.Step(s); err != nil {
			t.Fatal(err)
		}
	}
	return losses
}

// TestEngineTrainsLikeStdEng trains the same network for 20 steps with each
// solver, once with the graphs on gorgonia's standard engine and once on
// Engine, and wants bit-identical losses and weights: the short path
// changes nothing but the speed. It also checks that the gradients and the
// weights the solver sees do carry Engine.
func TestEngineTrainsLikeStdEng(t *testing.T) {
	for _, tc := range []struct {
		act    string
		solver func() G.Solver
	}{
		{Sigmoid, func() G.Solver { return G.NewVanillaSolver(G.WithLearnRate(0.5)) }},
		{ReLU, func() G.Solver {
			return G.NewAdamSolver(G.WithLearnRate(0.01), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7))
		}},
	} {
		t.Run(tc.act, func(t *testing.T) {
			const batch, steps = 50, 20
			train := func(eng tensor.Engine) (*Params, []float32) {
				p, err := NewParams(NewArch(16, tc.act), 9)
				if err != nil {
					t.Fatal(err)
				}
				g, err := newTrainGraph(p, batch, eng)
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				losses := trainSteps(t, g, tc.solver(), steps)
				for _, n := range g.learnables {
					grad, err := n.Grad()
					if err != nil {
						t.Fatal(err)
					}
					for what, v := range map[string]G.Value{"value": n.Value(), "gradient": grad} {
						if got := v.(tensor.Tensor).Engine(); got != eng {
							t.Errorf("%s of %s computes with %T, want %T", what, n.Name(), got, eng)
						}
					}
				}
				return p, losses
			}
			sp, sl := train(G.StandardEngine{})
			ep, el := train(Engine{})
			for i := range sl {
				if math.Float32bits(sl[i]) != math.Float32bits(el[i]) {
					t.Fatalf("loss of step %d: %v, standard engine %v", i+1, el[i], sl[i])
				}
			}
			for i, pair := range [][2]*tensor.Dense{{sp.W1, ep.W1}, {sp.B1, ep.B1}, {sp.W2, ep.W2}, {sp.B2, ep.B2}} {
				if err := sameBits(pair[0], pair[1]); err != nil {
					t.Errorf("parameter %d after %d steps: %v", i, steps, err)
				}
			}
			if sl[steps-1] >= sl[0] {
				t.Errorf("loss went from %v to %v: the steps did not train", sl[0], sl[steps-1])
			}
		})
	}
}

// TestMachineRunsLikeRunAll trains the same network for 20 steps twice:
// with the graph's machine as it runs (the program on the calling
// goroutine, registers kept) and with gorgonia's own RunAll and Reset
// after every run, and wants bit-identical losses and weights. It also
// wants the short way to be in use, so that an upgrade of gorgonia that
// disables it is noticed.
func TestMachineRunsLikeRunAll(t *testing.T) {
	const batch, steps = 50, 20
	train := func(gorgonias bool) (*Params, []float32) {
		p, err := NewParams(NewArch(16, ReLU), 9)
		if err != nil {
			t.Fatal(err)
		}
		g, err := NewTrainGraph(p, batch)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		if g.vm.tape == nil {
			t.Fatalf("the machine runs through RunAll: gorgonia's tape machine is not the one machine.go knows")
		}
		if gorgonias {
			g.vm.tape = nil
		}
		s := G.NewAdamSolver(G.WithLearnRate(0.01), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7))
		return p, trainSteps(t, g, s, steps)
	}
	gp, gl := train(true)
	mp, ml := train(false)
	for i := range gl {
		if math.Float32bits(gl[i]) != math.Float32bits(ml[i]) {
			t.Fatalf("loss of step %d: %v, with RunAll %v", i+1, ml[i], gl[i])
		}
	}
	for i, pair := range [][2]*tensor.Dense{{gp.W1, mp.W1}, {gp.B1, mp.B1}, {gp.W2, mp.W2}, {gp.B2, mp.B2}} {
		if err := sameBits(pair[0], pair[1]); err != nil {
			t.Errorf("parameter %d after %d steps: %v", i, steps, err)
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
