package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"strings"

	"github.com/sbinet/npyio"
)

// Write writes data as a little-endian float32 NumPy array (format 1.0,
// C order) of the given shape. github.com/sbinet/npyio v0.9.0 writes only 1-D
// float32 arrays, so the header is written here; Read reads it back (and
// NumPy's np.load).
func Write(w io.Writer, shape []int, data []float32) error {
	n := 1
	dims := make([]string, len(shape))
	for i, d := range shape {
		n *= d
		dims[i] = fmt.Sprint(d)
	}
	if n != len(data) {
		return fmt.Errorf("npy: shape %v needs %d values, have %d", shape, n, len(data))
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", tuple)
	// magic(6) + version(2) + header length(2) + dict + padding + '\n', a multiple of 64
	total := (10 + len(dict) + 1 + 63) / 64 * 64
	hdr := make([]byte, 0, total)
	hdr = append(hdr, "\x93NUMPY\x01\x00"...)
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(total-10))
	hdr = append(hdr, dict...)
	hdr = append(hdr, bytes.Repeat([]byte{' '}, total-len(hdr)-1)...)
	hdr = append(hdr, '\n')
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// maxNpyBytes bounds the size of a .npy file this package reads.
const maxNpyBytes = 1 << 30

// Read reads a float32 NumPy array from path and checks that its shape is
// want (when want is not nil), that it is in C order, and that every value is
// finite. It returns the shape and the values.
func Read(path string, want []int) ([]int, []float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, nil, fmt.Errorf("read %s: is a directory", path)
	}
	if st.Size() > maxNpyBytes {
		return nil, nil, fmt.Errorf("read %s: file is %d bytes, more than the %d allowed", path, st.Size(), maxNpyBytes)
	}
	shape, data, err := decode(f, st.Size(), want)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return shape, data, nil
}

// decode reads a float32 .npy array of size bytes from r. Every header
// field is first checked by ReadHeader against the bytes that follow
// before anything is allocated from it (the data must be exactly the shape's
// size, no more and no less); then github.com/sbinet/npyio reads the array,
// which it may do safely once the header is known to be sound.
func decode(r io.ReadSeeker, size int64, want []int) (shape []int, data []float32, err error) {
	h, err := ReadHeader(r, size)
	if err != nil {
		return nil, nil, err
	}
	if h.Descr != "<f4" {
		return nil, nil, fmt.Errorf("dtype %s, want float32 ('<f4')", h.Descr)
	}
	if h.Fortran {
		return nil, nil, fmt.Errorf("array is in Fortran order, want C order")
	}
	shape = h.Shape
	if want != nil && !slices.Equal(shape, want) {
		return nil, nil, fmt.Errorf("shape %v, want %v", shape, want)
	}
	n, ok := h.Count()
	if !ok || n > h.DataBytes/4 {
		return nil, nil, fmt.Errorf("truncated: shape %v of float32 needs more than the %d data bytes the file holds", shape, h.DataBytes)
	}
	if n*4 != h.DataBytes {
		return nil, nil, fmt.Errorf("%d bytes after the data of shape %v (%d bytes): not one float32 array", h.DataBytes-n*4, shape, n*4)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	if data, err = readNpyio(r, shape); err != nil {
		return nil, nil, err
	}
	for i, v := range data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, nil, fmt.Errorf("value %d is %v, want finite numbers", i, v)
		}
	}
	return shape, data, nil
}

// readNpyio reads a checked float32 array with npyio and makes sure that it
// saw the same shape.
func readNpyio(r io.Reader, shape []int) (data []float32, err error) {
	defer func() {
		if p := recover(); p != nil { // npyio panics on some malformed input
			data, err = nil, fmt.Errorf("npyio: %v", p)
		}
	}()
	rd, err := npyio.NewReader(r)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(rd.Header.Descr.Shape, shape) {
		return nil, fmt.Errorf("npyio reads shape %v where the header says %v", rd.Header.Descr.Shape, shape)
	}
	if err := rd.Read(&data); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return data, nil
}
