// Package npy reads and writes NumPy's .npy array files, as the run
// directories hold the network's weights: Write writes a float32 array of any
// shape; Read reads one back with its shape checked, refusing truncated,
// oversized or non-finite files; ReadHeader parses and checks a header alone,
// for readers of other dtypes.
package npy
