//go:build !amd64 || purego

package gemm

// useAsm says whether kernel runs kernelAVX2: never on this build.
const useAsm = false

func kernelAVX2(kc int, ap, bp, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

func fmaPeak(n int) { panic("gemm: no assembly kernel in this build") }
