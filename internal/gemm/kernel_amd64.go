//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// bestKernel is the AVX-512 kernel where the processor (and the operating
// system) has AVX-512F, else the AVX2 one where it has AVX2 and FMA, else
// the Go one.
func bestKernel() kernelKind {
	switch {
	case cpu.X86.HasAVX512F:
		return avx512Kernel
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return avx2Kernel
	}
	return goKernel
}

// kernels lists the kernels this processor can run.
func kernels() []kernelKind {
	k := []kernelKind{goKernel}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		k = append(k, avx2Kernel)
	}
	if cpu.X86.HasAVX512F {
		k = append(k, avx512Kernel)
	}
	return k
}

// kernelAVX2 is kernel in AVX2/FMA assembly (kernel_amd64.s); kc ≥ 1.
//
//go:noescape
func kernelAVX2(kc int, ap, bp, c *float32, ldc int, alpha float32, load int)

// kernelAVX512 is kernel in AVX-512F assembly (kernel_amd64.s) for a 6×32
// tile; kc ≥ 1.
//
//go:noescape
func kernelAVX512(kc int, ap, bp, c *float32, ldc int, alpha float32, load int)

// kernelAVX2s is kernelAVX2 with op(A) read in place: element (i, p) at
// a[i*rsA + p*csA]; kc ≥ 1.
//
//go:noescape
func kernelAVX2s(kc int, a *float32, rsA, csA int, bp, c *float32, ldc int, alpha float32, load int)

// kernelAVX512s is kernelAVX512 with op(A) read in place, as kernelAVX2s.
//
//go:noescape
func kernelAVX512s(kc int, a *float32, rsA, csA int, bp, c *float32, ldc int, alpha float32, load int)

// fmaPeak runs n iterations of 24 independent 8-lane fused multiply-adds
// on registers (no memory access): its time measures the core's AVX2 FMA
// throughput, the bound of kernelAVX2.
//
//go:noescape
func fmaPeak(n int)

// fmaPeak512 is fmaPeak with 16-lane (AVX-512) fused multiply-adds, the
// bound of kernelAVX512.
//
//go:noescape
func fmaPeak512(n int)

// kernelAVX512x is kernelAVX512s over only the cnt steps of k that idx
// lists (sparse.go), with op(A)'s rows read in place at a + i·rsA
// (columns contiguous).
//
//go:noescape
func kernelAVX512x(cnt int, a *float32, rsA int, idx *int32, bp, c *float32, ldc int, alpha float32, load int)

// kernelAVX2x is kernelAVX512x for the AVX2 kernel's tile.
//
//go:noescape
func kernelAVX2x(cnt int, a *float32, rsA int, idx *int32, bp, c *float32, ldc int, alpha float32, load int)

// hasScanAVX512 says whether scan4AVX512 can run here (it also counts bits
// with POPCNT).
var hasScanAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasPOPCNT

// kernelAVX512w is the sparse kernel on a 2×96 tile: rows a and a + rsA
// of op(A), three packed B panels of 32 columns pstride elements apart.
//
//go:noescape
func kernelAVX512w(cnt int, a *float32, rsA int, idx *int32, bp *float32, pstride int, c *float32, ldc int, alpha float32, load int)

// scan4AVX512 is scanRows for n a multiple of 16, in AVX-512 assembly.
//
//go:noescape
func scan4AVX512(n int, a *float32, rsA int, idx *int32, cnt *int)

// scan1AVX512 is scanRows without the pairs' lists for n a multiple of 16,
// in AVX-512 assembly: it writes idx[0] and cnt[0] only.
//
//go:noescape
func scan1AVX512(n int, a *float32, rsA int, idx *int32, cnt *int)
