package sweep

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/rundir"
	"github.com/perceptron-mnist/perceptron/train"
)

func TestSweepSameNumbersWithOneOrTwoJobs(t *testing.T) {
	d := testenv.MNIST(t)
	g := Grid{Hidden: []graph.Sizes{{8}, {16}}, Activation: []string{"sigmoid", "relu"}, Optimizer: []string{"sgd", "adam"},
		Batch: []int{100}, Epochs: []int{2}, Seed: []uint64{1}, TrainLimit: 2000, TestLimit: 500}
	cfgs := g.Configs()
	if len(cfgs) != 8 {
		t.Fatalf("%d configurations, want 8", len(cfgs))
	}
	var results [][]Run
	for _, jobs := range []int{1, 2} {
		runs, err := Sweep(context.Background(), cfgs, d, Options{Out: t.TempDir(), Jobs: jobs})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, runs)
	}
	for i := range cfgs {
		a, b := results[0][i].History, results[1][i].History
		for e := range a {
			ea, eb := a[e], b[e]
			ea.Seconds, eb.Seconds = 0, 0
			if ea != eb {
				t.Errorf("%s epoch %d: -jobs 1 %+v, -jobs 2 %+v", cfgs[i].Name(), e+1, ea, eb)
			}
		}
	}
}

func TestSweepReusesFinishedRuns(t *testing.T) {
	d := testenv.MNIST(t)
	out := t.TempDir()
	cfgs := []train.Config{{Hidden: graph.Sizes{8}, Activation: "sigmoid", Optimizer: "sgd", LR: 0.5, Batch: 100, Epochs: 1, Seed: 1, TrainLimit: 1000, TestLimit: 200}}
	first, err := Sweep(context.Background(), cfgs, d, Options{Out: out, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	again, err := Sweep(context.Background(), cfgs, d, Options{Out: out, Jobs: 1, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !again[0].Reused || again[0].Summary.TestAcc != first[0].Summary.TestAcc || len(again[0].History) != 1 {
		t.Fatalf("second sweep: reused %v, %+v", again[0].Reused, again[0].Summary)
	}
	if !strings.Contains(log.String(), "finished before, reused") {
		t.Fatalf("log %q", log.String())
	}
	forced, err := Sweep(context.Background(), cfgs, d, Options{Out: out, Jobs: 1, Force: true})
	if err != nil || forced[0].Reused {
		t.Fatalf("-force: reused %v, err %v", forced[0].Reused, err)
	}
	// A longer run of the same settings is another run, not a reuse.
	cfgs[0].Epochs = 2
	longer, err := Sweep(context.Background(), cfgs, d, Options{Out: out, Jobs: 1})
	if err != nil || longer[0].Reused || len(longer[0].History) != 2 {
		t.Fatalf("2 epochs: reused %v, %d epochs, err %v", longer[0].Reused, len(longer[0].History), err)
	}
}

func TestReadConfigs(t *testing.T) {
	tests := []struct {
		file string
		want string // error, or the names of the runs
	}{
		{`[{"lr": 0.005}, {"optimizer": "adam", "hidden": 20, "activation": "relu", "batch": 200}]`,
			"sigmoid-h64-sgd-lr0.005-b100-e10-s1 relu-h20-adam-lr0.001-b200-e10-s1"},
		{`[{"lr": 0.5, "hiden": 3}]`, `run 1: json: unknown field "hiden"`},
		{`[{}, {"batch": 0}]`, "run 2: -batch 0: want at least 1"},
		{`[]`, "no runs listed"},
		{`{"lr": 1}`, "want a JSON array of runs"},
	}
	for _, tc := range tests {
		p := filepath.Join(t.TempDir(), "runs.json")
		os.WriteFile(p, []byte(tc.file), 0o644)
		cfgs, err := ReadConfigs(p)
		var got string
		if err != nil {
			got = err.Error()
			if !strings.HasPrefix(got, "read "+p+": ") {
				t.Errorf("error %q does not name the file", got)
			}
		} else {
			var names []string
			for _, c := range cfgs {
				names = append(names, c.Name())
			}
			got = strings.Join(names, " ")
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.file, got, tc.want)
		}
	}
}

func TestParseLists(t *testing.T) {
	if v, err := ParseFloats("lr", "0.005, 0.5"); err != nil || len(v) != 2 || v[1] != 0.5 {
		t.Errorf("ParseFloats: %v %v", v, err)
	}
	if _, err := ParseInts("batch", "200,x"); err == nil || err.Error() != `-batch "200,x": "x" is not an integer` {
		t.Errorf("ParseInts: %v", err)
	}
}

func TestMarkdownTable(t *testing.T) {
	rows := []Row{{Summary: train.Summary{Config: train.DefaultConfig(), TrainAcc: 0.975, TestAcc: 0.9687, TrainSeconds: 7.5, BestTestAcc: 0.9687, BestEpoch: 10}, Updates: 6000}}
	var b bytes.Buffer
	WriteMarkdown(&b, rows)
	want := "| 64 | sigmoid | sgd | 0.5 | 100 | 10 | 1 | 97.50% | 96.87% | 7.50 | 96.87% | 10 | 6000 |\n"
	if !strings.HasSuffix(b.String(), want) || strings.Count(b.String(), "\n") != 3 {
		t.Fatalf("markdown:\n%s\nwant last row %s", b.String(), want)
	}
}

func TestSweepResumesInterruptedRun(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := train.Config{Hidden: graph.Sizes{8}, Activation: "relu", Optimizer: "adam", LR: 0.001, Batch: 100, Epochs: 3, Seed: 2, TrainLimit: 1000, TestLimit: 200}
	want, err := train.Run(context.Background(), cfg, d, train.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stop := func(_ train.Config, o *train.Options) (func() error, error) {
		o.OnStep = func(epoch, step, steps int, loss float32) {
			if epoch == 2 && step == 4 {
				cancel()
			}
		}
		return func() error { return nil }, nil
	}
	if _, err := Sweep(ctx, []train.Config{cfg}, d, Options{Out: out, Jobs: 1, Train: stop}); err == nil {
		t.Fatal("interrupted sweep returned no error")
	}
	// A collect lists it as interrupted, and as running while locked.
	_, err = Collect([]train.Config{cfg}, out)
	dir := filepath.Join(out, cfg.Name())
	if err == nil || err.Error() != "1 of 1 runs are not finished; run their plan lines, then collect again:\n  "+dir+": interrupted after epoch 1 of 3 (its plan line resumes it)" {
		t.Errorf("collect of an interrupted run: %v", err)
	}
	lock, err := rundir.Acquire(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Collect([]train.Config{cfg}, out)
	if err == nil || !strings.Contains(err.Error(), dir+": running (locked by process "+strconv.Itoa(os.Getpid())+" on ") || !strings.HasSuffix(err.Error(), "), 1 of 3 epochs done") {
		t.Errorf("collect of a locked run: %v", err)
	}
	if _, err := Sweep(context.Background(), []train.Config{cfg}, d, Options{Out: out, Jobs: 1}); err == nil || !strings.Contains(err.Error(), "is locked by process") {
		t.Errorf("sweep over a locked run: %v", err)
	}
	lock.Release()
	var log bytes.Buffer
	runs, err := Sweep(context.Background(), []train.Config{cfg}, d, Options{Out: out, Jobs: 1, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resuming after epoch 1") {
		t.Errorf("log %q, want a resumption", log.String())
	}
	got := runs[0].History
	if len(got) != len(want.History) {
		t.Fatalf("%d epochs, want %d", len(got), len(want.History))
	}
	for i := range got {
		a, b := got[i], want.History[i]
		a.Seconds, b.Seconds = 0, 0
		if a != b {
			t.Errorf("epoch %d: resumed %+v, uninterrupted %+v", i+1, a, b)
		}
	}
}

func TestSweepReusesEarlyStoppedRun(t *testing.T) {
	d := testenv.MNIST(t)
	// lr so small that nothing improves: early stopping ends the run after 1+1 epochs.
	cfg := train.Config{Hidden: graph.Sizes{8}, Activation: "sigmoid", Optimizer: "sgd", LR: 1e-9, Batch: 100, Epochs: 6, Seed: 1, TrainLimit: 500, TestLimit: 100, EarlyStop: 1}
	out := t.TempDir()
	first, err := Sweep(context.Background(), []train.Config{cfg}, d, Options{Out: out, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !first[0].Summary.StoppedEarly || len(first[0].History) >= cfg.Epochs {
		t.Fatalf("run did not stop early: %d epochs", len(first[0].History))
	}
	again, err := Sweep(context.Background(), []train.Config{cfg}, d, Options{Out: out, Jobs: 1})
	if err != nil || !again[0].Reused {
		t.Fatalf("early-stopped run not reused: %v, %v", again[0].Reused, err)
	}
}

func FuzzParseConfigs(f *testing.F) {
	f.Add([]byte(`[{"lr": 0.005}, {"optimizer": "adam", "hidden": 20}]`))
	f.Add([]byte(`[{"batch": 0}]`))
	f.Add([]byte(`{"runs": 1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfgs, err := parseConfigs(b)
		if err != nil {
			return
		}
		for _, c := range cfgs {
			if err := c.Validate(); err != nil {
				t.Fatalf("accepted an invalid run: %v", err)
			}
		}
	})
}

// TestSweepReportsHooksCloseError: a run whose hooks fail when they close
// (a picture they could not write) fails the sweep, and they close once.
func TestSweepReportsHooksCloseError(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := train.Config{Hidden: graph.Sizes{8}, Activation: "relu", Optimizer: "adam", LR: 0.001, Batch: 100, Epochs: 1, Seed: 2, TrainLimit: 500, TestLimit: 100}
	closed := 0
	hooks := func(_ train.Config, _ *train.Options) (func() error, error) {
		return func() error { closed++; return os.ErrPermission }, nil
	}
	_, err := Sweep(context.Background(), []train.Config{cfg}, d, Options{Out: t.TempDir(), Jobs: 1, Train: hooks})
	if err == nil || !strings.Contains(err.Error(), cfg.Name()) || !strings.Contains(err.Error(), os.ErrPermission.Error()) || closed != 1 {
		t.Errorf("Sweep: %v, hooks closed %d times; want the hooks' error for %s, closed once", err, closed, cfg.Name())
	}
}
