package augment

import (
	"math"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

// dot returns an image with pixel (x, y) set to 1.
func dot(x, y int) []float32 {
	img := make([]float32, Pixels)
	img[y*Side+x] = 1
	return img
}

// bar returns an image with a vertical stroke two pixels wide and 14 tall,
// in grey levels like MNIST's (soft edges).
func bar() []float32 {
	img := make([]float32, Pixels)
	for y := 7; y < 21; y++ {
		img[y*Side+12] = 0.4
		img[y*Side+13] = 1
		img[y*Side+14] = 1
		img[y*Side+15] = 0.4
	}
	return img
}

func mass(img []float32) float64 {
	s := 0.0
	for _, v := range img {
		s += float64(v)
	}
	return s
}

func TestZeroRecipeIsIdentity(t *testing.T) {
	src := bar()
	src[3] = 0.25 // a pixel on the border too
	var z Distorter
	for i := range 20 {
		p := Rand(7, 1, i)
		d := Recipe{}.Draw(&p)
		if !d.IsZero() {
			t.Fatalf("zero recipe drew %+v", d)
		}
		dst := make([]float32, Pixels)
		z.Apply(dst, src, &d)
		for j := range src {
			if math.Float32bits(dst[j]) != math.Float32bits(src[j]) {
				t.Fatalf("pixel %d: %v, want %v", j, dst[j], src[j])
			}
		}
	}
	// so does the warp itself with an all-zero map (no shortcut)
	dst := make([]float32, Pixels)
	var in padded
	in.load(src)
	warp(dst, &in, &Distortion{}, whole)
	for j := range src {
		if dst[j] != src[j] {
			t.Fatalf("identity warp: pixel %d: %v, want %v", j, dst[j], src[j])
		}
	}
}

func TestKnownMoves(t *testing.T) {
	var left2 Distortion
	for i := range left2.Elastic[0] {
		left2.Elastic[0][i] = -2 // every pixel reads 2 to its left
	}
	for _, c := range []struct {
		name         string
		d            Distortion
		fromX, fromY int
		toX, toY     int
	}{
		{"shift right 3", Distortion{ShiftX: 3}, 10, 10, 13, 10},
		{"shift up 2", Distortion{ShiftY: -2}, 10, 10, 10, 8},
		// (20, 13) is 6.5 right of and 0.5 above the centre (13.5, 13.5):
		// a quarter turn counter-clockwise puts it 6.5 above and 0.5 left
		{"rotate 90", Distortion{Rotate: 90}, 20, 13, 13, 7},
		{"rotate -90", Distortion{Rotate: -90}, 20, 13, 14, 20},
		// ×3 about the centre: (2.5, -0.5) from it becomes (7.5, -1.5)
		{"scale ×3", Distortion{Scale: 2}, 16, 13, 21, 12},
		// width ×3, height ÷3: (0.5, 1.5) becomes (1.5, 0.5)
		{"aspect", Distortion{Aspect: 2}, 14, 15, 15, 14},
		// slant 2: 1.5 rows above the centre moves 3 right, below 3 left
		{"shear above", Distortion{Shear: 2}, 10, 12, 13, 12},
		{"shear below", Distortion{Shear: 2}, 10, 15, 7, 15},
		{"elastic, uniform field", left2, 10, 10, 12, 10},
		{"shift and rotate 180", Distortion{Rotate: 180, ShiftX: 1}, 10, 10, 18, 17},
	} {
		t.Run(c.name, func(t *testing.T) {
			var z Distorter
			dst := make([]float32, Pixels)
			z.Apply(dst, dot(c.fromX, c.fromY), &c.d)
			if v := dst[c.toY*Side+c.toX]; math.Abs(float64(v)-1) > 1e-5 {
				t.Errorf("pixel (%d, %d) = %v, want 1 (the dot from (%d, %d))", c.toX, c.toY, v, c.fromX, c.fromY)
			}
			if m := mass(dst); c.d.Scale == 0 && c.d.Aspect == 0 && math.Abs(m-1) > 1e-5 {
				t.Errorf("ink mass %v, want 1 (the dot alone)", m)
			}
		})
	}
}

func TestThicknessKeepsInkWithinBounds(t *testing.T) {
	src := bar()
	m0 := mass(src)
	full := func(t float64) float64 {
		dst := make([]float32, Pixels)
		Thickness(dst, src, t)
		return mass(dst)
	}
	dil, ero := full(1), full(-1)
	// a cross dilation widens the 2+2 soft columns by one on each side and
	// lengthens the stroke by one at each end; erosion narrows it
	if !(dil > 1.4*m0 && ero < 0.7*m0 && ero > 0) {
		t.Fatalf("ink: %v, dilated %v, eroded %v", m0, dil, ero)
	}
	prev := ero
	for _, tt := range []float64{-0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1} {
		m := full(tt)
		if m < prev-1e-9 || m < ero-1e-9 || m > dil+1e-9 {
			t.Errorf("thickness %v: ink %v, want between %v (previous) and %v (dilated)", tt, m, prev, dil)
		}
		// linear in the fraction between the image and its dilation or erosion
		want := m0 + tt*(dil-m0)
		if tt < 0 {
			want = m0 - tt*(ero-m0)
		}
		if math.Abs(m-want) > 1e-4 {
			t.Errorf("thickness %v: ink %v, want %v", tt, m, want)
		}
		prev = m
	}
	// drawn thicknesses stay in the recipe's range, and pixels in [0, 1]
	r := Recipe{Thicken: 0.8, Thin: 0.4}
	var z Distorter
	dst := make([]float32, Pixels)
	for i := range 200 {
		p := Rand(1, 1, i)
		d := r.Draw(&p)
		if d.Thickness < -0.4 || d.Thickness >= 0.8 {
			t.Fatalf("drew thickness %v outside [-0.4, 0.8)", d.Thickness)
		}
		z.Apply(dst, src, &d)
		if m := mass(dst); m < m0+0.4*(ero-m0)-1e-4 || m > m0+0.8*(dil-m0)+1e-4 {
			t.Fatalf("thickness %v: ink %v outside the recipe's bounds", d.Thickness, m)
		}
	}
}

func TestPixelsStayInRange(t *testing.T) {
	r := Default()
	r.Elastic = DefaultElastic
	var z Distorter
	src := bar()
	dst := make([]float32, Pixels)
	for i := range 500 {
		p := Rand(3, 2, i)
		d := r.Draw(&p)
		z.Apply(dst, src, &d)
		for j, v := range dst {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("draw %d: pixel %d is %v", i, j, v)
			}
		}
		if m := mass(dst); m < 0.3*mass(src) {
			t.Fatalf("draw %d (%+v): ink %v of %v: the stroke left the image", i, d, m, mass(src))
		}
	}
}

func TestSameSeedSameBits(t *testing.T) {
	r := Default()
	r.Elastic = DefaultElastic
	src := bar()
	run := func(seed uint64, epoch, index int) []float32 {
		var z Distorter
		p := Rand(seed, epoch, index)
		d := r.Draw(&p)
		dst := make([]float32, Pixels)
		z.Apply(dst, src, &d)
		return dst
	}
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	}
	a := run(5, 3, 1234)
	if !same(a, run(5, 3, 1234)) {
		t.Fatal("the same seed, epoch and index gave different images")
	}
	for _, other := range [][]float32{run(6, 3, 1234), run(5, 4, 1234), run(5, 3, 1235)} {
		if same(a, other) {
			t.Fatal("another seed, epoch or index gave the same image")
		}
	}
}

func TestValidate(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		r    Recipe
		want string
	}{
		{Recipe{Rotate: -1}, "augmentation rotate_degrees -1: want 0 to 180"},
		{Recipe{Scale: math.NaN()}, "augmentation scale NaN: want 0 to 0.9"},
		{Recipe{Thicken: 2}, "augmentation thicken 2: want 0 to 1"},
		{Recipe{Elastic: math.Inf(1)}, "augmentation elastic_pixels +Inf: want 0 to 28"},
	} {
		err := c.r.Validate()
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v: error %v, want %q", c.r, err, c.want)
		}
	}
}

func BenchmarkApply(b *testing.B) {
	for _, elastic := range []float64{0, DefaultElastic} {
		r := Default()
		r.Elastic = elastic
		name := "affine+thickness"
		if elastic > 0 {
			name += "+elastic"
		}
		b.Run(name, func(b *testing.B) {
			var z Distorter
			src, dst := bar(), make([]float32, Pixels)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				p := Rand(1, 1, i)
				d := r.Draw(&p)
				z.Apply(dst, src, &d)
			}
		})
	}
}

// BenchmarkApplyMNIST distorts MNIST's first 1000 training digits in turn,
// as -augment does.
func BenchmarkApplyMNIST(b *testing.B) {
	d := testenv.MNIST(b)
	r := Default()
	var z Distorter
	dst := make([]float32, Pixels)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := Rand(1, 1, i)
		dd := r.Draw(&p)
		z.Apply(dst, d.Train.Image(i%1000), &dd)
	}
}
