package train

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
)

// smallCheckpoint returns a checkpoint of a 784-hidden-10 run, and its file.
func smallCheckpoint(t testing.TB, hidden int, optimizer string) (*Checkpoint, []byte) {
	return smallCheckpointOf(t, graph.Sizes{hidden}, optimizer)
}

// smallCheckpointOf returns a checkpoint of a run with the given hidden
// layers and optimizer, with solver state when it has any, and its file.
func smallCheckpointOf(t testing.TB, hidden graph.Sizes, optimizer string) (*Checkpoint, []byte) {
	cfg := DefaultConfig()
	cfg.Hidden, cfg.Optimizer, cfg.Epochs, cfg.LR = hidden, optimizer, 3, DefaultLR(optimizer)
	if optimizer == Momentum {
		cfg.Momentum = DefaultMomentum
	}
	p, _ := graph.NewParams(cfg.Arch(), 1)
	sh := data.NewShuffler(10, 1)
	sh.Epoch()
	state, _ := sh.MarshalBinary()
	var st *SolverState
	if names := MomentNames(optimizer); names != nil {
		st = &SolverState{}
		if optimizer == Adam {
			st.Iter = 3
		}
		for range names {
			var ms [][]float32
			for _, x := range p.Tensors() {
				ms = append(ms, make([]float32, len(graph.F32(x))))
			}
			st.Moments = append(st.Moments, ms)
		}
		st.Moments[0][0][5], st.Moments[len(names)-1][1][0] = 0.25, 0.5
	}
	ck := &Checkpoint{Config: cfg, Epoch: 2, Step: 1, Seconds: 0.5, TrainImages: 10, Params: p, Solver: st, Shuffler: state,
		History: History{{Epoch: 1, TrainLoss: 1, TrainAcc: 0.5, TestLoss: 1.1, TestAcc: 0.4, Seconds: 1}}}
	path := filepath.Join(t.TempDir(), CheckpointFile)
	if err := WriteCheckpoint(path, ck); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ck, b
}

// reseal replaces the last four bytes of b with the checksum of the rest, so
// that a corruption reaches the checks behind the checksum.
func reseal(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	return b
}

// metaEdit replaces old by new in the JSON metadata, fixing its length.
func metaEdit(t *testing.T, b []byte, old, new string) []byte {
	off := len(checkpointMagic) + 4
	mlen := int(binary.LittleEndian.Uint32(b[off:]))
	meta := string(b[off+4 : off+4+mlen])
	if !strings.Contains(meta, old) {
		t.Fatalf("metadata has no %s: %s", old, meta)
	}
	meta = strings.Replace(meta, old, new, 1)
	out := append(bytes.Clone(b[:off]), binary.LittleEndian.AppendUint32(nil, uint32(len(meta)))...)
	out = append(append(out, meta...), b[off+4+mlen:]...)
	return reseal(out)
}

func TestCheckpointRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		hidden    graph.Sizes
		optimizer string
	}{{graph.Sizes{4}, Adam}, {graph.Sizes{4}, SGD}, {graph.Sizes{5, 3}, RMSProp}, {graph.Sizes{4, 3, 2}, Momentum}, {graph.Sizes{3, 2}, Adam}} {
		t.Run(tc.hidden.String()+"-"+tc.optimizer, func(t *testing.T) {
			ck, b := smallCheckpointOf(t, tc.hidden, tc.optimizer)
			got, err := decodeCheckpoint(b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Epoch != 2 || got.Step != 1 || got.Seconds != 0.5 || got.TrainImages != 10 || len(got.History) != 1 ||
				got.History[0] != ck.History[0] || !got.Config.Equal(ck.Config) || !bytes.Equal(got.Shuffler, ck.Shuffler) {
				t.Fatalf("got %+v", got)
			}
			if (got.Solver == nil) != (ck.Solver == nil) || (got.Solver != nil && (got.Solver.Iter != ck.Solver.Iter || len(got.Solver.Moments) != len(ck.Solver.Moments))) {
				t.Fatalf("solver state %+v, want %+v", got.Solver, ck.Solver)
			}
			for i, x := range ck.Params.Tensors() {
				if !slicesEqual(graph.F32(got.Params.Tensors()[i]), graph.F32(x)) {
					t.Errorf("parameter %d differs", i)
				}
				if ck.Solver != nil {
					for k := range ck.Solver.Moments {
						if !slicesEqual(got.Solver.Moments[k][i], ck.Solver.Moments[k][i]) {
							t.Errorf("moment %d of parameter %d differs", k, i)
						}
					}
				}
				if !got.Params.Tensors()[i].Shape().Eq(x.Shape()) {
					t.Errorf("parameter %d: shape %v, want %v", i, got.Params.Tensors()[i].Shape(), x.Shape())
				}
			}
		})
	}
}

// TestReadsVersion1Checkpoint reads the checkpoint of a run written before
// networks had several layers (format version 1: one hidden layer, Adam,
// arrays by position): internal/testmodel's v1run, interrupted during epoch
// 3 after step 8.
func TestReadsVersion1Checkpoint(t *testing.T) {
	ck, err := ReadCheckpoint(filepath.Join("..", "internal", "testmodel", "testdata", "v1run", CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if ck.Epoch != 3 || ck.Step != 8 || !slices.Equal(ck.Config.Hidden, graph.Sizes{6}) || ck.Config.Optimizer != Adam ||
		ck.Solver == nil || ck.Solver.Iter != 2*60+8 || len(ck.Solver.Moments) != 2 || len(ck.Solver.Moments[1][0]) != 784*6 {
		t.Fatalf("checkpoint %+v, config %+v", ck, ck.Config)
	}
	// what it holds writes back as version 2 and reads back the same
	var w bytes.Buffer
	if err := ck.encode(&w); err != nil {
		t.Fatal(err)
	}
	again, err := decodeCheckpoint(w.Bytes())
	if err != nil || !again.Config.Equal(ck.Config) || !slicesEqual(graph.F32(again.Params.Tensors()[0]), graph.F32(ck.Params.Tensors()[0])) ||
		!slicesEqual(again.Solver.Moments[1][3], ck.Solver.Moments[1][3]) || again.Solver.Iter != ck.Solver.Iter {
		t.Fatalf("version 2 round trip: %v", err)
	}
}

func slicesEqual(a, b []float32) bool {
	return len(a) == len(b) && bytes.Equal(f32bytes(a), f32bytes(b))
}

func f32bytes(x []float32) []byte {
	b := make([]byte, 0, 4*len(x))
	for _, v := range x {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func TestReadCheckpointRefusesCorrupt(t *testing.T) {
	_, good := smallCheckpoint(t, 4, Adam)
	wOff := len(good) - 4 - 3*4*(784*4+4+4*10+10) // first byte of w1 (weights, then 2 moments)
	nan := bytes.Clone(good)
	binary.LittleEndian.PutUint32(nan[wOff+8:], math.Float32bits(float32(math.NaN())))
	negV := bytes.Clone(good)
	binary.LittleEndian.PutUint32(negV[len(negV)-8:], math.Float32bits(-1))
	off := len(checkpointMagic) + 4
	hugeMeta := bytes.Clone(good)
	binary.LittleEndian.PutUint32(hugeMeta[off:], 0xffffff00)
	mlen := int(binary.LittleEndian.Uint32(good[off:]))
	hugeShuf := bytes.Clone(good)
	binary.LittleEndian.PutUint32(hugeShuf[off+4+mlen:], 0xfffffff0)
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a checkpoint written by perceptron"},
		{"wrong magic", append([]byte("PERCEPTRON-CKPT\n"), good[16:]...), "not a checkpoint written by perceptron"},
		{"future version", reseal(append(append(bytes.Clone(good[:16]), 3, 0, 0, 0), good[20:]...)), "checkpoint format version 3, this program reads versions 1 and 2"},
		{"truncated", good[:len(good)-100], "checksum mismatch: the file is truncated or corrupt"},
		{"flipped bit", func() []byte { b := bytes.Clone(good); b[wOff+3] ^= 4; return b }(), "checksum mismatch"},
		{"trailing bytes", append(bytes.Clone(good), 0, 0, 0, 0), "checksum mismatch"},
		{"trailing bytes, resealed", reseal(append(bytes.Clone(good), 1, 2, 3, 4, 0, 0, 0, 0)), "bytes of weights and solver state, want"},
		{"lying metadata length", reseal(hugeMeta), "metadata of 4294967040 bytes, but"},
		{"lying shuffler length", reseal(hugeShuf), "shuffler state of 4294967280 bytes, but"},
		{"not JSON", metaEdit(t, good, `{"config"`, `["config"`), "metadata: invalid character"},
		{"unknown key", metaEdit(t, good, `"epoch":2`, `"epoch":2,"lr_schedule":1`), `metadata: json: unknown field "lr_schedule"`},
		{"bad config", metaEdit(t, good, `"batch":100`, `"batch":0`), "configuration: -batch 0: want at least 1"},
		{"gigabytes of weights", metaEdit(t, good, `"hidden":4`, `"hidden":65536`), "want [w1 784×65536, b1 1×65536"},
		{"wrong shape", metaEdit(t, good, `"shape":[784,4]`, `"shape":[784,5]`), "arrays [w1 784×5, b1 1×4"},
		{"wrong name", metaEdit(t, good, `"name":"b1"`, `"name":"b0"`), "arrays [w1 784×4, b0 1×4"},
		{"version 1 with names", reseal(append(append(bytes.Clone(good[:16]), 1, 0, 0, 0), good[20:]...)), "metadata: version 1 names no arrays"},
		{"epoch past the end", metaEdit(t, good, `"epoch":2`, `"epoch":9`), "epoch 9 of a 3-epoch run"},
		{"history too short", metaEdit(t, good, `"epoch":2`, `"epoch":3`), "1 epochs of history before epoch 3"},
		{"negative step", metaEdit(t, good, `"step":1`, `"step":-1`), "step -1 of epoch 2"},
		{"sgd with moments", metaEdit(t, good, `"optimizer":"adam"`, `"optimizer":"sgd"`), "3 solver steps for optimizer sgd"},
		{"no moments", metaEdit(t, good, `"adam_iter":3`, `"adam_iter":0`), "0 adam steps with [w1 784×4"},
		{"NaN weight", reseal(nan), "array w1: value 2 is NaN"},
		{"negative second moment", reseal(negV), "array v.b2: value 9 is -1"},
		{"NaN in history", metaEdit(t, good, `"test_acc":0.4`, `"test_acc":1e999`), "metadata: json: cannot unmarshal number 1e999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), CheckpointFile)
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadCheckpoint(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "read "+path+": ") {
				t.Fatalf("error %v, want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	if _, err := ReadCheckpoint(filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing checkpoint: %v", err)
	}
}

func FuzzReadCheckpoint(f *testing.F) {
	// small seeds (784-1-10) keep the fuzzer fast: go test -fuzz slows
	// down much on inputs of tens of kilobytes
	_, sgd := smallCheckpoint(f, 1, SGD)
	_, adam := smallCheckpoint(f, 1, Adam)
	_, rms := smallCheckpointOf(f, graph.Sizes{2, 1}, RMSProp)
	f.Add(sgd)
	f.Add(adam)
	f.Add(rms)
	f.Add(sgd[:200])
	f.Add([]byte(checkpointMagic + "\x01\x00\x00\x00\x02\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, reseal(b)} {
			ck, err := decodeCheckpoint(in)
			if err != nil {
				continue
			}
			if err := ck.Config.Validate(); err != nil {
				t.Fatalf("accepted configuration: %v", err)
			}
			if len(ck.History) != ck.Epoch-1 || ck.Step < 0 {
				t.Fatalf("accepted epoch %d, step %d with %d epochs of history", ck.Epoch, ck.Step, len(ck.History))
			}
			shapes := ck.Config.Arch().ParamShapes()
			for i, x := range ck.Params.Tensors() {
				if want := shapes[i][0] * shapes[i][1]; len(graph.F32(x)) != want {
					t.Fatalf("parameter %d has %d values, want %d", i, len(graph.F32(x)), want)
				}
			}
			if (ck.Solver != nil) != (MomentNames(ck.Config.Optimizer) != nil) {
				t.Fatalf("optimizer %s with solver state %v", ck.Config.Optimizer, ck.Solver != nil)
			}
			// what was read writes back to the same bytes
			var w bytes.Buffer
			if err := ck.encode(&w); err != nil {
				t.Fatal(err)
			}
			again, err := decodeCheckpoint(w.Bytes())
			if err != nil || again.Epoch != ck.Epoch || again.Step != ck.Step || !again.Config.Equal(ck.Config) {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}
