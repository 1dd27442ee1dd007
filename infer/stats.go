package infer

import (
	"fmt"
	"io"
	"math"
)

// InkStats describes how a 28×28 input's digit is drawn: the measures by
// which photos prepared by ReadPhoto are compared with MNIST's own digits.
type InkStats struct {
	Mass        float64 // sum of the pixel values
	StrokeWidth float64 // mean stroke width in pixels: 2·area/perimeter of the ink above 0.5
	BoxW, BoxH  float64 // the box of pixels above 0.1
	CX, CY      float64 // centre of mass, pixel indices (the field's centre is 13.5)
	Solid       float64 // fraction of the ink (pixels above 0.1) at 0.9 or more
	Edge        float64 // fraction of the ink below 0.5: the soft rim of the strokes
	InkMean     float64 // mean value of the ink pixels
}

// Measure returns the ink statistics of a 28×28 input (784 values).
func Measure(x []float32) (InkStats, error) {
	if len(x) != Pixels {
		return InkStats{}, fmt.Errorf("image of %d values, want %d", len(x), Pixels)
	}
	var s InkStats
	x0, y0, x1, y1 := Side, Side, -1, -1
	var ink, solid, edge int
	var inkSum float64
	area, perim := 0, 0
	on := func(x1, y1 int) bool { return x1 >= 0 && y1 >= 0 && x1 < Side && y1 < Side && x[y1*Side+x1] > 0.5 }
	for i, v := range x {
		px, py := i%Side, i/Side
		s.Mass += float64(v)
		s.CX += float64(v) * float64(px)
		s.CY += float64(v) * float64(py)
		if v > 0.1 {
			ink++
			inkSum += float64(v)
			x0, y0, x1, y1 = min(x0, px), min(y0, py), max(x1, px), max(y1, py)
			if v >= 0.9 {
				solid++
			} else if v < 0.5 {
				edge++
			}
		}
		if on(px, py) {
			area++
			for _, n := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				if !on(px+n[0], py+n[1]) {
					perim++
				}
			}
		}
	}
	if s.Mass == 0 || ink == 0 {
		return InkStats{}, fmt.Errorf("image is black")
	}
	s.CX /= s.Mass
	s.CY /= s.Mass
	s.BoxW, s.BoxH = float64(x1-x0+1), float64(y1-y0+1)
	s.Solid, s.Edge, s.InkMean = float64(solid)/float64(ink), float64(edge)/float64(ink), inkSum/float64(ink)
	if perim > 0 {
		s.StrokeWidth = 2 * float64(area) / float64(perim)
	}
	return s, nil
}

// StatsSummary is the mean and standard deviation of each InkStats field
// over a set of inputs.
type StatsSummary struct {
	N         int
	Mean, Std InkStats
}

// Summarise measures n = len(images)/784 inputs; black ones are skipped.
func Summarise(images []float32) StatsSummary {
	var all []InkStats
	for i := 0; i+Pixels <= len(images); i += Pixels {
		if s, err := Measure(images[i : i+Pixels]); err == nil {
			all = append(all, s)
		}
	}
	var sum StatsSummary
	sum.N = len(all)
	if sum.N == 0 {
		return sum
	}
	for _, s := range all {
		for k, v := range s.fields() {
			*sum.Mean.fieldPtr(k) += v / float64(sum.N)
		}
	}
	for _, s := range all {
		for k, v := range s.fields() {
			d := v - sum.Mean.fields()[k]
			*sum.Std.fieldPtr(k) += d * d / float64(sum.N)
		}
	}
	for k := range statNames {
		p := sum.Std.fieldPtr(k)
		*p = math.Sqrt(*p)
	}
	return sum
}

// statNames are InkStats' fields in order, as the table prints them.
var statNames = []string{"ink mass", "stroke width", "box width", "box height", "centre x", "centre y",
	"solid ink ≥0.9", "soft rim <0.5", "mean ink level"}

func (s InkStats) fields() []float64 {
	return []float64{s.Mass, s.StrokeWidth, s.BoxW, s.BoxH, s.CX, s.CY, s.Solid, s.Edge, s.InkMean}
}

func (s *InkStats) fieldPtr(k int) *float64 {
	return [...]*float64{&s.Mass, &s.StrokeWidth, &s.BoxW, &s.BoxH, &s.CX, &s.CY, &s.Solid, &s.Edge, &s.InkMean}[k]
}

// WriteStatsTable writes a Markdown table comparing summaries, one column
// (mean ± standard deviation) each, headed by names.
func WriteStatsTable(w io.Writer, names []string, sums []StatsSummary) error {
	fmt.Fprint(w, "| measure |")
	for i, n := range names {
		fmt.Fprintf(w, " %s (%d) |", n, sums[i].N)
	}
	fmt.Fprint(w, "\n|---|")
	for range names {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprintln(w)
	for k, name := range statNames {
		fmt.Fprintf(w, "| %s |", name)
		for _, s := range sums {
			fmt.Fprintf(w, " %.2f ± %.2f |", s.Mean.fields()[k], s.Std.fields()[k])
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}
