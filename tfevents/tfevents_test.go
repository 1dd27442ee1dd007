package tfevents

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMaskedCRC(t *testing.T) {
	// CRC-32C("123456789") is the check value 0xe3069283 of the Castagnoli
	// polynomial (RFC 3720); the mask then rotates right by 15 and adds 0xa282ead8.
	c := uint32(0xe3069283)
	want := ((c >> 15) | (c << 17)) + 0xa282ead8
	if got := MaskedCRC([]byte("123456789")); got != want {
		t.Errorf("MaskedCRC(123456789) = %#08x, want %#08x", got, want)
	}
}

// The golden records were derived by hand from the field numbers of
// event.proto and summary.proto, with the CRCs computed by an independent
// bitwise CRC-32C in Python.
func TestGoldenBytes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		event Event
		hex   string
	}{{
		name:  "file version",
		event: Event{WallTime: 1.5, FileVersion: "brain.Event:2"},
		hex: "1800000000000000" + "a37f4b22" + // length 24, masked CRC
			"09" + "000000000000f83f" + // wall_time=1 double 1.5
			"1a0d" + "627261696e2e4576656e743a32" + // file_version=3 "brain.Event:2"
			"2a28646c", // masked CRC of the data
	}, {
		name:  "scalar",
		event: Event{WallTime: 1.5, Step: 3, Summary: []Value{{Tag: "loss", Scalar: 0.25}}},
		hex: "1a00000000000000" + "129bd82d" + // length 26, masked CRC
			"09" + "000000000000f83f" + // wall_time 1.5
			"1003" + // step=2 varint 3
			"2a0d" + // summary=5, 13 bytes
			"0a0b" + // value=1, 11 bytes
			"0a046c6f7373" + // tag=1 "loss"
			"150000803e" + // simple_value=2 float 0.25
			"d054b255",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := &Writer{w: &buf}
			if err := w.WriteEvent(&tc.event); err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(buf.Bytes()); got != tc.hex {
				t.Errorf("record\n got %s\nwant %s", got, tc.hex)
			}
			e, err := NewReader(&buf).Next()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e, tc.event) {
				t.Errorf("read back %+v, want %+v", e, tc.event)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "logs"))
	if err != nil {
		t.Fatal(err)
	}
	w.Now = func() time.Time { return time.Unix(1700000000, 250_000_000) }
	values := []float32{-1, -0.5, 0, 0, 0.25, 0.5, 1, 2}
	h, err := Histo("w1", values)
	if err != nil {
		t.Fatal(err)
	}
	for step := int64(1); step <= 3; step++ {
		if err := w.Summary(step, Scalar("loss/train", 1/float64(step)), Scalar("zero", 0), h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := Files(filepath.Join(dir, "logs"))
	if err != nil || len(files) != 1 || files[0] != w.Path() {
		t.Fatalf("Files = %v, %v; want [%s]", files, err, w.Path())
	}
	if base := filepath.Base(w.Path()); !strings.HasPrefix(base, "events.out.tfevents.") {
		t.Errorf("file name %s", base)
	}
	events, err := ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 4 || events[0].FileVersion != FileVersion {
		t.Fatalf("got %d events, first %+v", len(events), events[0])
	}
	if d := time.Since(time.Unix(0, int64(events[0].WallTime*1e9))); d < 0 || d > time.Minute {
		t.Errorf("file version wall time %v is %v from now", events[0].WallTime, d)
	}
	for i, e := range events[1:] {
		step := int64(i + 1)
		if e.Step != step || e.WallTime != 1700000000.25 || len(e.Summary) != 3 {
			t.Fatalf("event %d: %+v", step, e)
		}
		if got, want := e.Summary[0], (Value{Tag: "loss/train", Scalar: float32(1 / float64(step))}); got != want {
			t.Errorf("event %d: %+v, want %+v", step, got, want)
		}
		if got := e.Summary[1]; got.Tag != "zero" || got.Scalar != 0 || got.Histo != nil {
			t.Errorf("event %d: zero scalar read as %+v", step, got)
		}
		if !reflect.DeepEqual(e.Summary[2], h) {
			t.Errorf("event %d: histogram %+v, want %+v", step, e.Summary[2].Histo, h.Histo)
		}
	}
}

func TestNewHistogram(t *testing.T) {
	for _, tc := range []struct {
		name    string
		values  []float32
		buckets int
		limits  []float64
		counts  []float64
	}{
		{"spread", []float32{0, 1, 2, 3, 4}, 4, []float64{1, 2, 3, 4}, []float64{2, 1, 1, 1}},
		{"constant", []float32{0, 0, 0}, 30, []float64{0}, []float64{3}},
		{"skip NaN and Inf", []float32{float32(math.NaN()), -2, float32(math.Inf(1)), 2}, 2, []float64{0, 2}, []float64{1, 1}},
		{"one value", []float32{7}, 5, []float64{7}, []float64{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := NewHistogram(tc.values, tc.buckets)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h.BucketLimit, tc.limits) || !reflect.DeepEqual(h.Bucket, tc.counts) {
				t.Errorf("limits %v counts %v, want %v %v", h.BucketLimit, h.Bucket, tc.limits, tc.counts)
			}
		})
	}
	if _, err := NewHistogram([]float32{float32(math.NaN())}, 3); err == nil {
		t.Error("histogram of only NaN: no error")
	}
}

// Every value falls in the bucket whose (previous limit, limit] holds it,
// even where rounding puts it near an edge.
func TestHistogramBucketsHoldTheirValues(t *testing.T) {
	values := make([]float32, 10000)
	for i := range values {
		values[i] = float32(math.Sin(float64(i))*0.3) + float32(i%7)*0.1
	}
	h, err := NewHistogram(values, 30)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, c := range h.Bucket {
		sum += c
	}
	if sum != float64(len(values)) || h.Num != sum {
		t.Fatalf("bucket counts sum to %v, num %v, want %d", sum, h.Num, len(values))
	}
	want := make([]float64, len(h.Bucket))
	for _, x := range values {
		v := float64(x)
		for i, lim := range h.BucketLimit {
			if v <= lim && (i == 0 || v > h.BucketLimit[i-1]) {
				want[i]++
			}
		}
	}
	if !reflect.DeepEqual(h.Bucket, want) {
		t.Errorf("counts %v, want %v", h.Bucket, want)
	}
}

func TestReaderRejectsDamage(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, time.Unix(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Summary(1, Scalar("loss", 0.5)); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	first := 12 + 4 + int(good[0]) // offset of the second record
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
		want   string
	}{
		{"length CRC", func(b []byte) []byte { b[first+8] ^= 1; return b }, "record 1 at byte 40: length CRC"},
		{"data", func(b []byte) []byte { b[len(b)-6] ^= 0x80; return b }, "record 1 at byte 40: data CRC"},
		{"data CRC", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, "record 1 at byte 40: data CRC"},
		{"truncated data", func(b []byte) []byte { return b[:len(b)-3] }, "record 1 at byte 40: truncated data"},
		{"truncated length", func(b []byte) []byte { return b[:first+5] }, "record 1 at byte 40: truncated length"},
		{"length", func(b []byte) []byte { b[7] = 0xff; return b }, "record 0 at byte 0: length CRC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.damage(bytes.Clone(good))
			path := filepath.Join(t.TempDir(), "events.out.tfevents.1.test")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and %q", err, path, tc.want)
			}
		})
	}
	r := NewReader(bytes.NewReader(good))
	for range 2 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
}

func ExampleWriter() {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, time.Unix(1700000000, 0))
	h, _ := Histo("b1", []float32{-0.1, 0, 0.1})
	w.Summary(1, Scalar("loss/train", 0.3), Scalar("accuracy/train", 0.9), h)

	r := NewReader(&buf)
	for {
		e, err := r.Next()
		if err != nil {
			break
		}
		if e.FileVersion != "" {
			fmt.Println("file version", e.FileVersion)
		}
		for _, v := range e.Summary {
			if v.Histo != nil {
				fmt.Printf("step %d %s: %v values in [%.1f, %.1f]\n", e.Step, v.Tag, v.Histo.Num, v.Histo.Min, v.Histo.Max)
			} else {
				fmt.Printf("step %d %s: %v\n", e.Step, v.Tag, v.Scalar)
			}
		}
	}
	// Output:
	// file version brain.Event:2
	// step 1 loss/train: 0.3
	// step 1 accuracy/train: 0.9
	// step 1 b1: 3 values in [-0.1, 0.1]
}
