package compute

// BLAS names the BLAS implementation the graphs' matrix products run on:
// gonum's pure-Go one in the default build, OpenBLAS through cgo in a build
// with the openblas tag.
func BLAS() string { return blasName() }

// FastProducts reports whether the build's matrix products run on assembly
// kernels (internal/gemm's, or OpenBLAS's in the openblas build) rather
// than on gonum's pure-Go BLAS (the purego tag, other architectures,
// processors without AVX2), which is about ten times slower on a training
// step's products.
func FastProducts() bool { return fastProducts() }
