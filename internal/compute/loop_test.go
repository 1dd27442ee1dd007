package compute

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// TestLoopSplitLikeOneCall runs every loop of the short path on slices long
// enough to be split between the caller and the worker, and wants the bits
// of the loop run in one call. The worker is kept warm by the repetitions,
// so most of them are split for real (the log says how many).
func TestLoopSplitLikeOneCall(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64())
			switch r.IntN(50) {
			case 0:
				s[i] = 0
			case 1:
				s[i] = float32(math.Inf(1))
			case 2:
				s[i] = float32(math.NaN())
			}
		}
		return s
	}
	before := products.loops.Load()
	for _, n := range []int{splitMin - 1, splitMin, splitMin + 37, 784 * 64, 784 * 1024} {
		x, y, d0 := gen(n), gen(n), gen(n)
		for k := addVec; k <= copyOnly; k++ {
			for _, cp := range []bool{false, true} {
				one := loop{kind: k, copy: cp, dst: append([]float32(nil), d0...), x: x, y: y, c: 0.37}
				two := one
				two.dst = append([]float32(nil), d0...)
				one.run(0, n)
				two.do()
				for i := range one.dst {
					if math.Float32bits(one.dst[i]) != math.Float32bits(two.dst[i]) {
						t.Fatalf("n %d, loop %d, copy %v: element %d is %g split, %g in one call", n, k, cp, i, two.dst[i], one.dst[i])
					}
				}
			}
		}
	}
	t.Logf("%d loops were split", products.loops.Load()-before)
}

// BenchmarkLoop times one pass of dst += x·c over a 784×1024 weight
// matrix, in one call and split with the worker.
func BenchmarkLoop(b *testing.B) {
	n := 784 * 1024
	l := loop{kind: mulIncrScalar, dst: make([]float32, n), x: make([]float32, n), c: 0.5}
	b.Run("one", func(b *testing.B) {
		for b.Loop() {
			l.run(0, n)
		}
	})
	b.Run("split", func(b *testing.B) {
		s0 := products.loops.Load()
		for b.Loop() {
			l.do()
		}
		b.ReportMetric(float64(products.loops.Load()-s0)/float64(b.N), "split/op")
	})
}

// TestCloneCopiesInHalves clones tensors of Engine as gorgonia's
// AdamSolver does, long and short, and wants the same elements.
func TestCloneCopiesInHalves(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, shape := range [][]int{{300, 300}, {784, 1024}, {7, 9}, {splitMin + 1}} {
		a := randomTensor(r, Engine{}, shape...)
		c := a.Clone().(*tensor.Dense)
		if c.Engine() != (Engine{}) {
			t.Fatalf("%v: the clone's engine is %T", shape, c.Engine())
		}
		if err := sameBits(a, c); err != nil {
			t.Errorf("%v: clone: %v", shape, err)
		}
		if &c.Float32s()[0] == &a.Float32s()[0] {
			t.Errorf("%v: the clone shares the original's elements", shape)
		}
	}
}
