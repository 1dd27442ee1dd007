package handwriting

import (
	"math"
	"math/rand/v2"
)

// pt is a control point of a pen stroke in the digit's box: x to the right,
// y down, the digit's height from 0 to 1. A corner point is passed through
// with a sharp turn instead of a smooth curve.
type pt struct {
	x, y   float64
	corner bool
}

// stroke is one pen-down movement through control points.
type stroke []pt

func p(x, y float64) pt { return pt{x: x, y: y} }
func c(x, y float64) pt { return pt{x: x, y: y, corner: true} }

// arc returns points on an ellipse around (cx, cy) from angle a0 to a1
// (degrees, 0 to the right, 90 down), about every 30°.
func arc(cx, cy, rx, ry, a0, a1 float64) stroke {
	n := max(2, int(math.Ceil(math.Abs(a1-a0)/30)))
	s := make(stroke, 0, n+1)
	for i := 0; i <= n; i++ {
		a := (a0 + (a1-a0)*float64(i)/float64(n)) * math.Pi / 180
		s = append(s, p(cx+rx*math.Cos(a), cy+ry*math.Sin(a)))
	}
	return s
}

// u returns a uniform value in [lo, hi).
func u(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

// chance reports true with probability q.
func chance(rng *rand.Rand, q float64) bool { return rng.Float64() < q }

// Style names the variant of a digit's shape that a photo shows (for
// example "7 barred", "4 open", "1 flag"), for contact sheets and tests.
type Style string

// skeleton returns the strokes of digit d in one of the ways people write
// it, chosen by rng, and the name of that way.
func skeleton(d int, rng *rand.Rand) ([]stroke, Style) {
	switch d {
	case 0:
		a0 := u(rng, -130, -50)
		over := u(rng, -15, 35) // a gap (negative) or an overlap at the start
		rx, ry := u(rng, 0.26, 0.36), u(rng, 0.46, 0.5)
		s := arc(0.5, 0.5, rx, ry, a0, a0-360-over)
		if chance(rng, 0.3) { // narrower at the top, like an egg
			for i := range s {
				s[i].x = 0.5 + (s[i].x-0.5)*(0.8+0.35*s[i].y)
			}
			return []stroke{s}, "0 egg"
		}
		return []stroke{s}, "0 oval"
	case 1:
		top, bot := p(u(rng, 0.48, 0.56), 0), p(u(rng, 0.42, 0.5), 1)
		switch k := rng.IntN(10); {
		case k < 4:
			return []stroke{{top, p((top.x+bot.x)/2+u(rng, -0.02, 0.02), 0.5), bot}}, "1 plain"
		case k < 8:
			flag := p(u(rng, 0.2, 0.35), u(rng, 0.15, 0.35))
			top.corner = true
			return []stroke{{flag, top, bot}}, "1 flag"
		default:
			flag := p(u(rng, 0.2, 0.35), u(rng, 0.15, 0.3))
			top.corner = true
			w := u(rng, 0.18, 0.28)
			return []stroke{{flag, top, bot}, {p(bot.x-w, 1), p(bot.x+w, 1)}}, "1 flag and base"
		}
	case 2:
		head := stroke{p(0.15, u(rng, 0.2, 0.32)), p(0.35, 0.03), p(0.62, 0.01), p(0.82, 0.18), p(0.78, 0.4), p(0.5, 0.68)}
		if chance(rng, 0.35) {
			return []stroke{append(head, p(0.22, 0.93), p(0.14, 0.86), p(0.26, 0.8), p(0.45, 0.95), p(0.7, 1), p(0.9, u(rng, 0.94, 1)))}, "2 loop"
		}
		return []stroke{append(head, c(u(rng, 0.08, 0.16), 0.98), p(0.5, 1), p(u(rng, 0.82, 0.95), u(rng, 0.95, 1)))}, "2 plain"
	case 3:
		mid := p(u(rng, 0.38, 0.5), u(rng, 0.44, 0.52))
		if chance(rng, 0.15) { // flat top, like a z
			return []stroke{{p(0.18, 0.02), c(0.82, 0.02), c(mid.x, mid.y), p(0.8, 0.62), p(0.82, 0.85), p(0.5, 1), p(0.15, 0.88)}}, "3 flat top"
		}
		style := Style("3 round")
		if chance(rng, 0.4) {
			mid.corner = true
			style = "3 pointed"
		}
		return []stroke{{p(0.15, 0.15), p(0.45, 0), p(0.78, 0.12), p(0.74, 0.35), mid, p(0.8, 0.62), p(0.82, 0.85), p(0.5, 1), p(0.15, 0.88)}}, style
	case 4:
		bar := u(rng, 0.58, 0.72)
		stem := u(rng, 0.6, 0.72)
		if chance(rng, 0.5) { // open top: an L, then the stem
			return []stroke{{p(u(rng, 0.15, 0.3), 0), c(u(rng, 0.08, 0.16), bar), p(0.92, bar-0.02)}, {p(stem, u(rng, 0.05, 0.3)), p(stem-0.02, 1)}}, "4 open"
		}
		return []stroke{{p(stem, 0), c(0.06, bar), p(0.92, bar-0.02)}, {p(stem, u(rng, 0, 0.15)), p(stem-0.02, 1)}}, "4 closed"
	case 5:
		bellyTop := u(rng, 0.38, 0.48)
		belly := stroke{p(u(rng, 0.24, 0.3), 0.05), c(u(rng, 0.18, 0.26), bellyTop), p(0.5, bellyTop-0.06), p(0.8, bellyTop+0.08), p(0.84, 0.78), p(0.52, 1), p(0.14, 0.88)}
		if chance(rng, 0.5) { // the bar drawn last, as a second stroke
			return []stroke{belly, {p(belly[0].x, 0.04), p(u(rng, 0.75, 0.9), u(rng, -0.02, 0.06))}}, "5 bar last"
		}
		belly[0].corner = true
		return []stroke{append(stroke{p(u(rng, 0.75, 0.9), u(rng, -0.02, 0.04))}, belly...)}, "5 one stroke"
	case 6:
		loop := u(rng, 0.42, 0.6) // the loop's top
		return []stroke{{p(0.75, 0.02), p(0.45, 0.15), p(0.22, 0.5), p(0.24, 0.85), p(0.5, 1), p(0.78, 0.86), p(0.76, loop+0.12), p(0.5, loop), p(0.24, loop+0.18)}}, "6"
	case 7:
		corner := c(u(rng, 0.85, 0.95), u(rng, 0, 0.05))
		foot := p(u(rng, 0.3, 0.5), 1)
		var top stroke
		style := "7"
		if chance(rng, 0.25) {
			top = stroke{p(0.08, u(rng, 0.12, 0.2)), c(0.1, 0.03)}
			style += " hooked"
		} else {
			top = stroke{p(u(rng, 0.05, 0.15), u(rng, 0, 0.08))}
		}
		mid := p(corner.x+(foot.x-corner.x)*0.5+u(rng, -0.06, 0.04), 0.5)
		s := []stroke{append(top, corner, mid, foot)}
		if chance(rng, 0.4) {
			y := u(rng, 0.48, 0.56)
			x := mid.x
			s = append(s, stroke{p(x-u(rng, 0.2, 0.3), y+0.02), p(x+u(rng, 0.2, 0.3), y-0.02)})
			style += " barred"
		}
		return s, Style(style)
	case 8:
		if chance(rng, 0.3) { // two loops drawn apart
			r := u(rng, 0.2, 0.25)
			return []stroke{arc(0.5, r, r*1.1, r, -90, 270), arc(0.5, 2*r+(1-2*r)/2, 0.32, (1-2*r)/2, -90, 270)}, "8 two loops"
		}
		return []stroke{{p(0.72, 0.12), p(0.5, 0), p(0.26, 0.12), p(0.3, 0.34), p(0.5, 0.47), p(0.78, 0.65), p(0.76, 0.9), p(0.5, 1), p(0.22, 0.9), p(0.22, 0.66), p(0.5, 0.47), p(0.72, 0.3), p(0.72, 0.14), p(0.6, 0.03)}}, "8 one stroke"
	default: // 9
		loopBot := u(rng, 0.4, 0.52)
		loop := stroke{p(0.78, 0.18), p(0.5, 0), p(0.22, 0.15), p(0.24, loopBot-0.08), p(0.5, loopBot), p(0.78, loopBot-0.15), c(0.8, 0.08)}
		if chance(rng, 0.5) {
			return []stroke{append(loop, p(0.78, 0.55), p(u(rng, 0.6, 0.76), 1))}, "9 straight tail"
		}
		return []stroke{append(loop, p(0.8, 0.55), p(0.7, 0.9), p(0.45, 1), p(0.25, 0.9))}, "9 curved tail"
	}
}

// catmullRom samples a stroke's control points as a smooth curve (uniform
// Catmull-Rom), turning sharply at corner points, every step (in digit
// heights) at most.
func catmullRom(s stroke, step float64) [][2]float64 {
	if len(s) == 1 {
		return [][2]float64{{s[0].x, s[0].y}}
	}
	var out [][2]float64
	for i := 0; i+1 < len(s); i++ {
		p0, p1, p2, p3 := s[max(0, i-1)], s[i], s[i+1], s[min(len(s)-1, i+2)]
		if p1.corner {
			p0 = p1
		}
		if p2.corner {
			p3 = p2
		}
		n := max(1, int(math.Ceil(math.Hypot(p2.x-p1.x, p2.y-p1.y)/step)))
		for k := 0; k < n; k++ {
			t := float64(k) / float64(n)
			t2, t3 := t*t, t*t*t
			f := func(a, b, c, d float64) float64 {
				return 0.5 * (2*b + (-a+c)*t + (2*a-5*b+4*c-d)*t2 + (-a+3*b-3*c+d)*t3)
			}
			out = append(out, [2]float64{f(p0.x, p1.x, p2.x, p3.x), f(p0.y, p1.y, p2.y, p3.y)})
		}
	}
	last := s[len(s)-1]
	return append(out, [2]float64{last.x, last.y})
}
