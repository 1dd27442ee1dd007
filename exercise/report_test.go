package exercise

import (
	"testing"

	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

// TestTotalsCountSharedRunsOnce: a run that two parts share counts once,
// and as trained when one part trained it, whichever part the map yields
// first (the report said "reused" or not depending on map order).
func TestTotalsCountSharedRunsOnce(t *testing.T) {
	run := func(dir string, reused bool, seconds float64) sweep.Run {
		return sweep.Run{Dir: dir, Reused: reused, Summary: train.Summary{TrainSeconds: seconds}}
	}
	parts := map[string][]sweep.Group{
		"1_learning_rate":  sweep.Single([]sweep.Run{run("runs/a", false, 2), run("runs/c", false, 1)}),
		"3_keras_network":  sweep.Single([]sweep.Run{run("runs/a", true, 2)}),
		"2_hidden_neurons": {sweep.NewGroup([]sweep.Run{run("runs/b", true, 3), run("runs/d", false, 4)})},
	}
	for range 20 { // map order varies from one call to the next
		runs, reused, seconds := totals(parts)
		if runs != 4 || reused != 1 || seconds != 10 {
			t.Fatalf("totals: %d runs, %d reused, %v s; want 4 (every seed), 1 (runs/b), 10", runs, reused, seconds)
		}
	}
}
