package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Sizes of an MNIST image.
const (
	Rows    = 28
	Cols    = 28
	Pixels  = Rows * Cols
	Classes = 10
)

const (
	imageMagic = 0x00000803 // unsigned bytes, 3 dimensions
	labelMagic = 0x00000801 // unsigned bytes, 1 dimension

	// maxFileSize bounds what a reader accepts, compressed or not: the
	// original training images are 47 MB raw.
	maxFileSize = 1 << 30
	// maxGzipRatio bounds how much a gzip file may claim to expand. Deflate
	// cannot expand more than 1032:1, so a header that needs more lies.
	maxGzipRatio = 1032
)

// ReadImages reads an IDX3 image file (gzip-compressed or raw) and returns
// its images as float32 pixels scaled to [0, 1], Pixels values per image.
// Every header field is checked against the bytes that follow.
func ReadImages(path string) ([]float32, error) {
	raw, dims, err := readIDX(path, imageMagic, 3)
	if err != nil {
		return nil, err
	}
	if dims[1] != Rows || dims[2] != Cols {
		return nil, fmt.Errorf("read %s: images are %d×%d, want %d×%d", path, dims[1], dims[2], Rows, Cols)
	}
	out := make([]float32, len(raw))
	for i, b := range raw {
		out[i] = float32(b) / 255
	}
	return out, nil
}

// ReadLabels reads an IDX1 label file (gzip-compressed or raw) and returns
// its labels, each checked to be a digit 0-9.
func ReadLabels(path string) ([]uint8, error) {
	raw, _, err := readIDX(path, labelMagic, 1)
	if err != nil {
		return nil, err
	}
	for i, l := range raw {
		if l >= Classes {
			return nil, fmt.Errorf("read %s: label %d at index %d is not a digit 0-9", path, l, i)
		}
	}
	return raw, nil
}

// readIDX reads an IDX file of unsigned bytes with the given magic number and
// number of dimensions. It returns the data and the dimensions.
func readIDX(path string, magic uint32, ndim int) ([]byte, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if st.Size() > maxFileSize {
		return nil, nil, fmt.Errorf("read %s: file is %d bytes, more than the %d an IDX file may have", path, st.Size(), maxFileSize)
	}
	data, dims, err := decodeIDX(f, st.Size(), magic, ndim)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, dims, nil
}

// decodeIDX decodes an IDX stream of size bytes (as stored, maybe gzip).
func decodeIDX(r io.Reader, size int64, magic uint32, ndim int) ([]byte, []int, error) {
	br := bufio.NewReader(r)
	var in io.Reader = br
	limit, compressed := size, false // bytes the stream can hold at most
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		in = zr
		limit, compressed = size*maxGzipRatio, true
	}
	hdr := make([]byte, 4+4*ndim)
	if _, err := io.ReadFull(in, hdr); err != nil {
		return nil, nil, fmt.Errorf("truncated header (%d bytes needed): %w", len(hdr), unexpected(err))
	}
	if got := binary.BigEndian.Uint32(hdr); got != magic {
		return nil, nil, fmt.Errorf("magic number 0x%08x, want 0x%08x (%s)", got, magic, kind(magic))
	}
	dims := make([]int, ndim)
	n := int64(1) // saturates at 1<<40, far above any file this reader takes
	for i := range dims {
		d := binary.BigEndian.Uint32(hdr[4+4*i:])
		if d == 0 {
			return nil, nil, fmt.Errorf("dimension %d is 0", i)
		}
		dims[i] = int(d)
		if n > (1<<40)/int64(d) {
			n = 1 << 40
		} else {
			n *= int64(d)
		}
	}
	// Nothing is allocated before n is known to fit in what the file can hold.
	if compressed && n > limit {
		return nil, nil, fmt.Errorf("header %s needs %s data bytes, more than a %d-byte gzip file can hold", shape(dims), count(n), size)
	}
	if !compressed && n > limit-int64(len(hdr)) {
		return nil, nil, fmt.Errorf("truncated: header %s needs %s data bytes, found %d", shape(dims), count(n), limit-int64(len(hdr)))
	}
	buf := make([]byte, n)
	if got, err := io.ReadFull(in, buf); err != nil {
		return nil, nil, fmt.Errorf("truncated: header %s needs %d data bytes, found %d", shape(dims), n, got)
	}
	var extra [1]byte
	switch k, err := io.ReadFull(in, extra[:]); {
	case k > 0:
		return nil, nil, fmt.Errorf("trailing data after the %d bytes that header %s describes", n, shape(dims))
	case err != io.EOF:
		return nil, nil, fmt.Errorf("after the data: %w", unexpected(err))
	}
	return buf, dims, nil
}

// count prints a byte count that may have saturated at 1<<40.
func count(n int64) string {
	if n >= 1<<40 {
		return "over 2^40"
	}
	return fmt.Sprint(n)
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func kind(magic uint32) string {
	if magic == imageMagic {
		return "IDX3 images"
	}
	return "IDX1 labels"
}

func shape(dims []int) string {
	var b bytes.Buffer
	for i, d := range dims {
		if i > 0 {
			b.WriteString("×")
		}
		fmt.Fprint(&b, d)
	}
	return b.String()
}
