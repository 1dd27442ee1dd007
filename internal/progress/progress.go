// Package progress shows how far an epoch of training has got: on a
// terminal a bar redrawn in place, elsewhere (CI, a log file) a plain line
// now and then, without carriage returns or escape codes.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Bar reports the progress of the steps of each epoch: steps done, time
// elapsed and remaining, samples per second and the running mean of the
// loss. It is meant for a training loop's per-step hook: a step costs a
// clock reading, and a redraw reuses its buffer.
type Bar struct {
	w        io.Writer
	tty      bool
	cols     int           // terminal width; 0: unknown
	interval time.Duration // between redraws (terminal) or lines (plain)

	epochs, samples, batch int
	now                    func() time.Time

	epoch, step int // the last step recorded
	start, last time.Time
	lossSum     float64
	losses      int
	open        bool // a terminal line is drawn and not yet ended
	buf, info   []byte
}

// Options adjust a Bar.
type Options struct {
	// Terminal draws a bar redrawn in place (carriage return and erase to
	// end of line); otherwise plain lines are written.
	Terminal bool
	// Columns is the terminal's width, to fit the line in (0: 80).
	Columns int
	// Interval is the least time between two redraws on a terminal
	// (default 100ms), or between two plain lines (default 10s).
	Interval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// IsTerminal reports whether w is a terminal, and its width in columns.
func IsTerminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		cols = 0
	}
	return true, cols
}

// New returns a bar for epochs of samples images in batches of batch.
func New(w io.Writer, epochs, samples, batch int, o Options) *Bar {
	b := &Bar{w: w, tty: o.Terminal, cols: o.Columns, interval: o.Interval, now: o.Now,
		epochs: epochs, samples: samples, batch: batch}
	if b.cols <= 0 {
		b.cols = 80
	}
	if b.interval <= 0 {
		b.interval = 10 * time.Second
		if b.tty {
			b.interval = 100 * time.Millisecond
		}
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b
}

// Step records step (from 1) of steps of epoch (from 1) and its loss, and
// redraws the bar when it is time to. On a terminal the epoch's last step
// ends the line. A step no later than the last one starts the epoch again
// (the next member of an ensemble, which trains each epoch once per
// network): the clock and the mean loss start afresh.
func (b *Bar) Step(epoch, step, steps int, loss float32) {
	now := b.now()
	if epoch != b.epoch || step <= b.step {
		b.End()
		b.epoch, b.start, b.last = epoch, now, now
		b.lossSum, b.losses = 0, 0
	}
	b.step = step
	b.lossSum += float64(loss)
	b.losses++
	done := step >= steps
	if b.tty {
		if done || now.Sub(b.last) >= b.interval {
			b.last = now
			b.draw(now, step, steps)
			if done {
				b.End()
			}
		}
		return
	}
	if !done && now.Sub(b.last) >= b.interval {
		b.last = now
		b.draw(now, step, steps)
	}
}

// End ends a line the bar has drawn on a terminal, so that other output
// starts on a line of its own. It does nothing elsewhere.
func (b *Bar) End() {
	if b.open {
		b.w.Write([]byte{'\n'})
		b.open = false
	}
}

func (b *Bar) draw(now time.Time, step, steps int) {
	// The hook runs after each step: the clock starts at the end of the
	// first, and the time of one step is the mean of those after it.
	var per float64
	if step > 1 {
		per = now.Sub(b.start).Seconds() / float64(step-1)
	}
	elapsed, left, rate := per*float64(step), per*float64(steps-step), 0.0
	if per > 0 {
		rate = float64(min(step*b.batch, b.samples)-min(b.batch, b.samples)) / (per * float64(step-1))
	}
	b.info = fmt.Appendf(b.info[:0], "%d/%d - %s elapsed - %s left - %.0f samples/s - loss: %.4f",
		step, steps, seconds(elapsed), seconds(left), rate, b.lossSum/float64(b.losses))
	if !b.tty {
		b.buf = fmt.Appendf(b.buf[:0], "Epoch %d/%d: step %s\n", b.epoch, b.epochs, b.info)
		b.w.Write(b.buf)
		return
	}
	b.buf = fmt.Appendf(b.buf[:0], "\rEpoch %d/%d ", b.epoch, b.epochs)
	// [=====>    ] as wide as the terminal leaves room for
	if width := min(30, b.cols-len(b.buf)-len(b.info)-3); width >= 5 {
		filled := width * step / steps
		b.buf = append(b.buf, '[')
		for i := range width {
			switch {
			case i < filled:
				b.buf = append(b.buf, '=')
			case i == filled:
				b.buf = append(b.buf, '>')
			default:
				b.buf = append(b.buf, ' ')
			}
		}
		b.buf = append(b.buf, "] "...)
	}
	b.buf = append(b.buf, b.info...)
	if len(b.buf) > b.cols { // \r and cols-1 characters: a wrapped line could not be redrawn
		b.buf = b.buf[:b.cols]
	}
	b.buf = append(b.buf, "\x1b[K"...) // erase what is left of the previous line
	b.w.Write(b.buf)
	b.open = true
}

// seconds formats a duration as Keras does: 12s, or 1:02 past a minute,
// or 1:02:03 past an hour; under ten seconds with a tenth.
func seconds(s float64) string {
	switch {
	case s < 10:
		return fmt.Sprintf("%.1fs", s)
	case s < 60:
		return fmt.Sprintf("%.0fs", s)
	case s < 3600:
		return fmt.Sprintf("%d:%02d", int(s)/60, int(s)%60)
	}
	return fmt.Sprintf("%d:%02d:%02d", int(s)/3600, int(s)/60%60, int(s)%60)
}
