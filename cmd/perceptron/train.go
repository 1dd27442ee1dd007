package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/words"
	"github.com/perceptron-mnist/perceptron/rundir"
	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

func init() {
	commands["train"] = command{"train a perceptron on MNIST and save its run directory", runTrain}
}

// trainFlags are the flags that set a training configuration's
// hyper-parameters; bench and summary share them, and train adds the run
// flags (addRunFlags).
type trainFlags struct {
	cfg              train.Config
	fs               *flag.FlagSet
	augment, elastic bool
	preset           string
	// applied is the preset's flags that config applied (nil: no preset),
	// for the log.
	applied  *train.Preset
	momentum float64 // -momentum: Config.Momentum with -optimizer momentum
	hidden   string  // -hidden: Config.Hidden, parsed by config
}

func addTrainFlags(fs *flag.FlagSet) *trainFlags {
	t := &trainFlags{cfg: train.DefaultConfig(), fs: fs}
	c := &t.cfg
	fs.StringVar(&t.hidden, "hidden", c.Hidden.String(), "neurons in the hidden layer, or in each of several joined by + (512+256: 784 → 512 → 256 → 10)")
	fs.StringVar(&c.Activation, "activation", c.Activation, "activation of every hidden layer: sigmoid, relu or tanh")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "solver: sgd (gorgonia VanillaSolver), adam (AdamSolver, Keras defaults), momentum (Momentum, -momentum) or rmsprop (RMSPropSolver, Keras defaults: rho 0.9, epsilon 1e-7)")
	fs.Float64Var(&c.LR, "lr", 0, "learning rate (default 0.5 for sgd, 0.05 for momentum, 0.001 for adam and rmsprop)")
	fs.Float64Var(&c.Dropout, "dropout", 0, "dropout rate after each hidden layer during training, 0 ≤ rate < 1 (inverted, as Keras's Dropout; masks from -seed)")
	fs.Float64Var(&c.L2, "l2", 0, "L2 weight decay λ: adds λ·Σw² over the weight matrices to the training loss (Keras's kernel_regularizer=l2(λ))")
	fs.Float64Var(&t.momentum, "momentum", train.DefaultMomentum, "momentum of -optimizer momentum, 0 ≤ momentum < 1")
	fs.IntVar(&c.Batch, "batch", c.Batch, "minibatch size")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "passes over the training set")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the weights, the shuffling and the augmentation")
	fs.BoolVar(&t.augment, "augment", false, "distort each training image afresh every epoch: rotation, scale, slant, shift, stroke thickness (see README)")
	fs.BoolVar(&t.elastic, "elastic", false, "with -augment (implied), also an elastic distortion")
	fs.IntVar(&c.Ensemble, "ensemble", 1, "train this many networks (seeds -seed, -seed+1, …) in step and merge them into one that averages their logits (members in RUN_DIR/members)")
	fs.StringVar(&t.preset, "preset", "", "start from a recommended model's flags; flags given beside it override them: "+presetNames())
	return t
}

// presetNames lists the presets for the help text.
func presetNames() string {
	var s []string
	for _, p := range train.Presets {
		s = append(s, p.Name+" ("+p.Args()+")")
	}
	return strings.Join(s, "; ")
}

// addLimitFlags adds the flags that train on part of the data.
func (t *trainFlags) addLimitFlags() {
	fs, c := t.fs, &t.cfg
	fs.IntVar(&c.TrainLimit, "train-limit", 0, "use only the first N training images (0: all 60000)")
	fs.IntVar(&c.TestLimit, "test-limit", 0, "use only the first N test images (0: all 10000)")
}

// addRunFlags adds the flags of a training run beside its hyper-parameters.
func (t *trainFlags) addRunFlags() {
	t.addLimitFlags()
	fs, c := t.fs, &t.cfg
	fs.BoolVar(&c.SaveBest, "save-best", false, "also keep the weights of the epoch with the best test accuracy, in RUN_DIR/best")
	fs.IntVar(&c.EarlyStop, "early-stop", 0, "stop after N epochs without a better test accuracy (0: never)")
}

// config returns the configuration, with the optimizer's default learning
// rate when -lr was not given.
//
// With -preset, the preset's flags that were not given are set first, as if
// they had been.
func (t *trainFlags) config() (train.Config, error) {
	if t.preset != "" && t.applied == nil {
		p, err := train.LookupPreset(t.preset)
		if err != nil {
			return t.cfg, asUsage(err)
		}
		given := map[string]bool{}
		t.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for _, f := range p.Flags {
			if given[f[0]] || t.fs.Lookup(f[0]) == nil {
				continue
			}
			if f[0] == "elastic" && given["augment"] && !t.augment {
				continue // -augment=false beside a preset turns off all its distortions
			}
			if err := t.fs.Set(f[0], f[1]); err != nil {
				return t.cfg, fmt.Errorf("preset %s: -%s %s: %w", p.Name, f[0], f[1], err)
			}
		}
		t.cfg.Preset, t.applied = p.Name, &p
	}
	c := t.cfg
	var err error
	if c.Hidden, err = graph.ParseSizes(t.hidden); err != nil {
		return c, asUsage(fmt.Errorf("-hidden %s: %w", t.hidden, err))
	}
	lrSet, momentumSet := false, false
	t.fs.Visit(func(f *flag.Flag) {
		lrSet = lrSet || f.Name == "lr"
		momentumSet = momentumSet || f.Name == "momentum"
	})
	if !lrSet {
		c.LR = train.DefaultLR(c.Optimizer)
	}
	if c.Optimizer == train.Momentum || momentumSet {
		c.Momentum = t.momentum // Validate refuses it with another optimizer
	}
	switch {
	case c.Ensemble < 1:
		return c, usagef("-ensemble %d: want 1 to %d networks", c.Ensemble, train.MaxEnsemble)
	case c.Ensemble == 1:
		c.Ensemble = 0 // one network, as without the flag
	}
	if t.augment || t.elastic {
		c.Augment = augment.Default()
		if t.elastic {
			c.Augment.Elastic = augment.DefaultElastic
		}
	}
	return c, asUsage(c.Validate())
}

// logPreset prints, when a preset was used, the flags it stands for and the
// configuration they gave.
func (t *trainFlags) logPreset(w io.Writer) {
	if t.applied != nil {
		fmt.Fprintf(w, "preset %s: %s (flags given beside -preset override these)\n", t.applied.Name, t.applied.Args())
	}
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", "[flags]",
		"Trains 784 → hidden → … → 10 on MNIST and writes the run directory: metrics.csv, history.json,\n"+
			"w1.npy b1.npy … wN.npy bN.npy (N dense layers: w1 b1 w2 b2 for one hidden layer) and model.json.", stderr)
	tf := addTrainFlags(fs)
	tf.addRunFlags()
	dataDir := dataFlag(fs, "")
	out := fs.String("out", "", "run directory (default runs/<timestamp>-<config>)")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	quiet := fs.Bool("quiet", false, "nothing on stderr but errors")
	resume := fs.String("resume", "", "continue the interrupted run in `RUN_DIR` from its checkpoint, with its configuration")
	force := fs.Bool("force", false, "write into an -out directory that holds another run or other files")
	watch := addMonitorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var ck *train.Checkpoint
	var cfg train.Config
	var err error
	ensemble := false // an interrupted ensemble in dir, which train.Run continues
	dir := *out
	if *resume != "" {
		if err := resumeFlags(fs, *resume); err != nil {
			return err
		}
		lock, err := rundir.Acquire(*resume, stderr)
		if err != nil {
			return err
		}
		defer lock.Release()
		ecfg, eerr := train.ReadEnsemble(*resume)
		if eerr != nil && !errors.Is(eerr, os.ErrNotExist) {
			return eerr
		}
		if eerr == nil { // an ensemble continues from its members' checkpoints
			if r, ok := sweep.Finished(*resume, ecfg); ok {
				if !*quiet {
					fmt.Fprintf(stderr, "run %s is already finished (%s after %s): nothing to resume\n", *resume, ecfg.Name(), words.Count(len(r.History), "epoch"))
				}
				return printRunSummary(stdout, r.Summary, *asJSON)
			}
			cfg, dir = ecfg, *resume
		} else if ck, err = train.ReadCheckpoint(filepath.Join(*resume, train.CheckpointFile)); err != nil {
			return err
		} else {
			cfg, dir = ck.Config, *resume
		}
		if ck != nil && ck.Done { // nothing to train: say so, and show what it reached
			res, err := train.Continue(ctx, ck, nil, train.Options{Dir: dir})
			if err != nil {
				return err
			}
			if !*quiet {
				fmt.Fprintf(stderr, "run %s is already finished (%s after %s): nothing to resume\n", dir, cfg.Name(), words.Count(len(ck.History), "epoch"))
			}
			return printRunSummary(stdout, res.Summary(), *asJSON)
		}
	} else {
		if cfg, err = tf.config(); err != nil {
			return err
		}
		if dir == "" {
			dir = filepath.Join("runs", time.Now().Format("20060102-150405")+"-"+cfg.Name())
		}
		// One process trains a directory at a time (a job plan's line may
		// run twice, or on two machines).
		lock, err := rundir.Acquire(dir, stderr)
		if err != nil {
			return err
		}
		defer lock.Release()
		// The same command again: a finished run is left alone, an
		// interrupted one continues.
		if !*force {
			if r, ok := sweep.Finished(dir, cfg); ok { // one line, as -resume of a finished run says
				if *asJSON {
					return printRunSummary(stdout, r.Summary, true)
				}
				fmt.Fprintf(stdout, "run %s is already finished (%s, test accuracy %.4f): nothing to train\n", dir, words.Count(len(r.History), "epoch"), r.Summary.TestAcc)
				return nil
			}
			if c, err := train.ReadCheckpoint(filepath.Join(dir, train.CheckpointFile)); err == nil && c.Config.Equal(cfg) {
				ck = c
				if !*quiet {
					fmt.Fprintf(stderr, "%s: resuming the interrupted run after epoch %d\n", dir, len(ck.History))
				}
			} else if c, err := train.ReadEnsemble(dir); err == nil && c.Equal(cfg) {
				ensemble = true // train.Run continues it
				if !*quiet {
					fmt.Fprintf(stderr, "%s: resuming the interrupted ensemble\n", dir)
				}
			}
		}
		if ck == nil && !ensemble {
			if err := train.CheckRunDir(dir, *force, monitorFiles...); err != nil {
				return err
			}
		}
	}
	d, err := loadData(*dataDir)
	if err != nil {
		return err
	}
	opts := train.Options{Dir: dir}
	if !*quiet {
		tf.logPreset(stderr)
		opts.Log = stderr
		fmt.Fprintf(stderr, "data %s: %d train, %d test images\ntraining %s into %s\n",
			d.Dir, d.Train.Head(cfg.TrainLimit).Len(), d.Test.Head(cfg.TestLimit).Len(), cfg.Name(), dir)
	}
	mon, err := watch.attach(&opts, cfg, d.Train.Head(cfg.TrainLimit).Len(), *quiet, stderr)
	if err != nil {
		return err
	}
	defer mon.Close()
	var res *train.Result
	if ck != nil {
		res, err = train.Continue(ctx, ck, d, opts)
	} else {
		res, err = train.Run(ctx, cfg, d, opts)
	}
	if ie := (*train.InterruptedError)(nil); errors.As(err, &ie) && ie.Dir != "" {
		return fmt.Errorf("%w; continue it with: perceptron train -resume %s", err, ie.Dir)
	}
	if err != nil {
		return err
	}
	if err := mon.Close(); err != nil { // the last pictures, the event file
		return err
	}
	return printRunSummary(stdout, res.Summary(), *asJSON)
}

// printRunSummary prints a run's summary as train does at its end.
func printRunSummary(w io.Writer, s train.Summary, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(s)
	}
	_, err := fmt.Fprintf(w, "train accuracy  %.4f\ntest accuracy   %.4f\ntrain seconds   %.2f\nrun directory   %s\n",
		s.TrainAcc, s.TestAcc, s.TrainSeconds, s.RunDir)
	return err
}

// resumeFlags refuses, with -resume, the flags whose values come from the
// checkpoint.
func resumeFlags(fs *flag.FlagSet, dir string) error {
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "resume", "data", "json", "quiet":
		case "out":
			if filepath.Clean(f.Value.String()) == filepath.Clean(dir) {
				return
			}
			bad = append(bad, "-"+f.Name)
		default:
			if isTrainFlag(f.Name) {
				bad = append(bad, "-"+f.Name)
			}
		}
	})
	if len(bad) > 0 {
		return usagef("-resume continues the run with the configuration and directory of its checkpoint: drop %s",
			strings.Join(bad, " "))
	}
	return nil
}

// isTrainFlag reports whether name sets the training configuration or the
// run directory.
func isTrainFlag(name string) bool {
	switch name {
	case "hidden", "activation", "optimizer", "lr", "batch", "epochs", "seed", "train-limit", "test-limit",
		"dropout", "l2", "momentum",
		"save-best", "early-stop", "out", "force", "augment", "elastic", "preset", "ensemble":
		return true
	}
	return false
}
