// Package exercise runs the study the perceptron was built for, as written:
// learning rates, hidden sizes, the Keras-style network with SGD and Adam,
// Adam at several (batch, epochs), learning curves, predictions of the first
// test images, and a save/load round trip. It writes report.md, with every
// table filled in, the figures and comments computed from the numbers, and
// results.json with every table as data.
package exercise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/internal/words"
	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

// Options control the study.
type Options struct {
	Out  string // directory of the runs, report.md and results.json
	Jobs int    // runs trained at once (0: the number of CPUs)
	// Seeds trains every configuration with seeds 1, …, Seeds (0 or 1: seed
	// 1 only); the tables then show means over them with their spread.
	Seeds int
	Force bool // retrain runs already finished in Out
	// Collect trains nothing: the study is written from the runs finished
	// in Out (by a job plan, see Plan), or the error lists those missing.
	Collect bool
	Log     io.Writer

	// For a scaled-down study: use only the first TrainLimit/TestLimit
	// images (0: all) and multiply every epoch count by EpochScale (0 or 1:
	// as written; at least 1 epoch).
	TrainLimit, TestLimit int
	EpochScale            float64

	// Train sets each run's monitoring hooks (see sweep.Options.Train).
	Train func(cfg train.Config, opts *train.Options) (done func() error, err error)
	Clean []string // see sweep.Options.Clean
	// Plot draws the curves of groups overlaid into path (nil: no figures);
	// a group of several seeds is drawn as its mean with a band.
	Plot func(path, title string, groups []sweep.Group) error
}

// Part names, the keys of results.json's "tables".
const (
	PartLR      = "1_learning_rate"
	PartHidden  = "2_hidden_neurons"
	PartKeras   = "3_keras_network"
	PartAdam    = "4_adam_batch_epochs"
	PartCurves  = "5_curves"
	PartPredict = "6_predictions"
	PartReload  = "7_save_load"
)

// Study is the outcome of the study.
type Study struct {
	Base    train.Config
	Seeds   int // seeds per configuration: Base.Seed, Base.Seed+1, …
	Parts   map[string][]sweep.Group
	BestLR  float64
	BestH   int
	Model   sweep.Run // the network of part 3 used for parts 6 and 7 (its first seed)
	Predict []Prediction
	Reload  Reload
	Seconds float64 // wall time of the whole study
	Out     string  // the output directory
	Figures map[string]string
}

// Prediction is one of the first test images, predicted.
type Prediction struct {
	Index      int     `json:"index"`
	Label      int     `json:"label"`
	Digit      int     `json:"digit"`
	Confidence float64 `json:"confidence"`
}

// Reload compares a model's test figures before saving and after loading.
type Reload struct {
	Dir        string  `json:"run_dir"`
	SavedAcc   float64 `json:"saved_test_acc"`
	LoadedAcc  float64 `json:"loaded_test_acc"`
	SavedLoss  float64 `json:"saved_test_loss"`
	LoadedLoss float64 `json:"loaded_test_loss"`
	Identical  bool    `json:"identical"`
	LossDelta  float64 `json:"test_loss_difference"`
}

// Run runs the whole study on d.
func Run(ctx context.Context, d *data.MNIST, opts Options) (*Study, error) {
	start := time.Now()
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, err
	}
	s := &Study{Out: opts.Out, Base: base(opts), Seeds: max(opts.Seeds, 1), Parts: map[string][]sweep.Group{}, Figures: map[string]string{}}
	k := configs{s.Base, opts.EpochScale}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	slots := make(chan struct{}, jobs) // shared by the sweeps that train at once
	sw := func(ctx context.Context, cfgs []train.Config, hooks func(train.Config, *train.Options) (func() error, error)) ([]sweep.Group, error) {
		return sweep.SweepSeeds(ctx, cfgs, s.Seeds, d, sweep.Options{Out: RunsDir(opts.Out), Jobs: jobs, Slots: slots, Force: opts.Force, Collect: opts.Collect,
			Log: opts.Log, Train: hooks, Clean: opts.Clean})
	}
	// Parts 2 and 3 depend on part 1's results.
	dependent := func(ctx context.Context, lr []sweep.Group) error {
		s.Parts[PartLR] = lr
		s.BestLR = best(lr).Config.LR
		// Part 2: hidden sizes at the better learning rate.
		var err error
		if s.Parts[PartHidden], err = sw(ctx, k.hidden(s.BestLR), opts.Train); err != nil {
			return err
		}
		// The best hidden size among parts 1 and 2 (part 1 trained 64).
		s.BestH = best(append(slices.Clone(s.Parts[PartHidden]), best(lr))).Config.Hidden[0]
		// Part 3: that network trained with the same SGD and with Adam's defaults.
		if s.Parts[PartKeras], err = sw(ctx, k.keras(s.BestLR, s.BestH), opts.Train); err != nil {
			return err
		}
		s.Model = best(s.Parts[PartKeras]).Seeds[0]
		return nil
	}

	// Parts 4 and 5 depend on nothing, the longest run first: (200, 250).
	lrs, batches, curves := k.lrs(), k.batches(), k.curves()
	others := append([]train.Config{curves[2]}, batches...)
	others = append(others, curves[:2]...)
	var rest []sweep.Group // the groups of others
	if opts.Collect {
		// One sweep of parts 1, 4 and 5, so that its error lists every run
		// of them that is missing.
		runs, err := sw(ctx, append(append([]train.Config{others[0]}, lrs...), others[1:]...), opts.Train)
		if err != nil {
			return nil, err
		}
		rest = append([]sweep.Group{runs[0]}, runs[3:]...)
		if err := dependent(ctx, runs[1:3]); err != nil {
			return nil, err
		}
	} else if err := func() error {
		// Parts 4 and 5 train beside parts 1, 2 and 3 (one after the
		// other), on the same opts.Jobs places: no place waits for a
		// part to end while another part still has runs to train. The
		// second sweep starts when the first has its first run training.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		started, finished := make(chan struct{}), make(chan struct{})
		var once sync.Once
		hooks := func(cfg train.Config, o *train.Options) (func() error, error) {
			once.Do(func() { close(started) })
			if opts.Train == nil {
				return func() error { return nil }, nil
			}
			return opts.Train(cfg, o)
		}
		var othersErr error
		go func() {
			defer close(finished)
			if rest, othersErr = sw(ctx, others, hooks); othersErr != nil {
				cancel()
			}
		}()
		select {
		case <-started:
		case <-finished:
		}
		lr, err := sw(ctx, lrs, opts.Train)
		if err == nil {
			err = dependent(ctx, lr)
		}
		if err != nil {
			cancel()
		}
		<-finished
		// the error that caused the other, not the cancellation
		if err == nil || errors.Is(err, context.Canceled) && othersErr != nil {
			err = othersErr
		}
		return err
	}(); err != nil {
		return nil, err
	}
	s.Parts[PartAdam] = rest[1:5]
	s.Parts[PartCurves] = []sweep.Group{rest[5], rest[6], rest[0]}

	// Parts 6 and 7: predict the first five test images; save and load.
	var err error
	if s.Predict, s.Reload, err = useModel(s.Model, d, opts.TestLimit); err != nil {
		return nil, err
	}

	// Figures.
	if opts.Plot != nil {
		for _, part := range []string{PartLR, PartHidden, PartKeras, PartAdam, PartCurves} {
			name := part + ".png"
			if err := opts.Plot(filepath.Join(opts.Out, name), title(part), s.Parts[part]); err != nil {
				return nil, err
			}
			s.Figures[part] = name
		}
		for i, r := range s.Parts[PartCurves] {
			name := fmt.Sprintf("%s_%d.png", PartCurves, i+1)
			if err := opts.Plot(filepath.Join(opts.Out, name), fmt.Sprintf("batch %d, %s", r.Config.Batch, words.Count(r.Config.Epochs, "epoch")), []sweep.Group{r}); err != nil {
				return nil, err
			}
			s.Figures[fmt.Sprintf("%s_%d", PartCurves, i+1)] = name
		}
	}
	s.Seconds = time.Since(start).Seconds()
	if err := s.save(opts.Out); err != nil {
		return nil, err
	}
	return s, nil
}

// RunsDir is the directory under out in which the study keeps its runs.
func RunsDir(out string) string { return filepath.Join(out, "runs") }

// base is the study's starting configuration for opts.
func base(opts Options) train.Config {
	b := train.DefaultConfig()
	b.TrainLimit, b.TestLimit = opts.TrainLimit, opts.TestLimit
	return b
}

// configs builds the study's configurations from its starting point.
type configs struct {
	base  train.Config
	scale float64 // EpochScale
}

func (k configs) cfg(modify func(c *train.Config)) train.Config {
	c := k.base
	modify(&c)
	if k.scale > 0 && k.scale != 1 {
		c.Epochs = max(1, int(math.Round(float64(c.Epochs)*k.scale)))
	}
	return c
}

func (k configs) adam(batch, epochs int) train.Config {
	return k.cfg(func(c *train.Config) {
		c.Hidden, c.Activation, c.Optimizer, c.LR, c.Batch, c.Epochs = graph.Sizes{20}, graph.ReLU, train.Adam, train.DefaultLR(train.Adam), batch, epochs
	})
}

// lrs are part 1's runs.
func (k configs) lrs() []train.Config {
	return []train.Config{k.cfg(func(c *train.Config) { c.LR = 0.005 }), k.cfg(func(c *train.Config) { c.LR = 0.5 })}
}

// batches are part 4's runs.
func (k configs) batches() []train.Config {
	return []train.Config{k.adam(200, 10), k.adam(2000, 10), k.adam(20000, 10), k.adam(20000, 100)}
}

// curves are part 5's runs.
func (k configs) curves() []train.Config {
	return []train.Config{k.adam(500, 20), k.adam(30000, 20), k.adam(200, 250)}
}

// hiddenSizes are part 2's.
var hiddenSizes = []int{50, 20, 5}

// hidden are part 2's runs at learning rate lr.
func (k configs) hidden(lr float64) []train.Config {
	var out []train.Config
	for _, h := range hiddenSizes {
		out = append(out, k.cfg(func(c *train.Config) { c.LR, c.Hidden = lr, graph.Sizes{h} }))
	}
	return out
}

// keras are part 3's runs: hidden size h with SGD at lr and with Adam.
func (k configs) keras(lr float64, h int) []train.Config {
	return []train.Config{
		k.cfg(func(c *train.Config) { c.LR, c.Hidden = lr, graph.Sizes{h} }),
		k.cfg(func(c *train.Config) {
			c.Hidden, c.Optimizer, c.LR = graph.Sizes{h}, train.Adam, train.DefaultLR(train.Adam)
		}),
	}
}

// Plan returns every run the study may need, each of its seeds, in the
// order of the report's tables, for a job plan (sweep.WritePlan into
// RunsDir(opts.Out)). Parts 2 and 3 depend on part 1's and 2's results, so
// the plan holds them for every outcome: part 2 at each learning rate of
// part 1, part 3 at each of those and each hidden size. A collect
// (Options.Collect) then finds what the study needs among them.
func Plan(opts Options) []train.Config {
	k := configs{base(opts), opts.EpochScale}
	lrs := k.lrs()
	cfgs := slices.Clone(lrs)
	for _, lr := range lrs {
		cfgs = append(cfgs, k.hidden(lr.LR)...)
	}
	for _, lr := range lrs {
		for _, h := range append([]int{k.base.Hidden[0]}, hiddenSizes...) {
			cfgs = append(cfgs, k.keras(lr.LR, h)...)
		}
	}
	cfgs = append(cfgs, k.batches()...)
	cfgs = append(cfgs, k.curves()...)
	var out []train.Config // each once
	seen := map[string]bool{}
	for _, c := range cfgs {
		if !seen[c.Name()] {
			seen[c.Name()] = true
			out = append(out, c)
		}
	}
	return sweep.WithSeeds(out, opts.Seeds)
}

// best returns the configuration with the highest final test accuracy
// (mean over seeds; the first of equals).
func best(runs []sweep.Group) sweep.Group {
	b := runs[0]
	for _, r := range runs[1:] {
		if r.Summary.TestAcc > b.Summary.TestAcc {
			b = r
		}
	}
	return b
}

func title(part string) string {
	switch part {
	case PartLR:
		return "1. Learning rate"
	case PartHidden:
		return "2. Hidden neurons"
	case PartKeras:
		return "3. SGD and Adam"
	case PartAdam:
		return "4. Adam: batch size and epochs"
	case PartCurves:
		return "5. Learning curves"
	}
	return part
}

// useModel loads the run's saved model, predicts the first five test images,
// and compares the loaded model's test figures with the saved ones.
func useModel(r sweep.Run, d *data.MNIST, testLimit int) ([]Prediction, Reload, error) {
	m, err := infer.Load(r.Dir)
	if err != nil {
		return nil, Reload{}, err
	}
	defer m.Close()
	test := d.Test.Head(testLimit)
	out, err := m.Predict(test.Images[:5*data.Pixels])
	if err != nil {
		return nil, Reload{}, err
	}
	preds := make([]Prediction, len(out))
	for i, p := range out {
		preds[i] = Prediction{Index: i, Label: int(test.Labels[i]), Digit: p.Digit, Confidence: float64(p.Confidence)}
	}
	rep, err := m.Evaluate(test.Images, test.Labels, 0)
	if err != nil {
		return nil, Reload{}, err
	}
	rl := Reload{Dir: r.Dir, SavedAcc: r.Summary.TestAcc, SavedLoss: r.Summary.TestLoss, LoadedAcc: rep.Accuracy, LoadedLoss: rep.Loss}
	rl.LossDelta = math.Abs(rep.Loss - r.Summary.TestLoss)
	rl.Identical = rep.Accuracy == r.Summary.TestAcc && rl.LossDelta < 1e-9
	return preds, rl, nil
}
