package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// Header is the header of a NumPy .npy file.
type Header struct {
	Major, Minor int    // format version: 1.0, 2.0 or 3.0
	Descr        string // dtype, for example "<f4"
	Fortran      bool   // fortran_order
	Shape        []int
	// DataBytes is the number of bytes after the header: the array's data
	// when the file is well formed.
	DataBytes int64
}

// maxNpyHeader bounds the header's length; NumPy writes headers of under
// a hundred bytes for any array this program uses.
const maxNpyHeader = 1 << 16

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// errNotNpy is the error of a file that does not start like an .npy file.
var errNotNpy = errors.New("not a valid .npy file")

// ReadHeader reads the header of an .npy file of size bytes from r and
// leaves r at the first byte of data. It accepts format versions 1.0, 2.0
// and 3.0 and a header dictionary with exactly the keys descr,
// fortran_order and shape, as NumPy writes it. The header's length is
// checked against size before it is read, and nothing is allocated from an
// unchecked field.
func ReadHeader(r io.Reader, size int64) (*Header, error) {
	var pre [12]byte
	if size < 10 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 10-byte preamble", errNotNpy, size)
	}
	if _, err := io.ReadFull(r, pre[:10]); err != nil {
		return nil, fmt.Errorf("%w: %w", errNotNpy, err)
	}
	if string(pre[:6]) != npyMagic {
		return nil, fmt.Errorf("%w: magic %q, want %q", errNotNpy, pre[:6], npyMagic)
	}
	h := &Header{Major: int(pre[6]), Minor: int(pre[7])}
	var hlen, prefix int64
	switch {
	case h.Major == 1 && h.Minor == 0:
		hlen, prefix = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case (h.Major == 2 || h.Major == 3) && h.Minor == 0:
		if size < 12 {
			return nil, fmt.Errorf("%w: %d bytes, shorter than the 12-byte preamble of version %d.0", errNotNpy, size, h.Major)
		}
		if _, err := io.ReadFull(r, pre[10:12]); err != nil {
			return nil, fmt.Errorf("%w: %w", errNotNpy, err)
		}
		hlen, prefix = int64(binary.LittleEndian.Uint32(pre[8:12])), 12
	default:
		return nil, fmt.Errorf("%w: format version %d.%d, want 1.0, 2.0 or 3.0", errNotNpy, h.Major, h.Minor)
	}
	if hlen > maxNpyHeader || hlen > size-prefix {
		return nil, fmt.Errorf("%w: header length %d, but the file has %d bytes after the preamble (at most %d allowed)",
			errNotNpy, hlen, size-prefix, maxNpyHeader)
	}
	buf := make([]byte, hlen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: header: %w", errNotNpy, err)
	}
	h.DataBytes = size - prefix - hlen
	if h.Major < 3 {
		for _, c := range buf {
			if c >= 0x80 {
				return nil, fmt.Errorf("%w: header is not ASCII", errNotNpy)
			}
		}
	} else if !utf8.Valid(buf) {
		return nil, fmt.Errorf("%w: header is not UTF-8", errNotNpy)
	}
	if err := h.parseDict(buf); err != nil {
		return nil, fmt.Errorf("%w: header %q: %w", errNotNpy, buf, err)
	}
	return h, nil
}

// Count returns the number of elements of the shape, and false if it does
// not fit in an int64.
func (h *Header) Count() (int64, bool) {
	n := int64(1)
	for _, d := range h.Shape {
		if d != 0 && n > math.MaxInt64/int64(d) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}

// parseDict parses the header's Python dictionary literal, for example
// {'descr': '<f4', 'fortran_order': False, 'shape': (784, 64), }
// followed by spaces and a newline.
func (h *Header) parseDict(b []byte) error {
	p := &pyParser{b: b}
	if !p.accept('{') {
		return errors.New("want a dictionary")
	}
	seen := map[string]bool{}
	for {
		if p.accept('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return fmt.Errorf("key: %w", err)
		}
		if seen[key] {
			return fmt.Errorf("key %q twice", key)
		}
		seen[key] = true
		if !p.accept(':') {
			return fmt.Errorf("want ':' after key %q", key)
		}
		switch key {
		case "descr":
			if h.Descr, err = p.str(); err != nil {
				return fmt.Errorf("descr: %w", err)
			}
		case "fortran_order":
			if h.Fortran, err = p.boolean(); err != nil {
				return fmt.Errorf("fortran_order: %w", err)
			}
		case "shape":
			if h.Shape, err = p.tuple(); err != nil {
				return fmt.Errorf("shape: %w", err)
			}
		default:
			return fmt.Errorf("unknown key %q", key)
		}
		if !p.accept(',') {
			if !p.accept('}') {
				return errors.New("want ',' or '}'")
			}
			break
		}
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return fmt.Errorf("no key %q", k)
		}
	}
	p.space()
	if p.i != len(p.b) {
		return fmt.Errorf("%d bytes after the dictionary", len(p.b)-p.i)
	}
	return nil
}

// pyParser reads the few Python literals of an .npy header.
type pyParser struct {
	b []byte
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

// accept skips spaces and c, and reports whether c was there.
func (p *pyParser) accept(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a quoted string without escapes.
func (p *pyParser) str() (string, error) {
	p.space()
	if p.i >= len(p.b) || (p.b[p.i] != '\'' && p.b[p.i] != '"') {
		return "", errors.New("want a quoted string")
	}
	q := p.b[p.i]
	for j := p.i + 1; j < len(p.b); j++ {
		switch p.b[j] {
		case q:
			s := string(p.b[p.i+1 : j])
			p.i = j + 1
			return s, nil
		case '\n':
			return "", errors.New("unterminated string")
		case '\\':
			return "", errors.New("escapes in strings are not supported")
		}
	}
	return "", errors.New("unterminated string")
}

func (p *pyParser) boolean() (bool, error) {
	p.space()
	for _, w := range []struct {
		s string
		v bool
	}{{"True", true}, {"False", false}} {
		if len(p.b)-p.i >= len(w.s) && string(p.b[p.i:p.i+len(w.s)]) == w.s {
			p.i += len(w.s)
			return w.v, nil
		}
	}
	return false, errors.New("want True or False")
}

// maxNpyDims bounds the number of dimensions, as NumPy does (64).
const maxNpyDims = 64

// tuple reads a tuple of non-negative integers: (), (n,), (a, b), (a, b,).
func (p *pyParser) tuple() ([]int, error) {
	if !p.accept('(') {
		return nil, errors.New("want a tuple")
	}
	dims := []int{}
	for {
		if p.accept(')') {
			return dims, nil
		}
		p.space()
		j := p.i
		for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			j++
		}
		if j == p.i {
			return nil, errors.New("want a non-negative integer")
		}
		d, err := strconv.ParseInt(string(p.b[p.i:j]), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("dimension %s: too large", p.b[p.i:j])
		}
		p.i = j
		if len(dims) == maxNpyDims {
			return nil, fmt.Errorf("more than %d dimensions", maxNpyDims)
		}
		dims = append(dims, int(d))
		if !p.accept(',') {
			if !p.accept(')') {
				return nil, errors.New("want ',' or ')'")
			}
			if len(dims) == 1 {
				return nil, errors.New("a 1-tuple needs a trailing comma")
			}
			return dims, nil
		}
	}
}
