package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/rundir"
	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

// TestPlanLineTrainsItsConfiguration: train's flags read a plan line back
// into the configuration it was written from.
func TestPlanLineTrainsItsConfiguration(t *testing.T) {
	a := train.DefaultConfig()
	b := train.Config{Hidden: graph.Sizes{20}, Activation: "relu", Optimizer: "adam", LR: 0.001, Batch: 20000, Epochs: 100, Seed: 7,
		TrainLimit: 3000, TestLimit: 1000, SaveBest: true, EarlyStop: 3}
	aug, elastic := a, b
	aug.Augment = augment.Default()
	elastic.Augment = augment.Default()
	elastic.Augment.Elastic = augment.DefaultElastic
	for _, c := range []train.Config{a, b, aug, elastic} {
		line, err := sweep.Line(c, "runs/it's here/"+c.Name(), "-data", "/mnist")
		if err != nil {
			t.Fatal(err)
		}
		words := strings.Fields(line)
		if words[0] != "perceptron" || words[1] != "train" {
			t.Fatalf("line %q", line)
		}
		out := `'runs/it'\''s here/` + c.Name() + `'`
		if !strings.HasSuffix(line, " -data /mnist -out "+out) {
			t.Errorf("line %q does not end with -data and the quoted -out", line)
		}
		fs := newFlagSet("train", "", "", &bytes.Buffer{})
		tf := addTrainFlags(fs)
		tf.addRunFlags()
		fs.String("out", "", "")
		dataFlag(fs, "")
		end := slices.Index(words, "-data") // the quoted -out has spaces
		if err := fs.Parse(words[2:end]); err != nil || fs.NArg() != 0 {
			t.Fatalf("train cannot parse %q: %v %v", line, err, fs.Args())
		}
		got, err := tf.config()
		if err != nil || !got.Equal(c) {
			t.Errorf("line %q trains %+v (%v), want %+v", line, got, err, c)
		}
	}
}

// needParallel returns GNU parallel's path; without it the test is
// skipped, except in CI, which installs it.
func needParallel(t *testing.T) string {
	p, err := exec.LookPath("parallel")
	if err == nil {
		if out, _ := exec.Command(p, "--version").Output(); bytes.Contains(out, []byte("GNU parallel")) {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("GNU parallel is missing (Debian package parallel; .ci/run installs it)")
	}
	t.Skip("no GNU parallel (apt-get install parallel)")
	return ""
}

// TestPlanRunByParallelThenCollect: a sweep's plan run by GNU parallel -j 2,
// then collected, gives the tables of the same sweep run directly, to the
// last digit; running the plan again trains nothing.
func TestPlanRunByParallelThenCollect(t *testing.T) {
	parallel := needParallel(t)
	exe, env := asCommand(t)
	env = append(env, "PATH="+filepath.Dir(exe)+string(os.PathListSeparator)+os.Getenv("PATH"))
	tmp := t.TempDir()
	grid := []string{"-hidden", "8,16", "-lr", "0.1,0.5", "-epochs", "1", "-train-limit", "2000", "-test-limit", "500"}
	sweepArgs := func(out string, more ...string) []string {
		return append(append([]string{"sweep"}, grid...), append([]string{"-out", out}, more...)...)
	}
	direct, planned := filepath.Join(tmp, "direct"), filepath.Join(tmp, "planned")
	if code, _, errOut := perceptron(t, sweepArgs(direct, "-quiet")...); code != 0 {
		t.Fatalf("direct sweep: exit %d: %s", code, errOut)
	}
	plan := filepath.Join(tmp, "plan.txt")
	code, out, errOut := perceptron(t, sweepArgs(planned, "-plan", plan)...)
	if code != 0 || out != "" || !strings.Contains(errOut, "sweep: 4 runs planned (") {
		t.Fatalf("plan: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(planned); err == nil {
		t.Error("-plan created the sweep directory")
	}
	lines, _ := os.ReadFile(plan)
	if n := strings.Count(string(lines), "\n"); n != 4 || !strings.HasPrefix(string(lines), "perceptron train -hidden 8 -activation sigmoid -optimizer sgd -lr 0.1 ") {
		t.Fatalf("plan of %d lines:\n%s", n, lines)
	}
	// -plan - prints the same lines.
	if _, out, _ := perceptron(t, sweepArgs(planned, "-plan", "-", "-quiet")...); out != string(lines) {
		t.Errorf("-plan - printed\n%s\nwant\n%s", out, lines)
	}

	// Before the jobs ran, a collect lists every run as missing.
	code, out, errOut = perceptron(t, sweepArgs(planned, "-collect")...)
	if code != 1 || out != "" || !strings.Contains(errOut, "4 of 4 runs are not finished; run their plan lines, then collect again:\n  "+
		filepath.Join(planned, "sigmoid-h8-sgd-lr0.1-b100-e1-s1-n2000-t500")+": missing\n") {
		t.Fatalf("collect before the jobs: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	runPlan := func() string {
		cmd := exec.Command(parallel, "-j", "2")
		cmd.Stdin = bytes.NewReader(lines)
		cmd.Env, cmd.Dir = env, tmp
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("parallel -j 2 < plan: %v\n%s", err, b)
		}
		return string(b)
	}
	runPlan()
	collectEqualsDirect(t, sweepArgs(planned, "-collect"), direct, planned)
	// The plan again: every line says its run is finished.
	if again := runPlan(); strings.Count(again, " is already finished (1 epoch, test accuracy 0.") != 4 {
		t.Errorf("the plan run twice:\n%s", again)
	}
}

// collectEqualsDirect collects planned and checks its tables against those
// of the sweep run directly into direct; it returns the collect's stdout.
func collectEqualsDirect(t *testing.T, collect []string, direct, planned string) string {
	t.Helper()
	code, out, errOut := perceptron(t, collect...)
	if code != 0 {
		t.Fatalf("collect: exit %d: %s", code, errOut)
	}
	// Every number of the tables but the seconds and the directories.
	strip := func(dir string) []map[string]any {
		b, err := os.ReadFile(filepath.Join(dir, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Tables map[string][]map[string]any }
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		rows := res.Tables["sweep"]
		for _, r := range rows {
			delete(r, "train_seconds")
			delete(r, "run_dir")
		}
		return rows
	}
	a, b := strip(direct), strip(planned)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if len(a) != 4 || string(ja) != string(jb) {
		t.Errorf("collected tables differ from the direct sweep's:\n%s\n%s", jb, ja)
	}
	accs := regexp.MustCompile(`\d+\.\d\d%`)
	direct0, _ := os.ReadFile(filepath.Join(direct, "results.md"))
	if got, want := accs.FindAllString(out, -1), accs.FindAllString(string(direct0), -1); strings.Join(got, " ") != strings.Join(want, " ") || len(got) != 12 {
		t.Errorf("collected markdown accuracies %v, direct %v", got, want)
	}
	for _, f := range []string{"results.md", "results.csv", "curves.png"} {
		if _, err := os.Stat(filepath.Join(planned, f)); err != nil {
			t.Errorf("collect: %v", err)
		}
	}
	return out
}

// TestPlanRunBySlurm submits a sweep's plan as a Slurm array job (one task
// per line, as the README's script) and collects. It runs where a Slurm
// cluster answers (scripts/slurm_localhost.sh starts one on this machine;
// CI does not) and is skipped elsewhere.
func TestPlanRunBySlurm(t *testing.T) {
	if err := exec.Command("sinfo", "-h").Run(); err != nil {
		t.Skip("no Slurm cluster answers (scripts/slurm_localhost.sh starts one):", err)
	}
	exe, env := asCommand(t)
	env = append(env, "PATH="+filepath.Dir(exe)+string(os.PathListSeparator)+os.Getenv("PATH"))
	tmp := t.TempDir()
	grid := []string{"sweep", "-hidden", "8,16", "-lr", "0.1,0.5", "-epochs", "1", "-train-limit", "2000", "-test-limit", "500"}
	direct, planned := filepath.Join(tmp, "direct"), filepath.Join(tmp, "planned")
	if code, _, errOut := perceptron(t, append(grid, "-out", direct, "-quiet")...); code != 0 {
		t.Fatalf("direct sweep: exit %d: %s", code, errOut)
	}
	plan := filepath.Join(tmp, "plan.txt")
	if code, _, errOut := perceptron(t, append(grid, "-out", planned, "-plan", plan, "-quiet")...); code != 0 {
		t.Fatalf("plan: exit %d: %s", code, errOut)
	}
	script := filepath.Join(tmp, "plan.sbatch")
	os.WriteFile(script, []byte("#!/bin/sh\n#SBATCH --output="+tmp+"/%A_%a.out\n"+
		`sh -c "$(sed -n "${SLURM_ARRAY_TASK_ID}p" `+plan+`)"`+"\n"), 0o755)
	cmd := exec.Command("sbatch", "--wait", "--array=1-4", script)
	cmd.Env, cmd.Dir = env, tmp
	if b, err := cmd.CombinedOutput(); err != nil {
		logs, _ := filepath.Glob(filepath.Join(tmp, "*.out"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", l, b)
		}
		t.Fatalf("sbatch --wait --array=1-4: %v\n%s", err, b)
	}
	collectEqualsDirect(t, append(grid, "-out", planned, "-collect"), direct, planned)
}

// waitForLock waits until dir's lock file names a process.
func waitForLock(t *testing.T, dir string) rundir.Holder {
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if h, ok := rundir.Locked(dir); ok && h.PID != 0 {
			return h
		}
	}
	t.Fatal("no lock appeared in", dir)
	return rundir.Holder{}
}

// TestTrainTwiceOnOneDirectory: of two train processes on the same -out,
// one trains and the other exits 1 naming the process that holds the lock;
// a lock left by a process that is gone is taken over with a warning.
func TestTrainTwiceOnOneDirectory(t *testing.T) {
	exe, env := asCommand(t)
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"train", "-epochs", "1", "-train-limit", "5000", "-test-limit", "500", "-plots=false", "-tensorboard=false", "-quiet", "-out", dir}
	first := exec.Command(exe, args...)
	first.Env = env
	var out1, err1 bytes.Buffer
	first.Stdout, first.Stderr = &out1, &err1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	h := waitForLock(t, dir)
	second := exec.Command(exe, args...)
	second.Env = env
	out2, _ := second.CombinedOutput()
	if err := first.Wait(); err != nil {
		t.Fatalf("first train: %v\n%s", err, err1.String())
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("perceptron train: run directory %s is locked by process %d on %s since ", dir, first.Process.Pid, host)
	if code := second.ProcessState.ExitCode(); code != 1 || !strings.HasPrefix(string(out2), want) || h.PID != first.Process.Pid {
		t.Fatalf("second train: exit %d, %q; want exit 1 and %q…", code, out2, want)
	}
	if !strings.Contains(out1.String(), "run directory   "+dir) {
		t.Errorf("first train printed %q", out1.String())
	}
	if _, err := os.Stat(filepath.Join(dir, rundir.LockFile)); err == nil {
		t.Error("the lock file outlived the run")
	}

	// The lock of a process that is gone: taken over, with a warning. The
	// same command again finds the run finished.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, rundir.LockFile), []byte(fmt.Sprintf("%d %s 2026-12-02T20:00:00Z\n", gone.Process.Pid, host)), 0o644)
	code, out, errOut := perceptron(t, args...)
	wantWarn := fmt.Sprintf("warning: %s: taking over the stale lock of process %d on %s since 20:00:00 UTC, which is gone\n",
		filepath.Join(dir, rundir.LockFile), gone.Process.Pid, host)
	if code != 0 || errOut != wantWarn || out != "run "+dir+" is already finished (1 epoch, test accuracy "+strings.Fields(out1.String())[5]+"): nothing to train\n" {
		t.Errorf("over a stale lock: exit %d, stdout %q, stderr %q; want the warning %q", code, out, errOut, wantWarn)
	}
}

// TestExercisePlanThenCollect: the study's plan holds every run the study
// may need (parts 2 and 3 for every outcome of parts 1 and 2); its lines
// leave the runs of a direct study alone and train the others, and a
// collect then writes the direct study's tables again.
func TestExercisePlanThenCollect(t *testing.T) {
	dir := t.TempDir()
	flags := []string{"-quick", "-plots=false", "-tensorboard=false", "-out", dir}
	if code, _, errOut := perceptron(t, append([]string{"exercise", "-quiet"}, flags...)...); code != 0 {
		t.Fatalf("exercise: exit %d: %s", code, errOut)
	}
	tables := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Tables map[string][]map[string]any }
		json.Unmarshal(b, &res)
		var acc []string
		for _, part := range []string{"1_learning_rate", "2_hidden_neurons", "3_keras_network", "4_adam_batch_epochs", "5_curves"} {
			for _, r := range res.Tables[part] {
				acc = append(acc, fmt.Sprint(r["config"].(map[string]any)["hidden"], r["train_acc"], r["test_acc"], r["test_loss"]))
			}
		}
		return strings.Join(acc, "\n")
	}
	direct := tables()
	code, plan, errOut := perceptron(t, append([]string{"exercise", "-plan", "-"}, flags...)...)
	if code != 0 || !strings.Contains(errOut, "exercise: 19 runs planned (stdout)") ||
		!strings.HasSuffix(errOut, "then collect: perceptron exercise -quick -plots=false -tensorboard=false -out "+dir+" -collect\n") {
		t.Fatalf("plan: exit %d, stderr %q", code, errOut)
	}
	finished, trained := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(plan), "\n") {
		words := strings.Fields(line) // no quotes: the temporary directory has no spaces
		if !strings.Contains(line, "-plots=false -tensorboard=false -out "+dir+"/runs/") {
			t.Fatalf("plan line %q", line)
		}
		code, out, errOut := perceptron(t, append(words[1:], "-quiet")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", line, code, errOut)
		}
		if strings.Contains(out, " is already finished (") {
			finished++
		} else {
			trained++
		}
	}
	if finished != 13 || trained != 6 {
		t.Errorf("the plan's lines found %d runs finished and trained %d; want the study's 13 and 6 more", finished, trained)
	}
	code, out, errOut := perceptron(t, "exercise", "-quick", "-out", dir, "-collect")
	if code != 0 || !strings.HasPrefix(out, "study done in ") {
		t.Fatalf("collect: exit %d, %q, %q", code, out, errOut)
	}
	if got := tables(); got != direct || strings.Count(got, "\n") != 13 {
		t.Errorf("collected study:\n%s\ndirect study:\n%s", got, direct)
	}
}
