// Package data reads the MNIST handwritten digit data set from its IDX files,
// finds where those files are, and cuts the training set into seeded, shuffled
// minibatches.
//
// Images are float32 in [0, 1] (pixel/255), 784 values per image in row-major
// order; labels are the digits 0-9.
package data
