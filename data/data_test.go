package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idx builds an IDX file with the given magic, dimensions and payload.
func idx(magic uint32, dims []uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, payload...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadImages(t *testing.T) {
	pix := make([]byte, 2*Pixels)
	pix[0], pix[Pixels+783] = 255, 51
	good := idx(imageMagic, []uint32{2, 28, 28}, pix)
	for _, tc := range []struct {
		name string
		file []byte
	}{{"raw", good}, {"gzip", gz(good)}} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := ReadImages(writeTemp(t, "img", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(x) != 2*Pixels || x[0] != 1 || x[Pixels+783] != 0.2 || x[1] != 0 {
				t.Fatalf("got %d values, x[0]=%v x[%d]=%v", len(x), x[0], Pixels+783, x[Pixels+783])
			}
		})
	}
}

func TestReadIDXRefusesBadFiles(t *testing.T) {
	pix := make([]byte, 2*Pixels)
	tests := []struct {
		name   string
		labels bool
		file   []byte
		want   string
	}{
		{"empty", false, nil, "truncated header (16 bytes needed): unexpected EOF"},
		{"short header", false, []byte{0, 0, 8, 3, 0, 0}, "truncated header (16 bytes needed): unexpected EOF"},
		{"wrong magic", false, idx(labelMagic, []uint32{2, 28, 28}, pix), "magic number 0x00000801, want 0x00000803 (IDX3 images)"},
		{"labels as images", true, idx(imageMagic, []uint32{2}, []byte{1, 2}), "magic number 0x00000803, want 0x00000801 (IDX1 labels)"},
		{"truncated", false, idx(imageMagic, []uint32{2, 28, 28}, pix[:1000]), "truncated: header 2×28×28 needs 1568 data bytes, found 1000"},
		{"truncated gzip", false, gz(idx(imageMagic, []uint32{2, 28, 28}, pix))[:60], "truncated"},
		{"wrong size", false, idx(imageMagic, []uint32{8, 14, 14}, pix), "images are 14×14, want 28×28"},
		{"zero dimension", false, idx(imageMagic, []uint32{0, 28, 28}, nil), "dimension 0 is 0"},
		{"lying dimensions", false, idx(imageMagic, []uint32{4000000000, 28, 28}, pix), "truncated: header 4000000000×28×28 needs over 2^40 data bytes, found 1568"},
		{"trailing data", false, idx(imageMagic, []uint32{1, 28, 28}, pix), "trailing data after the 784 bytes that header 1×28×28 describes"},
		{"label out of range", true, idx(labelMagic, []uint32{3}, []byte{1, 12, 3}), "label 12 at index 1 is not a digit 0-9"},
		{"lying gzip", false, gz(idx(imageMagic, []uint32{4000000000, 28, 28}, pix)), "header 4000000000×28×28 needs over 2^40 data bytes, more than a 49-byte gzip file can hold"},
		{"not gzip", false, []byte{0x1f, 0x8b, 1, 2, 3}, "gzip: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTemp(t, "bad-idx", tc.file)
			var err error
			if tc.labels {
				_, err = ReadLabels(p)
			} else {
				_, err = ReadImages(p)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "read "+p+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want %q naming %s", err, tc.want, p)
			}
		})
	}
}

func FuzzDecodeIDX(f *testing.F) {
	f.Add(idx(imageMagic, []uint32{1, 28, 28}, make([]byte, Pixels)))
	f.Add(gz(idx(labelMagic, []uint32{3}, []byte{1, 2, 3})))
	f.Add(idx(imageMagic, []uint32{1 << 31, 1 << 31, 28}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range []struct {
			magic uint32
			ndim  int
		}{{imageMagic, 3}, {labelMagic, 1}} {
			data, dims, err := decodeIDX(bytes.NewReader(b), int64(len(b)), m.magic, m.ndim)
			if err != nil {
				continue
			}
			n := 1
			for _, d := range dims {
				n *= d
			}
			if n != len(data) {
				t.Fatalf("dims %v but %d bytes", dims, len(data))
			}
		}
	})
}

func TestLoadMNIST(t *testing.T) {
	dir, err := Locate("")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 60000 || d.Test.Len() != 10000 {
		t.Fatalf("%d train, %d test images", d.Train.Len(), d.Test.Len())
	}
	if got := d.Test.Labels[:5]; !bytes.Equal(got, []byte{7, 2, 1, 0, 4}) {
		t.Errorf("first test labels %v, want [7 2 1 0 4]", got)
	}
	if got := d.Train.Labels[:5]; !bytes.Equal(got, []byte{5, 0, 4, 1, 9}) {
		t.Errorf("first train labels %v, want [5 0 4 1 9]", got)
	}
	var lo, hi float32 = 1, 0
	for _, v := range d.Train.Images {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("pixels in [%v, %v], want [0, 1]", lo, hi)
	}
}

func TestLocate(t *testing.T) {
	empty := t.TempDir()
	if _, err := Locate(empty); err == nil || !strings.Contains(err.Error(), "MNIST data not found in "+empty+" (from -data)") {
		t.Errorf("Locate(empty dir): %v", err)
	}
	t.Setenv(EnvDir, empty)
	if _, err := Locate(""); err == nil || !strings.Contains(err.Error(), "(from $MNIST_DIR)") {
		t.Errorf("Locate with empty $MNIST_DIR: %v", err)
	}
	t.Setenv(EnvDir, "")
	t.Setenv("GOMODCACHE", empty)
	t.Setenv("GOPATH", empty)
	t.Setenv("HOME", empty)
	t.Setenv("PATH", empty) // no go command either
	_, err := Locate("")
	if err == nil || !strings.Contains(err.Error(), "looked in "+filepath.Join(empty, "github.com", "petar", "!go!m!n!i!s!t@")) ||
		!strings.Contains(err.Error(), "pass -data DIR") {
		t.Errorf("Locate with nothing: %v", err)
	}
}

func TestShufflerDealsEverySampleOnce(t *testing.T) {
	s := NewShuffler(1003, 5)
	first := append([]int(nil), s.Epoch()...)
	seen := make([]int, 1003)
	var sizes []int
	Batches(s.Epoch(), 100, func(idx []int) error {
		sizes = append(sizes, len(idx))
		for _, i := range idx {
			seen[i]++
		}
		return nil
	})
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("sample %d dealt %d times", i, c)
		}
	}
	if len(sizes) != 11 || sizes[10] != 3 {
		t.Fatalf("batch sizes %v, want 10×100 and 3", sizes)
	}
	again := NewShuffler(1003, 5).Epoch()
	for i := range first {
		if first[i] != again[i] {
			t.Fatal("same seed gave another order")
		}
	}
	other := NewShuffler(1003, 6).Epoch()
	same := 0
	for i := range first {
		if first[i] == other[i] {
			same++
		}
	}
	if same > 20 {
		t.Fatalf("seeds 5 and 6 agree on %d of 1003 positions", same)
	}
}

func ExampleLoad() {
	dir, err := Locate("") // -data, $MNIST_DIR, or the GoMNIST module's copy
	if err != nil {
		panic(err)
	}
	d, err := Load(dir)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Train.Len(), d.Test.Len(), d.Test.Labels[0])
	// Output: 60000 10000 7
}
