package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refNet is the network computed in float64 with plain loops: the
// reference for the graph's loss and, by central differences, for its
// symbolic gradients. w holds w1, b1, …, wN, bN; masks, when not nil, one
// dropout mask per hidden layer (batch × width).
type refNet struct {
	a     Arch
	l2    float64
	masks [][]float64
}

func (r refNet) loss(w [][]float64, x []float64, y []int) float64 {
	a := r.a
	widths := a.Widths()
	n := len(y)
	var total float64
	for i := 0; i < n; i++ {
		h := x[i*a.Inputs : (i+1)*a.Inputs]
		for l := 0; l < a.Depth(); l++ {
			in, out := widths[l], widths[l+1]
			z := make([]float64, out)
			for j := range z {
				s := w[2*l+1][j]
				for k := 0; k < in; k++ {
					s += h[k] * w[2*l][k*out+j]
				}
				z[j] = s
			}
			if l == a.Depth()-1 {
				mx := math.Inf(-1)
				for _, v := range z {
					mx = math.Max(mx, v)
				}
				var sum float64
				for _, v := range z {
					sum += math.Exp(v - mx)
				}
				total -= z[y[i]] - mx - math.Log(sum)
				break
			}
			for j, s := range z {
				switch a.Activation {
				case Sigmoid:
					z[j] = 1 / (1 + math.Exp(-s))
				case ReLU:
					z[j] = math.Max(s, 0)
				case Tanh:
					z[j] = math.Tanh(s)
				}
				if r.masks != nil {
					z[j] *= r.masks[l][i*out+j]
				}
			}
			h = z
		}
	}
	total /= float64(n)
	for l := 0; l < a.Depth(); l++ {
		for _, v := range w[2*l] {
			total += r.l2 * v * v
		}
	}
	return total
}

// TestGradientsMatchFiniteDifferences checks the graph's loss against the
// float64 reference and its symbolic gradients against central finite
// differences of that reference, for networks of one, two and three hidden
// layers, every activation, with and without L2, and with dropout under a
// fixed mask.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	type tc struct {
		hidden  []int
		act     string
		l2      float64
		dropout float64
	}
	var cases []tc
	for _, h := range [][]int{{12}, {9, 7}, {8, 6, 5}} {
		for _, act := range Activations {
			cases = append(cases, tc{h, act, 0, 0}, tc{h, act, 0.01, 0})
		}
	}
	cases = append(cases, tc{[]int{9, 7}, ReLU, 0.01, 0.3}, tc{[]int{8, 6, 5}, Tanh, 0, 0.5}, tc{[]int{12}, Sigmoid, 0, 0.2})
	for _, c := range cases {
		name := fmt.Sprintf("%s-%s-l2=%g-dropout=%g", Sizes(c.hidden), c.act, c.l2, c.dropout)
		t.Run(name, func(t *testing.T) {
			const batch = 8
			a := NewArch(c.hidden, c.act)
			p, err := NewParams(a, 7)
			if err != nil {
				t.Fatal(err)
			}
			// non-zero biases, so their gradients are exercised off the origin
			rng := rand.New(rand.NewPCG(1, 2))
			for _, l := range p.Layers {
				for i := range l.Biases() {
					l.Biases()[i] = float32(rng.NormFloat64() * 0.3)
				}
			}
			tg, err := NewTrainGraph(p, batch, Regularization{Dropout: c.dropout, L2: c.l2})
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
			ref := refNet{a: a, l2: c.l2}
			if c.dropout > 0 {
				tg.DrawMasks(rand.New(rand.NewPCG(5, 5)))
				ms := tg.Masks()
				if len(ms) != len(c.hidden) {
					t.Fatalf("%d masks for %d hidden layers", len(ms), len(c.hidden))
				}
				dropped := 0
				for _, m := range ms {
					var m64 []float64
					for _, v := range m {
						m64 = append(m64, float64(v))
						if v == 0 {
							dropped++
						}
					}
					ref.masks = append(ref.masks, m64)
				}
				if dropped == 0 {
					t.Fatal("the masks drop nothing")
				}
			}
			x, y := tg.Inputs()
			labels := make([]int, batch)
			for i := range x {
				x[i] = float32(rng.Float64())
			}
			for i := range labels {
				labels[i] = rng.IntN(10)
				y[i*10+labels[i]] = 1
			}
			loss, err := tg.Run()
			if err != nil {
				t.Fatal(err)
			}
			grads, err := tg.Grads()
			if err != nil {
				t.Fatal(err)
			}

			var w [][]float64
			for _, tt := range p.Tensors() {
				var v64 []float64
				for _, v := range F32(tt) {
					v64 = append(v64, float64(v))
				}
				w = append(w, v64)
			}
			x64 := make([]float64, len(x))
			for i, v := range x {
				x64[i] = float64(v)
			}
			want := ref.loss(w, x64, labels)
			if math.Abs(float64(loss)-want) > 1e-5*math.Max(1, want) {
				t.Fatalf("graph loss %v, float64 reference %v", loss, want)
			}
			const eps = 1e-5
			names := a.ParamNames()
			checked := 0
			for pi := range w {
				idx := rng.Perm(len(w[pi]))
				if len(idx) > 120 {
					idx = idx[:120]
				}
				for _, i := range idx {
					orig := w[pi][i]
					w[pi][i] = orig + eps
					up := ref.loss(w, x64, labels)
					w[pi][i] = orig - eps
					down := ref.loss(w, x64, labels)
					w[pi][i] = orig
					fd := (up - down) / (2 * eps)
					got := float64(grads[pi][i])
					if math.Abs(got-fd) > 1e-4+1e-3*math.Abs(fd) {
						t.Errorf("d loss/d %s[%d] = %g, finite difference %g", names[pi], i, got, fd)
					}
					checked++
				}
			}
			if checked < 200 {
				t.Fatalf("checked only %d gradient entries", checked)
			}
		})
	}
}

func TestForwardMatchesTrainingLoss(t *testing.T) {
	// The evaluator's loss on a batch equals the training graph's loss on it,
	// at a batch size that needs a partial last graph.
	p, _ := NewParams(NewArch([]int{16}, Sigmoid), 3)
	const n = 10
	tg, err := NewTrainGraph(p, n, Regularization{})
	if err != nil {
		t.Fatal(err)
	}
	x, y := tg.Inputs()
	labels := make([]uint8, n)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range x {
		x[i] = float32(rng.Float64())
	}
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
		y[i*10+int(labels[i])] = 1
	}
	loss, err := tg.Run()
	if err != nil {
		t.Fatal(err)
	}
	ev := NewEvaluator(p, 4) // batches of at most 4
	defer ev.Close()
	eloss, _, err := ev.Evaluate(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(eloss-float64(loss)) > 1e-5 {
		t.Fatalf("evaluator loss %v, training graph loss %v", eloss, loss)
	}
}

func TestEvalBatch(t *testing.T) {
	for _, tc := range []struct {
		hidden []int
		want   int
	}{
		{[]int{20}, MaxEvalBatch},
		{[]int{64}, MaxEvalBatch},
		{[]int{256}, 2048},
		{[]int{512, 512}, 1024},
		{[]int{1024}, 512},
		{[]int{64, 4096}, MinEvalBatch},
	} {
		if got := EvalBatch(NewArch(tc.hidden, ReLU)); got != tc.want {
			t.Errorf("hidden %v: EvalBatch %d, want %d", tc.hidden, got, tc.want)
		}
	}
}

// TestLogProbsOfNoImages checks that LogProbs of no images calls nothing
// and reports no error (predict on an empty .npy file does it).
func TestLogProbsOfNoImages(t *testing.T) {
	p, err := NewParams(NewArch([]int{20}, ReLU), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{0, 1, 7} {
		ev := NewEvaluator(p, batch)
		err := ev.LogProbs(nil, func(int, []float32) error { return fmt.Errorf("called") })
		ev.Close()
		if err != nil {
			t.Fatalf("batches of %d: %v", batch, err)
		}
	}
}

// TestEvaluatorSameAtAnyBatch evaluates MNIST-like images (mostly zeros,
// so that the products take internal/gemm's sparse path) in batches of
// several sizes, with the default one among them, and wants the same loss
// and accuracy to the bit (in the OpenBLAS build, the same accuracy and the
// loss within 1e-8 of itself: see rowsExact).
func TestEvaluatorSameAtAnyBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n = 3001
	images := make([]float32, n*784)
	for i := range images {
		if r.IntN(5) == 0 {
			images[i] = r.Float32()
		}
	}
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(r.IntN(10))
	}
	for _, hidden := range [][]int{{20}, {300}, {64, 32}} {
		p, err := NewParams(NewArch(hidden, ReLU), 1)
		if err != nil {
			t.Fatal(err)
		}
		var want [2]float64
		for i, batch := range []int{0, 10000, 1000, 97} {
			ev := NewEvaluator(p, batch)
			loss, acc, err := ev.Evaluate(images, labels)
			ev.Close()
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				want = [2]float64{loss, acc}
				continue
			}
			same := math.Float64bits(loss) == math.Float64bits(want[0])
			if !rowsExact { // OpenBLAS: the last bits may move, nothing more
				same = math.Abs(loss-want[0]) <= 1e-8*math.Abs(want[0])
			}
			if !same || acc != want[1] {
				t.Errorf("hidden %v, batches of %d: loss %v, accuracy %v; default batches: %v, %v", hidden, batch, loss, acc, want[0], want[1])
			}
		}
	}
}
