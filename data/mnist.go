package data

import (
	"fmt"
	"os"
	"path/filepath"
)

// Set is a labelled set of MNIST images.
type Set struct {
	Images []float32 // Len()*Pixels values in [0, 1], row-major
	Labels []uint8   // digits 0-9
}

// Len returns the number of images in the set.
func (s *Set) Len() int { return len(s.Labels) }

// Image returns the Pixels values of image i (not a copy).
func (s *Set) Image(i int) []float32 { return s.Images[i*Pixels : (i+1)*Pixels] }

// Head returns the first n images of the set (all of them when n <= 0 or
// n >= Len()), sharing its memory.
func (s *Set) Head(n int) *Set {
	if n <= 0 || n >= s.Len() {
		return s
	}
	return &Set{Images: s.Images[:n*Pixels], Labels: s.Labels[:n]}
}

// Gather copies the images with the given indices into x (len(idx)*Pixels
// values) and their labels as one-hot rows into y (len(idx)*Classes values).
// It allocates nothing.
func (s *Set) Gather(idx []int, x, y []float32) {
	clear(y[:len(idx)*Classes])
	for r, i := range idx {
		copy(x[r*Pixels:(r+1)*Pixels], s.Images[i*Pixels:(i+1)*Pixels])
		y[r*Classes+int(s.Labels[i])] = 1
	}
}

// MNIST is the data set: 60,000 training and 10,000 test images.
type MNIST struct {
	Dir   string // where the files were read from
	Train *Set
	Test  *Set
}

// File names of the data set, as distributed (the reader also takes them
// uncompressed, without the .gz suffix).
const (
	TrainImages = "train-images-idx3-ubyte.gz"
	TrainLabels = "train-labels-idx1-ubyte.gz"
	TestImages  = "t10k-images-idx3-ubyte.gz"
	TestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// Load reads the four MNIST files from dir.
func Load(dir string) (*MNIST, error) {
	train, err := LoadSet(dir, TrainImages, TrainLabels)
	if err != nil {
		return nil, err
	}
	test, err := LoadSet(dir, TestImages, TestLabels)
	if err != nil {
		return nil, err
	}
	return &MNIST{Dir: dir, Train: train, Test: test}, nil
}

// LoadSet reads one pair of image and label files from dir and checks that
// they hold the same number of examples.
func LoadSet(dir, images, labels string) (*Set, error) {
	ip, err := find(dir, images)
	if err != nil {
		return nil, err
	}
	lp, err := find(dir, labels)
	if err != nil {
		return nil, err
	}
	x, err := ReadImages(ip)
	if err != nil {
		return nil, err
	}
	y, err := ReadLabels(lp)
	if err != nil {
		return nil, err
	}
	if len(x) != len(y)*Pixels {
		return nil, fmt.Errorf("read %s: %d images but %s has %d labels", ip, len(x)/Pixels, lp, len(y))
	}
	return &Set{Images: x, Labels: y}, nil
}

// find returns the path of name in dir, or of its uncompressed variant.
func find(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	raw := p[:len(p)-len(".gz")]
	if _, err := os.Stat(raw); err == nil {
		return raw, nil
	}
	return "", fmt.Errorf("read %s: no such file (nor %s)", p, filepath.Base(raw))
}
