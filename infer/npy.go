package infer

import (
	"encoding/binary"
	"fmt"
	"github.com/perceptron-mnist/perceptron/npy"
	"io"
	"math"
	"os"
)

// MaxNpyBytes bounds the size of an .npy file of images ReadNpyImages reads.
const MaxNpyBytes = 1 << 30

// ReadNpyImages reads images prepared elsewhere (for example with NumPy) from
// an .npy file holding an array of shape (N, 28, 28) or (N, 784), or one
// image of shape (28, 28) or (784,). Float arrays (float32 or float64) must
// hold pixel/255 values in [0, 1]; uint8 arrays hold pixels 0-255 and are
// scaled. It returns the images as n×784 float32 values.
func ReadNpyImages(path string) (images []float32, n int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, 0, fmt.Errorf("read %s: is a directory", path)
	}
	if st.Size() > MaxNpyBytes {
		return nil, 0, fmt.Errorf("read %s: file is %d bytes, more than the %d allowed", path, st.Size(), MaxNpyBytes)
	}
	images, n, err = decodeNpyImages(f, st.Size())
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	return images, n, nil
}

func decodeNpyImages(r io.Reader, size int64) (images []float32, n int, err error) {
	if size == 0 {
		return nil, 0, fmt.Errorf("empty file, not a .npy array")
	}
	h, err := npy.ReadHeader(r, size)
	if err != nil {
		return nil, 0, err
	}
	if h.Fortran {
		return nil, 0, fmt.Errorf("array is in Fortran order, want C order")
	}
	shape := h.Shape
	switch {
	case len(shape) == 3 && shape[1] == Side && shape[2] == Side:
		n = shape[0]
	case len(shape) == 2 && shape[1] == Pixels:
		n = shape[0]
	case len(shape) == 2 && shape[0] == Side && shape[1] == Side, len(shape) == 1 && shape[0] == Pixels:
		n = 1
	default:
		return nil, 0, fmt.Errorf("array of shape %v, want (N, 28, 28) or (N, 784)", shape)
	}
	if n < 1 {
		return nil, 0, fmt.Errorf("array of shape %v holds no image", shape)
	}
	var elem int64
	switch h.Descr {
	case "<f4":
		elem = 4
	case "<f8":
		elem = 8
	case "|u1", "<u1":
		elem = 1
	default:
		return nil, 0, fmt.Errorf("dtype %s, want float32 or float64 (pixel/255) or uint8 (pixel)", h.Descr)
	}
	need := int64(n) * Pixels * elem
	if need != h.DataBytes {
		return nil, 0, fmt.Errorf("shape %v of %s needs %d data bytes, the file holds %d", shape, h.Descr, need, h.DataBytes)
	}
	raw := make([]byte, need)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, 0, fmt.Errorf("truncated data for shape %v: %w", shape, err)
	}
	images = make([]float32, n*Pixels)
	for i := range images {
		var v float64
		switch elem {
		case 4:
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		case 8:
			v = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		case 1:
			v = float64(raw[i]) / 255
		}
		// a little slack for values rescaled in float64 and rounded
		if !(v >= -1e-3 && v <= 1+1e-3) {
			return nil, 0, fmt.Errorf("image %d, pixel %d is %v: want pixel/255 values in [0, 1], white ink on black",
				i/Pixels, i%Pixels, v)
		}
		images[i] = float32(min(max(v, 0), 1))
	}
	return images, n, nil
}
