//go:build openblas

package graph

// rowsExact says whether the build's matrix products give each row of a
// product the same bits whatever the number of rows. OpenBLAS's need not:
// it picks its kernels by the products' sizes (on an Intel Xeon with
// AVX-512, its SkylakeX kernels moved an evaluation's loss by about 1e-10
// of itself between batches of 97 and of 2,048 images).
const rowsExact = false
