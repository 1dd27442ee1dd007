package infer

import (
	"math"
	"testing"
)

// slope returns cov(x, y)/var(y) of a w×h image's ink, the lean deslant
// removes.
func slope(v []float32, w, h int) float64 {
	var m, mx, my float64
	for i, p := range v {
		m += float64(p)
		mx += float64(p) * float64(i%w)
		my += float64(p) * float64(i/w)
	}
	mx, my = mx/m, my/m
	var cxy, cyy float64
	for i, p := range v {
		dx, dy := float64(i%w)-mx, float64(i/w)-my
		cxy += float64(p) * dx * dy
		cyy += float64(p) * dy * dy
	}
	return cxy / cyy
}

func TestDeslant(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lean  float64 // x moves by lean per row down
		moved bool    // whether deslant resamples it
	}{
		{"upright", 0, false},
		{"a hair off upright", 0.01, false},
		{"slanted right, as a hand writes", -0.4, true},
		{"slanted left", 0.25, true},
		{"steep", -0.6, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// a bar 3 pixels wide and 40 high on a centred foot, leaning by lean
			const h = 40
			w := 8 + int(math.Ceil(math.Abs(tc.lean)*h)) + 8
			v := make([]float32, w*h)
			for y := range h {
				x0 := 5 + int(math.Round(tc.lean*float64(y)))
				if tc.lean < 0 {
					x0 += int(math.Ceil(-tc.lean * h))
				}
				for x := x0; x < x0+3; x++ {
					v[y*w+x] = 1
				}
				if y == h-1 {
					for x := x0 - 3; x < x0+6; x++ {
						v[y*w+x] = 1
					}
				}
			}
			before := slope(v, w, h)
			out, ow := deslant(v, w, h)
			if len(out) != ow*h {
				t.Fatalf("deslant returned %d values for width %d and height %d", len(out), ow, h)
			}
			if !tc.moved {
				if &out[0] != &v[0] || ow != w {
					t.Errorf("deslant resampled a crop leaning by %.3f (slope %.3f)", tc.lean, before)
				}
				return
			}
			var inkIn, inkOut float64
			for _, p := range v {
				inkIn += float64(p)
			}
			for _, p := range out {
				inkOut += float64(p)
			}
			if after := slope(out, ow, h); math.Abs(after) > 0.02 {
				t.Errorf("slope %.3f after deslant (%.3f before), want within 0.02 of 0", after, before)
			}
			if math.Abs(inkOut-inkIn) > 1e-3*inkIn {
				t.Errorf("ink %.2f after deslant, %.2f before: shearing should keep it", inkOut, inkIn)
			}
			if ow >= w {
				t.Errorf("width %d after deslant, %d before: an upright bar is narrower", ow, w)
			}
			for x := range ow { // trimmed: first and last columns hold ink
				if x != 0 && x != ow-1 {
					continue
				}
				var s float32
				for y := range h {
					s += out[y*ow+x]
				}
				if s == 0 {
					t.Errorf("column %d of %d holds no ink: deslant should trim it", x, ow)
				}
			}
		})
	}
}
