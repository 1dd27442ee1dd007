package train

import (
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

// TestNumpyReproducesTestAccuracy trains networks of one to three hidden
// layers, every activation, and wants scripts/check_accuracy.py (numpy on
// the run directory's .npy files) to give the same test accuracy and loss
// to 1e-4.
func TestNumpyReproducesTestAccuracy(t *testing.T) {
	py := testenv.NeedPython(t, "numpy")
	d := testenv.MNIST(t)
	for _, cfg := range []Config{
		{Hidden: graph.Sizes{32}, Activation: "sigmoid", Optimizer: SGD, LR: 0.5, Batch: 100, Epochs: 1, Seed: 1, TrainLimit: 6000},
		{Hidden: graph.Sizes{20}, Activation: "relu", Optimizer: Adam, LR: 0.001, Batch: 200, Epochs: 1, Seed: 1, TrainLimit: 6000},
		// three hidden layers, with what else training can add
		{Hidden: graph.Sizes{48, 32, 16}, Activation: "tanh", Optimizer: RMSProp, LR: 0.001, Batch: 100, Epochs: 1, Seed: 2, TrainLimit: 6000,
			Dropout: 0.2, L2: 1e-4},
		{Hidden: graph.Sizes{40, 20}, Activation: "relu", Optimizer: Momentum, Momentum: 0.9, LR: 0.05, Batch: 100, Epochs: 1, Seed: 3, TrainLimit: 6000},
	} {
		t.Run(cfg.Name(), func(t *testing.T) {
			dir := t.TempDir()
			res, err := Run(context.Background(), cfg, d, Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(py, "../scripts/check_accuracy.py", dir, "--data", d.Dir, "--json").CombinedOutput()
			if err != nil {
				t.Fatalf("check_accuracy.py: %v\n%s", err, out)
			}
			var got struct {
				TestAcc  float64 `json:"test_acc"`
				TestLoss float64 `json:"test_loss"`
				N        int     `json:"n"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			f := res.Final()
			if got.N != 10000 || math.Abs(got.TestAcc-f.TestAcc) > 1e-4 || math.Abs(got.TestLoss-f.TestLoss) > 1e-4 {
				t.Fatalf("numpy: acc %v loss %v on %d images; Go: acc %v loss %v", got.TestAcc, got.TestLoss, got.N, f.TestAcc, f.TestLoss)
			}
			t.Logf("numpy acc %.6f loss %.6f, Go acc %.6f loss %.6f", got.TestAcc, got.TestLoss, f.TestAcc, f.TestLoss)
		})
	}
}
