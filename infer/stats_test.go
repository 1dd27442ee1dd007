package infer

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestMeasure(t *testing.T) {
	bar := make([]float32, Pixels) // a bar 2 wide, 20 high: columns 13-14, rows 4-23
	for y := 4; y < 24; y++ {
		bar[y*Side+13], bar[y*Side+14] = 1, 1
		bar[y*Side+12], bar[y*Side+15] = 0.3, 0.3 // soft rim
	}
	s, err := Measure(bar)
	if err != nil {
		t.Fatal(err)
	}
	want := InkStats{Mass: 20 * 2.6, StrokeWidth: 2 * 40.0 / 44, BoxW: 4, BoxH: 20, CX: 13.5, CY: 13.5,
		Solid: 0.5, Edge: 0.5, InkMean: 0.65}
	got, exp := s.fields(), want.fields()
	for k := range got {
		if math.Abs(got[k]-exp[k]) > 1e-5 {
			t.Errorf("%s: %v, want %v", statNames[k], got[k], exp[k])
		}
	}
	if _, err := Measure(make([]float32, Pixels)); err == nil || err.Error() != "image is black" {
		t.Errorf("black image: %v", err)
	}
	if _, err := Measure(bar[:10]); err == nil || !strings.Contains(err.Error(), "image of 10 values, want 784") {
		t.Errorf("short image: %v", err)
	}
	sum := Summarise(append(append([]float32{}, bar...), make([]float32, Pixels)...))
	if sum.N != 1 || sum.Mean != s || sum.Std != (InkStats{}) {
		t.Errorf("summary of one bar and a black image: %+v", sum)
	}
	var b bytes.Buffer
	if err := WriteStatsTable(&b, []string{"bars"}, []StatsSummary{sum}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| box height | 20.00 ± 0.00 |") || !strings.HasPrefix(b.String(), "| measure | bars (1) |") {
		t.Errorf("table:\n%s", b.String())
	}
}
