package sweep

import (
	"slices"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
)

// A comma separates networks, a + the layers of one: -hidden 64,512+512 is
// two networks.
func TestParseSizes(t *testing.T) {
	got, err := ParseSizes("hidden", "64,512+512")
	if err != nil || len(got) != 2 || !slices.Equal(got[0], graph.Sizes{64}) || !slices.Equal(got[1], graph.Sizes{512, 512}) {
		t.Fatalf("ParseSizes: %v, %v", got, err)
	}
	g := Grid{Hidden: got, Activation: []string{"relu"}, Optimizer: []string{"sgd"}, Batch: []int{100}, Epochs: []int{1}, Seed: []uint64{1}}
	cfgs := g.Configs()
	if len(cfgs) != 2 || cfgs[1].Name() != "relu-h512+512-sgd-lr0.5-b100-e1-s1" {
		t.Fatalf("configs %v", cfgs)
	}
	for in, want := range map[string]string{
		"64,512+":  `-hidden "64,512+": layer 2 has no size; write sizes joined by +, such as 512+256`,
		"0+10":     `-hidden "0+10": layer 1 has 0 neurons, want 1 to 65536`,
		"64,,32":   `-hidden "64,,32": no size; want sizes such as 64 or 512+256`,
		"64,big+1": `-hidden "64,big+1": layer 1: "big" is not a whole number of neurons`,
	} {
		if _, err := ParseSizes("hidden", in); err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}
