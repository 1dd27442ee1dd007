package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step at each reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Unix(1700000000, 0)
	return func() time.Time { t = t.Add(step); return t }
}

// run feeds two epochs of 20 steps to a bar.
func run(o Options) string {
	var buf bytes.Buffer
	b := New(&buf, 2, 1950, 100, o)
	for epoch := 1; epoch <= 2; epoch++ {
		for step := 1; step <= 20; step++ {
			b.Step(epoch, step, 20, 0.5/float32(epoch))
		}
	}
	b.End()
	return buf.String()
}

func TestPlainLines(t *testing.T) {
	out := run(Options{Interval: time.Second, Now: fakeClock(300 * time.Millisecond)})
	if strings.ContainsAny(out, "\r\x1b") {
		t.Errorf("output to a non-terminal has control characters: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// a line each 4 steps (1.2 s) from the first, none for an epoch's last step: 4 per epoch
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8:\n%s", len(lines), out)
	}
	want := "Epoch 1/2: step 5/20 - 1.5s elapsed - 4.5s left - 333 samples/s - loss: 0.5000"
	if lines[0] != want {
		t.Errorf("first line\n %q\nwant %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[7], "Epoch 2/2: step 17/20 ") || !strings.HasSuffix(lines[7], "loss: 0.2500") {
		t.Errorf("last line %q", lines[7])
	}
}

// An ensemble trains each epoch once per network: the second pass over
// the same epoch starts the clock and the loss afresh.
func TestSameEpochAgain(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, 2, 1950, 100, Options{Interval: time.Second, Now: fakeClock(300 * time.Millisecond)})
	for pass := range 2 {
		for step := 1; step <= 20; step++ {
			b.Step(1, step, 20, 0.5/float32(pass+1))
		}
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8:\n%s", len(lines), buf.String())
	}
	if want := "Epoch 1/2: step 5/20 - 1.5s elapsed - 4.5s left - 333 samples/s - loss: 0.2500"; lines[4] != want {
		t.Errorf("the second pass's first line\n %q\nwant %q", lines[4], want)
	}
}

func TestTerminalBar(t *testing.T) {
	out := run(Options{Terminal: true, Columns: 120, Interval: time.Second, Now: fakeClock(300 * time.Millisecond)})
	lines := strings.Split(out, "\n")
	if len(lines) != 3 || lines[2] != "" {
		t.Fatalf("want one line per epoch, got %q", out)
	}
	for _, l := range lines[:2] {
		draws := strings.Split(l, "\r")[1:]
		if len(draws) != 5 { // 4 on time, 1 for the last step
			t.Errorf("%d draws, want 5: %q", len(draws), l)
		}
		for _, d := range draws {
			if !strings.HasSuffix(d, "\x1b[K") || len(d)-3 > 119 {
				t.Errorf("draw %q: want at most 119 columns and an erase to end of line", d)
			}
		}
		last := draws[len(draws)-1]
		if !strings.Contains(last, "[==============================] 20/20 - 6.0s elapsed - 0.0s left - 325 samples/s - loss: ") {
			t.Errorf("last draw %q", last)
		}
	}
	// a narrow terminal gets no bar and a cut line rather than a wrapped one
	out = run(Options{Terminal: true, Columns: 40, Interval: time.Second, Now: fakeClock(300 * time.Millisecond)})
	for _, d := range strings.Split(strings.ReplaceAll(out, "\n", ""), "\r")[1:] {
		if d = strings.TrimSuffix(d, "\x1b[K"); strings.Contains(d, "[") || len(d) != 39 {
			t.Errorf("narrow draw %q", d)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []any{f, &bytes.Buffer{}} {
		if tty, _ := IsTerminal(w.(interface{ Write([]byte) (int, error) })); tty {
			t.Errorf("%T is taken for a terminal", w)
		}
	}
}

func TestSeconds(t *testing.T) {
	for s, want := range map[float64]string{0.04: "0.0s", 9.94: "9.9s", 12.4: "12s", 62: "1:02", 3723: "1:02:03"} {
		if got := seconds(s); got != want {
			t.Errorf("seconds(%v) = %q, want %q", s, got, want)
		}
	}
}
