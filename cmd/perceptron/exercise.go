package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"

	"github.com/perceptron-mnist/perceptron/exercise"
	"github.com/perceptron-mnist/perceptron/rundir"
)

func init() {
	commands["exercise"] = command{"run the whole study and write report.md and results.json", runExercise}
}

func runExercise(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("exercise", "[-out DIR] [flags]",
		"Runs the study as written: learning rates 0.005 and 0.5; hidden sizes 50, 20, 5; the best network with\n"+
			"SGD and Adam; Adam with 20 relu neurons at (batch, epochs) (200,10) (2000,10) (20000,10) (20000,100);\n"+
			"curves for (500,20) (30000,20) (200,250); the first five test predictions; save and load.\n"+
			"Writes DIR/report.md, DIR/results.json, the figures, and every run under DIR/runs/.\n"+
			"Finished runs are reused when run again (-force retrains).", stderr)
	out := fs.String("out", "runs/exercise", "output directory")
	dataDir := dataFlag(fs, "")
	jobs := fs.Int("jobs", runtime.NumCPU(), "runs trained at once")
	seeds := fs.Int("seeds", 1, "train every configuration with seeds 1, …, N; tables show mean ± sd and min–max")
	force := fs.Bool("force", false, "write into an -out that holds something else (a run, a sweep, other files), and retrain runs already finished in it")
	quick := fs.Bool("quick", false, "a scaled-down study for a smoke test: -train-limit 3000 -test-limit 1000 -epoch-scale 0.02")
	trainLimit := fs.Int("train-limit", 0, "use only the first N training images (0: all)")
	testLimit := fs.Int("test-limit", 0, "use only the first N test images (0: all)")
	epochScale := fs.Float64("epoch-scale", 1, "multiply every epoch count by this (at least 1 epoch)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	watch := addEndMonitorFlags(fs)
	pf := addPlanFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case *jobs < 1:
		return usagef("-jobs %d: want at least 1", *jobs)
	case *seeds < 1:
		return usagef("-seeds %d: want at least 1", *seeds)
	case *trainLimit < 0:
		return usagef("-train-limit %d: want 0 (all) or more", *trainLimit)
	case *testLimit < 0:
		return usagef("-test-limit %d: want 0 (all) or more", *testLimit)
	case !(*epochScale > 0) || *epochScale > 100:
		return usagef("-epoch-scale %v: want a number in (0, 100]", *epochScale)
	}
	if *quick {
		*trainLimit, *testLimit, *epochScale = 3000, 1000, 0.02
	}
	if err := pf.check(); err != nil {
		return err
	}
	if err := rundir.Check(*out, rundir.Exercise, *force); err != nil {
		return err
	}
	opts := exercise.Options{Out: *out, Jobs: *jobs, Seeds: *seeds, Force: *force, Collect: *pf.collect, TrainLimit: *trainLimit, TestLimit: *testLimit,
		EpochScale: *epochScale, Train: sweepRunOptions(watch), Clean: monitorFiles, Plot: exercisePlot}
	if *pf.plan != "" {
		return writePlan("exercise", *pf.plan, exercise.Plan(opts), exercise.RunsDir(*out), lineFlags(fs), collectLine("exercise", args), stdout, stderr, *quiet)
	}
	d, err := loadData(*dataDir)
	if err != nil {
		return err
	}
	if !*quiet {
		opts.Log = stderr
	}
	s, err := exercise.Run(ctx, d, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "study done in %.0f s: %s, %s\n", s.Seconds,
		filepath.Join(*out, exercise.ReportFile), filepath.Join(*out, exercise.ResultsFile))
	return nil
}
