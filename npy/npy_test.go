package npy

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// npyFile builds an .npy file with a version 1.0 header dict and payload.
func npyFile(dict string, payload []byte) []byte {
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)+1))
	b = append(b, dict...)
	b = append(b, '\n')
	return append(b, payload...)
}

func f32s(n int) []byte { return make([]byte, 4*n) }

func TestReadNpyRefusesCorruptFiles(t *testing.T) {
	var good bytes.Buffer
	if err := Write(&good, []int{3, 2}, []float32{1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	v2 := append([]byte("\x93NUMPY\x02\x00"), binary.LittleEndian.AppendUint32(nil, 0xfffffff0)...)
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a valid .npy file: 0 bytes, shorter than the 10-byte preamble"},
		{"wrong magic", append([]byte("\x93NUMPZ"), g[6:]...), `not a valid .npy file: magic "\x93NUMPZ"`},
		{"text", []byte("hello, world, this is text"), "not a valid .npy file: magic"},
		{"version 4", append(append([]byte{}, g[:6]...), append([]byte{4, 0}, g[8:]...)...), "format version 4.0, want 1.0, 2.0 or 3.0"},
		{"header longer than file", g[:40], "not a valid .npy file: header length 118, but the file has 30 bytes after the preamble"},
		{"v2 header of 4 GB", append(v2, "{}"...), "header length 4294967280, but the file has 2 bytes after the preamble"},
		{"truncated data", g[:len(g)-3], "truncated: shape [3 2] of float32 needs more than the 21 data bytes"},
		{"trailing bytes", append(append([]byte{}, g...), 0, 0, 0, 0), "4 bytes after the data of shape [3 2] (24 bytes)"},
		{"float64", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f32s(4)), "dtype <f8, want float32"},
		{"big-endian", npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f32s(2)), "dtype >f4, want float32"},
		{"fortran", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1), }", f32s(2)), "Fortran order"},
		{"lying dimensions", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000), }", f32s(6)),
			"truncated: shape [1000 1000] of float32 needs more than the 24 data bytes"},
		{"gigabytes", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", nil),
			"truncated: shape [2147483647 2147483647 2147483647]"},
		{"dimension overflows", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", nil), "dimension 99999999999: too large"},
		{"negative dimension", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", nil), "shape: want a non-negative integer"},
		{"missing shape", npyFile("{'descr': '<f4', 'fortran_order': False, }", nil), `no key "shape"`},
		{"unknown key", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", nil), `unknown key "x"`},
		{"duplicate key", npyFile("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (), }", nil), `key "descr" twice`},
		{"unterminated", npyFile("{'descr': '<f4", nil), "unterminated string"},
		{"junk after dict", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", f32s(1)), "2 bytes after the dictionary"},
		{"NaN", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
			binary.LittleEndian.AppendUint32(f32s(1), math.Float32bits(float32(math.NaN())))), "value 1 is NaN"},
		{"Inf", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
			binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(math.Inf(-1))))), "value 0 is -Inf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.npy")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := Read(path, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "read "+path+": ") {
				t.Fatalf("error %v, want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	// the good file is read; spellings NumPy never writes for a float32
	// array (version 3.0, double-quoted keys) pass the header check but
	// npyio v0.9.0, which reads the data, refuses them with a clear error
	shape, data, err := decode(bytes.NewReader(g), int64(len(g)), []int{3, 2})
	if err != nil || len(data) != 6 || data[5] != 6 || !slices.Equal(shape, []int{3, 2}) {
		t.Errorf("good file: shape %v, data %v, error %v", shape, data, err)
	}
	const v3dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2)}\n"
	for _, b := range [][]byte{
		npyFile(`{"shape": (3, 2,), "fortran_order": False, "descr": "<f4"}`, g[len(g)-24:]),
		append(append([]byte("\x93NUMPY\x03\x00"), binary.LittleEndian.AppendUint32(nil, uint32(len(v3dict)))...),
			v3dict+string(g[len(g)-24:])...)} {
		if _, _, err := decode(bytes.NewReader(b), int64(len(b)), []int{3, 2}); err == nil || !strings.HasPrefix(err.Error(), "npy: ") {
			t.Errorf("%q: error %v, want npyio's", b[:20], err)
		}
	}
	if _, _, err := Read(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: error %v", err)
	}
}

func FuzzReadNpy(f *testing.F) {
	var good bytes.Buffer
	Write(&good, []int{3, 2}, []float32{1, 2, 3, 4, 5, 6})
	f.Add(good.Bytes())
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32s(2)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f32s(1)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", nil))
	f.Add(npyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (1000, 1000), }", f32s(3)))
	f.Fuzz(func(t *testing.T, b []byte) {
		shape, data, err := decode(bytes.NewReader(b), int64(len(b)), nil)
		if err != nil {
			return
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if n != len(data) || int64(len(b)) < int64(4*n) {
			t.Fatalf("shape %v but %d values from %d bytes", shape, len(data), len(b))
		}
		for _, v := range data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("non-finite value %v accepted", v)
			}
		}
		// what was read writes back to a file that reads the same
		var w bytes.Buffer
		if err := Write(&w, shape, data); err != nil {
			t.Fatal(err)
		}
		_, again, err := decode(bytes.NewReader(w.Bytes()), int64(w.Len()), shape)
		if err != nil || len(again) != len(data) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
