package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// logProbs returns p's log-probabilities of images.
func logProbs(t *testing.T, p *Params, images []float32) []float32 {
	t.Helper()
	e := NewEvaluator(p, 0)
	defer e.Close()
	var out []float32
	if err := e.LogProbs(images, func(_ int, logp []float32) error {
		out = append(out, logp...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAverageIsTheMeanOfTheLogits checks the merged network against its
// members: its log-probabilities are those of the members' mean logits
// (the mean of their log-probabilities, renormalised), at one and two
// hidden layers.
func TestAverageIsTheMeanOfTheLogits(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	images := make([]float32, 50*784)
	for i := range images {
		images[i] = rng.Float32()
	}
	for _, tc := range []struct {
		hidden     []int
		activation string
		members    int
	}{
		{[]int{20}, ReLU, 3},
		{[]int{16, 8}, Sigmoid, 2},
		{[]int{5, 7, 3}, Tanh, 4},
	} {
		var members []*Params
		for k := range tc.members {
			p, err := NewParams(NewArch(tc.hidden, tc.activation), uint64(k+1))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range p.Layers { // biases too, so that they count
				for i := range l.Biases() {
					l.Biases()[i] = float32(rng.NormFloat64())
				}
			}
			members = append(members, p)
		}
		avg, err := Average(members)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range tc.hidden {
			if avg.Hidden[i] != h*tc.members {
				t.Fatalf("%v ×%d: merged hidden layers %v", tc.hidden, tc.members, avg.Hidden)
			}
		}
		got := logProbs(t, avg, images)
		mean := make([]float64, len(got))
		for _, m := range members {
			for i, v := range logProbs(t, m, images) {
				mean[i] += float64(v) / float64(tc.members)
			}
		}
		worst := 0.0
		for r := 0; r < len(mean); r += 10 {
			lse := 0.0
			for _, v := range mean[r : r+10] {
				lse += math.Exp(v)
			}
			lse = math.Log(lse)
			for c := range 10 {
				worst = max(worst, math.Abs(float64(got[r+c])-(mean[r+c]-lse)))
			}
		}
		if worst > 1e-4 {
			t.Errorf("%v %s ×%d: merged log-probabilities differ from the members' mean logits' by up to %g", tc.hidden, tc.activation, tc.members, worst)
		}
	}
}

func TestAverageRefuses(t *testing.T) {
	a, _ := NewParams(NewArch([]int{8}, ReLU), 1)
	b, _ := NewParams(NewArch([]int{9}, ReLU), 2)
	c, _ := NewParams(NewArch([]int{8}, Sigmoid), 3)
	big, _ := NewParams(NewArch([]int{MaxWidth/2 + 1}, ReLU), 4)
	for _, tc := range []struct {
		members []*Params
		want    string
	}{
		{nil, "average of no networks"},
		{[]*Params{a, b}, "average: network 2 is 784 → 9 → 10 relu, network 1 is 784 → 8 → 10 relu"},
		{[]*Params{a, c}, "average: network 2 is 784 → 8 → 10 sigmoid, network 1 is 784 → 8 → 10 relu"},
		{[]*Params{big, big}, "average of 2 networks 784 → 32769 → 10: hidden size 65538: want 1 to 65536 neurons"},
	} {
		_, err := Average(tc.members)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Average: error %v, want %q", err, tc.want)
		}
	}
}
