package train

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/rundir"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Files of a run directory for resuming and for -save-best.
const (
	// CheckpointFile holds everything a run needs to continue exactly: the
	// configuration, the history, the weights, the solver's state and the
	// shuffling generator's state. It is rewritten after every epoch and
	// when a run is interrupted, each time as a whole.
	CheckpointFile = "checkpoint.bin"
	// BestDir holds, with Config.SaveBest, the weights and model.json of the
	// epoch with the best test accuracy.
	BestDir = "best"
)

// Checkpoint is the state of a run between two training steps.
type Checkpoint struct {
	Config Config
	// Epoch is the epoch to continue (from 1) and Step the number of its
	// steps already done; Seconds is their training time.
	Epoch, Step int
	Seconds     float64
	// History holds the metrics of epochs 1 to Epoch-1.
	History History
	// Done: the run finished (all epochs, or stopped early).
	Done, StoppedEarly bool
	// TrainImages is the number of training images the run uses.
	TrainImages int
	Params      *graph.Params
	Adam        *AdamState // nil for SGD
	// Shuffler is the data.Shuffler's state before Epoch's order was dealt.
	Shuffler []byte
}

// checkpointMeta is the JSON part of a checkpoint file.
type checkpointMeta struct {
	Config       Config  `json:"config"`
	Epoch        int     `json:"epoch"`
	Step         int     `json:"step"`
	Seconds      float64 `json:"seconds"`
	History      History `json:"history"`
	Done         bool    `json:"done"`
	StoppedEarly bool    `json:"stopped_early"`
	TrainImages  int     `json:"train_images"`
	AdamIter     int     `json:"adam_iter"`
}

// checkpointMagic starts a checkpoint file; it is followed by the format
// version (uint32), the length of the JSON metadata (uint32) and the
// metadata, the length of the shuffler state (uint32) and the state, the
// float32 weights w1 b1 w2 b2 (sizes from the architecture), for Adam after
// its first step the first then the second moments of each, and a CRC-32C of
// everything before it. All integers and floats are little-endian.
const (
	checkpointMagic   = "perceptron-ckpt\n"
	checkpointVersion = 1
	// maxCheckpointBytes bounds the file: the largest network (65536 hidden
	// neurons) with Adam's moments needs about 625 MB.
	maxCheckpointBytes = 1 << 30
	maxCheckpointMeta  = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteCheckpoint writes ck to path atomically.
func WriteCheckpoint(path string, ck *Checkpoint) error {
	return atomicfile.Write(path, ck.encode)
}

// encode writes the checkpoint file's content.
func (ck *Checkpoint) encode(w io.Writer) error {
	meta := checkpointMeta{Config: ck.Config, Epoch: ck.Epoch, Step: ck.Step, Seconds: ck.Seconds, History: ck.History,
		Done: ck.Done, StoppedEarly: ck.StoppedEarly, TrainImages: ck.TrainImages}
	var arrays [][]float32
	for _, t := range ck.Params.Tensors() {
		arrays = append(arrays, graph.F32(t))
	}
	if ck.Adam != nil {
		meta.AdamIter = ck.Adam.Iter
		arrays = append(append(arrays, ck.Adam.M...), ck.Adam.V...)
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return encodeCheckpoint(w, mb, ck.Shuffler, arrays)
}

// encodeCheckpoint writes a checkpoint file's content.
func encodeCheckpoint(w io.Writer, mb, shuffler []byte, arrays [][]float32) error {
	h := crc32.New(castagnoli)
	mw := io.MultiWriter(w, h)
	b := append([]byte(checkpointMagic), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[len(checkpointMagic):], checkpointVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(mb)))
	b = append(b, mb...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(shuffler)))
	b = append(b, shuffler...)
	if _, err := mw.Write(b); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, a := range arrays {
		for _, v := range a {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				if _, err := mw.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	if _, err := mw.Write(buf); err != nil {
		return err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, h.Sum32()))
	return err
}

// ReadCheckpoint reads and checks a checkpoint file.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read %s: is a directory", path)
	}
	if st.Size() > maxCheckpointBytes {
		return nil, fmt.Errorf("read %s: file is %d bytes, more than the %d allowed", path, st.Size(), maxCheckpointBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpointBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	ck, err := decodeCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return ck, nil
}

// decodeCheckpoint parses a checkpoint file's content, checking every length
// against the bytes present before allocating from it.
func decodeCheckpoint(b []byte) (*Checkpoint, error) {
	if len(b) > maxCheckpointBytes {
		return nil, fmt.Errorf("%d bytes, more than the %d allowed", len(b), maxCheckpointBytes)
	}
	head := len(checkpointMagic) + 8
	if len(b) < head+4 || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return nil, errors.New("not a checkpoint written by perceptron")
	}
	if v := binary.LittleEndian.Uint32(b[len(checkpointMagic):]); v != checkpointVersion {
		return nil, fmt.Errorf("checkpoint format version %d, this program reads version %d", v, checkpointVersion)
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("checksum mismatch: the file is truncated or corrupt")
	}
	r := body[head-4:]
	mlen := int64(binary.LittleEndian.Uint32(r))
	r = r[4:]
	if mlen > int64(len(r)) || mlen > maxCheckpointMeta {
		return nil, fmt.Errorf("metadata of %d bytes, but %d bytes follow", mlen, len(r))
	}
	var meta checkpointMeta
	dec := json.NewDecoder(bytes.NewReader(r[:mlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	if dec.More() {
		return nil, errors.New("metadata: data after the JSON object")
	}
	r = r[mlen:]
	if err := meta.check(); err != nil {
		return nil, err
	}
	if len(r) < 4 {
		return nil, errors.New("truncated before the shuffler state")
	}
	slen := int64(binary.LittleEndian.Uint32(r))
	r = r[4:]
	if slen > int64(len(r)) {
		return nil, fmt.Errorf("shuffler state of %d bytes, but %d bytes follow", slen, len(r))
	}
	ck := &Checkpoint{Config: meta.Config, Epoch: meta.Epoch, Step: meta.Step, Seconds: meta.Seconds, History: meta.History,
		Done: meta.Done, StoppedEarly: meta.StoppedEarly, TrainImages: meta.TrainImages, Shuffler: bytes.Clone(r[:slen])}
	r = r[slen:]

	// weights, then moments: sizes come from the checked architecture
	a := meta.Config.Arch()
	shapes := [][]int{{a.Inputs, a.Hidden}, {1, a.Hidden}, {a.Hidden, a.Outputs}, {1, a.Outputs}}
	arrays := 4
	if meta.AdamIter > 0 {
		arrays = 12
	}
	var need int64
	for i := range arrays {
		need += 4 * int64(shapes[i%4][0]*shapes[i%4][1])
	}
	if need != int64(len(r)) {
		return nil, fmt.Errorf("%d bytes of weights and solver state, want %d for %d → %d → %d %s after %d steps",
			len(r), need, a.Inputs, a.Hidden, a.Outputs, meta.Config.Optimizer, meta.AdamIter)
	}
	read := func(i int) ([]float32, error) {
		n := shapes[i%4][0] * shapes[i%4][1]
		x := make([]float32, n)
		for j := range x {
			x[j] = math.Float32frombits(binary.LittleEndian.Uint32(r[4*j:]))
			if math.IsNaN(float64(x[j])) || math.IsInf(float64(x[j]), 0) || (i >= 8 && x[j] < 0) {
				what := [3]string{"weight", "first moment of", "second moment of"}[i/4]
				return nil, fmt.Errorf("%s %s: value %d is %v", what, graph.Names[i%4], j, x[j])
			}
		}
		r = r[4*n:]
		return x, nil
	}
	ck.Params = &graph.Params{Arch: a}
	dst := []**tensor.Dense{&ck.Params.W1, &ck.Params.B1, &ck.Params.W2, &ck.Params.B2}
	for i := range 4 {
		x, err := read(i)
		if err != nil {
			return nil, err
		}
		*dst[i] = tensor.New(tensor.WithShape(shapes[i]...), tensor.WithBacking(x))
	}
	if meta.Config.Optimizer == Adam {
		ck.Adam = &AdamState{Iter: meta.AdamIter}
		for i := 4; i < arrays; i++ {
			x, err := read(i)
			if err != nil {
				return nil, err
			}
			if i < 8 {
				ck.Adam.M = append(ck.Adam.M, x)
			} else {
				ck.Adam.V = append(ck.Adam.V, x)
			}
		}
	}
	return ck, nil
}

// maxAdamSteps bounds a checkpoint's step count: far more than any run.
const maxAdamSteps = 1 << 40

// check verifies that the metadata describes a run state this program can
// continue.
func (m *checkpointMeta) check() error {
	c := m.Config
	if err := c.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	switch {
	case m.TrainImages < 1:
		return fmt.Errorf("%d training images, want at least 1", m.TrainImages)
	case m.Epoch < 1 || m.Epoch > c.Epochs+1:
		return fmt.Errorf("epoch %d of a %d-epoch run", m.Epoch, c.Epochs)
	case m.Epoch == c.Epochs+1 && !m.Done:
		return fmt.Errorf("epoch %d of a %d-epoch run that is not done", m.Epoch, c.Epochs)
	case m.Step < 0 || (m.Done && m.Step != 0):
		return fmt.Errorf("step %d of epoch %d", m.Step, m.Epoch)
	case !(m.Seconds >= 0) || math.IsInf(m.Seconds, 0):
		return fmt.Errorf("epoch time %v", m.Seconds)
	case m.StoppedEarly && (!m.Done || c.EarlyStop == 0):
		return errors.New("stopped early, but not done or without -early-stop")
	case len(m.History) != m.Epoch-1:
		return fmt.Errorf("%d epochs of history before epoch %d", len(m.History), m.Epoch)
	case m.AdamIter < 0 || m.AdamIter > maxAdamSteps || (c.Optimizer != Adam && m.AdamIter != 0):
		return fmt.Errorf("%d solver steps for optimizer %s", m.AdamIter, c.Optimizer)
	}
	for i, e := range m.History {
		for _, v := range []float64{e.TrainLoss, e.TrainAcc, e.TestLoss, e.TestAcc, e.Seconds} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("history: epoch %d has a metric %v", e.Epoch, v)
			}
		}
		if e.Epoch != i+1 {
			return fmt.Errorf("history: entry %d is epoch %d", i+1, e.Epoch)
		}
	}
	return nil
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
	if s, ok := t.solver.(*G.AdamSolver); ok {
		st, err := GetAdamState(s)
		if err != nil {
			return nil, err
		}
		ck.Adam = st
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
	if s, ok := t.solver.(*G.AdamSolver); ok && ck.Adam != nil {
		var shapes [][]int
		for _, x := range ck.Params.Tensors() {
			shapes = append(shapes, x.Shape().Clone())
		}
		return SetAdamState(s, ck.Adam, shapes)
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

// runFiles are the files a run writes in its directory.
var runFiles = []string{MetricsFile, HistoryFile, modeljson.ModelFile, "w1.npy", "b1.npy", "w2.npy", "b2.npy", CheckpointFile}

// CheckRunDir reports whether a new run may write into dir: it must not exist,
// or be empty (rundir.Check, the rule train, sweep and exercise share).
// With force, the files of an earlier run in dir (and its best/) are
// removed instead, with the extra files or directories named
// (such as what monitoring added), and other files are left alone.
func CheckRunDir(dir string, force bool, extra ...string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if !force {
		return rundir.Check(dir, rundir.Run, false)
	}
	for _, f := range runFiles {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("run directory: %w", err)
		}
		if f != CheckpointFile && f != MetricsFile && f != HistoryFile {
			if err := os.Remove(filepath.Join(dir, BestDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("run directory: %w", err)
			}
		}
	}
	for _, f := range extra {
		if f == "" || filepath.Base(f) != f || f == "." || f == ".." {
			return fmt.Errorf("run directory: %q is not a plain name in it", f)
		}
		if err := os.RemoveAll(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("run directory: %w", err)
		}
	}
	os.Remove(filepath.Join(dir, BestDir)) // only if empty
	return nil
}

// Resume continues the interrupted run in opts.Dir from its checkpoint on
// the same data, and returns the finished result: the same, number for
// number (epoch times aside), as the run would have given uninterrupted.
// A run that had finished is returned as it is.
func Resume(ctx context.Context, d *data.MNIST, opts Options) (*Result, error) {
	if opts.Dir == "" {
		return nil, errors.New("resume: no run directory")
	}
	ck, err := ReadCheckpoint(filepath.Join(opts.Dir, CheckpointFile))
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

// earlyStop reports whether the run should stop after its last epoch: with
// Config.EarlyStop N, when the last N epochs brought no better test accuracy.
func (r *Result) earlyStop() bool {
	n := r.Config.EarlyStop
	return n > 0 && r.Final().Epoch-r.History.Best().Epoch >= n && r.Final().Epoch < r.Config.Epochs
}

// endEpoch writes, after the epoch's metrics and model, the best epoch's
// weights (with SaveBest) and the checkpoint to continue from.
func (r *Result) endEpoch(t *trainer, done bool) error {
	e := r.Final()
	if r.Config.SaveBest && r.History.Best().Epoch == e.Epoch {
		m, err := modeljson.NewModel(r.Params, r.Config, r.Summary())
		if err != nil {
			return err
		}
		if err := modeljson.Save(filepath.Join(r.Dir, BestDir), r.Params, m); err != nil {
			return err
		}
	}
	ck, err := t.checkpoint(e.Epoch+1, 0, 0, r.History, r.Params, nil)
	if err != nil {
		return err
	}
	ck.Done, ck.StoppedEarly = done, r.StoppedEarly
	return WriteCheckpoint(filepath.Join(r.Dir, CheckpointFile), ck)
}

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
