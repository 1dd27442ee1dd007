package train

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/graph"
)

// Optimizers.
const (
	SGD      = "sgd"      // gorgonia's VanillaSolver
	Adam     = "adam"     // gorgonia's AdamSolver, with Keras's defaults
	Momentum = "momentum" // gorgonia's Momentum (SGD with momentum, Config.Momentum)
	RMSProp  = "rmsprop"  // gorgonia's RMSPropSolver, with Keras's defaults
)

// Optimizers lists the optimizers, in the order help texts name them.
var Optimizers = []string{SGD, Adam, Momentum, RMSProp}

// DefaultMomentum is -momentum's default, Keras's usual choice.
const DefaultMomentum = 0.9

// Config is one training run's settings. The JSON keys are the flag names of
// `perceptron train`.
type Config struct {
	// Hidden are the hidden layers' widths: one number in JSON for one
	// layer, as before several layers existed, a list for several.
	Hidden     graph.Sizes `json:"hidden"`
	Activation string      `json:"activation"`
	Optimizer  string      `json:"optimizer"`
	LR         float64     `json:"lr"`
	Batch      int         `json:"batch"`
	Epochs     int         `json:"epochs"`
	Seed       uint64      `json:"seed"`
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
	// Dropout drops each hidden layer's outputs at this rate during
	// training (inverted dropout, masks drawn from Seed); L2 adds
	// L2·Σw² over the weight matrices to the training loss; Momentum is the
	// momentum of the momentum optimizer (0 for the others). Zero values
	// are left out of JSON, so files of runs without them read as before.
	Dropout  float64 `json:"dropout,omitempty"`
	L2       float64 `json:"l2,omitempty"`
	Momentum float64 `json:"momentum,omitempty"`
	// Ensemble, above 1, trains that many networks of this configuration,
	// member k (from 0) with seed Seed+k, in step, and merges them into one
	// network that averages their logits (graph.Average). 0 or 1: one
	// network, and no "ensemble" key in JSON for 0.
	Ensemble int `json:"ensemble,omitempty"`
}

// MaxEnsemble is the most networks one ensemble trains.
const MaxEnsemble = 16

// Member returns the configuration of member k (from 0) of c's ensemble: c
// with seed c.Seed+k, as one network. Member 0 is the run c would be
// without -ensemble.
func (c Config) Member(k int) Config {
	m := c
	m.Ensemble = 0
	m.Seed = c.Seed + uint64(k)
	return m
}

// DefaultConfig is the study's starting point: 784 → 64 → 10, sigmoid, plain
// SGD with learning rate 0.5, batches of 100, 10 epochs, seed 1.
func DefaultConfig() Config {
	return Config{Hidden: graph.Sizes{64}, Activation: graph.Sigmoid, Optimizer: SGD, LR: 0.5, Batch: 100, Epochs: 10, Seed: 1}
}

// DefaultLR returns the learning rate an optimizer uses when none is given:
// 0.5 for SGD (the study's), 0.05 for momentum (with momentum 0.9 the same
// step size as the study's SGD in the long run, 0.05/(1-0.9)), 0.001 for
// Adam and RMSprop (Keras's).
func DefaultLR(optimizer string) float64 {
	switch optimizer {
	case Adam, RMSProp:
		return 0.001
	case Momentum:
		return 0.05
	}
	return 0.5
}

// Validate reports the first setting that cannot be trained, naming its flag.
func (c Config) Validate() error {
	switch {
	case len(c.Hidden) == 0:
		return fmt.Errorf("-hidden: no hidden layer; want sizes such as 64 or 512+256")
	case graph.CheckActivation(c.Activation) != nil:
		return fmt.Errorf("-activation %q: want %s", c.Activation, graph.ActivationList())
	case !slices.Contains(Optimizers, c.Optimizer):
		return fmt.Errorf("-optimizer %q: want %s", c.Optimizer, optimizerList())
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
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return fmt.Errorf("-dropout %v: want a rate from 0 up to, not including, 1", c.Dropout)
	case !(c.L2 >= 0) || math.IsInf(c.L2, 0):
		return fmt.Errorf("-l2 %v: want 0 (none) or a positive factor", c.L2)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("-momentum %v: want 0 ≤ momentum < 1", c.Momentum)
	case c.Momentum != 0 && c.Optimizer != Momentum:
		return fmt.Errorf("-momentum %v: only -optimizer momentum uses it, not %s", c.Momentum, c.Optimizer)
	case c.Ensemble < 0 || c.Ensemble > MaxEnsemble:
		return fmt.Errorf("-ensemble %d: want 1 to %d networks", c.Ensemble, MaxEnsemble)
	case c.Ensemble > 1 && c.SaveBest:
		return fmt.Errorf("-ensemble %d: -save-best keeps one network's best epoch, not an ensemble's", c.Ensemble)
	case c.Ensemble > 1 && c.EarlyStop > 0:
		return fmt.Errorf("-ensemble %d: the members train in step, epoch by epoch: drop -early-stop", c.Ensemble)
	}
	for _, h := range c.Hidden {
		if h < 1 || h > graph.MaxWidth {
			return fmt.Errorf("-hidden %s: want 1 to %d neurons per layer", c.Hidden, graph.MaxWidth)
		}
	}
	if err := c.Arch().Validate(); err != nil {
		return fmt.Errorf("-hidden %s: %w", c.Hidden, err)
	}
	if err := c.Augment.Validate(); err != nil {
		return fmt.Errorf("-augment: %w", err)
	}
	if c.Ensemble > 1 {
		if err := c.NetworkArch().Validate(); err != nil {
			return fmt.Errorf("-ensemble %d of -hidden %s: the merged network: %w", c.Ensemble, c.Hidden, err)
		}
	}
	return nil
}

// optimizerList names the optimizers for messages: "sgd, adam, momentum or rmsprop".
func optimizerList() string {
	n := len(Optimizers)
	return strings.Join(Optimizers[:n-1], ", ") + " or " + Optimizers[n-1]
}

// Equal reports whether c and d are the same configuration.
func (c Config) Equal(d Config) bool { return reflect.DeepEqual(c, d) }

// Regularization returns what the training graphs add to the network.
func (c Config) Regularization() graph.Regularization {
	return graph.Regularization{Dropout: c.Dropout, L2: c.L2}
}

// Arch returns the network architecture the configuration trains.
func (c Config) Arch() graph.Arch { return graph.NewArch(c.Hidden, c.Activation) }

// NetworkArch returns the architecture of the network the run leaves: Arch,
// or with Ensemble above 1 the merged network's, each hidden layer
// Ensemble times as wide (graph.Average).
func (c Config) NetworkArch() graph.Arch {
	a := c.Arch()
	if c.Ensemble > 1 {
		a.Hidden = slices.Clone(a.Hidden) // c's own slice otherwise
		for i := range a.Hidden {
			a.Hidden[i] *= c.Ensemble
		}
	}
	return a
}

// Name is a short name for the configuration, used for run directories:
// for example "sigmoid-h64-sgd-lr0.5-b100-e10-s1".
// Settings beside the hyper-parameters are appended when set:
// "-n3000" (train limit), "-t1000" (test limit), "-es5" (early stop), "-best",
// "-aug" (augmentation; "-auge" with elastic distortion),
// "-do0.2" (dropout), "-l2_0.0001" (L2), "-m0.9" (momentum), "-ens3"
// (an ensemble of three). Several hidden
// layers are written as -hidden takes them: "relu-h512+256-…".
func (c Config) Name() string {
	name := fmt.Sprintf("%s-h%s-%s-lr%s-b%d-e%d-s%d", c.Activation, c.Hidden, c.Optimizer,
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
	if c.Dropout > 0 {
		name += "-do" + strconv.FormatFloat(c.Dropout, 'g', -1, 64)
	}
	if c.L2 > 0 {
		name += "-l2_" + strconv.FormatFloat(c.L2, 'g', -1, 64)
	}
	if c.Momentum > 0 {
		name += "-m" + strconv.FormatFloat(c.Momentum, 'g', -1, 64)
	}
	if c.Ensemble > 1 {
		name += fmt.Sprintf("-ens%d", c.Ensemble)
	}
	return name
}
