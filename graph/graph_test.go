package graph

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refLoss is the network's mean cross-entropy computed in float64 with plain
// loops: the reference for the graph's loss and, by central differences,
// for its symbolic gradients.
func refLoss(a Arch, w [4][]float64, x []float64, y []int) float64 {
	n := len(y)
	var total float64
	h := make([]float64, a.Hidden)
	z := make([]float64, a.Outputs)
	for i := 0; i < n; i++ {
		for j := range h {
			s := w[1][j]
			for k := 0; k < a.Inputs; k++ {
				s += x[i*a.Inputs+k] * w[0][k*a.Hidden+j]
			}
			if a.Activation == Sigmoid {
				h[j] = 1 / (1 + math.Exp(-s))
			} else {
				h[j] = math.Max(s, 0)
			}
		}
		mx := math.Inf(-1)
		for o := range z {
			s := w[3][o]
			for j := range h {
				s += h[j] * w[2][j*a.Outputs+o]
			}
			z[o] = s
			mx = math.Max(mx, s)
		}
		var sum float64
		for o := range z {
			sum += math.Exp(z[o] - mx)
		}
		total -= z[y[i]] - mx - math.Log(sum)
	}
	return total / float64(n)
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	for _, act := range []string{Sigmoid, ReLU} {
		t.Run(act, func(t *testing.T) {
			const batch = 8
			a := NewArch(12, act)
			p, err := NewParams(a, 7)
			if err != nil {
				t.Fatal(err)
			}
			// non-zero biases, so their gradients are exercised off the origin
			rng := rand.New(rand.NewPCG(1, 2))
			for _, b := range []*[]float32{ptr(F32(p.B1)), ptr(F32(p.B2))} {
				for i := range *b {
					(*b)[i] = float32(rng.NormFloat64() * 0.3)
				}
			}
			tg, err := NewTrainGraph(p, batch)
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
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

			var w [4][]float64
			for i, tt := range p.Tensors() {
				for _, v := range F32(tt) {
					w[i] = append(w[i], float64(v))
				}
			}
			x64 := make([]float64, len(x))
			for i, v := range x {
				x64[i] = float64(v)
			}
			want := refLoss(a, w, x64, labels)
			if math.Abs(float64(loss)-want) > 1e-5*math.Max(1, want) {
				t.Fatalf("graph loss %v, float64 reference %v", loss, want)
			}
			const eps = 1e-5
			checked := 0
			for pi := range w {
				idx := rng.Perm(len(w[pi]))
				if len(idx) > 200 {
					idx = idx[:200]
				}
				for _, i := range idx {
					orig := w[pi][i]
					w[pi][i] = orig + eps
					up := refLoss(a, w, x64, labels)
					w[pi][i] = orig - eps
					down := refLoss(a, w, x64, labels)
					w[pi][i] = orig
					fd := (up - down) / (2 * eps)
					got := float64(grads[pi][i])
					if math.Abs(got-fd) > 1e-4+1e-3*math.Abs(fd) {
						t.Errorf("d loss/d %s[%d] = %g, finite difference %g", Names[pi], i, got, fd)
					}
					checked++
				}
			}
			if checked < 300 {
				t.Fatalf("checked only %d gradient entries", checked)
			}
		})
	}
}

func ptr(s []float32) *[]float32 { return &s }

func TestForwardMatchesTrainingLoss(t *testing.T) {
	// The evaluator's loss on a batch equals the training graph's loss on it,
	// at a batch size that needs a partial last graph.
	p, _ := NewParams(NewArch(16, Sigmoid), 3)
	const n = 10
	tg, err := NewTrainGraph(p, n)
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
	ev := NewEvaluator(p, 4) // batches 4, 4, 2
	defer ev.Close()
	eloss, _, err := ev.Evaluate(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(eloss-float64(loss)) > 1e-5 {
		t.Fatalf("evaluator loss %v, training graph loss %v", eloss, loss)
	}
}
