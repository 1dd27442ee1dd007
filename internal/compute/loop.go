package compute

import "github.com/perceptron-mnist/perceptron/internal/f32"

// loopKind is which element-wise loop of package f32 a loop runs.
type loopKind uint8

const (
	addVec            loopKind = iota // dst += y
	mulVec                            // dst *= y
	divVec                            // dst /= y (IEEE)
	divVecZeroInf                     // dst /= y, +Inf where y is 0
	addIncr                           // dst += x + y
	mulIncr                           // dst += x * y
	divIncr                           // dst += x / y
	addScalar                         // dst += c
	mulScalar                         // dst *= c
	divScalar                         // dst /= c
	divScalarLeft                     // dst = c / dst
	addIncrScalar                     // dst += x + c
	mulIncrScalar                     // dst += x * c
	divIncrScalar                     // dst += x / c
	divIncrScalarLeft                 // dst += c / x
	sqrtVec                           // dst = √dst
	copyOnly                          // only the copy: dst = x
)

// loop is one element-wise operation of the engine's short path on whole
// float32 slices: dst (first set to x if copy) combined with y, or x and
// y, or the scalar c, as kind says. Each element's result depends on
// that element alone, so a loop split into parts computes the same bits.
type loop struct {
	kind      loopKind
	copy      bool // dst = x first
	dst, x, y []float32
	c         float32
}

// splitMin is the number of elements from which a loop is split into two
// halves that the calling goroutine and the product worker compute at the
// same time (internal/worker; the worker declines when it is busy or
// paused, and the caller then does both). From 32,768 elements on, a
// 784×64 weight matrix (50,176) is split too: Adam's passes over it made
// 784-64-10 at batch 100 train about a tenth faster (docs/speed.md, change
// 23); at 8,192 (784×20, 15,680, split as well) it gained nothing.
const splitMin = 1 << 15

// do runs the loop, split between the caller and the worker when it is
// long enough.
func (l loop) do() {
	n := len(l.dst)
	if n < splitMin {
		l.run(0, n)
		return
	}
	h := new(loop)
	*h = l
	half := (n/2 + 15) &^ 15 // whole cache lines
	share := products.w.Offer(2, func(i int) {
		if i == 0 {
			h.run(0, half)
		} else {
			h.run(half, n)
		}
	})
	share.Finish()
	if share.Offered() {
		products.loops.Add(1)
	}
}

// run computes elements lo to hi.
func (l *loop) run(lo, hi int) {
	dst := l.dst[lo:hi]
	var x, y []float32
	if l.x != nil {
		x = l.x[lo:hi]
	}
	if l.y != nil {
		y = l.y[lo:hi]
	}
	if l.copy {
		copy(dst, x)
	}
	switch l.kind {
	case addVec:
		f32.AddVec(dst, y)
	case mulVec:
		f32.MulVec(dst, y)
	case divVec:
		f32.DivVec(dst, y)
	case divVecZeroInf:
		f32.DivVecZeroInf(dst, y)
	case addIncr:
		f32.AddIncr(dst, x, y)
	case mulIncr:
		f32.MulIncr(dst, x, y)
	case divIncr:
		f32.DivIncr(dst, x, y)
	case addScalar:
		f32.AddScalar(dst, l.c)
	case mulScalar:
		f32.MulScalar(dst, l.c)
	case divScalar:
		f32.DivScalar(dst, l.c)
	case divScalarLeft:
		f32.DivScalarLeft(l.c, dst)
	case addIncrScalar:
		f32.AddIncrScalar(dst, x, l.c)
	case mulIncrScalar:
		f32.MulIncrScalar(dst, x, l.c)
	case divIncrScalar:
		f32.DivIncrScalar(dst, x, l.c)
	case divIncrScalarLeft:
		f32.DivIncrScalarLeft(dst, l.c, x)
	case sqrtVec:
		f32.SqrtVec(dst)
	case copyOnly:
	}
}
