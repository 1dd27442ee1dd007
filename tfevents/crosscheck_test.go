package tfevents

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCrossCheckWithProtobuf reads a file this package wrote with Google's
// protobuf library, from classes protoc generates from TensorFlow's field
// numbers (testdata/tb.proto), and CRCs computed in Python. It needs protoc
// and python3-protobuf (apt-get install protobuf-compiler python3-protobuf)
// and skips without them.
func TestCrossCheckWithProtobuf(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		t.Skip("no protoc (apt-get install protobuf-compiler)")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import google.protobuf").Run(); err != nil {
		t.Skip("no python3-protobuf")
	}
	gen := t.TempDir()
	if b, err := exec.Command(protoc, "--proto_path=testdata", "--python_out="+gen, "tb.proto").CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, b)
	}
	w, err := Create(filepath.Join(t.TempDir(), "logs"))
	if err != nil {
		t.Fatal(err)
	}
	w.Now = func() time.Time { return time.Unix(1700000000, 500_000_000) }
	h, _ := Histo("w1", []float32{-0.5, -0.25, 0, 0.125, 0.5, 0.75})
	for step := int64(1); step <= 2; step++ {
		if err := w.Summary(step, Scalar("loss/train", 0.3/float64(step)), Scalar("accuracy/test", 0), h); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	out, err := exec.Command("/usr/bin/python3", "testdata/crosscheck.py", gen, w.Path()).Output()
	if err != nil {
		t.Fatalf("crosscheck.py: %v\n%s", err, out)
	}
	want, err := ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	type value struct {
		Tag                string
		SimpleValue        *float32 `json:"simple_value"`
		Num, Min, Max, Sum float64
		SumSquares         float64   `json:"sum_squares"`
		BucketLimit        []float64 `json:"bucket_limit"`
		Bucket             []float64
	}
	type event struct {
		WallTime    float64 `json:"wall_time"`
		Step        int64
		FileVersion string `json:"file_version"`
		Values      []value
	}
	var got []event
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		got = append(got, event{})
		if err := json.Unmarshal(sc.Bytes(), &got[len(got)-1]); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("protobuf read %d events, tfevents %d", len(got), len(want))
	}
	if got[0].FileVersion != FileVersion || got[0].WallTime != want[0].WallTime {
		t.Errorf("first event %+v", got[0])
	}
	for i, e := range want[1:] {
		g := got[i+1]
		if g.Step != e.Step || g.WallTime != 1700000000.5 || len(g.Values) != 3 {
			t.Fatalf("event %d: %+v", i+1, g)
		}
		for j, v := range e.Summary {
			gv := g.Values[j]
			switch {
			case gv.Tag != v.Tag:
				t.Errorf("event %d value %d: tag %q, want %q", i+1, j, gv.Tag, v.Tag)
			case v.Histo == nil && (gv.SimpleValue == nil || *gv.SimpleValue != v.Scalar):
				t.Errorf("event %d %s: simple_value %v, want %v", i+1, v.Tag, gv.SimpleValue, v.Scalar)
			case v.Histo != nil && (gv.Num != v.Histo.Num || gv.Min != v.Histo.Min || gv.Max != v.Histo.Max ||
				gv.Sum != v.Histo.Sum || gv.SumSquares != v.Histo.SumSquares ||
				!equal(gv.BucketLimit, v.Histo.BucketLimit) || !equal(gv.Bucket, v.Histo.Bucket)):
				t.Errorf("event %d %s: histogram %+v, want %+v", i+1, v.Tag, gv, *v.Histo)
			}
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
