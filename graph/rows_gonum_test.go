//go:build !openblas

package graph

// rowsExact says whether the build's matrix products give each row of a
// product the same bits whatever the number of rows: internal/gemm's do.
const rowsExact = true
