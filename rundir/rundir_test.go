package rundir_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/modeljson"
	"github.com/perceptron-mnist/perceptron/rundir"
	"github.com/perceptron-mnist/perceptron/train"
)

// layout makes the files (ending in / for directories) under a new directory.
func layout(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, f)
		if strings.HasSuffix(f, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunFilesAreTrainsFiles(t *testing.T) {
	if rundir.RunFiles[0] != train.CheckpointFile || rundir.RunFiles[1] != modeljson.ModelFile {
		t.Errorf("RunFiles %v, want %s and %s", rundir.RunFiles, train.CheckpointFile, modeljson.ModelFile)
	}
}

func TestHolds(t *testing.T) {
	tests := []struct {
		files []string
		kind  rundir.Kind
		what  string
	}{
		{nil, rundir.Empty, ""},
		{[]string{".lock", ".DS_Store"}, rundir.Empty, ""},
		{[]string{"model.json", "w1.npy", "curves.png"}, rundir.Run, "model.json"},
		{[]string{"checkpoint.bin"}, rundir.Run, "checkpoint.bin"},
		{[]string{"results.json", "curves.png", "h64/model.json"}, rundir.Sweep, "results.json"},
		{[]string{"h64-sgd/checkpoint.bin", "h20-sgd/"}, rundir.Sweep, "h64-sgd/"}, // interrupted
		{[]string{"report.md", "results.json", "runs/a/model.json"}, rundir.Exercise, "report.md"},
		{[]string{"runs/a/checkpoint.bin"}, rundir.Exercise, "runs/"}, // interrupted
		{[]string{"notes.txt"}, rundir.Other, "notes.txt"},
		{[]string{"a", "b", "c", "d/"}, rundir.Other, "a, b, c, …"},
		{[]string{"photos/x.png"}, rundir.Other, "photos"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.files, " "), func(t *testing.T) {
			k, what, err := rundir.Holds(layout(t, tc.files...))
			if err != nil || k != tc.kind || what != tc.what {
				t.Errorf("Holds: %v %q %v, want %v %q", k, what, err, tc.kind, tc.what)
			}
		})
	}
	if k, _, err := rundir.Holds(filepath.Join(t.TempDir(), "new")); k != rundir.Empty || err != nil {
		t.Errorf("a directory that does not exist: %v %v", k, err)
	}
}

func TestCheck(t *testing.T) {
	run := layout(t, "model.json", "checkpoint.bin")
	sweep := layout(t, "results.md", "a/model.json")
	study := layout(t, "report.md", "runs/a/model.json")
	other := layout(t, "notes.txt")
	tests := []struct {
		dir   string
		want  rundir.Kind
		force bool
		err   string // "" for none
	}{
		{t.TempDir(), rundir.Run, false, ""},
		{run, rundir.Run, false, "-out " + run + " already holds a run (checkpoint.bin): continue it with 'perceptron train -resume " + run + "', choose another -out, or pass -force to write into it"},
		{run, rundir.Sweep, false, "-out " + run + " already holds a run (checkpoint.bin): continue it with 'perceptron train -resume " + run + "', choose another -out, or pass -force to write into it"},
		{run, rundir.Sweep, true, ""},
		{sweep, rundir.Sweep, false, ""},
		{sweep, rundir.Exercise, false, "-out " + sweep + " already holds a sweep (results.md): choose another -out, or pass -force to write into it"},
		{sweep, rundir.Run, false, "-out " + sweep + " already holds a sweep (results.md): choose another -out, or pass -force to write into it"},
		{study, rundir.Exercise, false, ""},
		{study, rundir.Sweep, false, "-out " + study + " already holds an exercise study (report.md): choose another -out, or pass -force to write into it"},
		{other, rundir.Exercise, false, "-out " + other + " is not empty (notes.txt): choose another -out, or pass -force to write into it"},
		{other, rundir.Run, true, ""},
	}
	for _, tc := range tests {
		err := rundir.Check(tc.dir, tc.want, tc.force)
		if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("Check(%s, %v, %v): %v, want %q", tc.dir, tc.want, tc.force, err, tc.err)
		}
	}
}

func TestMakeUndo(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b", "run")
	undo, err := rundir.Make(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("Make did not create %s: %v", dir, err)
	}
	undo()
	if entries, _ := os.ReadDir(base); len(entries) != 0 {
		t.Errorf("after undo %s holds %v, want nothing", base, entries)
	}

	// a directory written to stays; parents that existed stay
	undo, err = rundir.Make(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "metrics.csv"), nil, 0o644)
	undo()
	if _, err := os.Stat(filepath.Join(dir, "metrics.csv")); err != nil {
		t.Errorf("undo removed a directory that was written to: %v", err)
	}
	undo, _ = rundir.Make(base)
	undo()
	if _, err := os.Stat(base); err != nil {
		t.Errorf("undo removed a directory Make did not create: %v", err)
	}
}

func TestCheckRun(t *testing.T) {
	run := layout(t, "model.json", "w1.npy")
	sweep := layout(t, "results.md", "h20/model.json", "h5/model.json", "h50/model.json", "h64/model.json", "notes/")
	study := layout(t, "report.md", "runs/a/model.json")
	other := layout(t, "x.txt")
	half := layout(t, "checkpoint.bin")
	file := filepath.Join(other, "x.txt")
	for _, tc := range []struct{ dir, want string }{
		{run, ""},
		{sweep, sweep + " is a sweep of 4 runs, not a run: give one of them, such as " + filepath.Join(sweep, "h20") + ", " +
			filepath.Join(sweep, "h5") + ", " + filepath.Join(sweep, "h50") + " (and 1 more)"},
		{study, study + " is an exercise study of 1 run, not a run: give one of them, such as " + filepath.Join(study, "runs", "a")},
		{other, other + " holds no model.json: not a run directory written by perceptron train"},
		{half, half + " holds a run with no model.json yet: it has not finished an epoch"},
		{file, file + " is a file, not a run directory"},
		{filepath.Join(other, "none"), filepath.Join(other, "none") + ": no such directory"},
	} {
		err := rundir.CheckRun(tc.dir)
		if (err == nil) != (tc.want == "") || err != nil && err.Error() != tc.want {
			t.Errorf("CheckRun(%s): %v, want %q", tc.dir, err, tc.want)
		}
	}
}
