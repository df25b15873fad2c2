/*
 * ast.h: tokens, the lexer, AST nodes and the compile context shared by
 * lex.c, parse.c and compile.c.
 */
#ifndef ORION_LANG_AST_H
#define ORION_LANG_AST_H

#include "lang/internal.h"

enum {
	TK_EOF = 256, TK_NAME, TK_INT, TK_FLOAT, TK_STRING,
	/* keywords */
	TK_LET, TK_FN, TK_IF, TK_ELSE, TK_WHILE, TK_FOR, TK_IN, TK_BREAK,
	TK_CONTINUE, TK_RETURN, TK_TRY, TK_CATCH, TK_AND, TK_OR, TK_NOT,
	TK_NIL, TK_TRUE, TK_FALSE,
	/* multi-character operators */
	TK_EQ, TK_NE, TK_LE, TK_GE, TK_SHL, TK_SHR, TK_POW, TK_IDIV,
	TK_ADDEQ, TK_SUBEQ, TK_MULEQ, TK_DIVEQ, TK_ELLIPSIS
};

typedef struct Token {
	int kind;
	int line, col;
	int64_t i;
	double f;
	String *s;
} Token;

typedef struct Arena Arena;

/* Everything one compilation owns; reachable from L->compiling so an
 * error can free it. */
typedef struct Compile {
	lang_state *L;
	const char *chunk;
	const char *src;
	size_t len;
	String *chunk_s, *source_s;
	Arena *arena;
	bool *incomplete;
	bool repl;
	int depth; /* parser nesting, bounded */
	/* lexer */
	size_t pos, line_start;
	int line;
	Token tok, ahead;
	bool has_ahead;
	int prev_kind, prev_line;
} Compile;

/* AST node kinds. */
enum {
	/* expressions */
	N_NIL, N_TRUE, N_FALSE, N_INT, N_FLOAT, N_STR, N_NAME, N_BIN, N_AND,
	N_OR, N_NOT, N_NEG, N_BNOT, N_CMP, N_INDEX, N_FIELD, N_SLICE, N_CALL,
	N_METHOD, N_LIST, N_MAP, N_FUNC,
	/* statements */
	S_LET, S_FN, S_ASSIGN, S_EXPR, S_IF, S_WHILE, S_FOR, S_BREAK,
	S_CONTINUE, S_RETURN, S_TRY, S_BLOCK
};

typedef struct Node Node;
typedef struct FuncNode FuncNode;

struct Node {
	uint8_t kind;
	int16_t op;       /* operator token for N_BIN/N_CMP/S_ASSIGN */
	int line, col;
	Node *a, *b, *c;  /* operands / children */
	Node **list;      /* args, items, statements, map keys (pairs) */
	int n;
	String *s, *s2;   /* names, string literal, method name */
	int64_t i;
	double f;
	FuncNode *fn;
};

struct FuncNode {
	String *name;     /* NULL: anonymous */
	String **params;
	int nparams;
	bool vararg;
	Node *body;       /* S_BLOCK */
	int line, col;
};

_Noreturn void lang_compile_error(Compile *C, int line, int col,
				  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void *lang_arena_alloc(Compile *C, size_t n);

/* lexer */
void lang_lex_init(Compile *C);
void lang_lex_next(Compile *C);
const Token *lang_lex_peek(Compile *C);
/* Printable name of a token kind; one is scratch space for 1-char kinds. */
const char *lang_lex_name(int kind, char one[4]);

/* parser: the whole chunk as a function node */
FuncNode *lang_parse_chunk(Compile *C);
/* compiler */
Proto *lang_code_function(Compile *C, FuncNode *f);

#endif
