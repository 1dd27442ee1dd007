package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSweepSeeds: -seeds N trains every configuration with N seeds, jobs
// spread over all of them, and tabulates mean, sd and min–max; a later
// sweep with more seeds reuses the finished ones.
func TestSweepSeeds(t *testing.T) {
	out := t.TempDir()
	args := []string{"sweep", "-hidden", "8,16", "-epochs", "1", "-train-limit", "1000", "-test-limit", "300", "-jobs", "2", "-out", out, "-json"}
	code, stdout, stderr := perceptron(t, append(args, "-seeds", "2")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "2 configurations × 2 seeds = 4 runs, 2 at a time") {
		t.Errorf("stderr %q", stderr)
	}
	var res struct {
		Tables map[string][]struct {
			TestAcc  float64          `json:"test_acc"`
			Seeds    []uint64         `json:"seeds"`
			Stats    *struct{ N int } `json:"test_acc_stats"`
			SeedRuns []struct {
				TestAcc float64 `json:"test_acc"`
				RunDir  string  `json:"run_dir"`
			} `json:"seed_runs"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("stdout: %v\n%s", err, stdout)
	}
	rows := res.Tables["sweep"]
	if len(rows) != 2 {
		t.Fatalf("%d rows, want one per configuration", len(rows))
	}
	for _, r := range rows {
		if len(r.Seeds) != 2 || r.Seeds[1] != 2 || r.Stats == nil || r.Stats.N != 2 || len(r.SeedRuns) != 2 {
			t.Fatalf("row %+v", r)
		}
		if mean := (r.SeedRuns[0].TestAcc + r.SeedRuns[1].TestAcc) / 2; r.TestAcc != mean {
			t.Errorf("test_acc %v, want the mean %v", r.TestAcc, mean)
		}
		if !strings.HasSuffix(r.SeedRuns[1].RunDir, "-s2-n1000-t300") {
			t.Errorf("second seed's run %s", r.SeedRuns[1].RunDir)
		}
	}
	md, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil || !strings.Contains(string(md), "| seeds | train acc (mean ± sd) | train min–max | test acc (mean ± sd) | test min–max |") ||
		!strings.Contains(string(md), "| 1–2 |") {
		t.Errorf("results.md: %v\n%s", err, md)
	}
	code, _, stderr = perceptron(t, append(args, "-seeds", "3")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n, m := strings.Count(stderr, "finished before, reused"), strings.Count(stderr, ": training\n"); n != 4 || m != 2 {
		t.Errorf("-seeds 3 after -seeds 2: %d reused, %d trained; want 4 and 2:\n%s", n, m, stderr)
	}
	if code, _, stderr := perceptron(t, "sweep", "-seeds", "0", "-out", out); code != 2 || !strings.Contains(stderr, "-seeds 0: want at least 1") {
		t.Errorf("-seeds 0: exit %d, %q", code, stderr)
	}
}
