//go:build amd64 && !purego

#include "textflag.h"

// SSE2 loops over float32 slices, eight elements per iteration and then one
// at a time: the same IEEE operations, in the same order for every element,
// as the Go loops in ref.go (no fused multiply-add), so the results are
// bit-identical to them. Labels are local to each function, so the macros
// can use the same ones in every function they expand in.

// VECTOR_LOOP sets a[i] = a[i] op b[i] for DI = a, SI = b, CX = len(a).
#define VECTOR_LOOP(OPPS, OPSS) \
	MOVQ CX, DX; \
	SHRQ $3, DX; \
	JZ   tail; \
loop: \
	MOVUPS (DI), X0; \
	MOVUPS 16(DI), X1; \
	MOVUPS (SI), X2; \
	MOVUPS 16(SI), X3; \
	OPPS X2, X0; \
	OPPS X3, X1; \
	MOVUPS X0, (DI); \
	MOVUPS X1, 16(DI); \
	ADDQ $32, DI; \
	ADDQ $32, SI; \
	DECQ DX; \
	JNZ  loop; \
tail: \
	ANDQ $7, CX; \
	JZ   done; \
one: \
	MOVSS (DI), X0; \
	MOVSS (SI), X2; \
	OPSS X2, X0; \
	MOVSS X0, (DI); \
	ADDQ $4, DI; \
	ADDQ $4, SI; \
	DECQ CX; \
	JNZ  one; \
done: \
	RET

// SCALAR_LOOP sets a[i] = a[i] op s for DI = a, CX = len(a), X7 = s in
// every lane.
#define SCALAR_LOOP(OPPS, OPSS) \
	MOVQ CX, DX; \
	SHRQ $3, DX; \
	JZ   tail; \
loop: \
	MOVUPS (DI), X0; \
	MOVUPS 16(DI), X1; \
	OPPS X7, X0; \
	OPPS X7, X1; \
	MOVUPS X0, (DI); \
	MOVUPS X1, 16(DI); \
	ADDQ $32, DI; \
	DECQ DX; \
	JNZ  loop; \
tail: \
	ANDQ $7, CX; \
	JZ   done; \
one: \
	MOVSS (DI), X0; \
	OPSS X7, X0; \
	MOVSS X0, (DI); \
	ADDQ $4, DI; \
	DECQ CX; \
	JNZ  one; \
done: \
	RET

// gteVS and gteSV set dst[i] to 1 where a[i] >= s (gteVS) or s >= a[i]
// (gteSV), else to 0: an ordered comparison (CMPPS predicate 2, less or
// equal), false for NaN, and a mask of the bits of 1.0, without branches.
// CMPPS src, dst sets dst = dst <= src: GTE_LOOP copies X1SRC (X3SRC) into
// X1 (X3) and compares it with CMPSRC1 (CMPSRC3), each one s (X7, in every
// lane) or the loaded a[i] (X0, X2); DI = dst, SI = a, CX = len(dst).
#define GTE_LOOP(X1SRC, X3SRC, CMPSRC1, CMPSRC3) \
	MOVUPS expOne<>(SB), X6; \
	MOVQ CX, DX; \
	SHRQ $3, DX; \
	JZ   tail; \
loop: \
	MOVUPS (SI), X0; \
	MOVUPS 16(SI), X2; \
	MOVAPS X1SRC, X1; \
	CMPPS CMPSRC1, X1, $2; \
	MOVAPS X3SRC, X3; \
	CMPPS CMPSRC3, X3, $2; \
	ANDPS X6, X1; \
	ANDPS X6, X3; \
	MOVUPS X1, (DI); \
	MOVUPS X3, 16(DI); \
	ADDQ $32, SI; \
	ADDQ $32, DI; \
	DECQ DX; \
	JNZ  loop; \
tail: \
	ANDQ $7, CX; \
	JZ   done; \
one: \
	MOVSS (SI), X0; \
	MOVAPS X1SRC, X1; \
	CMPSS CMPSRC1, X1, $2; \
	ANDPS X6, X1; \
	MOVSS X1, (DI); \
	ADDQ $4, SI; \
	ADDQ $4, DI; \
	DECQ CX; \
	JNZ  one; \
done: \
	RET

// func AddVec(a, b []float32)
TEXT ·AddVec(SB), NOSPLIT, $0-48
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), SI
	VECTOR_LOOP(ADDPS, ADDSS)

// func MulVec(a, b []float32)
TEXT ·MulVec(SB), NOSPLIT, $0-48
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), SI
	VECTOR_LOOP(MULPS, MULSS)

// func divVec(a, b []float32) (zero bool)
TEXT ·divVec(SB), NOSPLIT, $0-49
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), SI
	XORPS X6, X6 // 0
	XORPS X5, X5 // lanes where a divisor was 0
	MOVQ CX, DX
	SHRQ $3, DX
	JZ   divVec_tail
divVec_loop:
	MOVUPS (DI), X0
	MOVUPS 16(DI), X1
	MOVUPS (SI), X2
	MOVUPS 16(SI), X3
	MOVUPS X2, X4
	CMPPS X6, X4, $0
	ORPS X4, X5
	MOVUPS X3, X4
	CMPPS X6, X4, $0
	ORPS X4, X5
	DIVPS X2, X0
	DIVPS X3, X1
	MOVUPS X0, (DI)
	MOVUPS X1, 16(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ DX
	JNZ  divVec_loop
divVec_tail:
	ANDQ $7, CX
	JZ   divVec_done
divVec_one:
	MOVSS (DI), X0
	MOVSS (SI), X2
	MOVSS X2, X4
	CMPSS X6, X4, $0
	ORPS X4, X5
	DIVSS X2, X0
	MOVSS X0, (DI)
	ADDQ $4, DI
	ADDQ $4, SI
	DECQ CX
	JNZ  divVec_one
divVec_done:
	MOVMSKPS X5, AX
	TESTL AX, AX
	SETNE zero+48(FP)
	RET

// func AddScalar(a []float32, s float32)
TEXT ·AddScalar(SB), NOSPLIT, $0-28
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVSS s+24(FP), X7
	SHUFPS $0, X7, X7
	SCALAR_LOOP(ADDPS, ADDSS)

// func MulScalar(a []float32, s float32)
TEXT ·MulScalar(SB), NOSPLIT, $0-28
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVSS s+24(FP), X7
	SHUFPS $0, X7, X7
	SCALAR_LOOP(MULPS, MULSS)

// func SqrtVec(a []float32)
TEXT ·SqrtVec(SB), NOSPLIT, $0-24
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ CX, DX
	SHRQ $3, DX
	JZ   sqrtVec_tail
sqrtVec_loop:
	MOVUPS (DI), X0
	MOVUPS 16(DI), X1
	SQRTPS X0, X0
	SQRTPS X1, X1
	MOVUPS X0, (DI)
	MOVUPS X1, 16(DI)
	ADDQ $32, DI
	DECQ DX
	JNZ  sqrtVec_loop
sqrtVec_tail:
	ANDQ $7, CX
	JZ   sqrtVec_done
sqrtVec_one:
	MOVSS (DI), X0
	SQRTSS X0, X0
	MOVSS X0, (DI)
	ADDQ $4, DI
	DECQ CX
	JNZ  sqrtVec_one
sqrtVec_done:
	RET

// func MulIncrScalar(incr, a []float32, s float32)
TEXT ·MulIncrScalar(SB), NOSPLIT, $0-52
	MOVQ incr_base+0(FP), DI
	MOVQ incr_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVSS s+48(FP), X7
	SHUFPS $0, X7, X7
	MOVQ CX, DX
	SHRQ $3, DX
	JZ   mulIncrScalar_tail
mulIncrScalar_loop:
	MOVUPS (SI), X0
	MOVUPS 16(SI), X1
	MULPS X7, X0
	MULPS X7, X1
	MOVUPS (DI), X2
	MOVUPS 16(DI), X3
	ADDPS X0, X2
	ADDPS X1, X3
	MOVUPS X2, (DI)
	MOVUPS X3, 16(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ DX
	JNZ  mulIncrScalar_loop
mulIncrScalar_tail:
	ANDQ $7, CX
	JZ   mulIncrScalar_done
mulIncrScalar_one:
	MOVSS (SI), X0
	MULSS X7, X0
	MOVSS (DI), X2
	ADDSS X0, X2
	MOVSS X2, (DI)
	ADDQ $4, DI
	ADDQ $4, SI
	DECQ CX
	JNZ  mulIncrScalar_one
mulIncrScalar_done:
	RET

// The constants of math32.Exp (github.com/chewxy/math32's exp_amd64.s,
// itself from the Go standard library), four of each.
DATA expLog2e<>+0(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+4(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+8(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+12(SB)/4, $0x3fb8aa3b
GLOBL expLog2e<>(SB), RODATA|NOPTR, $16
DATA expLn2u<>+0(SB)/4, $0x3f317200
DATA expLn2u<>+4(SB)/4, $0x3f317200
DATA expLn2u<>+8(SB)/4, $0x3f317200
DATA expLn2u<>+12(SB)/4, $0x3f317200
GLOBL expLn2u<>(SB), RODATA|NOPTR, $16
DATA expLn2l<>+0(SB)/4, $0x35bfbe8e
DATA expLn2l<>+4(SB)/4, $0x35bfbe8e
DATA expLn2l<>+8(SB)/4, $0x35bfbe8e
DATA expLn2l<>+12(SB)/4, $0x35bfbe8e
GLOBL expLn2l<>(SB), RODATA|NOPTR, $16
DATA expSixteenth<>+0(SB)/4, $0x3d800000
DATA expSixteenth<>+4(SB)/4, $0x3d800000
DATA expSixteenth<>+8(SB)/4, $0x3d800000
DATA expSixteenth<>+12(SB)/4, $0x3d800000
GLOBL expSixteenth<>(SB), RODATA|NOPTR, $16
DATA expT4<>+0(SB)/4, $0x3c09116b
DATA expT4<>+4(SB)/4, $0x3c09116b
DATA expT4<>+8(SB)/4, $0x3c09116b
DATA expT4<>+12(SB)/4, $0x3c09116b
GLOBL expT4<>(SB), RODATA|NOPTR, $16
DATA expT3<>+0(SB)/4, $0x3d2aaf4c
DATA expT3<>+4(SB)/4, $0x3d2aaf4c
DATA expT3<>+8(SB)/4, $0x3d2aaf4c
DATA expT3<>+12(SB)/4, $0x3d2aaf4c
GLOBL expT3<>(SB), RODATA|NOPTR, $16
DATA expT2<>+0(SB)/4, $0x3e2aaa5e
DATA expT2<>+4(SB)/4, $0x3e2aaa5e
DATA expT2<>+8(SB)/4, $0x3e2aaa5e
DATA expT2<>+12(SB)/4, $0x3e2aaa5e
GLOBL expT2<>(SB), RODATA|NOPTR, $16
DATA expT1<>+0(SB)/4, $0x3f000000
DATA expT1<>+4(SB)/4, $0x3f000000
DATA expT1<>+8(SB)/4, $0x3f000000
DATA expT1<>+12(SB)/4, $0x3f000000
GLOBL expT1<>(SB), RODATA|NOPTR, $16
DATA expOne<>+0(SB)/4, $0x3f800000
DATA expOne<>+4(SB)/4, $0x3f800000
DATA expOne<>+8(SB)/4, $0x3f800000
DATA expOne<>+12(SB)/4, $0x3f800000
GLOBL expOne<>(SB), RODATA|NOPTR, $16
DATA expTwo<>+0(SB)/4, $0x40000000
DATA expTwo<>+4(SB)/4, $0x40000000
DATA expTwo<>+8(SB)/4, $0x40000000
DATA expTwo<>+12(SB)/4, $0x40000000
GLOBL expTwo<>(SB), RODATA|NOPTR, $16
DATA expAbs<>+0(SB)/4, $0x7fffffff
DATA expAbs<>+4(SB)/4, $0x7fffffff
DATA expAbs<>+8(SB)/4, $0x7fffffff
DATA expAbs<>+12(SB)/4, $0x7fffffff
GLOBL expAbs<>(SB), RODATA|NOPTR, $16
DATA expMaxFinite<>+0(SB)/4, $0x7f7fffff
DATA expMaxFinite<>+4(SB)/4, $0x7f7fffff
DATA expMaxFinite<>+8(SB)/4, $0x7f7fffff
DATA expMaxFinite<>+12(SB)/4, $0x7f7fffff
GLOBL expMaxFinite<>(SB), RODATA|NOPTR, $16
DATA expBias<>+0(SB)/4, $0x0000007f
DATA expBias<>+4(SB)/4, $0x0000007f
DATA expBias<>+8(SB)/4, $0x0000007f
DATA expBias<>+12(SB)/4, $0x0000007f
GLOBL expBias<>(SB), RODATA|NOPTR, $16
DATA expInt1<>+0(SB)/4, $0x00000001
DATA expInt1<>+4(SB)/4, $0x00000001
DATA expInt1<>+8(SB)/4, $0x00000001
DATA expInt1<>+12(SB)/4, $0x00000001
GLOBL expInt1<>(SB), RODATA|NOPTR, $16
DATA expInt254<>+0(SB)/4, $0x000000fe
DATA expInt254<>+4(SB)/4, $0x000000fe
DATA expInt254<>+8(SB)/4, $0x000000fe
DATA expInt254<>+12(SB)/4, $0x000000fe
GLOBL expInt254<>(SB), RODATA|NOPTR, $16

// func expVec(dst, x []float32) (n int)
//
// expVec sets dst[i] = math32.Exp(x[i]) four elements at a time, with the
// same operations as math32.Exp's amd64 assembly (including its use of k
// where the series starts), and returns how many it set: it stops before
// the first group of four that has an element math32.Exp treats apart
// (not finite, or a result that underflows or overflows) and before a last
// group of fewer than four.
TEXT ·expVec(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	XORQ AX, AX
	SHRQ $2, CX
	JZ   expVec_done
	MOVUPS expLog2e<>(SB), X6
	MOVUPS expLn2u<>(SB), X7
	MOVUPS expLn2l<>(SB), X8
	MOVUPS expSixteenth<>(SB), X9
	MOVUPS expT4<>(SB), X10
	MOVUPS expT3<>(SB), X11
	MOVUPS expT2<>(SB), X12
	MOVUPS expT1<>(SB), X13
	MOVUPS expOne<>(SB), X14
	MOVUPS expTwo<>(SB), X15
expVec_loop:
	MOVUPS (SI), X0
	// lanes that are not finite
	MOVUPS expAbs<>(SB), X5
	ANDPS X0, X5
	MOVUPS expMaxFinite<>(SB), X2
	PCMPGTL X2, X5
	// k = round(x·log2(e)), r = (x - k·ln2u - k·ln2l)/16
	MOVAPS X6, X1
	MULPS X0, X1
	CVTPS2PL X1, X3
	CVTPL2PS X3, X1
	MOVAPS X7, X2
	MULPS X1, X2
	SUBPS X2, X0
	MOVAPS X8, X2
	MULPS X1, X2
	SUBPS X2, X0
	MULPS X9, X0
	// the series, from k + T4 as math32.Exp has it
	ADDPS X10, X1
	MULPS X0, X1
	ADDPS X11, X1
	MULPS X0, X1
	ADDPS X12, X1
	MULPS X0, X1
	ADDPS X13, X1
	MULPS X0, X1
	ADDPS X14, X1
	MULPS X1, X0
	MOVAPS X15, X1
	ADDPS X0, X1
	MULPS X1, X0
	MOVAPS X15, X1
	ADDPS X0, X1
	MULPS X1, X0
	MOVAPS X15, X1
	ADDPS X0, X1
	MULPS X1, X0
	MOVAPS X15, X1
	ADDPS X0, X1
	MULPS X1, X0
	ADDPS X14, X0
	// times 2**k, unless k+127 <= 0 or >= 255
	MOVOU expBias<>(SB), X2
	PADDL X2, X3
	MOVOU expInt1<>(SB), X4
	PCMPGTL X3, X4
	POR X4, X5
	MOVOU X3, X4
	MOVOU expInt254<>(SB), X2
	PCMPGTL X2, X4
	POR X4, X5
	MOVMSKPS X5, DX
	TESTL DX, DX
	JNZ  expVec_done
	PSLLL $23, X3
	MULPS X3, X0
	MOVUPS X0, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	ADDQ $4, AX
	DECQ CX
	JNZ  expVec_loop
expVec_done:
	MOVQ AX, n+48(FP)
	RET

// func gteVS(dst, a []float32, s float32): s <= a[i]
TEXT ·gteVS(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVSS s+48(FP), X7
	SHUFPS $0, X7, X7
	GTE_LOOP(X7, X7, X0, X2)

// func gteSV(dst, a []float32, s float32): a[i] <= s
TEXT ·gteSV(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVSS s+48(FP), X7
	SHUFPS $0, X7, X7
	GTE_LOOP(X0, X2, X7, X7)
