/*
 * opcodes.h: the bytecode. Instructions are 32 bits: op:8 A:8 B:8 C:8,
 * or op:8 A:8 Bx:16 (sBx biased by SBX_BIAS), or op:8 sJ:24.
 * R[x] is register x of the frame, K[x] constant x, U[x] upvalue x.
 */
#ifndef ORION_LANG_OPCODES_H
#define ORION_LANG_OPCODES_H

#include <stdint.h>

#define SBX_BIAS 32767
#define SJ_BIAS (1 << 23)

#define OPCODES(X) \
	X(MOVE)      /* R[A] = R[B] */ \
	X(LOADK)     /* R[A] = K[Bx] */ \
	X(LOADI)     /* R[A] = sBx */ \
	X(LOADNIL)   /* R[A] = nil */ \
	X(LOADBOOL)  /* R[A] = B; if C then pc++ */ \
	X(GETUP)     /* R[A] = U[B] */ \
	X(SETUP)     /* U[B] = R[A] */ \
	X(GETG)      /* R[A] = globals[K[Bx]] (error if undefined) */ \
	X(SETG)      /* globals[K[Bx]] = R[A] (error if undefined) */ \
	X(DEFG)      /* globals[K[Bx]] = R[A] */ \
	X(GETIDX)    /* R[A] = R[B][R[C]] */ \
	X(GETFIELD)  /* R[A] = R[B][K[C]] (m.k syntax) */ \
	X(GETIDXK)   /* R[A] = R[B][K[C]] (m["k"] syntax) */ \
	X(SETIDX)    /* R[A][R[B]] = R[C] */ \
	X(SETFIELD)  /* R[A][K[B]] = R[C] */ \
	X(NEWLIST)   /* R[A] = [] (capacity B) */ \
	X(LISTPUSH)  /* R[A].push(R[B]) */ \
	X(NEWMAP)    /* R[A] = {} (capacity B) */ \
	X(MAPSET)    /* R[A][R[B]] = R[C], for literals */ \
	X(ADD) X(SUB) X(MUL) X(DIV) X(IDIV) X(MOD) X(POW) \
	X(BAND) X(BOR) X(BXOR) X(SHL) X(SHR)   /* R[A] = R[B] op R[C] */ \
	X(ADDK) X(SUBK) X(MULK) X(DIVK) X(IDIVK) X(MODK) X(POWK) \
	X(BANDK) X(BORK) X(BXORK) X(SHLK) X(SHRK) /* R[A] = R[B] op K[C] */ \
	X(NEG) X(BNOT) X(NOT)  /* R[A] = op R[B] */ \
	X(EQ)        /* if ((R[A] == R[B]) != (C&1)) pc++ */ \
	X(LT)        /* if ((R[A] <  R[B]) != (C&1)) pc++; C&2: operands swapped */ \
	X(LE)        /* if ((R[A] <= R[B]) != (C&1)) pc++ */ \
	X(EQK)       /* if ((R[A] == K[B]) != C) pc++ */ \
	X(LTK) X(LEK) X(GTK) X(GEK) /* R[A] op K[B] (numbers) */ \
	X(TEST)      /* if (truthy(R[A]) != C) pc++ */ \
	X(JMP)       /* pc += sJ */ \
	X(LOOP)      /* pc += sJ (backward; counts a step) */ \
	X(SLICE)     /* R[A] = R[B][R[C]:R[C+1]] */ \
	X(CLOSURE)   /* R[A] = closure(protos[Bx]) */ \
	X(CALL)      /* R[A] = R[A](R[A+1..A+B]) */ \
	X(CALLM)     /* R[A] = R[A+1].K[next word](R[A+2..A+1+B]) */ \
	X(RET)       /* return R[A] */ \
	X(RET0)      /* return nil */ \
	X(TRY)       /* push handler: catch at pc+sBx, value to R[A] */ \
	X(ENDTRY)    /* pop A handlers */ \
	X(CLOSE)     /* close upvalues >= R[A] */ \
	X(FORPREP)   /* range loop over R[A..A+2], var R[A+3]; empty: pc += sBx */ \
	X(FORLOOP)   /* next range value; if any pc += sBx (backward) */ \
	X(ITERPREP)  /* check R[A] is iterable; R[A+1] = R[A+2] = 0 */ \
	X(ITERNEXT)  /* next item into R[A+3] (and R[A+4] when B == 2), pc++ */

enum {
#define OPENUM(name) OP_##name,
	OPCODES(OPENUM)
#undef OPENUM
	OP__COUNT
};

#define GET_OP(i) ((int)((i) & 0xff))
#define GET_A(i) ((int)(((i) >> 8) & 0xff))
#define GET_B(i) ((int)(((i) >> 16) & 0xff))
#define GET_C(i) ((int)((i) >> 24))
#define GET_BX(i) ((int)((i) >> 16))
#define GET_SBX(i) (GET_BX(i) - SBX_BIAS)
#define GET_SJ(i) ((int)((i) >> 8) - SJ_BIAS)

#define MK_ABC(o, a, b, c) \
	((uint32_t)(o) | (uint32_t)(a) << 8 | (uint32_t)(b) << 16 | (uint32_t)(c) << 24)
#define MK_ABX(o, a, bx) ((uint32_t)(o) | (uint32_t)(a) << 8 | (uint32_t)(bx) << 16)
#define MK_SJ(o, sj) ((uint32_t)(o) | (uint32_t)((sj) + SJ_BIAS) << 8)

#endif
