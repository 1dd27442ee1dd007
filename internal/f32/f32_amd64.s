//go:build amd64 && !purego

#include "textflag.h"

// SSE2 loops over float32 slices, eight elements per iteration and then one
// at a time: the same IEEE operations, in the same order for every element,
// as the Go loops in kernels.go (no fused multiply-add), so the results are
// bit-identical to them.

// func AddVec(a, b []float32)
TEXT ·AddVec(SB), NOSPLIT, $0-48
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), SI
	MOVQ CX, DX
	SHRQ $3, DX
	JZ   addVec_tail
addVec_loop:
	MOVUPS (DI), X0
	MOVUPS 16(DI), X1
	MOVUPS (SI), X2
	MOVUPS 16(SI), X3
	ADDPS X2, X0
	ADDPS X3, X1
	MOVUPS X0, (DI)
	MOVUPS X1, 16(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ DX
	JNZ  addVec_loop
addVec_tail:
	ANDQ $7, CX
	JZ   addVec_done
addVec_one:
	MOVSS (DI), X0
	MOVSS (SI), X2
	ADDSS X2, X0
	MOVSS X0, (DI)
	ADDQ $4, DI
	ADDQ $4, SI
	DECQ CX
	JNZ  addVec_one
addVec_done:
	RET

// func MulVec(a, b []float32)
TEXT ·MulVec(SB), NOSPLIT, $0-48
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), SI
	MOVQ CX, DX
	SHRQ $3, DX
	JZ   mulVec_tail
mulVec_loop:
	MOVUPS (DI), X0
	MOVUPS 16(DI), X1
	MOVUPS (SI), X2
	MOVUPS 16(SI), X3
	MULPS X2, X0
	MULPS X3, X1
	MOVUPS X0, (DI)
	MOVUPS X1, 16(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ DX
	JNZ  mulVec_loop
mulVec_tail:
	ANDQ $7, CX
	JZ   mulVec_done
mulVec_one:
	MOVSS (DI), X0
	MOVSS (SI), X2
	MULSS X2, X0
	MOVSS X0, (DI)
	ADDQ $4, DI
	ADDQ $4, SI
	DECQ CX
	JNZ  mulVec_one
mulVec_done:
	RET

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
	MOVQ CX, DX
	SHRQ $3, DX
	JZ   addScalar_tail
addScalar_loop:
	MOVUPS (DI), X0
	MOVUPS 16(DI), X1
	ADDPS X7, X0
	ADDPS X7, X1
	MOVUPS X0, (DI)
	MOVUPS X1, 16(DI)
	ADDQ $32, DI
	DECQ DX
	JNZ  addScalar_loop
addScalar_tail:
	ANDQ $7, CX
	JZ   addScalar_done
addScalar_one:
	MOVSS (DI), X0
	ADDSS X7, X0
	MOVSS X0, (DI)
	ADDQ $4, DI
	DECQ CX
	JNZ  addScalar_one
addScalar_done:
	RET

// func MulScalar(a []float32, s float32)
TEXT ·MulScalar(SB), NOSPLIT, $0-28
	MOVQ a_base+0(FP), DI
	MOVQ a_len+8(FP), CX
	MOVSS s+24(FP), X7
	SHUFPS $0, X7, X7
	MOVQ CX, DX
	SHRQ $3, DX
	JZ   mulScalar_tail
mulScalar_loop:
	MOVUPS (DI), X0
	MOVUPS 16(DI), X1
	MULPS X7, X0
	MULPS X7, X1
	MOVUPS X0, (DI)
	MOVUPS X1, 16(DI)
	ADDQ $32, DI
	DECQ DX
	JNZ  mulScalar_loop
mulScalar_tail:
	ANDQ $7, CX
	JZ   mulScalar_done
mulScalar_one:
	MOVSS (DI), X0
	MULSS X7, X0
	MOVSS X0, (DI)
	ADDQ $4, DI
	DECQ CX
	JNZ  mulScalar_one
mulScalar_done:
	RET

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
