//go:build amd64 && !purego

#include "textflag.h"

// SCANSETUP loads the arguments of a scan: CX the count of 16-step
// blocks, SI and R9-R13 the six rows, DI the first list, Z5 the mask that
// clears sign bits, Z6 sixteen 16s and Z7 the steps 0-15.
#define SCANSETUP \
	MOVQ n+0(FP), CX; \
	SHRQ $4, CX; \
	MOVQ a+8(FP), SI; \
	MOVQ rsA+16(FP), R8; \
	SHLQ $2, R8; \
	ROWS; \
	MOVQ idx+24(FP), DI; \
	MOVL $0x7fffffff, AX; \
	VPBROADCASTD AX, Z5; \
	MOVL $16, AX; \
	VPBROADCASTD AX, Z6; \
	VMOVDQU32 iota16<>(SB), Z7

// SCANLOAD ORs sixteen steps of the six rows: rows 0-1 into Z0, 2-3 into
// Z1, 4-5 into Z2, all six into Z3.
#define SCANLOAD \
	VMOVDQU32 (SI), Z0; \
	VPORD (R9), Z0, Z0; \
	VMOVDQU32 (R10), Z1; \
	VPORD (R11), Z1, Z1; \
	VMOVDQU32 (R12), Z2; \
	VPORD (R13), Z2, Z2; \
	VPORD Z0, Z1, Z3; \
	VPORD Z2, Z3, Z3

// SCANNEXT moves the steps (Z7) and the six rows on by sixteen.
#define SCANNEXT \
	VPADDD Z6, Z7, Z7; \
	ADDQ $64, SI; ADDQ $64, R9; ADDQ $64, R10; ADDQ $64, R11; ADDQ $64, R12; ADDQ $64, R13

// The sparse kernels: kernelAVX512s and kernelAVX2s (op(A) read in place,
// rows at a + i·rsA, columns contiguous) that take only the steps of k an
// index list names, the steps at which some row of the 6-row panel of op(A)
// is not zero. Each step is the one of the dense kernels: the same fused
// multiply-adds on the same accumulators in the same order.

// iota16 is 0, 1, …, 15: the steps of k of a group of sixteen.
DATA iota16<>+0(SB)/4, $0
DATA iota16<>+4(SB)/4, $1
DATA iota16<>+8(SB)/4, $2
DATA iota16<>+12(SB)/4, $3
DATA iota16<>+16(SB)/4, $4
DATA iota16<>+20(SB)/4, $5
DATA iota16<>+24(SB)/4, $6
DATA iota16<>+28(SB)/4, $7
DATA iota16<>+32(SB)/4, $8
DATA iota16<>+36(SB)/4, $9
DATA iota16<>+40(SB)/4, $10
DATA iota16<>+44(SB)/4, $11
DATA iota16<>+48(SB)/4, $12
DATA iota16<>+52(SB)/4, $13
DATA iota16<>+56(SB)/4, $14
DATA iota16<>+60(SB)/4, $15
GLOBL iota16<>(SB), RODATA, $64

// ROWS sets R9-R13 to rows 1-5 of the panel whose row 0 is at SI, rows
// R8 bytes apart.
#define ROWS \
	LEAQ (SI)(R8*1), R9; \
	LEAQ (R9)(R8*1), R10; \
	LEAQ (R10)(R8*1), R11; \
	LEAQ (R11)(R8*1), R12; \
	LEAQ (R12)(R8*1), R13

// FMA2 adds the products of element AX of the row of op(A) at R with the
// row of B in B0, B1 to the accumulators C0, C1 (T a temporary).
#define FMA2(R, B0, B1, T, C0, C1) \
	VBROADCASTSS (R)(AX*4), T; \
	VFMADD231PS B0, T, C0; \
	VFMADD231PS B1, T, C1

// STEP adds the products of element AX of each row (SI, R9-R13) with the
// row of B in B0, B1 to the accumulators, as the dense kernels do.
#define STEP(B0, B1, T0, T1, C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11) \
	FMA2(SI, B0, B1, T0, C0, C1); FMA2(R9, B0, B1, T1, C2, C3); \
	FMA2(R10, B0, B1, T0, C4, C5); FMA2(R11, B0, B1, T1, C6, C7); \
	FMA2(R12, B0, B1, T0, C8, C9); FMA2(R13, B0, B1, T1, C10, C11)

// ROWOUT stores row (C0, C1) of the tile at DX, as C = alpha·acc + C (alpha
// in A, the two halves of the row W bytes apart), then moves DX to the
// next row (R8 bytes on).
#define ROWOUT(A, C0, C1, T0, T1, W) \
	VMOVUPS (DX), T0; \
	VMOVUPS W(DX), T1; \
	VFMADD231PS C0, A, T0; \
	VFMADD231PS C1, A, T1; \
	VMOVUPS T0, (DX); \
	VMOVUPS T1, W(DX); \
	ADDQ R8, DX

// ROWSET stores row (C0, C1) as C = alpha·acc, not reading C.
#define ROWSET(A, C0, C1, T0, T1, W) \
	VMULPS C0, A, T0; \
	VMULPS C1, A, T1; \
	VMOVUPS T0, (DX); \
	VMOVUPS T1, W(DX); \
	ADDQ R8, DX

// SPARSE is the body of a sparse kernel whose tile rows are two registers
// wide (W bytes each): the accumulators C0-C11 (their 256-bit halves Y4-Y15
// cleared with VEX instructions, which clear the upper bits too), the loop
// over the listed steps (row p of the packed B panel at p << SHIFT bytes),
// and the store.
#define SPARSE(B0, B1, T0, T1, C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, SHIFT, W) \
	MOVQ cnt+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ rsA+16(FP), R8; \
	SHLQ $2, R8; \
	MOVQ idx+24(FP), BX; \
	MOVQ bp+32(FP), DI; \
	ROWS; \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7; \
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11; \
	VXORPS Y12, Y12, Y12; VXORPS Y13, Y13, Y13; VXORPS Y14, Y14, Y14; VXORPS Y15, Y15, Y15; \
	TESTQ CX, CX; \
	JZ out; \
loop: \
	MOVL (BX), AX; \
	MOVQ AX, DX; \
	SHLQ $SHIFT, DX; \
	VMOVUPS (DI)(DX*1), B0; \
	VMOVUPS W(DI)(DX*1), B1; \
	STEP(B0, B1, T0, T1, C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11); \
	ADDQ $4, BX; \
	DECQ CX; \
	JNZ loop; \
out: \
	MOVQ c+40(FP), DX; \
	MOVQ ldc+48(FP), R8; \
	SHLQ $2, R8; \
	VBROADCASTSS alpha+56(FP), B0; \
	MOVQ load+64(FP), AX; \
	TESTQ AX, AX; \
	JZ set; \
	ROWOUT(B0, C0, C1, T0, T1, W); ROWOUT(B0, C2, C3, T0, T1, W); ROWOUT(B0, C4, C5, T0, T1, W); \
	ROWOUT(B0, C6, C7, T0, T1, W); ROWOUT(B0, C8, C9, T0, T1, W); ROWOUT(B0, C10, C11, T0, T1, W); \
	VZEROUPPER; \
	RET; \
set: \
	ROWSET(B0, C0, C1, T0, T1, W); ROWSET(B0, C2, C3, T0, T1, W); ROWSET(B0, C4, C5, T0, T1, W); \
	ROWSET(B0, C6, C7, T0, T1, W); ROWSET(B0, C8, C9, T0, T1, W); ROWSET(B0, C10, C11, T0, T1, W); \
	VZEROUPPER; \
	RET

// func kernelAVX512x(cnt int, a *float32, rsA int, idx *int32, bp, c *float32, ldc int, alpha float32, load int)
//
// kernelAVX512s over the cnt steps of k listed in idx (ascending): step p
// reads element p of each of the six rows of op(A) at a + i·rsA and row p
// of the packed B panel (32 columns).
TEXT ·kernelAVX512x(SB), NOSPLIT, $0-72
	SPARSE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, 7, 64)

// func kernelAVX2x(cnt int, a *float32, rsA int, idx *int32, bp, c *float32, ldc int, alpha float32, load int)
//
// kernelAVX512x for the AVX2 kernel's 6×16 tile.
TEXT ·kernelAVX2x(SB), NOSPLIT, $0-72
	SPARSE(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, 6, 32)

// ROW6OUT stores row (C0-C5) of a 2×96 tile at DX, as C = alpha·acc + C.
#define ROW6OUT(A, C0, C1, C2, C3, C4, C5) \
	VMOVUPS (DX), Z20; VMOVUPS 64(DX), Z21; VMOVUPS 128(DX), Z22; \
	VMOVUPS 192(DX), Z23; VMOVUPS 256(DX), Z24; VMOVUPS 320(DX), Z25; \
	VFMADD231PS C0, A, Z20; VFMADD231PS C1, A, Z21; VFMADD231PS C2, A, Z22; \
	VFMADD231PS C3, A, Z23; VFMADD231PS C4, A, Z24; VFMADD231PS C5, A, Z25; \
	VMOVUPS Z20, (DX); VMOVUPS Z21, 64(DX); VMOVUPS Z22, 128(DX); \
	VMOVUPS Z23, 192(DX); VMOVUPS Z24, 256(DX); VMOVUPS Z25, 320(DX)

// ROW6SET stores row (C0-C5) as C = alpha·acc, not reading C.
#define ROW6SET(A, C0, C1, C2, C3, C4, C5) \
	VMULPS C0, A, Z20; VMULPS C1, A, Z21; VMULPS C2, A, Z22; \
	VMULPS C3, A, Z23; VMULPS C4, A, Z24; VMULPS C5, A, Z25; \
	VMOVUPS Z20, (DX); VMOVUPS Z21, 64(DX); VMOVUPS Z22, 128(DX); \
	VMOVUPS Z23, 192(DX); VMOVUPS Z24, 256(DX); VMOVUPS Z25, 320(DX)

// func kernelAVX512w(cnt int, a *float32, rsA int, idx *int32, bp *float32, pstride int, c *float32, ldc int, alpha float32, load int)
//
// The sparse kernel on a 2×96 tile: two rows of op(A) (in place, rsA
// elements apart) over the cnt steps of k in idx, against three packed B
// panels of 32 columns, pstride elements apart. With two rows a step is
// skipped more often than with six (71% of MNIST's steps against 57%);
// the 96 columns keep twelve accumulators (Z4-Z9 for row 0, Z10-Z15 for
// row 1). Each element's fused multiply-adds are the dense kernel's.
TEXT ·kernelAVX512w(SB), NOSPLIT, $0-80
	MOVQ cnt+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsA+16(FP), R8
	LEAQ (SI)(R8*4), R11
	MOVQ idx+24(FP), BX
	MOVQ bp+32(FP), DI
	MOVQ pstride+40(FP), R8
	LEAQ (DI)(R8*4), R9
	LEAQ (R9)(R8*4), R10
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12; VXORPS Y13, Y13, Y13; VXORPS Y14, Y14, Y14; VXORPS Y15, Y15, Y15
	TESTQ CX, CX
	JZ out

loop:
	MOVL (BX), AX
	ADDQ $4, BX
	MOVQ AX, DX
	SHLQ $7, DX
	VMOVUPS (DI)(DX*1), Z0
	VMOVUPS 64(DI)(DX*1), Z1
	VMOVUPS (R9)(DX*1), Z2
	VMOVUPS 64(R9)(DX*1), Z3
	VMOVUPS (R10)(DX*1), Z16
	VMOVUPS 64(R10)(DX*1), Z17
	VBROADCASTSS (SI)(AX*4), Z18
	VBROADCASTSS (R11)(AX*4), Z19
	VFMADD231PS Z0, Z18, Z4; VFMADD231PS Z1, Z18, Z5; VFMADD231PS Z2, Z18, Z6
	VFMADD231PS Z3, Z18, Z7; VFMADD231PS Z16, Z18, Z8; VFMADD231PS Z17, Z18, Z9
	VFMADD231PS Z0, Z19, Z10; VFMADD231PS Z1, Z19, Z11; VFMADD231PS Z2, Z19, Z12
	VFMADD231PS Z3, Z19, Z13; VFMADD231PS Z16, Z19, Z14; VFMADD231PS Z17, Z19, Z15
	DECQ CX
	JNZ loop

out:
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	VBROADCASTSS alpha+64(FP), Z0
	MOVQ load+72(FP), AX
	TESTQ AX, AX
	JZ set
	ROW6OUT(Z0, Z4, Z5, Z6, Z7, Z8, Z9)
	ADDQ R8, DX
	ROW6OUT(Z0, Z10, Z11, Z12, Z13, Z14, Z15)
	VZEROUPPER
	RET

set:
	ROW6SET(Z0, Z4, Z5, Z6, Z7, Z8, Z9)
	ADDQ R8, DX
	ROW6SET(Z0, Z10, Z11, Z12, Z13, Z14, Z15)
	VZEROUPPER
	RET

// LIST tests the OR-ed rows in R against zero (sign bits cleared, Z5) and
// appends the steps (Z7) of those that are not to the list at P.
#define LIST(R, K, P) \
	VPTESTMD Z5, R, K; \
	VPCOMPRESSD Z7, K, Z8; \
	VMOVDQU32 Z8, (P); \
	KMOVW K, AX; \
	POPCNTL AX, AX; \
	LEAQ (P)(AX*4), P

// func scan4AVX512(n int, a *float32, rsA int, idx *int32, cnt *int)
//
// scanRows for n a multiple of 16, sixteen steps at a time, into four
// lists in one pass: the steps at which some of the six rows is not zero
// (idx[0]), and those for rows 0-1, 2-3 and 4-5 (idx[1], idx[2], idx[3];
// the lists 4·(KC+16) bytes apart), their lengths to cnt[0:4]. The rows'
// elements are OR-ed, their sign bits cleared and tested against zero, and
// the steps of the non-zero ones compressed into a register and stored
// whole (each list has room for 16 more than its count: a compress
// straight to memory is microcoded and slow on some AMD processors).
TEXT ·scan4AVX512(SB), NOSPLIT, $0-40
	SCANSETUP
	LEAQ 1088(DI), BX
	LEAQ 1088(BX), DX
	LEAQ 1088(DX), R8
	TESTQ CX, CX
	JZ done

scan:
	SCANLOAD
	LIST(Z3, K1, DI)
	LIST(Z0, K2, BX)
	LIST(Z1, K3, DX)
	LIST(Z2, K4, R8)
	SCANNEXT
	DECQ CX
	JNZ scan

done: // the four lengths, from where each list's pointer ended
	MOVQ cnt+32(FP), CX
	MOVQ idx+24(FP), AX
	SUBQ AX, DI
	SHRQ $2, DI
	MOVQ DI, 0(CX)
	ADDQ $1088, AX
	SUBQ AX, BX
	SHRQ $2, BX
	MOVQ BX, 8(CX)
	ADDQ $1088, AX
	SUBQ AX, DX
	SHRQ $2, DX
	MOVQ DX, 16(CX)
	ADDQ $1088, AX
	SUBQ AX, R8
	SHRQ $2, R8
	MOVQ R8, 24(CX)
	VZEROUPPER
	RET

// func scan1AVX512(n int, a *float32, rsA int, idx *int32, cnt *int)
//
// scan4AVX512's first list alone: the steps at which some of the six rows
// is not zero, to idx[0], and its length to cnt[0].
TEXT ·scan1AVX512(SB), NOSPLIT, $0-40
	SCANSETUP
	TESTQ CX, CX
	JZ done1

scan1:
	SCANLOAD
	LIST(Z3, K1, DI)
	SCANNEXT
	DECQ CX
	JNZ scan1

done1:
	MOVQ cnt+32(FP), CX
	MOVQ idx+24(FP), AX
	SUBQ AX, DI
	SHRQ $2, DI
	MOVQ DI, 0(CX)
	VZEROUPPER
	RET
