package train

import (
	"fmt"
	"math"
	"strconv"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/graph"
)

// Optimizers.
const (
	SGD  = "sgd"  // gorgonia's VanillaSolver
	Adam = "adam" // gorgonia's AdamSolver, with Keras's defaults
)

// Config is one training run's settings. The JSON keys are the flag names of
// `perceptron train`.
type Config struct {
	Hidden     int     `json:"hidden"`
	Activation string  `json:"activation"`
	Optimizer  string  `json:"optimizer"`
	LR         float64 `json:"lr"`
	Batch      int     `json:"batch"`
	Epochs     int     `json:"epochs"`
	Seed       uint64  `json:"seed"`
	// TrainLimit and TestLimit use only the first so many images of each set
	// (0: all of them), for quick runs.
	TrainLimit int `json:"train_limit,omitempty"`
	TestLimit  int `json:"test_limit,omitempty"`
	// SaveBest keeps the weights of the epoch with the best test accuracy in
	// the run directory's best/ beside the last ones; EarlyStop stops the
	// run after that many epochs without a better test accuracy (0: never).
	SaveBest  bool `json:"save_best,omitempty"`
	EarlyStop int  `json:"early_stop,omitempty"`
	// Augment distorts each training image afresh every epoch within these
	// ranges (package augment; the zero Recipe: no augmentation, and no
	// "augment" key in JSON). Each image's distortion is drawn from Seed,
	// the epoch and the image's index.
	Augment augment.Recipe `json:"augment,omitzero"`
	// Preset names the preset the configuration started from ("" for none).
	Preset string `json:"preset,omitempty"`
}

// DefaultConfig is the study's starting point: 784 → 64 → 10, sigmoid, plain
// SGD with learning rate 0.5, batches of 100, 10 epochs, seed 1.
func DefaultConfig() Config {
	return Config{Hidden: 64, Activation: graph.Sigmoid, Optimizer: SGD, LR: 0.5, Batch: 100, Epochs: 10, Seed: 1}
}

// DefaultLR returns the learning rate an optimizer uses when none is given:
// 0.5 for SGD (the study's), 0.001 for Adam (Keras's).
func DefaultLR(optimizer string) float64 {
	if optimizer == Adam {
		return 0.001
	}
	return 0.5
}

// Validate reports the first setting that cannot be trained, naming its flag.
func (c Config) Validate() error {
	switch {
	case c.Hidden < 1 || c.Hidden > 1<<16:
		return fmt.Errorf("-hidden %d: want 1 to 65536 neurons", c.Hidden)
	case c.Activation != graph.Sigmoid && c.Activation != graph.ReLU:
		return fmt.Errorf("-activation %q: want %s or %s", c.Activation, graph.Sigmoid, graph.ReLU)
	case c.Optimizer != SGD && c.Optimizer != Adam:
		return fmt.Errorf("-optimizer %q: want %s or %s", c.Optimizer, SGD, Adam)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("-lr %v: want a positive learning rate", c.LR)
	case c.Batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", c.Batch)
	case c.Epochs < 1:
		return fmt.Errorf("-epochs %d: want at least 1", c.Epochs)
	case c.TrainLimit < 0:
		return fmt.Errorf("-train-limit %d: want 0 (all) or more", c.TrainLimit)
	case c.TestLimit < 0:
		return fmt.Errorf("-test-limit %d: want 0 (all) or more", c.TestLimit)
	case c.EarlyStop < 0:
		return fmt.Errorf("-early-stop %d: want 0 (never) or a number of epochs", c.EarlyStop)
	}
	if err := c.Augment.Validate(); err != nil {
		return fmt.Errorf("-augment: %w", err)
	}
	return nil
}

// Arch returns the network architecture the configuration trains.
func (c Config) Arch() graph.Arch { return graph.NewArch(c.Hidden, c.Activation) }

// Name is a short name for the configuration, used for run directories:
// for example "sigmoid-h64-sgd-lr0.5-b100-e10-s1".
// Settings beside the hyper-parameters are appended when set:
// "-n3000" (train limit), "-t1000" (test limit), "-es5" (early stop), "-best",
// "-aug" (augmentation; "-auge" with elastic distortion).
func (c Config) Name() string {
	name := fmt.Sprintf("%s-h%d-%s-lr%s-b%d-e%d-s%d", c.Activation, c.Hidden, c.Optimizer,
		strconv.FormatFloat(c.LR, 'g', -1, 64), c.Batch, c.Epochs, c.Seed)
	if c.TrainLimit > 0 {
		name += fmt.Sprintf("-n%d", c.TrainLimit)
	}
	if c.TestLimit > 0 {
		name += fmt.Sprintf("-t%d", c.TestLimit)
	}
	if c.EarlyStop > 0 {
		name += fmt.Sprintf("-es%d", c.EarlyStop)
	}
	if c.SaveBest {
		name += "-best"
	}
	if !c.Augment.IsZero() {
		name += "-aug"
		if c.Augment.Elastic > 0 {
			name += "e"
		}
	}
	return name
}
