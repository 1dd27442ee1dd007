// Package train fits the perceptron to MNIST: seeded minibatches from data,
// the graph and its symbolic gradients from graph, gorgonia's SGD or Adam
// solver, evaluation of the whole training and test sets after each epoch,
// and the run directory with its metrics and weights.
package train

import (
	"context"
	"errors"
	"fmt"
	"github.com/perceptron-mnist/perceptron/internal/compute"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"time"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/words"
	"github.com/perceptron-mnist/perceptron/internal/worker"
	"github.com/perceptron-mnist/perceptron/rundir"
	G "gorgonia.org/gorgonia"
)

// Files of a run directory.
const (
	MetricsFile = "metrics.csv"
	HistoryFile = "history.json"
)

// Options are the parts of a run that are not hyper-parameters.
type Options struct {
	// Dir is the run directory; nothing is written when it is empty.
	Dir string
	// Log receives one line per epoch, as Keras prints them (nil: silent).
	Log io.Writer
	// OnStep, when set, is called after each training step with the epoch
	// (from 1), the step within it (from 1), the epoch's number of steps and
	// the step's loss. It must be cheap: it runs in the hot loop.
	OnStep func(epoch, step, steps int, loss float32)
	// OnEpoch, when set, is called after each epoch's evaluation and files.
	OnEpoch func(h History, p *graph.Params) error
}

// Result is a finished run.
type Result struct {
	Config  Config
	Dir     string
	History History
	Params  *graph.Params
	// StoppedEarly: Config.EarlyStop ended the run before Config.Epochs.
	StoppedEarly bool
}

// Final returns the metrics of the last epoch.
func (r *Result) Final() Epoch { return r.History[len(r.History)-1] }

// Summary is the result as `perceptron train -json` prints it.
type Summary struct {
	RunDir       string  `json:"run_dir"`
	TrainAcc     float64 `json:"train_acc"`
	TestAcc      float64 `json:"test_acc"`
	TrainSeconds float64 `json:"train_seconds"`
	TrainLoss    float64 `json:"train_loss"`
	TestLoss     float64 `json:"test_loss"`
	BestTestAcc  float64 `json:"best_test_acc"`
	BestEpoch    int     `json:"best_epoch"`
	Epochs       int     `json:"epochs"`
	StoppedEarly bool    `json:"stopped_early,omitempty"`
	Config       Config  `json:"config"`
}

// Summary returns the run's summary.
func (r *Result) Summary() Summary {
	f, b := r.Final(), r.History.Best()
	return Summary{RunDir: r.Dir, TrainAcc: f.TrainAcc, TestAcc: f.TestAcc, TrainSeconds: r.History.TrainSeconds(),
		TrainLoss: f.TrainLoss, TestLoss: f.TestLoss, BestTestAcc: b.TestAcc, BestEpoch: b.Epoch,
		Epochs: len(r.History), StoppedEarly: r.StoppedEarly, Config: r.Config}
}

// NewSolver returns gorgonia's solver for cfg's optimizer and learning
// rate: VanillaSolver for SGD; AdamSolver with Keras's defaults (β1 0.9,
// β2 0.999, ε 1e-7) for Adam; Momentum with cfg.Momentum for momentum;
// RMSPropSolver with Keras's defaults (ρ 0.9, ε 1e-7) for RMSprop. (gorgonia
// adds ε under the square root, Keras outside it: with ε 1e-7 the two
// differ only where the mean square is below about 1e-12.) The loss is
// already a batch mean, so no batch size option is passed.
//
// The design card requires gorgonia's own solvers: a hand-fused Adam was
// measured (bit-identical, fewer allocations) and dropped for that reason.
func NewSolver(cfg Config) (G.Solver, error) {
	lr := cfg.LR
	switch cfg.Optimizer {
	case SGD:
		return G.NewVanillaSolver(G.WithLearnRate(lr)), nil
	case Adam:
		return G.NewAdamSolver(G.WithLearnRate(lr), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7)), nil
	case Momentum:
		return G.NewMomentum(G.WithLearnRate(lr), G.WithMomentum(cfg.Momentum)), nil
	case RMSProp:
		return G.NewRMSPropSolver(G.WithLearnRate(lr), G.WithRho(0.9), G.WithEps(1e-7)), nil
	}
	return nil, fmt.Errorf("-optimizer %q: want %s", cfg.Optimizer, optimizerList())
}

// Run trains a network with cfg on d and returns the result. Each epoch
// deals every training image once in a seeded order, steps the solver on
// each minibatch, then evaluates the loss and accuracy of the whole training
// and test sets. With opts.Dir set, metrics.csv, history.json, the weights and
// model.json are rewritten after every epoch, and checkpoint.bin, from which
// Resume continues the run. When ctx is cancelled, the step under way is
// finished, a checkpoint is written and the error is an *InterruptedError.
//
// With cfg.Ensemble above 1, Run trains that many networks (cfg.Member) in
// step, one epoch of each in turn, each an ordinary run in the directory
// MemberDir, and after every epoch merges them into one network averaging
// their logits (graph.Average): the Result, the metrics and the weights
// are the merged network's. Run on the directory of an interrupted
// ensemble with the same configuration continues it.
func Run(ctx context.Context, cfg Config, d *data.MNIST, opts Options) (*Result, error) {
	if cfg.Ensemble > 1 {
		return runEnsemble(ctx, cfg, d, opts)
	}
	return run(ctx, cfg, d, opts, nil)
}

// run trains from scratch, or from ck when it is not nil.
func run(ctx context.Context, cfg Config, d *data.MNIST, opts Options, ck *Checkpoint) (_ *Result, rerr error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	trainSet, testSet := d.Train.Head(cfg.TrainLimit), d.Test.Head(cfg.TestLimit)
	undo, err := makeRunDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	defer func() { // a run that failed before writing leaves no directory
		if rerr != nil {
			undo()
		}
	}()

	// graph: the network, its loss and gradients, for full and last batches
	params, err := graph.NewParams(cfg.Arch(), cfg.Seed)
	if err != nil {
		return nil, err
	}
	if ck != nil {
		params = ck.Params
	}
	tr, err := newTrainer(cfg, trainSet, params)
	if err != nil {
		return nil, err
	}
	defer tr.close()
	first, carried := 1, 0.0 // first epoch, training seconds it had before
	if ck != nil {
		if err := tr.restore(ck); err != nil {
			return nil, fmt.Errorf("resume %s: %w", opts.Dir, err)
		}
		first, carried = ck.Epoch, ck.Seconds
	}
	eval := graph.NewEvaluator(params, 0)
	defer eval.Close()

	// loop
	res := &Result{Config: cfg, Dir: opts.Dir, Params: params}
	if ck != nil {
		res.History = slices.Clone(ck.History)
	}
	for epoch := first; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		if err := tr.epoch(ctx, epoch, opts.OnStep); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return res, res.interrupted(tr, epoch, carried+time.Since(start).Seconds(), err)
			}
			return res, err
		}
		secs := carried + time.Since(start).Seconds()
		carried = 0

		// metrics
		e := Epoch{Epoch: epoch, Seconds: secs}
		if err := e.measure(eval, trainSet, testSet); err != nil {
			return res, err
		}
		res.History = append(res.History, e)
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "Epoch %d/%d - %.2fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f\n",
				epoch, cfg.Epochs, secs, e.TrainLoss, e.TrainAcc, e.TestLoss, e.TestAcc)
		}

		// files
		res.StoppedEarly = res.earlyStop()
		if res.StoppedEarly && opts.Log != nil {
			b := res.History.Best()
			fmt.Fprintf(opts.Log, "early stop: no better test accuracy for %s (best %.4f at epoch %d)\n",
				words.Count(cfg.EarlyStop, "epoch"), b.TestAcc, b.Epoch)
		}
		if opts.Dir != "" {
			if err := res.save(); err != nil {
				return res, err
			}
			if err := res.endEpoch(tr, res.StoppedEarly || epoch == cfg.Epochs); err != nil {
				return res, err
			}
		}
		if opts.OnEpoch != nil {
			if err := opts.OnEpoch(res.History, params); err != nil {
				return res, err
			}
		}
		if res.StoppedEarly {
			break
		}
	}
	return res, nil
}

// measure evaluates the loss and accuracy of the whole training and test
// sets into e.
func (e *Epoch) measure(eval *graph.Evaluator, trainSet, testSet *data.Set) error {
	var err error
	if e.TrainLoss, e.TrainAcc, err = eval.Evaluate(trainSet.Images, trainSet.Labels); err != nil {
		return err
	}
	e.TestLoss, e.TestAcc, err = eval.Evaluate(testSet.Images, testSet.Labels)
	return err
}

// trainer runs the training epochs of a run: the graphs for full batches
// and for the last partial one, the solver, and the seeded order of the
// samples. Its epochs allocate nothing that could be reused.
type trainer struct {
	cfg        Config
	set        *data.Set
	full, last *graph.TrainGraph
	solver     G.Solver
	shuffler   *data.Shuffler
	batch      int
	steps      int
	// for checkpoints: the shuffler's state before the current epoch's
	// order (pre), the steps of the next epoch to skip when resuming (skip),
	// the steps of the current epoch done (done)
	pre        []byte
	skip, done int
	// recipe distorts the training images (zero: none), with one Distorter
	// per part of a gathered batch
	recipe augment.Recipe
	dist   [gatherParts]augment.Distorter
	// dropout's masks: drawn for each step from a generator seeded by the
	// run's seed, the epoch and the step, so that a resumed run draws the
	// same masks as an uninterrupted one without keeping generator state
	maskSrc *rand.PCG
	masks   *rand.Rand
}

// dropoutStream is the second half of the dropout masks' generator seed
// before the epoch and step are mixed in: "dropout".
const dropoutStream = 0x64726f706f7574

// drawMasks fills g's dropout masks for the given step (from 1) of epoch.
func (t *trainer) drawMasks(g *graph.TrainGraph, epoch, step int) {
	if t.cfg.Dropout == 0 {
		return
	}
	t.maskSrc.Seed(t.cfg.Seed, dropoutStream^(uint64(epoch)<<32|uint64(step)))
	g.DrawMasks(t.masks)
}

// newTrainer builds the training graphs on params for batches of cfg.Batch
// images of set (or all of set, if it is smaller).
func newTrainer(cfg Config, set *data.Set, params *graph.Params) (*trainer, error) {
	n := set.Len()
	if n == 0 {
		return nil, fmt.Errorf("no training images")
	}
	t := &trainer{cfg: cfg, set: set, batch: min(cfg.Batch, n), recipe: cfg.Augment}
	t.steps = (n + t.batch - 1) / t.batch
	var err error
	if t.full, err = graph.NewTrainGraph(params, t.batch, cfg.Regularization()); err != nil {
		return nil, err
	}
	if rest := n % t.batch; rest != 0 {
		if t.last, err = graph.NewTrainGraph(params, rest, cfg.Regularization()); err != nil {
			t.close()
			return nil, err
		}
	}
	if t.solver, err = NewSolver(cfg); err != nil {
		t.close()
		return nil, err
	}
	t.shuffler = data.NewShuffler(n, cfg.Seed)
	t.maskSrc = rand.NewPCG(0, 0)
	t.masks = rand.New(t.maskSrc)
	return t, nil
}

// epoch deals every training image once in the next seeded order and steps
// the solver on each minibatch; onStep, if set, is called after each step.
func (t *trainer) epoch(ctx context.Context, epoch int, onStep func(epoch, step, steps int, loss float32)) error {
	var err error
	if t.pre, err = t.shuffler.AppendBinary(t.pre[:0]); err != nil {
		return err
	}
	step := t.skip
	t.done, t.skip = step, 0
	perm := t.shuffler.Epoch()
	// batch returns the graph for the batch starting at perm[lo] and its indices
	batch := func(lo int) (*graph.TrainGraph, []int) {
		idx := perm[lo:min(lo+t.batch, len(perm))]
		if len(idx) != t.batch {
			return t.last, idx
		}
		return t.full, idx
	}
	// The next batch is gathered into the spare inputs of its graph by the
	// worker of the matrix products (compute.Aside) while the current one
	// trains; whatever part of it the worker has not done when the step
	// ends, the loop does itself.
	if lo := step * t.batch; lo < len(perm) {
		g, idx := batch(lo)
		x, y := g.Spare()
		t.gather(epoch, 0, idx, x, y)
	}
	var gather *worker.Share
	defer func() {
		if gather != nil {
			gather.Finish()
		}
	}()
	for lo := step * t.batch; lo < len(perm); lo += t.batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		step++
		g, _ := batch(lo)
		if err := g.Flip(); err != nil {
			return err
		}
		t.drawMasks(g, epoch, step)
		loss, err := g.Run()
		if lo+t.batch < len(perm) {
			next, idx := batch(lo + t.batch)
			x, y := next.Spare()
			gather = compute.Aside(gatherParts, func(i int) {
				a, b := i*len(idx)/gatherParts, (i+1)*len(idx)/gatherParts
				t.gather(epoch, i, idx[a:b], x[a*data.Pixels:b*data.Pixels], y[a*data.Classes:b*data.Classes])
			})
		}
		if err == nil && (math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0)) {
			err = fmt.Errorf("training diverged: loss is %v at epoch %d, step %d; try a smaller learning rate than -lr %v",
				loss, epoch, step, t.cfg.LR)
		}
		if err == nil {
			err = g.Step(t.solver)
		}
		if gather != nil {
			gather.Finish()
			gather = nil
		}
		if err != nil {
			return err
		}
		t.done = step
		if onStep != nil {
			onStep(epoch, step, t.steps, loss)
		}
	}
	return nil
}

// gatherParts is how many parts the gathering (and distorting) of a
// minibatch is shared in.
const gatherParts = 8

// gather copies the images with the given indices into x and their one-hot
// labels into y, as data.Set.Gather does; with augmentation each image is
// distorted on the way, as drawn for it in epoch (augment.Rand), with the
// Distorter of the given part.
func (t *trainer) gather(epoch, part int, idx []int, x, y []float32) {
	if t.recipe.IsZero() {
		t.set.Gather(idx, x, y)
		return
	}
	clear(y[:len(idx)*data.Classes])
	z := &t.dist[part]
	for r, i := range idx {
		p := augment.Rand(t.cfg.Seed, epoch, i)
		d := t.recipe.Draw(&p)
		z.Apply(x[r*data.Pixels:(r+1)*data.Pixels], t.set.Image(i), &d)
		y[r*data.Classes+int(t.set.Labels[i])] = 1
	}
}

// step trains on the images with the given indices: gathers them into the
// graph's inputs, runs it and steps the solver. It returns the batch's loss.
func (t *trainer) step(idx []int) (float32, error) {
	g := t.full
	if len(idx) != t.batch {
		g = t.last
	}
	x, y := g.Inputs()
	t.gather(0, 0, idx, x, y)
	t.drawMasks(g, 0, 0)
	loss, err := g.Run()
	if err != nil {
		return 0, err
	}
	return loss, g.Step(t.solver)
}

// close releases the graphs.
func (t *trainer) close() {
	if t.full != nil {
		t.full.Close()
	}
	if t.last != nil {
		t.last.Close()
	}
}

// makeRunDir creates the run directory dir (nothing for ""), and returns
// the function that removes again what it created if nothing was written.
func makeRunDir(dir string) (undo func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	if undo, err = rundir.Make(dir); err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	return undo, nil
}

// save writes the run directory's metrics and model.
func (r *Result) save() error {
	if err := r.History.Save(filepath.Join(r.Dir, MetricsFile), filepath.Join(r.Dir, HistoryFile)); err != nil {
		return err
	}
	m, err := modeljson.NewModel(r.Params, r.Config, r.Summary())
	if err != nil {
		return err
	}
	return modeljson.Save(r.Dir, r.Params, m)
}
