package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/progress"
	"github.com/perceptron-mnist/perceptron/plot"
	"github.com/perceptron-mnist/perceptron/tfevents"
	"github.com/perceptron-mnist/perceptron/train"
)

// Files and tags that watching a run adds to its directory.
const (
	LogsDir         = "logs" // TensorBoard event files
	CurvesPNG       = "curves.png"
	CurvesSVG       = "curves.svg"
	HiddenUnitsPNG  = "hidden_units.png"
	TagTrainLoss    = "loss/train"
	TagTestLoss     = "loss/test"
	TagTrainAcc     = "accuracy/train"
	TagTestAcc      = "accuracy/test"
	TagEpochSeconds = "epoch_seconds"
)

// monitorFiles are what watching adds to a run directory, removed with the
// run's own files when a run is trained afresh over an old one.
var monitorFiles = []string{LogsDir, CurvesPNG, CurvesSVG, HiddenUnitsPNG}

// monitorFlags choose how a training run can be watched.
type monitorFlags struct {
	tensorboard, plots *bool
	// atEnd draws each run's pictures once, when the run ends, instead of
	// after every epoch (the same files: they are drawn from the last
	// epoch's snapshot either way).
	atEnd bool
}

func addMonitorFlags(fs *flag.FlagSet) *monitorFlags {
	return newMonitorFlags(fs, "redraw "+CurvesPNG+", "+CurvesSVG+" and "+HiddenUnitsPNG+" in the run directory after every epoch", false)
}

// addEndMonitorFlags is addMonitorFlags for a command that trains many runs
// (exercise): each run's pictures are drawn once, when the run ends. Redrawn
// after every epoch they cost a whole study about 490 drawings of 0.06-0.16 s
// each, on the cores its runs train on.
func addEndMonitorFlags(fs *flag.FlagSet) *monitorFlags {
	return newMonitorFlags(fs, "draw "+CurvesPNG+", "+CurvesSVG+" and "+HiddenUnitsPNG+" in each run's directory when the run ends", true)
}

func newMonitorFlags(fs *flag.FlagSet, plotsHelp string, atEnd bool) *monitorFlags {
	return &monitorFlags{
		tensorboard: fs.Bool("tensorboard", true, "write TensorBoard event files into <run dir>/"+LogsDir+" (see: tensorboard --logdir runs)"),
		plots:       fs.Bool("plots", true, plotsHelp),
		atEnd:       atEnd,
	}
}

// monitor watches a training run: a progress bar on stderr, TensorBoard
// events and pictures in the run directory.
type monitor struct {
	dir    string
	cfg    train.Config
	bar    *progress.Bar
	events *tfevents.Writer // created with the first epoch's event
	plots  bool
	// tensorboard: write event files. The file is created when the first
	// epoch ends, so a run that fails before leaves no log behind.
	tensorboard bool

	// The pictures are drawn on another goroutine while the next epoch
	// trains (drawing took 0.06-0.16 s an epoch, up to a third of a default
	// epoch's training): the last epoch's snapshot waits in next, an older
	// one still waiting is replaced, and Close draws the last one and waits.
	next  chan snapshot
	drawn chan struct{} // closed when the drawing goroutine returns
	// atEnd: no drawing goroutine; the last epoch's snapshot waits in last
	// and Close draws it.
	atEnd   bool
	last    *snapshot
	drawMu  sync.Mutex
	drawErr error // the first drawing that failed
	closed  bool
}

// snapshot is what the pictures of one epoch are drawn from.
type snapshot struct {
	history train.History
	w1      []float32
	inputs  int
	hidden  int
}

// attach sets opts's hooks to watch a run of cfg on samples training images
// into dir, as the flags ask; quiet keeps stderr silent. Close the monitor
// when the run ends.
func (f *monitorFlags) attach(opts *train.Options, cfg train.Config, samples int, quiet bool, stderr io.Writer) (*monitor, error) {
	m := &monitor{dir: opts.Dir, cfg: cfg, plots: *f.plots && opts.Dir != "", atEnd: f.atEnd}
	if !quiet {
		tty, cols := progress.IsTerminal(stderr)
		m.bar = progress.New(stderr, cfg.Epochs, samples, cfg.Batch, progress.Options{Terminal: tty, Columns: cols})
		opts.OnStep = m.bar.Step
	}
	m.tensorboard = *f.tensorboard && opts.Dir != ""
	opts.OnEpoch = m.epoch
	if m.plots && !m.atEnd {
		m.next = make(chan snapshot, 1)
		m.drawn = make(chan struct{})
		go m.draw()
	}
	return m, nil
}

// draw draws the pictures of each snapshot it is sent, until next closes.
func (m *monitor) draw() {
	defer close(m.drawn)
	for s := range m.next {
		if m.err() != nil {
			continue
		}
		if err := m.drawOne(s); err != nil {
			m.drawMu.Lock()
			m.drawErr = err
			m.drawMu.Unlock()
		}
	}
}

// drawOne draws the pictures of s.
func (m *monitor) drawOne(s snapshot) error {
	run := &plot.Run{Dir: m.dir, Config: m.cfg, History: s.history}
	err := plot.SaveCurves([]*plot.Run{run}, filepath.Join(m.dir, CurvesPNG), filepath.Join(m.dir, CurvesSVG))
	if err == nil {
		err = plot.SaveHiddenUnits(filepath.Join(m.dir, HiddenUnitsPNG), s.w1, s.inputs, s.hidden)
	}
	return err
}

// err returns the first drawing error.
func (m *monitor) err() error {
	m.drawMu.Lock()
	defer m.drawMu.Unlock()
	return m.drawErr
}

// epoch records the last epoch of h: events and pictures.
func (m *monitor) epoch(h train.History, p *graph.Params) error {
	if m.bar != nil {
		m.bar.End()
	}
	if m.tensorboard && m.events == nil {
		w, err := tfevents.Create(filepath.Join(m.dir, LogsDir))
		if err != nil {
			return err
		}
		m.events = w
	}
	if m.events != nil {
		if err := writeEpochEvents(m.events, h[len(h)-1], p); err != nil {
			return fmt.Errorf("event file %s: %w", m.events.Path(), err)
		}
	}
	if m.plots {
		if err := m.err(); err != nil { // a previous epoch's pictures
			return err
		}
		s := snapshot{slices.Clone(h), slices.Clone(p.Layers[0].Weights()), p.Inputs, p.Layers[0].Out()}
		if m.atEnd {
			m.last = &s
			return nil
		}
		select {
		case <-m.next: // not drawn yet: this one replaces it
		default:
		}
		m.next <- s // the only sender, and the buffer is empty now
	}
	return nil
}

// writeEpochEvents appends one event at step e.Epoch: the four metrics and
// the epoch's training time as scalars, and a histogram of each of the
// parameters w1, b1, …, wN, bN, as Keras's TensorBoard callback with
// histogram_freq=1 records them.
func writeEpochEvents(w *tfevents.Writer, e train.Epoch, p *graph.Params) error {
	values := []tfevents.Value{
		tfevents.Scalar(TagTrainLoss, e.TrainLoss),
		tfevents.Scalar(TagTestLoss, e.TestLoss),
		tfevents.Scalar(TagTrainAcc, e.TrainAcc),
		tfevents.Scalar(TagTestAcc, e.TestAcc),
		tfevents.Scalar(TagEpochSeconds, e.Seconds),
	}
	names := p.ParamNames()
	for i, t := range p.Tensors() {
		v, err := tfevents.Histo(names[i], graph.F32(t))
		if err != nil {
			return err
		}
		values = append(values, v)
	}
	return w.Summary(int64(e.Epoch), values...)
}

// Close ends the progress line, draws the last epoch's pictures and
// closes the event file. It reports the first error; calling it again does
// nothing.
func (m *monitor) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	if m.bar != nil {
		m.bar.End()
	}
	var err error
	if m.next != nil {
		close(m.next)
		<-m.drawn
		err = m.err()
	}
	if m.last != nil {
		err = m.drawOne(*m.last)
		m.last = nil
	}
	if m.events != nil {
		if e := m.events.Close(); err == nil {
			err = e
		}
	}
	return err
}
