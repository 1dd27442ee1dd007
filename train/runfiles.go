package train

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/rundir"
)

// runFiles are the files a run writes in its directory beside its weight
// files (isWeightFile).
var runFiles = []string{MetricsFile, HistoryFile, modeljson.ModelFile, CheckpointFile}

// isWeightFile reports whether name is a weight file a run writes: w1.npy,
// b1.npy, …, of any depth.
func isWeightFile(name string) bool {
	n, ok := strings.CutSuffix(name, ".npy")
	if !ok || len(n) < 2 || (n[0] != 'w' && n[0] != 'b') {
		return false
	}
	i, err := strconv.Atoi(n[1:])
	return err == nil && i >= 1 && strconv.Itoa(i) == n[1:]
}

// weightFiles returns the weight files in dir.
func weightFiles(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if !e.IsDir() && isWeightFile(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

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
	best := filepath.Join(dir, BestDir)
	for _, f := range append(runFiles, weightFiles(dir)...) {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("run directory: %w", err)
		}
	}
	for _, f := range append([]string{modeljson.ModelFile}, weightFiles(best)...) {
		if err := os.Remove(filepath.Join(best, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("run directory: %w", err)
		}
	}
	if _, err := readEnsemble(dir); err == nil { // an ensemble's members
		if err := os.RemoveAll(filepath.Join(dir, MembersDir)); err != nil {
			return fmt.Errorf("run directory: %w", err)
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
