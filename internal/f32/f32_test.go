package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// values returns n float32s: mostly ordinary numbers of both signs and
// several magnitudes, with zeros of both signs, infinities, NaN,
// subnormals and the extremes mixed in.
func values(r *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32, 1, -1}
	s := make([]float32, n)
	for i := range s {
		if r.IntN(8) == 0 {
			s[i] = special[r.IntN(len(special))]
		} else {
			s[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4)))
		}
	}
	return s
}

func bitsEqual(a, b []float32) error {
	if len(a) != len(b) {
		return fmt.Errorf("len %d != %d", len(a), len(b))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return fmt.Errorf("element %d of %d: %g (%#08x) != %g (%#08x)", i, len(a), a[i], math.Float32bits(a[i]), b[i], math.Float32bits(b[i]))
		}
	}
	return nil
}

// TestKernelsMatchReference checks every fast loop against its Go
// reference bit for bit, for every length up to 40 (all tails) and for the
// size of a 784×20 weight matrix, on slices that start at odd offsets.
func TestKernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := values(r, 1)[0]
	tests := []struct {
		name      string
		fast, ref func(a, b []float32)
	}{
		{"AddVec", AddVec, AddVecGo},
		{"MulVec", MulVec, MulVecGo},
		{"DivVec", DivVec, DivVecGo},
		{"DivVecZeroInf", DivVecZeroInf, DivVecZeroInfGo},
		{"AddScalar", func(a, _ []float32) { AddScalar(a, s) }, func(a, _ []float32) { AddScalarGo(a, s) }},
		{"MulScalar", func(a, _ []float32) { MulScalar(a, s) }, func(a, _ []float32) { MulScalarGo(a, s) }},
		{"SqrtVec", func(a, _ []float32) { SqrtVec(a) }, func(a, _ []float32) { SqrtVecGo(a) }},
		{"ExpVec", ExpVec, ExpVecGo},
		{"GteScalar", func(a, b []float32) { GteScalar(a, b, s, true) }, func(a, b []float32) { GteScalarGo(a, b, s, true) }},
		{"GteScalar right", func(a, b []float32) { GteScalar(a, b, s, false) }, func(a, b []float32) { GteScalarGo(a, b, s, false) }},
		{"GteScalar 0", func(a, b []float32) { GteScalar(a, b, 0, true) }, func(a, b []float32) { GteScalarGo(a, b, 0, true) }},
		{"GteScalar in place", func(a, _ []float32) { GteScalar(a, a, 0, true) }, func(a, _ []float32) { GteScalarGo(a, a, 0, true) }},
		{"MulIncrScalar", func(a, b []float32) { MulIncrScalar(a, b, s) }, func(a, b []float32) { MulIncrScalarGo(a, b, s) }},
	}
	lengths := []int{15680}
	for n := 0; n <= 40; n++ {
		lengths = append(lengths, n)
	}
	for _, tt := range tests {
		for _, n := range lengths {
			for _, off := range []int{0, 1, 3} {
				a := values(r, n+off)[off:]
				b := values(r, n+off+2)[off:]
				want := append([]float32(nil), a...)
				b0 := append([]float32(nil), b...)
				tt.ref(want, b)
				tt.fast(a, b)
				if err := bitsEqual(a, want); err != nil {
					t.Fatalf("%s, n=%d, offset %d: %v", tt.name, n, off, err)
				}
				if err := bitsEqual(b, b0); err != nil {
					t.Fatalf("%s, n=%d: changed its second operand: %v", tt.name, n, err)
				}
			}
		}
		// The loop must stop at len(a): the element after it stays.
		a := values(r, 20)
		b := values(r, 20)
		guard := a[19]
		tt.fast(a[:19], b)
		if math.Float32bits(a[19]) != math.Float32bits(guard) {
			t.Errorf("%s wrote past the end of its slice", tt.name)
		}
	}
}

func TestGteScalar(t *testing.T) {
	nan := float32(math.NaN())
	a := []float32{-1, 0, 0.5, 2, nan, float32(math.Inf(1))}
	for _, tt := range []struct {
		left bool
		want []float32
	}{
		{true, []float32{0, 0, 1, 1, 0, 1}},  // a[i] >= 0.5
		{false, []float32{1, 1, 1, 0, 0, 0}}, // 0.5 >= a[i]
	} {
		dst := make([]float32, len(a))
		GteScalar(dst, a, 0.5, tt.left)
		if err := bitsEqual(dst, tt.want); err != nil {
			t.Errorf("leftTensor %v: %v", tt.left, err)
		}
	}
}

func BenchmarkMulScalar(b *testing.B) {
	a := values(rand.New(rand.NewPCG(1, 2)), 15680)
	b.SetBytes(int64(4 * len(a)))
	for b.Loop() {
		MulScalar(a, 1)
	}
}

func BenchmarkMulScalarGo(b *testing.B) {
	a := values(rand.New(rand.NewPCG(1, 2)), 15680)
	b.SetBytes(int64(4 * len(a)))
	for b.Loop() {
		MulScalarGo(a, 1)
	}
}

// TestExpVecEveryKindOfFloat compares ExpVec with math32.Exp on every 61st
// float32 bit pattern (70 million inputs of every sign, exponent and kind),
// shuffled into groups of four so that special inputs share groups with
// ordinary ones.
func TestExpVecEveryKindOfFloat(t *testing.T) {
	const step = 61
	x := make([]float32, 0, 1<<20)
	got := make([]float32, 1<<20)
	want := make([]float32, 1<<20)
	r := rand.New(rand.NewPCG(7, 8))
	check := func() {
		r.Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
		ExpVec(got[:len(x)], x)
		ExpVecGo(want[:len(x)], x)
		if err := bitsEqual(got[:len(x)], want[:len(x)]); err != nil {
			i := 0
			for math.Float32bits(got[i]) == math.Float32bits(want[i]) {
				i++
			}
			t.Fatalf("exp(%g): %v", x[i], err)
		}
		x = x[:0]
	}
	for b := uint64(0); b < 1<<32; b += step {
		x = append(x, math.Float32frombits(uint32(b)))
		if len(x) == cap(x) {
			check()
		}
	}
	check()
}
