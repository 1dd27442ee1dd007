package train

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
)

// Resume continues the interrupted run in opts.Dir from its checkpoint on
// the same data, and returns the finished result: the same, number for
// number (epoch times aside), as the run would have given uninterrupted.
// A run that had finished is returned as it is. An ensemble (Config.Ensemble)
// continues from its members' checkpoints.
func Resume(ctx context.Context, d *data.MNIST, opts Options) (*Result, error) {
	if opts.Dir == "" {
		return nil, errors.New("resume: no run directory")
	}
	ck, err := ReadCheckpoint(filepath.Join(opts.Dir, CheckpointFile))
	if errors.Is(err, os.ErrNotExist) { // no checkpoint: an ensemble's members have theirs
		cfg, eerr := ReadEnsemble(opts.Dir)
		if eerr == nil {
			return runEnsemble(ctx, cfg, d, opts)
		}
		if !errors.Is(eerr, os.ErrNotExist) {
			return nil, eerr
		}
	}
	if err != nil {
		return nil, err
	}
	return Continue(ctx, ck, d, opts)
}

// Continue is Resume from a checkpoint already read.
func Continue(ctx context.Context, ck *Checkpoint, d *data.MNIST, opts Options) (*Result, error) {
	if ck.Done {
		return &Result{Config: ck.Config, Dir: opts.Dir, History: ck.History, Params: ck.Params, StoppedEarly: ck.StoppedEarly}, nil
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "resuming %s at epoch %d, step %d\n", opts.Dir, ck.Epoch, ck.Step)
	}
	return run(ctx, ck.Config, d, opts, ck)
}

// checkpoint returns the trainer's state at the start of epoch with step
// steps of it done: the shuffler state before that epoch's order is pre
// (nil: the shuffler's current state).
func (t *trainer) checkpoint(epoch, step int, seconds float64, h History, p *graph.Params, pre []byte) (*Checkpoint, error) {
	ck := &Checkpoint{Config: t.cfg, Epoch: epoch, Step: step, Seconds: seconds, History: h,
		TrainImages: t.set.Len(), Params: p, Shuffler: pre}
	if pre == nil {
		var err error
		if ck.Shuffler, err = t.shuffler.MarshalBinary(); err != nil {
			return nil, err
		}
	}
	if Stateful(t.solver) {
		st, err := GetSolverState(t.solver)
		if err != nil {
			return nil, err
		}
		ck.Solver = st
	}
	return ck, nil
}

// restore brings a new trainer to the state of ck.
func (t *trainer) restore(ck *Checkpoint) error {
	if ck.TrainImages != t.set.Len() {
		return fmt.Errorf("the checkpoint is of a run on %d training images, the data has %d", ck.TrainImages, t.set.Len())
	}
	if err := t.shuffler.UnmarshalBinary(ck.Shuffler); err != nil {
		return err
	}
	if ck.Step >= t.steps {
		return fmt.Errorf("step %d of epoch %d, but an epoch has %d steps", ck.Step, ck.Epoch, t.steps)
	}
	t.skip = ck.Step
	if Stateful(t.solver) && ck.Solver != nil {
		return SetSolverState(t.solver, ck.Solver, ck.Params.ParamShapes())
	}
	return nil
}

// InterruptedError reports a run stopped by its context between two steps;
// with a run directory, a checkpoint to continue from was written.
type InterruptedError struct {
	Dir         string // "" when nothing was written
	Epoch, Step int    // steps of Epoch done
	Steps       int    // steps per epoch
	Err         error  // the context's error
}

func (e *InterruptedError) Error() string {
	s := fmt.Sprintf("interrupted at epoch %d after step %d of %d", e.Epoch, e.Step, e.Steps)
	if e.Dir != "" {
		s += "; checkpoint saved in " + e.Dir
	}
	return s
}

func (e *InterruptedError) Unwrap() error { return e.Err }

// interrupted writes the checkpoint of a run stopped by its context during
// epoch, and returns the error to report.
func (r *Result) interrupted(t *trainer, epoch int, seconds float64, err error) error {
	ie := &InterruptedError{Epoch: epoch, Step: t.done, Steps: t.steps, Err: err}
	if r.Dir == "" {
		return ie
	}
	ck, cerr := t.checkpoint(epoch, t.done, seconds, r.History, r.Params, t.pre)
	if cerr == nil {
		cerr = WriteCheckpoint(filepath.Join(r.Dir, CheckpointFile), ck)
	}
	if cerr != nil {
		return fmt.Errorf("%w; writing its checkpoint failed, the last one is kept: %v", ie, cerr)
	}
	ie.Dir = r.Dir
	return ie
}
