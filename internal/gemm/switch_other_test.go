//go:build !amd64 || purego

package gemm

// withKernel runs f with the Go kernel: there is no other in this build.
func withKernel(asm bool, f func()) { f() }
