// Package compute is the speed plumbing under the network's graphs: the
// tensor engine the graphs and gorgonia's solvers compute with (Engine), the
// runner that executes a compiled tape machine again and again without
// allocating (Machine), the BLAS the matrix products run on (gonum's pure-Go
// one, or OpenBLAS in a build with the openblas tag) with large products
// split over two goroutines (Aside, BLAS), and a row-wise log-softmax
// operation (LogSoftMax). None of it changes what is computed: every piece is
// tested bit for bit against gorgonia's own way.
package compute
