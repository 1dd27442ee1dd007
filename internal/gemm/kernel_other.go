//go:build !amd64 || purego

package gemm

// bestKernel is the Go kernel: the only one in this build.
func bestKernel() kernelKind { return goKernel }

// kernels lists the kernels this build has.
func kernels() []kernelKind { return []kernelKind{goKernel} }

func kernelAVX2(kc int, ap, bp, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

func kernelAVX512(kc int, ap, bp, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

func kernelAVX2s(kc int, a *float32, rsA, csA int, bp, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

func kernelAVX512s(kc int, a *float32, rsA, csA int, bp, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

func fmaPeak(n int)    { panic("gemm: no assembly kernel in this build") }
func fmaPeak512(n int) { panic("gemm: no assembly kernel in this build") }

func kernelAVX512x(cnt int, a *float32, rsA int, idx *int32, bp, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

func kernelAVX2x(cnt int, a *float32, rsA int, idx *int32, bp, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

// hasScanAVX512 is false: there is no assembly in this build.
var hasScanAVX512 = false

func kernelAVX512w(cnt int, a *float32, rsA int, idx *int32, bp *float32, pstride int, c *float32, ldc int, alpha float32, load int) {
	panic("gemm: no assembly kernel in this build")
}

func scan4AVX512(n int, a *float32, rsA int, idx *int32, cnt *int) {
	panic("gemm: no assembly kernel in this build")
}

func scan1AVX512(n int, a *float32, rsA int, idx *int32, cnt *int) {
	panic("gemm: no assembly kernel in this build")
}
