package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
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
	Solver      *SolverState // nil for SGD
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
	// Arrays names the float32 arrays that follow, in order (version 2).
	Arrays []arrayMeta `json:"arrays,omitempty"`
}

// arrayMeta names one float32 array of a checkpoint: a parameter ("w1",
// "b1", …) or a moment of one ("m.w1", "v.w1", "velocity.w1",
// "mean_square.w1"), and its shape.
type arrayMeta struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// checkpointMagic starts a checkpoint file; it is followed by the format
// version (uint32), the length of the JSON metadata (uint32) and the
// metadata, the length of the shuffler state (uint32) and the state, the
// float32 arrays and a CRC-32C of everything before it. All integers and
// floats are little-endian. Version 2's metadata names each array and its
// shape (checkpointMeta.Arrays): the weights w1 b1 … wN bN, then, once the
// solver has stepped, each moment of the optimizer for every parameter
// (MomentNames). Version 1, written before networks had several layers,
// holds the arrays w1 b1 w2 b2 and for Adam after its first step their
// first then their second moments, unnamed, and is still read.
const (
	checkpointMagic   = "perceptron-ckpt\n"
	checkpointVersion = 2
	// maxCheckpointBytes bounds the file: the largest network
	// (graph.MaxParams) with Adam's moments needs about 800 MB.
	maxCheckpointBytes = 1 << 30
	maxCheckpointMeta  = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteCheckpoint writes ck to path atomically.
func WriteCheckpoint(path string, ck *Checkpoint) error {
	return atomicfile.Write(path, ck.encode)
}

// arrayList returns the names and shapes of the arrays of a checkpoint of
// a run with configuration c, with the solver's moments or without.
func arrayList(c Config, moments bool) []arrayMeta {
	a := c.Arch()
	names, shapes := a.ParamNames(), a.ParamShapes()
	var out []arrayMeta
	for i, n := range names {
		out = append(out, arrayMeta{n, shapes[i]})
	}
	if moments {
		for _, k := range MomentNames(c.Optimizer) {
			for i, n := range names {
				out = append(out, arrayMeta{k + "." + n, shapes[i]})
			}
		}
	}
	return out
}

// encode writes the checkpoint file's content.
func (ck *Checkpoint) encode(w io.Writer) error {
	meta := checkpointMeta{Config: ck.Config, Epoch: ck.Epoch, Step: ck.Step, Seconds: ck.Seconds, History: ck.History,
		Done: ck.Done, StoppedEarly: ck.StoppedEarly, TrainImages: ck.TrainImages}
	var arrays [][]float32
	for _, t := range ck.Params.Tensors() {
		arrays = append(arrays, graph.F32(t))
	}
	moments := ck.Solver != nil && len(ck.Solver.Moments) > 0
	if ck.Solver != nil {
		if ck.Config.Optimizer == Adam {
			meta.AdamIter = ck.Solver.Iter
		}
		for _, m := range ck.Solver.Moments {
			arrays = append(arrays, m...)
		}
	}
	meta.Arrays = arrayList(ck.Config, moments)
	if len(meta.Arrays) != len(arrays) {
		return fmt.Errorf("checkpoint: %d arrays for the %d of %s", len(arrays), len(meta.Arrays), ck.Config.Name())
	}
	for i, a := range meta.Arrays {
		if n := count(a.Shape); n != len(arrays[i]) {
			return fmt.Errorf("checkpoint: %s has %d values, shape %v needs %d", a.Name, len(arrays[i]), a.Shape, n)
		}
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return encodeCheckpoint(w, mb, ck.Shuffler, arrays)
}

// count is the number of elements of a shape.
func count(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
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

// decodeCheckpoint parses a checkpoint file's content (version 1 or 2),
// checking every length against the bytes present before allocating from
// it.
func decodeCheckpoint(b []byte) (*Checkpoint, error) {
	if len(b) > maxCheckpointBytes {
		return nil, fmt.Errorf("%d bytes, more than the %d allowed", len(b), maxCheckpointBytes)
	}
	head := len(checkpointMagic) + 8
	if len(b) < head+4 || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return nil, errors.New("not a checkpoint written by perceptron")
	}
	version := binary.LittleEndian.Uint32(b[len(checkpointMagic):])
	if version != 1 && version != checkpointVersion {
		return nil, fmt.Errorf("checkpoint format version %d, this program reads versions 1 and %d", version, checkpointVersion)
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

	// the arrays: by name and shape, each checked against what the
	// configuration's architecture and optimizer need
	c := meta.Config
	list := meta.Arrays
	switch {
	case version == 1 && list != nil:
		return nil, errors.New("metadata: version 1 names no arrays")
	case version == 1:
		if len(c.Hidden) != 1 || (c.Optimizer != SGD && c.Optimizer != Adam) {
			return nil, fmt.Errorf("version 1 checkpoint of %s: version 1 has one hidden layer and sgd or adam", c.Name())
		}
		list = arrayList(c, meta.AdamIter > 0)
	}
	without, with := arrayList(c, false), arrayList(c, true)
	moments := len(list) == len(with) && len(with) > len(without)
	want := without
	if moments {
		want = with
	}
	if !slices.EqualFunc(list, want, func(a, b arrayMeta) bool { return a.Name == b.Name && slices.Equal(a.Shape, b.Shape) }) {
		return nil, fmt.Errorf("arrays %s, want %s for %v %s", arrayNames(list), arrayNames(want), c.Arch(), c.Optimizer)
	}
	if c.Optimizer == Adam && (meta.AdamIter > 0) != moments {
		return nil, fmt.Errorf("%d adam steps with %s", meta.AdamIter, arrayNames(list))
	}
	var need int64
	for _, a := range list {
		need += 4 * int64(count(a.Shape))
	}
	if need != int64(len(r)) {
		return nil, fmt.Errorf("%d bytes of weights and solver state, want %d for %v %s, arrays %s",
			len(r), need, c.Arch(), c.Optimizer, arrayNames(list))
	}
	values := map[string][]float32{}
	for _, a := range list {
		x := make([]float32, count(a.Shape))
		for j := range x {
			x[j] = math.Float32frombits(binary.LittleEndian.Uint32(r[4*j:]))
			if math.IsNaN(float64(x[j])) || math.IsInf(float64(x[j]), 0) || (x[j] < 0 && (strings.HasPrefix(a.Name, "v.") || strings.HasPrefix(a.Name, "mean_square."))) {
				return nil, fmt.Errorf("array %s: value %d is %v", a.Name, j, x[j])
			}
		}
		r = r[4*len(x):]
		values[a.Name] = x
	}
	a := c.Arch()
	var ts []*tensor.Dense
	shapes := a.ParamShapes()
	for i, n := range a.ParamNames() {
		ts = append(ts, tensor.New(tensor.WithShape(shapes[i]...), tensor.WithBacking(values[n])))
	}
	var err error
	if ck.Params, err = graph.FromTensors(a, ts); err != nil {
		return nil, err
	}
	if names := MomentNames(c.Optimizer); names != nil {
		ck.Solver = &SolverState{Iter: meta.AdamIter}
		if moments {
			for _, k := range names {
				var ms [][]float32
				for _, n := range a.ParamNames() {
					ms = append(ms, values[k+"."+n])
				}
				ck.Solver.Moments = append(ck.Solver.Moments, ms)
			}
		}
	}
	return ck, nil
}

// arrayNames writes an array list for a message: "[w1 784×64, b1 1×64, …]".
func arrayNames(l []arrayMeta) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, a := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Name)
		for j, d := range a.Shape {
			if j == 0 {
				b.WriteByte(' ')
			} else {
				b.WriteString("×")
			}
			fmt.Fprint(&b, d)
		}
	}
	b.WriteByte(']')
	return b.String()
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
	case len(m.Arrays) > 2*graph.MaxLayers*3+6:
		return fmt.Errorf("%d arrays: more than any network has", len(m.Arrays))
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
