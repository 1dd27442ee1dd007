package rundir

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "run")
	l, err := Acquire(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k, _, _ := Holds(dir); k != Empty {
		t.Errorf("a directory holding only its lock holds %v, want nothing", k)
	}
	// A second holder (another open file, as another process would have)
	// is refused, naming the first.
	_, err = Acquire(dir, nil)
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.PID != os.Getpid() {
		t.Fatalf("second Acquire: %v", err)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("run directory %s is locked by process %d on %s since ", dir, os.Getpid(), host)
	if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "another perceptron is training it; wait for it to finish") {
		t.Errorf("error %q, want it to start %q", err, want)
	}
	if h, ok := Locked(dir); !ok || h.PID != os.Getpid() {
		t.Errorf("Locked: %v %v", h, ok)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("released lock left the directories it created: %v", err)
	}
	if _, ok := Locked(dir); ok {
		t.Error("Locked after Release")
	}
}

func TestStaleLockIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	// The lock file of a process that has ended.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	gone := cmd.Process.Pid
	os.WriteFile(filepath.Join(dir, LockFile), []byte(fmt.Sprintf("%d elsewhere 2026-12-02T20:00:00Z\n", gone)), 0o644)
	var warn bytes.Buffer
	l, err := Acquire(dir, &warn)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	want := fmt.Sprintf("warning: %s: taking over the stale lock of process %d on elsewhere since 20:00:00 UTC, which is gone\n", filepath.Join(dir, LockFile), gone)
	if warn.String() != want {
		t.Errorf("warning %q, want %q", warn.String(), want)
	}
	b, _ := os.ReadFile(filepath.Join(dir, LockFile))
	if !strings.HasPrefix(string(b), fmt.Sprintf("%d ", os.Getpid())) {
		t.Errorf("lock file %q does not name this process", b)
	}
}
