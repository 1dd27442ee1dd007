// Package rundir guards the directories that commands write into: a run
// (train), a sweep of runs (sweep) or a study (exercise). A command may
// write into a directory that does not exist, is empty, or already holds
// what the command itself writes there (a sweep or a study continues and
// reuses its finished runs); anything else is refused, with one message for
// every command, unless the caller forces it.
package rundir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/perceptron-mnist/perceptron/internal/words"
)

// Kind is what a directory holds.
type Kind int

// The kinds of directory the commands write.
const (
	Empty    Kind = iota // does not exist, or holds nothing but hidden files
	Run                  // one training run: model.json or checkpoint.bin
	Sweep                // runs in subdirectories, and the tables results.*
	Exercise             // a study: report.md, results.json, runs/
	Other                // files that none of the commands wrote
)

func (k Kind) String() string {
	switch k {
	case Empty:
		return "nothing"
	case Run:
		return "a run"
	case Sweep:
		return "a sweep"
	case Exercise:
		return "an exercise study"
	}
	return "other files"
}

// Files that tell what a directory holds. RunFiles are train's model.json
// and checkpoint.bin (modeljson.ModelFile, train.CheckpointFile).
var (
	RunFiles      = []string{"checkpoint.bin", "model.json"}
	SweepFiles    = []string{"results.md", "results.csv", "results.json"}
	ExerciseFiles = []string{"report.md"}
	// ExerciseRuns is the subdirectory in which a study keeps its runs.
	ExerciseRuns = "runs"
)

// Holds reports what dir holds and the entry that shows it (a file name,
// or a few names for Other). Names starting with "." are not looked at.
func Holds(dir string) (Kind, string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return Empty, "", nil
	}
	if err != nil {
		return Other, "", err
	}
	names := map[string]bool{}
	var shown []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		names[e.Name()] = e.IsDir()
		shown = append(shown, e.Name())
	}
	if len(shown) == 0 {
		return Empty, "", nil
	}
	has := func(files []string) string {
		for _, f := range files {
			if isDir, ok := names[f]; ok && !isDir {
				return f
			}
		}
		return ""
	}
	if f := has(RunFiles); f != "" {
		return Run, f, nil
	}
	if f := has(ExerciseFiles); f != "" {
		return Exercise, f, nil
	}
	if f := has(SweepFiles); f != "" {
		return Sweep, f, nil
	}
	if names[ExerciseRuns] {
		if k, _, _ := Holds(filepath.Join(dir, ExerciseRuns)); k == Sweep {
			return Exercise, ExerciseRuns + "/", nil
		}
	}
	for _, n := range shown {
		if names[n] {
			if k, _, _ := Holds(filepath.Join(dir, n)); k == Run {
				return Sweep, n + "/", nil
			}
		}
	}
	if len(shown) > 3 {
		shown = append(shown[:3], "…")
	}
	return Other, strings.Join(shown, ", "), nil
}

// Check reports whether a command that writes want into dir may go ahead:
// dir must not exist, be empty, or hold want already (Sweep and Exercise
// only: a second run of train is a -resume). With force anything goes; the
// caller removes what it replaces. The error is the same for every command.
func Check(dir string, want Kind, force bool) error {
	got, what, err := Holds(dir)
	if err != nil {
		return fmt.Errorf("-out %s: %w", dir, err)
	}
	if got == Empty || force || (got == want && want != Run) {
		return nil
	}
	return &Error{Dir: dir, Holds: got, What: what}
}

// Error is Check's refusal.
type Error struct {
	Dir   string
	Holds Kind
	What  string // the entries that show it
}

func (e *Error) Error() string {
	hint := ""
	if e.Holds == Run {
		hint = fmt.Sprintf("continue it with 'perceptron train -resume %s', ", e.Dir)
	}
	if e.Holds == Other {
		return fmt.Sprintf("-out %s is not empty (%s): %schoose another -out, or pass -force to write into it", e.Dir, e.What, hint)
	}
	return fmt.Sprintf("-out %s already holds %s (%s): %schoose another -out, or pass -force to write into it", e.Dir, e.Holds, e.What, hint)
}

// Make creates dir with the parents it lacks, and returns a function that
// removes again, innermost first, the directories it created as long as
// they are empty: a run that fails before writing anything leaves nothing
// behind.
func Make(dir string) (undo func(), err error) {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, os.ErrNotExist) {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return func() {}, err
	}
	return func() {
		for _, d := range created {
			if os.Remove(d) != nil { // not empty, or gone
				return
			}
		}
	}, nil
}

// Runs lists, sorted, the runs a sweep or a study in dir holds: the
// subdirectories of dir (of dir/runs for a study) that hold a run.
func Runs(dir string) []string {
	if k, _, _ := Holds(dir); k == Exercise {
		dir = filepath.Join(dir, ExerciseRuns)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var runs []string
	for _, e := range entries { // sorted by name
		if sub := filepath.Join(dir, e.Name()); e.IsDir() {
			if k, _, _ := Holds(sub); k == Run {
				runs = append(runs, sub)
			}
		}
	}
	return runs
}

// CheckRun reports whether dir holds a trained run (its model.json) to
// use, and when it does not, says what dir is instead: a folder of runs
// (naming a few of them to choose from), or not a run at all.
func CheckRun(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such directory", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is a file, not a run directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, RunFiles[1])); err == nil {
		return nil
	}
	k, _, err := Holds(dir)
	if err != nil {
		return err
	}
	switch k {
	case Sweep, Exercise:
		runs := Runs(dir)
		if len(runs) == 0 {
			return fmt.Errorf("%s is %s with no finished run in it yet", dir, k)
		}
		some := runs[:min(3, len(runs))]
		more := ""
		if len(runs) > len(some) {
			more = fmt.Sprintf(" (and %d more)", len(runs)-len(some))
		}
		return fmt.Errorf("%s is %s of %s, not a run: give one of them, such as %s%s", dir, k, words.Count(len(runs), "run"),
			strings.Join(some, ", "), more)
	case Run:
		return fmt.Errorf("%s holds a run with no %s yet: it has not finished an epoch", dir, RunFiles[1])
	}
	return fmt.Errorf("%s holds no %s: not a run directory written by perceptron train", dir, RunFiles[1])
}
