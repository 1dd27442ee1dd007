package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/perceptron-mnist/perceptron/train"
)

func init() {
	commands["train"] = command{"train a perceptron on MNIST and save its run directory", runTrain}
}

// trainFlags are the flags that set a training configuration; sweep and
// bench share them.
type trainFlags struct {
	cfg train.Config
	fs  *flag.FlagSet
}

func addTrainFlags(fs *flag.FlagSet) *trainFlags {
	t := &trainFlags{cfg: train.DefaultConfig(), fs: fs}
	c := &t.cfg
	fs.IntVar(&c.Hidden, "hidden", c.Hidden, "neurons in the hidden layer")
	fs.StringVar(&c.Activation, "activation", c.Activation, "hidden activation: sigmoid or relu")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "solver: sgd (gorgonia VanillaSolver) or adam (AdamSolver, Keras defaults)")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate (default 0.5 for sgd, 0.001 for adam)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "minibatch size")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "passes over the training set")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the weights and the shuffling")
	fs.IntVar(&c.TrainLimit, "train-limit", 0, "use only the first N training images (0: all 60000)")
	fs.IntVar(&c.TestLimit, "test-limit", 0, "use only the first N test images (0: all 10000)")
	return t
}

// config returns the configuration, with the optimizer's default learning
// rate when -lr was not given.
func (t *trainFlags) config() (train.Config, error) {
	c := t.cfg
	lrSet := false
	t.fs.Visit(func(f *flag.Flag) { lrSet = lrSet || f.Name == "lr" })
	if !lrSet {
		c.LR = train.DefaultLR(c.Optimizer)
	}
	return c, c.Validate()
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", "[flags]",
		"Trains 784 → hidden → 10 on MNIST and writes the run directory: metrics.csv, history.json,\n"+
			"w1.npy b1.npy w2.npy b2.npy and model.json.", stderr)
	tf := addTrainFlags(fs)
	dataDir := fs.String("data", "", "directory of the MNIST files (default: $MNIST_DIR, else the GoMNIST module's copy)")
	out := fs.String("out", "", "run directory (default runs/<timestamp>-<config>)")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	quiet := fs.Bool("quiet", false, "nothing on stderr but errors")
	watch := addMonitorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "perceptron train: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	cfg, err := tf.config()
	if err != nil {
		return err
	}
	d, err := loadData(*dataDir)
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", time.Now().Format("20060102-150405")+"-"+cfg.Name())
	}
	opts := train.Options{Dir: dir}
	if !*quiet {
		opts.Log = stderr
		fmt.Fprintf(stderr, "data %s: %d train, %d test images\ntraining %s into %s\n",
			d.Dir, d.Train.Head(cfg.TrainLimit).Len(), d.Test.Head(cfg.TestLimit).Len(), cfg.Name(), dir)
	}
	mon, err := watch.attach(&opts, cfg, d.Train.Head(cfg.TrainLimit).Len(), *quiet, stderr)
	if err != nil {
		return err
	}
	defer mon.Close()
	res, err := train.Run(ctx, cfg, d, opts)
	if err != nil {
		return err
	}
	s := res.Summary()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(s)
	}
	fmt.Fprintf(stdout, "train accuracy  %.4f\ntest accuracy   %.4f\ntrain seconds   %.2f\nrun directory   %s\n",
		s.TrainAcc, s.TestAcc, s.TrainSeconds, s.RunDir)
	return nil
}
