package plot

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

// TestPlotMetricsScript runs scripts/plot_metrics.py on two runs' metrics.csv.
// It skips when matplotlib is missing, except in CI (CI=true), which has it.
func TestPlotMetricsScript(t *testing.T) {
	python := testenv.NeedPython(t, "matplotlib")
	tmp := t.TempDir()
	var dirs []string
	for i, shift := range []float64{0, 0.03} {
		dir := filepath.Join(tmp, string(rune('a'+i)))
		os.MkdirAll(dir, 0o755)
		if err := history(8, shift).Save(filepath.Join(dir, "metrics.csv"), filepath.Join(dir, "history.json")); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	script := filepath.Join("..", "scripts", "plot_metrics.py")
	for _, tc := range []struct {
		name   string
		args   []string
		colors int // of Palette
	}{
		{"one run", []string{filepath.Join(dirs[0], "metrics.csv")}, 2},
		{"two runs", dirs, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(tmp, strings.ReplaceAll(tc.name, " ", "_")+".png")
			cmd := exec.Command(python, append([]string{script, "-o", out}, tc.args...)...)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, b)
			}
			img := testenv.DecodePNG(t, out)
			if b := img.Bounds(); b.Dx() != 1000 || b.Dy() != 400 {
				t.Errorf("%s is %v, want 1000×400 (10×4 inches at 100 dpi)", out, b)
			}
			for _, c := range Palette[:tc.colors] {
				if n := countNear(img, c); n < 300 {
					t.Errorf("%d pixels of line colour %v, want at least 300", n, c)
				}
			}
		})
	}
	// bad input: a clear message naming the file, exit status 1
	bad := filepath.Join(tmp, "bad.csv")
	os.WriteFile(bad, []byte("epoch,loss\n1,2\n"), 0o644)
	b, err := exec.Command(python, script, "-o", filepath.Join(tmp, "bad.png"), bad).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(b), bad+": header") {
		t.Errorf("bad metrics.csv: %v, output %q", err, b)
	}
	if _, err := os.Stat(filepath.Join(tmp, "bad.png")); err == nil {
		t.Error("bad metrics.csv left an image")
	}
}
