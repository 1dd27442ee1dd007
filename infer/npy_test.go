package infer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npyBytes builds an .npy file of the given dtype and shape around raw data.
func npyBytes(descr string, shape string, data []byte) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	hlen := (10+len(dict)+1+63)/64*64 - 10
	b := append([]byte("\x93NUMPY\x01\x00"), byte(hlen), byte(hlen>>8))
	b = append(b, dict...)
	b = append(b, bytes.Repeat([]byte(" "), hlen-len(dict)-1)...)
	b = append(b, '\n')
	return append(b, data...)
}

func TestReadNpyImages(t *testing.T) {
	f32 := make([]byte, 2*784*4)
	f64 := make([]byte, 784*8)
	u8 := make([]byte, 784)
	for i := 0; i < 784; i++ {
		binary.LittleEndian.PutUint32(f32[4*(784+i):], math.Float32bits(float32(i)/783))
		binary.LittleEndian.PutUint64(f64[8*i:], math.Float64bits(float64(i)/783))
		u8[i] = uint8(i % 256)
	}
	tests := []struct {
		name   string
		file   []byte
		n      int
		at     int // an index into the images and the value expected there
		value  float32
		errMsg string
	}{
		{"float32 (N,28,28)", npyBytes("<f4", "(2, 28, 28)", f32), 2, 784 + 783, 1, ""},
		{"float32 (N,784)", npyBytes("<f4", "(2, 784)", f32), 2, 784 + 0, 0, ""},
		{"float64 one image", npyBytes("<f8", "(28, 28)", f64), 1, 783, 1, ""},
		{"uint8 pixels", npyBytes("|u1", "(1, 784)", u8), 1, 255, 1, ""},
		{"int64", npyBytes("<i8", "(1, 784)", f64), 0, 0, 0, "dtype <i8, want float32 or float64 (pixel/255) or uint8 (pixel)"},
		{"3 channels", npyBytes("<f4", "(1, 28, 28, 3)", nil), 0, 0, 0, "array of shape [1 28 28 3], want (N, 28, 28) or (N, 784)"},
		{"truncated", npyBytes("<f4", "(2, 784)", f32[:100]), 0, 0, 0, "shape [2 784] of <f4 needs 6272 data bytes, the file holds 100"},
		{"trailing data", npyBytes("|u1", "(1, 784)", append(u8, 1, 2)), 0, 0, 0, "needs 784 data bytes, the file holds 786"},
		{"not npy", []byte("P5 28 28 255\n"), 0, 0, 0, "not a valid .npy file"},
		{"empty", nil, 0, 0, 0, "empty file"},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".npy")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			x, n, err := ReadNpyImages(path)
			if tc.errMsg != "" {
				if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.errMsg) {
					t.Fatalf("error %v, want one naming the file and saying %q", err, tc.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.n || len(x) != n*784 || x[tc.at] != tc.value {
				t.Fatalf("%d images, %d values, x[%d] = %v; want %d images, x[%d] = %v", n, len(x), tc.at, x[tc.at], tc.n, tc.at, tc.value)
			}
		})
	}
}
