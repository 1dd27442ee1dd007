package exercise

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

// fixedRun is a made-up finished run of c (k varies its numbers).
func fixedRun(c train.Config, k int) sweep.Run {
	var h train.History
	for e := 1; e <= c.Epochs && e <= 4; e++ {
		f := float64(e*7+k*13%17) / 1000
		h = append(h, train.Epoch{Epoch: e, TrainLoss: 0.9 - f, TrainAcc: 0.7 + f, TestLoss: 0.95 - f, TestAcc: 0.69 + f, Seconds: 0.25 + f})
	}
	dir := filepath.Join("/tmp/x/runs", c.Name())
	f, best := h[len(h)-1], h.Best()
	s := train.Summary{RunDir: dir, TrainAcc: f.TrainAcc, TestAcc: f.TestAcc, TrainSeconds: h.TrainSeconds(),
		TrainLoss: f.TrainLoss, TestLoss: f.TestLoss, BestTestAcc: best.TestAcc, BestEpoch: best.Epoch, Epochs: len(h), Config: c}
	return sweep.Run{Config: c, Dir: dir, Summary: s, History: h}
}

// fixedStudy is a made-up study with the study's configurations, each
// trained with seeds 1, …, seeds.
func fixedStudy(seeds int) *Study {
	b := train.DefaultConfig()
	adam := func(batch, epochs int) train.Config {
		c := b
		c.Hidden, c.Activation, c.Optimizer, c.LR, c.Batch, c.Epochs = graph.Sizes{20}, graph.ReLU, train.Adam, 0.001, batch, epochs
		return c
	}
	k := 0
	mk := func(cs ...train.Config) []sweep.Group {
		var gs []sweep.Group
		for _, c := range sweep.WithSeeds(cs, seeds) {
			k++
			gs = append(gs, sweep.Single([]sweep.Run{fixedRun(c, k)})...)
		}
		var out []sweep.Group
		for i := 0; i < len(gs); i += seeds {
			var runs []sweep.Run
			for _, g := range gs[i : i+seeds] {
				runs = append(runs, g.Run)
			}
			out = append(out, sweep.NewGroup(runs))
		}
		return out
	}
	lr1 := b
	lr1.LR = 0.005
	h := func(n int) train.Config { c := b; c.Hidden = graph.Sizes{n}; return c }
	ka := b
	ka.Optimizer, ka.LR = train.Adam, 0.001
	s := &Study{Out: "/tmp/x", Base: b, Seeds: seeds, Parts: map[string][]sweep.Group{}, Figures: map[string]string{}, BestLR: 0.5, BestH: 64, Seconds: 12.5}
	s.Parts[PartLR] = mk(lr1, b)
	s.Parts[PartHidden] = mk(h(50), h(20), h(5))
	s.Parts[PartKeras] = mk(b, ka)
	s.Parts[PartAdam] = mk(adam(200, 10), adam(2000, 10), adam(20000, 10), adam(20000, 100))
	s.Parts[PartCurves] = mk(adam(500, 20), adam(30000, 20), adam(200, 250))
	s.Model = s.Parts[PartKeras][1].Seeds[0]
	s.Predict = []Prediction{{0, 7, 7, 0.99}, {1, 2, 2, 0.98}}
	s.Reload = Reload{Dir: s.Model.Dir, SavedAcc: 0.9, LoadedAcc: 0.9, Identical: true}
	return s
}

// tableLines returns the lines of the markdown tables in a report.
func tableLines(report string) string {
	var lines []string
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "|") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestOneSeedUnchanged: with one seed, results.json and the report's tables
// are byte for byte those of the version before -seeds (testdata/seeds1_*,
// recorded from it with the same made-up runs).
func TestOneSeedUnchanged(t *testing.T) {
	s := fixedStudy(1)
	b, err := json.MarshalIndent(s.results(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	if err := s.WriteReport(&report); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ golden, got string }{
		{"seeds1_results.json", string(b) + "\n"},
		{"seeds1_tables.md", tableLines(report.String())},
	} {
		want, err := os.ReadFile(filepath.Join("testdata", tc.golden))
		if err != nil {
			t.Fatal(err)
		}
		if tc.got != string(want) {
			t.Errorf("with one seed, %s changed:\n%s\nwant\n%s", tc.golden, tc.got, want)
		}
	}
	// The few-update rows are marked, with the way to see their spread,
	// instead of being explained by their update count alone.
	for _, want := range []string{
		"**Seed-sensitive:** batch 20000, 10 epochs (30 updates). With fewer than 100 updates",
		"**Seed-sensitive:** batch 30000, 20 epochs (40 updates).",
		"Run `perceptron exercise -seeds 5` to see mean ± sd and min–max over seeds.",
		"- batch 20000, 10 epochs: 30 updates → 72.90% test accuracy in 1.1 s — **seed-sensitive**",
		"That last figure is one seed's: with 30 updates the seed moves it by several points",
	} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("one-seed report lacks %q", want)
		}
	}
	if n := strings.Count(report.String(), "**Seed-sensitive:**"); n != 2 {
		t.Errorf("%d seed-sensitive notes, want 2 (parts 4 and 5)", n)
	}
}

func TestReportOverSeeds(t *testing.T) {
	s := fixedStudy(3)
	var report bytes.Buffer
	if err := s.WriteReport(&report); err != nil {
		t.Fatal(err)
	}
	r := report.String()
	// Part 4's (20000, 10) over seeds 1-3 is made of k = 28, 29, 30: final
	// test accuracies 0.69 + (28 + k·13 mod 17)/1000 = 0.725, 0.721, 0.734,
	// mean 0.726667, squared deviations 2.78e-6 + 3.211e-5 + 5.378e-5 =
	// 8.867e-5, sd sqrt(8.867e-5/2) = 0.00666; train accuracies 0.01 higher.
	for _, want := range []string{
		"39 runs (13 configurations × 3 seeds)",
		"trained with seeds 1–3: a row gives the mean over them ± the sample standard deviation (n−1)",
		"| 20 | relu | adam | 0.001 | 20000 | 10 | 1–3 | 73.67% ± 0.67 | 73.10–74.40% | 72.67% ± 0.67 | 72.10–73.40% |",
		"- batch 20000, 10 epochs: 30 updates → 72.67% ± 0.67 (72.10–73.40%) test accuracy",
		"Over its 3 seeds that figure spans 1.30 points (sd 0.67)",
		"10 epochs, seeds 1–3.",
	} {
		if !strings.Contains(r, want) {
			t.Errorf("report over 3 seeds lacks %q", want)
		}
	}
	if strings.Contains(r, "Seed-sensitive") {
		t.Error("report over 3 seeds still calls rows seed-sensitive")
	}
	res := s.results()
	if res.Seeds != 3 || len(res.Tables[PartAdam][2].SeedRuns) != 3 || res.Tables[PartAdam][2].TestAccStats.N != 3 {
		t.Errorf("results.json: seeds %d, part 4 row 3 %+v", res.Seeds, res.Tables[PartAdam][2])
	}
}
