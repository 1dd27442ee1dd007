package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/rundir"
	"io"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/train"
)

// Options control a sweep.
type Options struct {
	// Out is the directory under which each run gets its own directory,
	// named by train.Config.Name.
	Out string
	// Jobs is how many runs train at once (0: the number of CPUs).
	Jobs int
	// Slots, when set, is shared by sweeps that run at the same time: a run
	// trains only while it holds one of its places (a send), so that all of
	// them together train at most cap(Slots) runs at once. Runs wait for a
	// place in the order they ask.
	Slots chan struct{}
	// Force retrains runs that are already finished in Out.
	Force bool
	// Collect trains nothing: Sweep returns the runs finished in Out, or an
	// *IncompleteError listing those that are not (see Collect).
	Collect bool
	// Log receives a line as each run starts and ends (nil: silent).
	Log io.Writer
	// Train, when set, sets the monitoring hooks of one run in opts (whose
	// Dir is set) and returns a function to call when the run ends.
	Train func(cfg train.Config, opts *train.Options) (done func() error, err error)
	// Clean names the files or directories that Train's hooks add to a run
	// directory, removed with the run's own files before training afresh.
	Clean []string
}

// Run is one finished run of a sweep.
type Run struct {
	Config  train.Config
	Dir     string
	Summary train.Summary
	History train.History
	Reused  bool // found finished in Out, not trained again
}

// Updates is the number of weight updates the run made: steps per epoch
// times epochs.
func (r Run) Updates() int {
	n := 60000
	if r.Config.TrainLimit > 0 {
		n = min(n, r.Config.TrainLimit)
	}
	return (n + r.Config.Batch - 1) / r.Config.Batch * r.Config.Epochs
}

// Sweep trains every configuration on d, opts.Jobs at a time, and returns
// the runs in the order of cfgs. A run's numbers do not depend on how many
// run at once. The first error cancels the runs not yet started.
func Sweep(ctx context.Context, cfgs []train.Config, d *data.MNIST, opts Options) ([]Run, error) {
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("run %d (%s): %w", i+1, c.Name(), err)
		}
	}
	if opts.Collect {
		return Collect(cfgs, opts.Out)
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	var mu sync.Mutex // serialises Log
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			mu.Lock()
			fmt.Fprintf(opts.Log, format, args...)
			mu.Unlock()
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	one := func(ctx context.Context, i int, cfg train.Config) (Run, error) {
		if err := ctx.Err(); err != nil {
			return Run{}, err
		}
		dir := filepath.Join(opts.Out, cfg.Name())
		// One process trains a run directory at a time: a plan line or
		// another sweep on the same directory waits its turn elsewhere.
		lock, err := rundir.Acquire(dir, logWriter(logf))
		if err != nil {
			return Run{}, fmt.Errorf("%s: %w", cfg.Name(), err)
		}
		defer lock.Release()
		if !opts.Force {
			if r, ok := Finished(dir, cfg); ok {
				logf("[%d/%d] %s: finished before, reused (test acc %.4f)\n", i+1, len(cfgs), cfg.Name(), r.Summary.TestAcc)
				return r, nil
			}
		}
		if opts.Slots != nil {
			select {
			case opts.Slots <- struct{}{}:
				defer func() { <-opts.Slots }()
			case <-ctx.Done():
				return Run{}, ctx.Err()
			}
		}
		// An interrupted run of cfg continues from its checkpoint; anything
		// else in dir is an earlier run's, removed before training afresh.
		ck, ckErr := train.ReadCheckpoint(filepath.Join(dir, train.CheckpointFile))
		resume := !opts.Force && ckErr == nil && ck.Config.Equal(cfg)
		if !resume {
			if err := train.CheckRunDir(dir, true, opts.Clean...); err != nil {
				return Run{}, fmt.Errorf("%s: %w", cfg.Name(), err)
			}
			logf("[%d/%d] %s: training\n", i+1, len(cfgs), cfg.Name())
		} else {
			logf("[%d/%d] %s: resuming after epoch %d\n", i+1, len(cfgs), cfg.Name(), len(ck.History))
		}
		topts := train.Options{Dir: dir}
		var done func() error
		if opts.Train != nil {
			done, err = opts.Train(cfg, &topts)
			if err != nil {
				return Run{}, fmt.Errorf("%s: %w", cfg.Name(), err)
			}
			defer func() {
				if done != nil { // an error ended the run first
					done()
				}
			}()
		}
		var res *train.Result
		if resume {
			res, err = train.Continue(ctx, ck, d, topts)
		} else {
			res, err = train.Run(ctx, cfg, d, topts)
		}
		if err == nil && done != nil {
			// the hooks' own error (a picture they could not write)
			err, done = done(), nil
		}
		if err != nil {
			return Run{}, fmt.Errorf("%s: %w", cfg.Name(), err)
		}
		logf("[%d/%d] %s: test acc %.4f, %.1f s\n", i+1, len(cfgs), cfg.Name(), res.Final().TestAcc, res.History.TrainSeconds())
		return Run{Config: cfg, Dir: dir, Summary: res.Summary(), History: res.History}, nil
	}
	runs := make([]Run, len(cfgs))
	errs := make([]error, len(cfgs))
	// Workers take the runs in the order given, so a caller can start the
	// longest first.
	// A run listed twice is trained once (its directory is its name).
	firstOf := map[string]int{}
	var unique []int
	for i, c := range cfgs {
		if _, ok := firstOf[c.Name()]; !ok {
			firstOf[c.Name()] = i
			unique = append(unique, i)
		}
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for _, i := range unique {
			next <- i
		}
	}()
	var wg sync.WaitGroup
	for range min(jobs, len(unique)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				runs[i], errs[i] = one(ctx, i, cfgs[i])
				if errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	for i, c := range cfgs {
		runs[i], errs[i] = runs[firstOf[c.Name()]], errs[firstOf[c.Name()]]
	}
	// Report the error that caused the others, not the cancellations.
	var first error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return runs, err
		}
		if first == nil {
			first = err
		}
	}
	return runs, first
}

// Finished reports whether dir holds a finished run of cfg, and returns it.
// A run is finished when its model.json records cfg as its training
// configuration and all of cfg.Epochs in its metrics (or fewer, when early
// stopping ended it).
func Finished(dir string, cfg train.Config) (Run, bool) {
	m, err := modeljson.ReadModel(dir)
	if err != nil || m.Training == nil || m.Metrics == nil {
		return Run{}, false
	}
	var got train.Config
	var s train.Summary
	if json.Unmarshal(m.Training, &got) != nil || json.Unmarshal(m.Metrics, &s) != nil {
		return Run{}, false
	}
	if !got.Equal(cfg) || !(s.Epochs == cfg.Epochs || s.StoppedEarly && s.Epochs < cfg.Epochs) {
		return Run{}, false
	}
	h, err := train.ReadHistory(filepath.Join(dir, train.MetricsFile))
	if err != nil || len(h) != s.Epochs {
		return Run{}, false
	}
	s.RunDir = dir
	return Run{Config: cfg, Dir: dir, Summary: s, History: h, Reused: true}, true
}

// SweepSeeds trains every configuration of cfgs with n seeds (c.Seed, …,
// c.Seed+n-1; see WithSeeds), opts.Jobs runs at a time over all seeds of all
// configurations, and returns one group per configuration in the order of
// cfgs. Finished seeds are reused like any finished run.
func SweepSeeds(ctx context.Context, cfgs []train.Config, n int, d *data.MNIST, opts Options) ([]Group, error) {
	if n < 1 {
		return nil, fmt.Errorf("-seeds %d: want at least 1", n)
	}
	runs, err := Sweep(ctx, WithSeeds(cfgs, n), d, opts)
	if err != nil {
		return nil, err
	}
	return Groups(runs, n)
}

// logWriter writes through logf, a line at a time.
type logWriter func(format string, args ...any)

func (w logWriter) Write(p []byte) (int, error) {
	w("%s", p)
	return len(p), nil
}
