package exercise

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/sweep"
)

func TestScaledDownStudy(t *testing.T) {
	d := testenv.MNIST(t)
	out := t.TempDir()
	var plotted []string
	plot := func(path, title string, groups []sweep.Group) error {
		plotted = append(plotted, filepath.Base(path))
		return os.WriteFile(path, []byte("png"), 0o644)
	}
	s, err := Run(context.Background(), d, Options{Out: out, Jobs: 2, TrainLimit: 2000, TestLimit: 500, EpochScale: 0.02, Plot: plot})
	if err != nil {
		t.Fatal(err)
	}

	b, err := os.ReadFile(filepath.Join(out, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Tables map[string][]struct {
			Config       map[string]any `json:"config"`
			TrainAcc     *float64       `json:"train_acc"`
			TestAcc      *float64       `json:"test_acc"`
			TrainSeconds *float64       `json:"train_seconds"`
		} `json:"tables"`
		Predictions []Prediction `json:"predictions"`
		SaveLoad    Reload       `json:"save_load"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	wantRows := map[string]int{PartLR: 2, PartHidden: 3, PartKeras: 2, PartAdam: 4, PartCurves: 3}
	for part, n := range wantRows {
		rows := res.Tables[part]
		if len(rows) != n {
			t.Errorf("results.json table %s: %d rows, want %d", part, len(rows), n)
		}
		for _, r := range rows {
			for _, k := range []string{"hidden", "activation", "optimizer", "lr", "batch", "epochs", "seed"} {
				if _, ok := r.Config[k]; !ok {
					t.Errorf("table %s: config has no %q", part, k)
				}
			}
			if r.TrainAcc == nil || r.TestAcc == nil || r.TrainSeconds == nil || *r.TestAcc < 0 || *r.TestAcc > 1 {
				t.Errorf("table %s: row %+v", part, r)
			}
		}
	}
	if len(res.Tables) != len(wantRows) {
		t.Errorf("results.json has %d tables, want %d", len(res.Tables), len(wantRows))
	}
	if len(res.Predictions) != 5 || res.Predictions[0].Label != 7 || res.Predictions[4].Label != 4 {
		t.Errorf("predictions %+v", res.Predictions)
	}
	if !res.SaveLoad.Identical {
		t.Errorf("save/load: %+v", res.SaveLoad)
	}
	// Part 4 keeps the study's batch sizes; the scaled epochs stay at least 1.
	if c := res.Tables[PartAdam][3].Config; c["batch"].(float64) != 20000 || c["epochs"].(float64) != 2 {
		t.Errorf("part 4, last run: %v, want batch 20000 and 100×0.02 = 2 epochs", c)
	}

	report, err := os.ReadFile(filepath.Join(out, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"## The network", "## 1. Learning rate", "## 2. Hidden neurons", "## 3. The best network of parts 1 and 2",
		"## 4. Adam, 20 hidden neurons", "## 5. Learning curves", "## 6. Predictions of the first five test images", "## 7. Save and load",
		"| hidden (dense) | 64 | 50240 | sigmoid |", "Parameters in all: **50890**", "**identical**", "scaled-down"} {
		if !strings.Contains(string(report), section) {
			t.Errorf("report.md lacks %q", section)
		}
	}
	for _, f := range plotted {
		if !strings.Contains(string(report), "]("+f+")") {
			t.Errorf("figure %s is not embedded in report.md", f)
		}
	}
	if len(plotted) != 8 {
		t.Errorf("%d figures drawn, want 5 parts + 3 curves", len(plotted))
	}
	if s.BestLR != 0.5 {
		t.Errorf("best learning rate %v, want 0.5", s.BestLR)
	}
}
