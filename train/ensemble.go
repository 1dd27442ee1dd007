package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
)

// Files of an ensemble's run directory beside a run's: the members' run
// directories are MembersDir/1, MembersDir/2, …, and MembersDir/EnsembleFile
// holds the ensemble's configuration from the start of its training, and
// its metrics after each epoch in full precision (what continuing it needs).
const (
	MembersDir   = "members"
	EnsembleFile = "ensemble.json"
)

// MemberDir returns the run directory of member k (from 0) of the ensemble
// in dir.
func MemberDir(dir string, k int) string {
	return filepath.Join(dir, MembersDir, strconv.Itoa(k+1))
}

// ReadEnsemble returns the configuration of the ensemble trained, or being
// trained, in dir. The error wraps fs.ErrNotExist when dir holds none.
func ReadEnsemble(dir string) (Config, error) {
	st, err := readEnsemble(dir)
	return st.Config, err
}

// ensembleState is the content of EnsembleFile.
type ensembleState struct {
	Config  Config  `json:"config"`
	History History `json:"history"`
}

func readEnsemble(dir string) (ensembleState, error) {
	path := filepath.Join(dir, MembersDir, EnsembleFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return ensembleState{}, err // *fs.PathError: "open PATH: ..."
	}
	var st ensembleState
	if err := json.Unmarshal(b, &st); err != nil {
		return ensembleState{}, fmt.Errorf("read %s: %w", path, err)
	}
	if c := st.Config; c.Ensemble < 2 {
		return ensembleState{}, fmt.Errorf("read %s: not an ensemble (ensemble %d)", path, c.Ensemble)
	}
	if err := st.Config.Validate(); err != nil {
		return ensembleState{}, fmt.Errorf("read %s: %w", path, err)
	}
	if len(st.History) > st.Config.Epochs {
		return ensembleState{}, fmt.Errorf("read %s: %d epochs of metrics, the configuration has %d", path, len(st.History), st.Config.Epochs)
	}
	for i, e := range st.History {
		if e.Epoch != i+1 {
			return ensembleState{}, fmt.Errorf("read %s: metrics of epoch %d in place %d", path, e.Epoch, i+1)
		}
	}
	return st, nil
}

// writeEnsemble writes the ensemble's EnsembleFile.
func writeEnsemble(dir string, cfg Config, h History) error {
	b, err := json.MarshalIndent(ensembleState{Config: cfg, History: h}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, MembersDir, EnsembleFile), append(b, '\n'))
}

// errStopped ends a member's run when another member failed or the
// ensemble's run was interrupted.
var errStopped = errors.New("the ensemble stopped")

// arrival is a member's message to the ensemble's loop: the end of an epoch
// (h, p; the member waits for its next turn) or of its run (ended).
type arrival struct {
	h     History
	p     *graph.Params
	ended bool
	err   error
}

// member is one network of an ensemble being trained.
type member struct {
	cfg    Config
	opts   Options
	ck     *Checkpoint // to continue from (nil: from the start)
	h      History     // its epochs so far
	p      *graph.Params
	turn   chan bool // true: train the next epoch; false: stop
	arrive chan arrival
	live   bool // its goroutine runs
}

// start runs the member's training in a goroutine that waits at the end of
// each epoch for its next turn.
func (m *member) start(ctx context.Context, d *data.MNIST) {
	m.turn, m.arrive, m.live = make(chan bool), make(chan arrival), true
	m.opts.OnEpoch = func(h History, p *graph.Params) error {
		m.arrive <- arrival{h: h, p: p}
		if !<-m.turn {
			return errStopped
		}
		return nil
	}
	go func() {
		var err error
		if m.ck != nil {
			_, err = Continue(ctx, m.ck, d, m.opts)
		} else {
			_, err = Run(ctx, m.cfg, d, m.opts)
		}
		m.arrive <- arrival{ended: true, err: err}
	}()
}

// next lets a waiting member go on (train its next epoch, or end its run)
// or starts it, and returns its next message.
func (m *member) next(ctx context.Context, d *data.MNIST) arrival {
	if m.live {
		m.turn <- true
	} else {
		m.start(ctx, d)
	}
	a := <-m.arrive
	if a.ended {
		m.live = false
	}
	return a
}

// stop ends a waiting member's run.
func (m *member) stop() {
	if m.live {
		m.turn <- false
		<-m.arrive
		m.live = false
	}
}

// runEnsemble trains cfg.Ensemble members in step, each an ordinary run in
// its own directory (MemberDir), one epoch of each in turn, and after each
// epoch merges them (graph.Average) and evaluates the merged network, whose
// metrics, weights and model.json the ensemble's directory holds as a run's.
// An interrupted ensemble continues where it stopped: each member from its
// checkpoint.
func runEnsemble(ctx context.Context, cfg Config, d *data.MNIST, opts Options) (_ *Result, rerr error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	trainSet, testSet := d.Train.Head(cfg.TrainLimit), d.Test.Head(cfg.TestLimit)
	res := &Result{Config: cfg, Dir: opts.Dir}
	ms := make([]*member, cfg.Ensemble)
	for k := range ms {
		ms[k] = &member{cfg: cfg.Member(k), opts: Options{Log: prefixed(opts.Log, k, cfg), OnStep: opts.OnStep}}
		if opts.Dir != "" {
			ms[k].opts.Dir = MemberDir(opts.Dir, k)
		}
	}
	undo, err := makeRunDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	defer func() { // a run that failed before writing leaves no directory
		if rerr != nil {
			undo()
		}
	}()
	if opts.Dir != "" {
		if err := restoreEnsemble(res, ms); err != nil {
			return nil, err
		}
	}
	defer func() {
		for _, m := range ms {
			m.stop()
		}
	}()

	var merged *graph.Params
	var eval *graph.Evaluator
	defer func() {
		if eval != nil {
			eval.Close()
		}
	}()
	params := make([]*graph.Params, len(ms))
	for epoch := len(res.History) + 1; epoch <= cfg.Epochs; epoch++ {
		// one epoch of each member, in turn
		e := Epoch{Epoch: epoch}
		for k, m := range ms {
			if len(m.h) < epoch {
				a := m.next(ctx, d)
				if a.ended {
					return res, ensembleError(a.err, opts.Dir, k)
				}
				m.h, m.p = a.h, a.p
			}
			params[k] = m.p
			e.Seconds += m.h[epoch-1].Seconds
		}

		// merge, and the merged network's metrics
		if merged == nil {
			if merged, err = graph.Average(params); err != nil {
				return res, err
			}
			eval = graph.NewEvaluator(merged, 0)
		} else if err := graph.AverageInto(merged, params); err != nil {
			return res, err
		}
		res.Params = merged
		if err := e.measure(eval, trainSet, testSet); err != nil {
			return res, err
		}
		res.History = append(res.History, e)
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "Epoch %d/%d - ensemble of %d - %.2fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f\n",
				epoch, cfg.Epochs, len(ms), e.Seconds, e.TrainLoss, e.TrainAcc, e.TestLoss, e.TestAcc)
		}
		if opts.Dir != "" {
			if err := res.save(); err != nil {
				return res, err
			}
			if err := writeEnsemble(opts.Dir, cfg, res.History); err != nil {
				return res, err
			}
		}
		if opts.OnEpoch != nil {
			if err := opts.OnEpoch(res.History, merged); err != nil {
				return res, err
			}
		}
	}
	for k, m := range ms { // the members' runs end
		if m.live {
			if a := m.next(ctx, d); a.err != nil {
				return res, ensembleError(a.err, opts.Dir, k)
			}
		}
	}
	if merged == nil { // it had finished: the members' last weights
		for k, m := range ms {
			params[k] = m.p
		}
		if res.Params, err = graph.Average(params); err != nil {
			return res, err
		}
	}
	return res, nil
}

// restoreEnsemble reads what an interrupted ensemble in res.Dir had done: its
// own metrics and each member's checkpoint. A new ensemble's configuration
// is written instead.
func restoreEnsemble(res *Result, ms []*member) error {
	dir, cfg := res.Dir, res.Config
	st, err := readEnsemble(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Join(dir, MembersDir), 0o755); err != nil {
			return fmt.Errorf("run directory: %w", err)
		}
		return writeEnsemble(dir, cfg, nil)
	}
	if err != nil {
		return err
	}
	if !st.Config.Equal(cfg) {
		return fmt.Errorf("run directory %s holds an ensemble of another configuration, %s", dir, st.Config.Name())
	}
	res.History = st.History
	done := len(res.History)
	for k, m := range ms {
		ck, err := ReadCheckpoint(filepath.Join(m.opts.Dir, CheckpointFile))
		if errors.Is(err, os.ErrNotExist) {
			if done > 0 {
				return fmt.Errorf("ensemble %s: member %d has no checkpoint after %d epochs of the ensemble", dir, k+1, done)
			}
			continue
		}
		if err != nil {
			return err
		}
		if !ck.Config.Equal(m.cfg) {
			return fmt.Errorf("ensemble %s: member %d was trained as %s, not %s", dir, k+1, ck.Config.Name(), m.cfg.Name())
		}
		n := len(ck.History)
		// the members train in turn: each has done the ensemble's epochs,
		// or one more, whole
		if !(n == done || n == done+1 && (ck.Step == 0 || ck.Done)) {
			return fmt.Errorf("ensemble %s: member %d is at epoch %d step %d, the ensemble after epoch %d", dir, k+1, ck.Epoch, ck.Step, done)
		}
		m.ck, m.h, m.p = ck, ck.History, ck.Params
	}
	return nil
}

// ensembleError reports member k's failure as the ensemble's: an
// interruption is continued from the ensemble's directory.
func ensembleError(err error, dir string, k int) error {
	var ie *InterruptedError
	if errors.As(err, &ie) {
		out := *ie
		if out.Dir != "" {
			out.Dir = dir
		}
		return &out
	}
	return fmt.Errorf("ensemble member %d: %w", k+1, err)
}

// prefixed returns a writer that starts each line written to w with the
// member's name, or nil for a nil w.
func prefixed(w io.Writer, k int, cfg Config) io.Writer {
	if w == nil {
		return nil
	}
	return &prefixWriter{w: w, prefix: fmt.Sprintf("member %d/%d (seed %d): ", k+1, cfg.Ensemble, cfg.Member(k).Seed)}
}

type prefixWriter struct {
	w      io.Writer
	prefix string
}

// Write writes p, one or more whole lines, each after the prefix.
func (p *prefixWriter) Write(b []byte) (int, error) {
	out := make([]byte, 0, len(b)+len(p.prefix))
	start := true
	for _, c := range b {
		if start {
			out = append(out, p.prefix...)
		}
		out = append(out, c)
		start = c == '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
