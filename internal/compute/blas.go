package compute

// BLAS names the BLAS implementation the graphs' matrix products run on:
// gonum's pure-Go one in the default build, OpenBLAS through cgo in a build
// with the openblas tag.
func BLAS() string { return blasName() }
