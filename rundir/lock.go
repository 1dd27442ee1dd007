package rundir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the file in a run directory that a process training it holds
// locked (hidden, so that Holds does not count it).
const LockFile = ".lock"

// Lock is a held run-directory lock. The kernel drops it when the process
// ends however it ends, so a lock file left behind by a process that is
// gone is stale and the next Acquire takes it over.
type Lock struct {
	f    *os.File
	path string
	undo func()
}

// Holder is the process that wrote a lock file.
type Holder struct {
	PID   int
	Host  string
	Since time.Time
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	s := fmt.Sprintf("process %d on %s", h.PID, h.Host)
	if !h.Since.IsZero() {
		s += " since " + h.Since.UTC().Format("15:04:05 UTC")
	}
	return s
}

// LockedError reports a run directory that another process holds.
type LockedError struct {
	Dir    string
	Holder Holder
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("run directory %s is locked by %s (%s): another perceptron is training it; wait for it to finish", e.Dir, e.Holder, filepath.Join(e.Dir, LockFile))
}

// Acquire locks the run directory dir (creating it and its parents) for
// this process, or returns a *LockedError naming the process that holds it.
// A lock file whose process is gone is taken over; warn, when not nil, is
// told so in one line. Release the lock when the run ends.
func Acquire(dir string, warn io.Writer) (*Lock, error) {
	undo, err := Make(dir)
	if err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	for range 10 { // a holder that removes the file as we open it: try again
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			undo()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			h := readHolder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &LockedError{Dir: dir, Holder: h}
			}
			undo()
			return nil, fmt.Errorf("lock %s: %w (the file system must support flock)", path, err)
		}
		// The file we locked must still be the one at path.
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(fi, pi) {
			f.Close()
			continue
		}
		if old := readHolder(f); old.PID != 0 && warn != nil {
			fmt.Fprintf(warn, "warning: %s: taking over the stale lock of %s, which is gone\n", path, old)
		}
		host, _ := os.Hostname()
		me := fmt.Sprintf("%d %s %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
		if err := f.Truncate(0); err == nil {
			_, err = f.WriteAt([]byte(me), 0)
		}
		if err != nil {
			f.Close()
			undo()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return &Lock{f: f, path: path, undo: undo}, nil
	}
	return nil, fmt.Errorf("lock %s: the lock file keeps changing", path)
}

// Release removes the lock file and unlocks it; directories that Acquire
// created and that are still empty are removed too.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.path)
	if e := l.f.Close(); err == nil {
		err = e
	}
	l.f = nil
	l.undo()
	return err
}

// readHolder parses a lock file: "PID HOST TIME".
func readHolder(f *os.File) Holder {
	b := make([]byte, 512)
	n, _ := f.ReadAt(b, 0)
	fields := strings.Fields(string(b[:n]))
	var h Holder
	if len(fields) >= 2 {
		h.PID, _ = strconv.Atoi(fields[0])
		h.Host = fields[1]
	}
	if len(fields) >= 3 {
		h.Since, _ = time.Parse(time.RFC3339, fields[2])
	}
	return h
}

// Locked reports whether another process holds dir's lock, and which.
func Locked(dir string) (Holder, bool) {
	f, err := os.Open(filepath.Join(dir, LockFile))
	if err != nil {
		return Holder{}, false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return readHolder(f), errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return Holder{}, false
}
