//go:build openblas

package graph

// rowsExact says whether the build's matrix products give each row of a
// product the same bits whatever the number of rows. OpenBLAS's need not:
// it picks its kernels by the products' sizes (on an Intel Xeon of family
// 6, model 207, which Debian's OpenBLAS 0.3.21 does not know and runs with
// its Prescott kernels, an evaluation's loss moved by about 1e-10 of
// itself between batches of 97 and of 2,048 images).
const rowsExact = false
