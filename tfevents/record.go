package tfevents

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MaskedCRC returns the masked CRC-32C (Castagnoli) of b that event files
// store after a record's length and after its data.
func MaskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// AppendRecord appends the framed record of data to b: length, masked CRC
// of the length, data, masked CRC of the data.
func AppendRecord(b, data []byte) []byte {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
	b = append(b, n[:]...)
	b = binary.LittleEndian.AppendUint32(b, MaskedCRC(n[:]))
	b = append(b, data...)
	return binary.LittleEndian.AppendUint32(b, MaskedCRC(data))
}

// Writer appends events to an event file.
type Writer struct {
	w    io.Writer
	c    io.Closer // the file Create opened, or nil
	path string
	buf  []byte
	// Now gives the wall time of the events that Summary writes.
	Now func() time.Time
}

// NewWriter returns a writer of events to w, having written the file
// version event with the wall time now.
func NewWriter(w io.Writer, now time.Time) (*Writer, error) {
	ew := &Writer{w: w, Now: time.Now}
	if err := ew.WriteEvent(&Event{WallTime: wallTime(now), FileVersion: FileVersion}); err != nil {
		return nil, err
	}
	return ew, nil
}

// FileName returns the name TensorBoard expects of an event file started at
// t on host: events.out.tfevents.<unix seconds>.<host>.
func FileName(t time.Time, host string) string {
	return "events.out.tfevents." + strconv.FormatInt(t.Unix(), 10) + "." + host
}

// Create makes dir and starts a new event file in it, named by FileName
// with the current time and host name (a numeric suffix is added if that
// file exists already).
func Create(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("event file: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	now := time.Now()
	name := filepath.Join(dir, FileName(now, host))
	var f *os.File
	for i := 1; ; i++ {
		path := name
		if i > 1 {
			path += "." + strconv.Itoa(i)
		}
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil || !errors.Is(err, os.ErrExist) || i == 100 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("event file: %w", err)
	}
	w, err := NewWriter(f, now)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("event file %s: %w", f.Name(), err)
	}
	w.c, w.path = f, f.Name()
	return w, nil
}

// Path is the file that Create opened ("" for NewWriter's writers).
func (w *Writer) Path() string { return w.path }

// WriteEvent appends one event, in a single write.
func (w *Writer) WriteEvent(e *Event) error {
	w.buf = AppendRecord(w.buf[:0], e.Marshal())
	_, err := w.w.Write(w.buf)
	return err
}

// Summary appends an event with values at step, stamped with w.Now.
func (w *Writer) Summary(step int64, values ...Value) error {
	return w.WriteEvent(&Event{WallTime: wallTime(w.Now()), Step: step, Summary: values})
}

// Close closes the file that Create opened.
func (w *Writer) Close() error {
	if w.c == nil {
		return nil
	}
	err := w.c.Close()
	w.c = nil
	return err
}

func wallTime(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// Scalar returns a scalar value.
func Scalar(tag string, v float64) Value { return Value{Tag: tag, Scalar: float32(v)} }

// Histo returns the histogram of values in 30 buckets, as
// tf.summary.histogram draws it by default.
func Histo(tag string, values []float32) (Value, error) {
	h, err := NewHistogram(values, 30)
	if err != nil {
		return Value{}, fmt.Errorf("histogram %s: %w", tag, err)
	}
	return Value{Tag: tag, Histo: h}, nil
}

// maxRecord bounds a record's length: anything larger is taken for corruption.
const maxRecord = 1 << 30

// Reader reads the events of an event file, checking every record's CRCs.
type Reader struct {
	r      *bufio.Reader
	n      int   // records read
	offset int64 // of the next record
}

// NewReader returns a reader of the events in r.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReader(r)} }

// Next returns the next event, or io.EOF after the last one. A truncated
// record, a wrong checksum or a malformed event is an error that names the
// record and its byte offset.
func (r *Reader) Next() (Event, error) {
	var head [12]byte
	if _, err := io.ReadFull(r.r, head[:]); err != nil {
		if err == io.EOF {
			return Event{}, io.EOF
		}
		return Event{}, r.errorf("truncated length: %w", io.ErrUnexpectedEOF)
	}
	if got, want := binary.LittleEndian.Uint32(head[8:]), MaskedCRC(head[:8]); got != want {
		return Event{}, r.errorf("length CRC %#08x, want %#08x", got, want)
	}
	n := binary.LittleEndian.Uint64(head[:8])
	if n > maxRecord {
		return Event{}, r.errorf("length %d is too large", n)
	}
	data := make([]byte, n+4)
	if _, err := io.ReadFull(r.r, data); err != nil {
		return Event{}, r.errorf("truncated data (%d bytes): %w", n, io.ErrUnexpectedEOF)
	}
	data, crc := data[:n], binary.LittleEndian.Uint32(data[n:])
	if want := MaskedCRC(data); crc != want {
		return Event{}, r.errorf("data CRC %#08x, want %#08x", crc, want)
	}
	e, err := Unmarshal(data)
	if err != nil {
		return Event{}, r.errorf("%w", err)
	}
	r.n++
	r.offset += int64(n) + 16
	return e, nil
}

func (r *Reader) errorf(format string, args ...any) error {
	return fmt.Errorf("record %d at byte %d: %w", r.n, r.offset, fmt.Errorf(format, args...))
}

// ReadFile returns every event of the file at path.
func ReadFile(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var events []Event
	r := NewReader(f)
	for {
		e, err := r.Next()
		if err == io.EOF {
			return events, nil
		}
		if err != nil {
			return events, fmt.Errorf("read %s: %w", path, err)
		}
		events = append(events, e)
	}
}

// Files returns the event files in dir, in name order.
func Files(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if err != nil {
		return nil, err
	}
	return m, nil
}
