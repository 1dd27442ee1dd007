package infer

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/sbinet/npyio"
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
	defer func() {
		// npyio panics on some malformed headers; a file must never crash us.
		if p := recover(); p != nil {
			images, n, err = nil, 0, fmt.Errorf("not a valid .npy file (%v)", p)
		}
	}()
	if size == 0 {
		return nil, 0, fmt.Errorf("empty file, not a .npy array")
	}
	rd, err := npyio.NewReader(r)
	if err != nil {
		return nil, 0, fmt.Errorf("not a valid .npy file: %w", err)
	}
	h := rd.Header.Descr
	if h.Fortran {
		return nil, 0, fmt.Errorf("array is in Fortran order, want C order")
	}
	shape := h.Shape
	switch {
	case len(shape) == 3 && shape[1] == 28 && shape[2] == 28:
		n = shape[0]
	case len(shape) == 2 && shape[1] == 784:
		n = shape[0]
	case len(shape) == 2 && shape[0] == 28 && shape[1] == 28, len(shape) == 1 && shape[0] == 784:
		n = 1
	default:
		return nil, 0, fmt.Errorf("array of shape %v, want (N, 28, 28) or (N, 784)", shape)
	}
	if n < 1 {
		return nil, 0, fmt.Errorf("array of shape %v holds no image", shape)
	}
	var elem int64
	switch h.Type {
	case "<f4", "float32":
		elem = 4
	case "<f8", "float64":
		elem = 8
	case "|u1", "uint8":
		elem = 1
	default:
		return nil, 0, fmt.Errorf("dtype %s, want float32, float64 (pixel/255) or uint8 (pixel)", h.Type)
	}
	if int64(n)*784*elem > size {
		return nil, 0, fmt.Errorf("shape %v of %s needs %d data bytes, more than the %d-byte file holds",
			shape, h.Type, int64(n)*784*elem, size)
	}
	images = make([]float32, n*784)
	switch elem {
	case 4:
		err = rd.Read(&images)
	case 8:
		v := make([]float64, len(images))
		if err = rd.Read(&v); err == nil {
			for i, x := range v {
				images[i] = float32(x)
			}
		}
	case 1:
		v := make([]uint8, len(images))
		if err = rd.Read(&v); err == nil {
			for i, x := range v {
				images[i] = float32(x) / 255
			}
		}
	}
	if err != nil {
		return nil, 0, fmt.Errorf("truncated or unreadable data for shape %v: %w", shape, err)
	}
	for i, v := range images {
		// a little slack for values rescaled in float64 and rounded
		if !(v >= -1e-3 && v <= 1+1e-3) {
			return nil, 0, fmt.Errorf("image %d, pixel %d is %v: want pixel/255 values in [0, 1], white ink on black",
				i/784, i%784, v)
		}
		images[i] = float32(math.Min(math.Max(float64(v), 0), 1))
	}
	return images, n, nil
}
