package sweep

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/train"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		xs   []float64
		want Stats
	}{
		// This project's (batch 20000, 10 epochs) over seeds 1-5: mean
		// 3.380/5 = 0.676; squared deviations .005929 .002401 .001681 .000225
		// .000784 sum to .011020; sample sd sqrt(.011020/4) = 0.0524881.
		{[]float64{0.599, 0.725, 0.717, 0.691, 0.648}, Stats{N: 5, Mean: 0.676, SD: 0.0524881, Min: 0.599, Max: 0.725}},
		// Mean 5, squared deviations sum to 32: sd sqrt(32/7) = 2.1380899.
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, Stats{N: 8, Mean: 5, SD: 2.1380899, Min: 2, Max: 9}},
		{[]float64{0.9}, Stats{N: 1, Mean: 0.9, SD: 0, Min: 0.9, Max: 0.9}},
		{[]float64{-1, 1}, Stats{N: 2, Mean: 0, SD: math.Sqrt2, Min: -1, Max: 1}},
		{nil, Stats{}},
	}
	for _, tc := range tests {
		got := Summarize(tc.xs)
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-7 }
		if got.N != tc.want.N || !near(got.Mean, tc.want.Mean) || !near(got.SD, tc.want.SD) || got.Min != tc.want.Min || got.Max != tc.want.Max {
			t.Errorf("Summarize(%v) = %+v, want %+v", tc.xs, got, tc.want)
		}
	}
}

func TestWithSeeds(t *testing.T) {
	a, b := train.DefaultConfig(), train.DefaultConfig()
	b.Seed, b.Hidden = 7, graph.Sizes{20}
	var got []string
	for _, c := range WithSeeds([]train.Config{a, b}, 3) {
		got = append(got, c.Name())
	}
	want := "sigmoid-h64-sgd-lr0.5-b100-e10-s1 sigmoid-h64-sgd-lr0.5-b100-e10-s2 sigmoid-h64-sgd-lr0.5-b100-e10-s3 " +
		"sigmoid-h20-sgd-lr0.5-b100-e10-s7 sigmoid-h20-sgd-lr0.5-b100-e10-s8 sigmoid-h20-sgd-lr0.5-b100-e10-s9"
	if strings.Join(got, " ") != want {
		t.Errorf("WithSeeds:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	if len(WithSeeds([]train.Config{a}, 1)) != 1 {
		t.Error("WithSeeds(1) changed the list")
	}
}

// seedRun is a run with the given final accuracies and a history of
// len(testAccs) epochs ending at them.
func seedRun(seed uint64, reused bool, trainAcc, secs float64, testAccs ...float64) Run {
	c := train.DefaultConfig()
	c.Batch, c.Epochs, c.Seed = 20000, 3, seed
	var h train.History
	for i, a := range testAccs {
		h = append(h, train.Epoch{Epoch: i + 1, TrainAcc: trainAcc, TestAcc: a, TrainLoss: 1 - trainAcc, TestLoss: 1 - a, Seconds: secs})
	}
	f, b := h[len(h)-1], h.Best()
	return Run{Config: c, Dir: "out/" + c.Name(), Reused: reused, History: h,
		Summary: train.Summary{RunDir: "out/" + c.Name(), TrainAcc: f.TrainAcc, TestAcc: f.TestAcc, TrainLoss: f.TrainLoss, TestLoss: f.TestLoss,
			TrainSeconds: h.TrainSeconds(), BestTestAcc: b.TestAcc, BestEpoch: b.Epoch, Epochs: len(h), Config: c}}
}

func TestGroup(t *testing.T) {
	// Seed 2 stopped early after 2 epochs.
	runs := []Run{
		seedRun(1, true, 0.70, 1, 0.50, 0.60, 0.64),
		seedRun(2, false, 0.80, 2, 0.70, 0.72),
		seedRun(3, true, 0.75, 3, 0.40, 0.70, 0.61),
	}
	runs[1].Summary.StoppedEarly = true
	groups, err := Groups(runs, 3)
	if err != nil || len(groups) != 1 {
		t.Fatalf("Groups: %d groups, %v", len(groups), err)
	}
	g := groups[0]
	s := g.Summary
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	// Final test accuracies 0.64, 0.72, 0.61: mean 0.6566667; deviations
	// -0.0166667, 0.0633333, -0.0466667; squares 0.0002778, 0.0040111,
	// 0.0021778 sum to 0.0064667; sd sqrt(0.0064667/2) = 0.0568624.
	if !near(s.TestAcc, 1.97/3) || !near(s.TrainAcc, 0.75) || !near(s.TestLoss, 1-1.97/3) || !near(s.TrainSeconds, (3+4+9)/3.0) {
		t.Errorf("aggregate summary %+v", s)
	}
	if st := g.TestAcc(); st.N != 3 || !near(st.Mean, 1.97/3) || math.Abs(st.SD-0.0568624) > 1e-7 || st.Min != 0.61 || st.Max != 0.72 {
		t.Errorf("test accuracy over seeds %+v", st)
	}
	if st := g.TrainAcc(); !near(st.Mean, 0.75) || !near(st.SD, 0.05) || st.Min != 0.70 || st.Max != 0.80 {
		t.Errorf("train accuracy over seeds %+v", st)
	}
	// The mean curve: epoch 1 (0.5+0.7+0.4)/3 = 0.5333, epoch 2 (0.6+0.72+0.7)/3
	// = 0.6733 (the best), epoch 3 (0.64+0.61)/2 = 0.625 (seed 2 stopped).
	wantCurve := []float64{1.6 / 3, 2.02 / 3, 0.625}
	if len(g.History) != 3 {
		t.Fatalf("mean curve has %d epochs, want 3", len(g.History))
	}
	for i, e := range g.History {
		if e.Epoch != i+1 || !near(e.TestAcc, wantCurve[i]) {
			t.Errorf("mean curve epoch %d: %+v, want test acc %v", i+1, e, wantCurve[i])
		}
	}
	if s.BestEpoch != 2 || !near(s.BestTestAcc, 2.02/3) || s.Epochs != 3 || !s.StoppedEarly {
		t.Errorf("best epoch %d (%v), %d epochs, stopped early %v", s.BestEpoch, s.BestTestAcc, s.Epochs, s.StoppedEarly)
	}
	if g.Reused || g.Dir != runs[0].Dir || g.Config.Seed != 1 || SeedRange(g.SeedList()) != "1–3" {
		t.Errorf("reused %v, dir %s, seed %d, seeds %v", g.Reused, g.Dir, g.Config.Seed, g.SeedList())
	}
	if _, err := Groups(runs, 2); err == nil || err.Error() != "3 runs do not make groups of 2 seeds" {
		t.Errorf("Groups of 2: %v", err)
	}

	// The table: mean ± sd and min–max in markdown, the spread after the
	// usual columns in CSV, every seed's row in JSON.
	rows := GroupRows(groups)
	var md bytes.Buffer
	WriteMarkdown(&md, rows)
	wantMD := "| 64 | sigmoid | sgd | 0.5 | 20000 | 3 | 1–3 | 75.00% ± 5.00 | 70.00–80.00% | 65.67% ± 5.69 | 61.00–72.00% | 5.33 | 67.33% | 2 | 9 |\n"
	if !strings.HasSuffix(md.String(), wantMD) || !strings.HasPrefix(md.String(), "| hidden | activation | optimizer | lr | batch | epochs | seeds | train acc (mean ± sd) | train min–max | test acc (mean ± sd) | test min–max |") {
		t.Errorf("markdown:\n%s\nwant the row\n%s", md.String(), wantMD)
	}
	var csvOut bytes.Buffer
	WriteCSV(&csvOut, rows)
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	wantHead := strings.Join(columns, ",") + ",seeds,train_acc_sd,train_acc_min,train_acc_max,test_acc_sd,test_acc_min,test_acc_max"
	if len(lines) != 2 || lines[0] != wantHead || !strings.HasSuffix(lines[1], ",3,0.05,0.7,0.8,0.056862407,0.61,0.72") {
		t.Errorf("csv:\n%s", csvOut.String())
	}
	b, _ := json.Marshal(rows[0])
	var back struct {
		TestAcc  float64  `json:"test_acc"`
		Seeds    []uint64 `json:"seeds"`
		Stats    Stats    `json:"test_acc_stats"`
		SeedRuns []struct {
			Config  train.Config `json:"config"`
			TestAcc float64      `json:"test_acc"`
			RunDir  string       `json:"run_dir"`
		} `json:"seed_runs"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !near(back.TestAcc, 1.97/3) || len(back.Seeds) != 3 || back.Stats.Max != 0.72 || len(back.SeedRuns) != 3 ||
		back.SeedRuns[1].TestAcc != 0.72 || back.SeedRuns[1].Config.Seed != 2 || back.SeedRuns[2].RunDir != runs[2].Dir {
		t.Errorf("results.json row %s", b)
	}
}

// fixedRun is a made-up finished run of c (k varies its numbers), for
// comparing tables with those of earlier versions.
func fixedRun(c train.Config, k int) Run {
	var h train.History
	for e := 1; e <= c.Epochs && e <= 4; e++ {
		f := float64(e*7+k*13%17) / 1000
		h = append(h, train.Epoch{Epoch: e, TrainLoss: 0.9 - f, TrainAcc: 0.7 + f, TestLoss: 0.95 - f, TestAcc: 0.69 + f, Seconds: 0.25 + f})
	}
	dir := filepath.Join("/tmp/x/runs", c.Name())
	f, best := h[len(h)-1], h.Best()
	s := train.Summary{RunDir: dir, TrainAcc: f.TrainAcc, TestAcc: f.TestAcc, TrainSeconds: h.TrainSeconds(),
		TrainLoss: f.TrainLoss, TestLoss: f.TestLoss, BestTestAcc: best.TestAcc, BestEpoch: best.Epoch, Epochs: len(h), Config: c}
	return Run{Config: c, Dir: dir, Summary: s, History: h}
}

var update = flag.Bool("update", false, "rewrite testdata/seeds1 (only to record an intended change of the tables)")

// TestOneSeedTablesUnchanged: with one seed (the default of -seeds) the
// tables are byte for byte those written before -seeds existed
// (testdata/seeds1, recorded from that version): same columns, keys and
// numbers.
func TestOneSeedTablesUnchanged(t *testing.T) {
	base := train.DefaultConfig()
	lr := base
	lr.LR = 0.005
	hidden := func(h int) train.Config { c := base; c.Hidden = graph.Sizes{h}; return c }
	adam := func(batch, epochs int) train.Config {
		c := base
		c.Hidden, c.Activation, c.Optimizer, c.LR, c.Batch, c.Epochs = graph.Sizes{20}, graph.ReLU, train.Adam, 0.001, batch, epochs
		return c
	}
	cfgs := []train.Config{lr, base, hidden(50), hidden(20), hidden(5), adam(200, 10), adam(2000, 10), adam(20000, 10), adam(20000, 100)}
	ks := []int{1, 2, 3, 4, 5, 8, 9, 10, 11}
	var runs []Run
	for i, c := range cfgs {
		runs = append(runs, fixedRun(c, ks[i]))
	}
	groups, err := Groups(runs, 1)
	if err != nil {
		t.Fatal(err)
	}
	rows := GroupRows(groups)
	out := t.TempDir()
	if err := Save(out, rows); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	json.NewEncoder(&stdout).Encode(map[string]any{"tables": map[string][]Row{"sweep": rows}}) // as sweep -json prints
	os.WriteFile(filepath.Join(out, "stdout.json"), stdout.Bytes(), 0o644)
	for _, f := range []string{"results.md", "results.csv", "results.json", "stdout.json"} {
		got, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "seeds1", f)
		if *update {
			os.WriteFile(golden, got, 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s with one seed differs from before -seeds:\n%s\nwant\n%s", f, got, want)
		}
	}
}

func TestLineQuotes(t *testing.T) {
	c := train.DefaultConfig()
	line, err := Line(c, "a b/$HOME/x", "-data", "/d")
	if err != nil {
		t.Fatal(err)
	}
	want := "perceptron train -hidden 64 -activation sigmoid -optimizer sgd -lr 0.5 -batch 100 -epochs 10 -seed 1 -data /d -out 'a b/$HOME/x'"
	if line != want {
		t.Errorf("Line = %q, want %q", line, want)
	}
	var b bytes.Buffer
	n, err := WritePlan(&b, append(WithSeeds([]train.Config{c}, 2), c), "out")
	if err != nil || n != 2 || strings.Count(b.String(), "\n") != 2 || !strings.Contains(b.String(), "-seed 2 -out out/sigmoid-h64-sgd-lr0.5-b100-e10-s2\n") {
		t.Errorf("WritePlan: %d lines, %v:\n%s", n, err, b.String())
	}
}
