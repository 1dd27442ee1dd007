package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/internal/words"
	"github.com/perceptron-mnist/perceptron/plot"
	"github.com/perceptron-mnist/perceptron/rundir"
	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

func init() {
	commands["sweep"] = command{"train a grid of configurations in parallel and tabulate them", runSweep}
}

// gridFlags are the training flags of sweep, each taking a comma-separated list.
type gridFlags struct {
	hidden, activation, optimizer, lr, batch, epochs, seed *string
	trainLimit, testLimit                                  *int
}

func addGridFlags(fs *flag.FlagSet) *gridFlags {
	d := train.DefaultConfig()
	return &gridFlags{
		hidden:     fs.String("hidden", d.Hidden.String(), "hidden layer sizes, comma-separated alternatives, each as train -hidden takes it (64,512+512: two networks)"),
		activation: fs.String("activation", d.Activation, "activations (sigmoid, relu), comma-separated"),
		optimizer:  fs.String("optimizer", d.Optimizer, "optimizers (sgd, adam), comma-separated"),
		lr:         fs.String("lr", "", "learning rates, comma-separated (default: 0.5 for sgd, 0.001 for adam)"),
		batch:      fs.String("batch", strconv.Itoa(d.Batch), "batch sizes, comma-separated"),
		epochs:     fs.String("epochs", strconv.Itoa(d.Epochs), "epoch counts, comma-separated"),
		seed:       fs.String("seed", strconv.FormatUint(d.Seed, 10), "seeds, comma-separated"),
		trainLimit: fs.Int("train-limit", 0, "use only the first N training images (0: all)"),
		testLimit:  fs.Int("test-limit", 0, "use only the first N test images (0: all)"),
	}
}

func (g *gridFlags) grid() (sweep.Grid, error) {
	var (
		gr  = sweep.Grid{TrainLimit: *g.trainLimit, TestLimit: *g.testLimit}
		err error
	)
	if gr.Hidden, err = sweep.ParseSizes("hidden", *g.hidden); err != nil {
		return gr, err
	}
	gr.Activation = sweep.ParseStrings(*g.activation)
	gr.Optimizer = sweep.ParseStrings(*g.optimizer)
	if *g.lr != "" {
		if gr.LR, err = sweep.ParseFloats("lr", *g.lr); err != nil {
			return gr, err
		}
	}
	if gr.Batch, err = sweep.ParseInts("batch", *g.batch); err != nil {
		return gr, err
	}
	if gr.Epochs, err = sweep.ParseInts("epochs", *g.epochs); err != nil {
		return gr, err
	}
	if gr.Seed, err = sweep.ParseUints("seed", *g.seed); err != nil {
		return gr, err
	}
	return gr, nil
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep", "[flags]",
		"Trains every combination of the listed values (or the runs of a -config file), -jobs at a time,\n"+
			"each in OUT/<config>, and writes OUT/results.md, results.csv and results.json.\n"+
			"Example: perceptron sweep -lr 0.005,0.5 -hidden 50,20,5 -out runs/lr-hidden", stderr)
	g := addGridFlags(fs)
	config := fs.String("config", "", "JSON file listing runs, e.g. [{\"lr\": 0.005}, {\"optimizer\": \"adam\"}] (instead of lists)")
	dataDir := dataFlag(fs, "")
	out := fs.String("out", "runs/sweep", "directory of the runs and the tables")
	jobs := fs.Int("jobs", runtime.NumCPU(), "runs trained at once")
	seeds := fs.Int("seeds", 1, "train each configuration with seeds -seed, -seed+1, … (N of them); tables show mean ± sd and min–max")
	force := fs.Bool("force", false, "write into an -out that holds something else (a run, a study, other files), and retrain runs already finished in it")
	asJSON := fs.Bool("json", false, "print the results table as JSON instead of markdown")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	watch := addMonitorFlags(fs)
	pf := addPlanFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := pf.check(); err != nil {
		return err
	}
	if *jobs < 1 {
		return usagef("-jobs %d: want at least 1", *jobs)
	}
	if *seeds < 1 {
		return usagef("-seeds %d: want at least 1", *seeds)
	}
	var cfgs []train.Config
	if *config != "" {
		var err error
		if cfgs, err = sweep.ReadConfigs(*config); err != nil {
			return err
		}
	} else {
		gr, err := g.grid()
		if err != nil {
			return asUsage(err)
		}
		cfgs = gr.Configs()
	}
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return asUsage(fmt.Errorf("run %d of the grid: %w", i+1, err))
		}
	}
	if err := rundir.Check(*out, rundir.Sweep, *force); err != nil {
		return err
	}
	if *pf.plan != "" {
		return writePlan("sweep", *pf.plan, sweep.WithSeeds(cfgs, *seeds), *out, lineFlags(fs), collectLine("sweep", args), stdout, stderr, *quiet)
	}
	var d *data.MNIST
	if !*pf.collect { // a collect reads the runs' own figures
		var err error
		if d, err = loadData(*dataDir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	opts := sweep.Options{Out: *out, Jobs: *jobs, Force: *force, Collect: *pf.collect, Train: sweepRunOptions(watch), Clean: monitorFiles}
	if *pf.collect {
		// nothing to say before the tables
	} else if !*quiet {
		opts.Log = stderr
		if *seeds > 1 {
			fmt.Fprintf(stderr, "sweep: %d configurations × %d seeds = %d runs, %d at a time, into %s\n", len(cfgs), *seeds, len(cfgs)**seeds, *jobs, *out)
		} else {
			fmt.Fprintf(stderr, "sweep: %s, %d at a time, into %s\n", words.Count(len(cfgs), "run"), *jobs, *out)
		}
	}
	groups, err := sweep.SweepSeeds(ctx, cfgs, *seeds, d, opts)
	if err != nil {
		return err
	}
	rows := sweep.GroupRows(groups)
	if err := sweep.Save(*out, rows); err != nil {
		return err
	}
	if err := sweepPlot(filepath.Join(*out, "curves.png"), groups); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"tables": map[string][]sweep.Row{"sweep": rows}})
	}
	return sweep.WriteMarkdown(stdout, rows)
}

// sweepRunOptions gives each run of a sweep TensorBoard events and
// pictures in its directory; no progress bar, since runs go in parallel.
func sweepRunOptions(watch *monitorFlags) func(cfg train.Config, opts *train.Options) (func() error, error) {
	return func(cfg train.Config, opts *train.Options) (func() error, error) {
		m, err := watch.attach(opts, cfg, 0, true, io.Discard)
		if err != nil {
			return nil, err
		}
		return m.Close, nil
	}
}

// sweepPlot draws the groups' curves overlaid into path: a configuration
// trained with several seeds as its mean with a band.
func sweepPlot(path string, groups []sweep.Group) error {
	pr := make([]*plot.Run, len(groups))
	for i, g := range groups {
		pr[i] = &plot.Run{Dir: g.Dir, Config: g.Config, History: g.History}
		if len(g.Seeds) > 1 {
			for _, r := range g.Seeds {
				pr[i].Seeds = append(pr[i].Seeds, r.History)
			}
		}
	}
	return plot.SaveCurves(pr, path)
}

// exercisePlot draws groups' curves overlaid into path (the title comes
// from what the runs share).
func exercisePlot(path, _ string, groups []sweep.Group) error { return sweepPlot(path, groups) }
