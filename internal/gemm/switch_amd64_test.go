//go:build amd64 && !purego

package gemm

// withKernel runs f with the assembly kernel (asm) or the Go one.
func withKernel(asm bool, f func()) {
	was := useAsm
	useAsm = asm && was
	defer func() { useAsm = was }()
	f()
}
