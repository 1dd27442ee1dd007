//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// useAsm says whether kernel runs kernelAVX2.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernelAVX2 is kernel in AVX2/FMA assembly (kernel_amd64.s); kc ≥ 1.
//
//go:noescape
func kernelAVX2(kc int, ap, bp, c *float32, ldc int, alpha float32, load int)

// fmaPeak runs n iterations of 24 independent 8-lane fused multiply-adds
// on registers (no memory access): its time measures the core's FMA
// throughput, the bound of kernelAVX2.
//
//go:noescape
func fmaPeak(n int)
