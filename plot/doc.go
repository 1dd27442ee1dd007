// Package plot draws a training run as pictures: the learning curves of
// accuracy and loss against epoch (one run, or several overlaid to compare
// them), rendered with go-hep's hplot, and the hidden layer's input weights
// as a grid of 28×28 tiles.
package plot
