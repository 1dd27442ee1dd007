package infer

import "fmt"

// Thresholds of shapeWarnings.
const (
	// similarMarks: a mark of at least this fraction of the biggest one's
	// ink, beside it rather than above or below, counts as another digit.
	similarMarks = 0.4
	// wideInk: ink this many times as wide as tall is rarely one digit
	// (MNIST's widest are about 1.3).
	wideInk = 1.6
)

// shapeWarnings looks at the ink of a w×h image (the marks of pixels darker
// than strong) and at what mnistStyle kept of it (keep, within the box
// x0..x1, y0..y1) for signs that the image is not one digit: several
// separate marks of similar size side by side (kept or dropped as far from
// the digit, but not marks at the border), strokes touching the image's
// border, a very wide patch of kept ink.
func shapeWarnings(ink []float32, keep []bool, w, h int, strong float32, x0, y0, x1, y1 int) []string {
	var warnings []string
	// the kept marks: connected strong pixels
	type mark struct {
		area, x0, x1 int
		kept, border bool
	}
	var marks []mark
	seen := make([]bool, len(ink))
	var stack []int
	for start := range ink {
		if seen[start] || ink[start] <= strong {
			continue
		}
		m := mark{x0: w, x1: -1, kept: keep[start]}
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			m.area++
			m.x0, m.x1 = min(m.x0, x), max(m.x1, x)
			m.border = m.border || x == 0 || y == 0 || x == w-1 || y == h-1
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					if j := ny*w + nx; !seen[j] && ink[j] > strong {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		marks = append(marks, m)
	}
	biggest, touches := -1, false
	for i, m := range marks {
		if m.kept && (biggest < 0 || m.area > marks[biggest].area) {
			biggest = i
		}
		touches = touches || m.kept && m.border
	}
	similar := 0
	if biggest >= 0 {
		b := marks[biggest]
		for _, m := range marks {
			if m.border && !m.kept {
				continue // paper edges, shadows: dropped, and no digit
			}
			// beside the biggest: their columns overlap by less than a third
			// of the narrower one
			overlap := min(m.x1, b.x1) - max(m.x0, b.x0) + 1
			beside := overlap*3 < min(m.x1-m.x0+1, b.x1-b.x0+1)
			if float64(m.area) >= similarMarks*float64(b.area) && (beside || m == b) {
				similar++
			}
		}
	}
	if similar > 1 {
		warnings = append(warnings, fmt.Sprintf("%d separate marks of similar size side by side: the image may hold more than one digit", similar))
	}
	if touches {
		warnings = append(warnings, "the ink touches the image's border: the digit may be cut off, or the image is not of one digit")
	}
	if cw, ch := x1-x0+1, y1-y0+1; float64(cw) > wideInk*float64(ch) {
		warnings = append(warnings, fmt.Sprintf("the ink is %.1f times as wide as it is tall: one digit rarely is", float64(cw)/float64(ch)))
	}
	return warnings
}
