/*
 * internal.h: liblang internals shared by its modules.
 *
 * Modules and prefixes: lang_lex_ (lex.c), lang_parse_ (parse.c),
 * lang_code_ (compile.c), lang_vm_ (vm.c), lang_gc_/lang_mem_ (gc.c),
 * lang_str_/lang_list_/lang_map_ objects (object.c), lang_fmt_ (format.c),
 * lang_lib_ (lib*.c), lang_json_ (json.c).
 */
#ifndef ORION_LANG_INTERNAL_H
#define ORION_LANG_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lang/lang.h"

typedef lang_value Value;

/* Value tags: the public types, then internal object kinds. */
enum {
	T_NIL = LANG_NIL, T_BOOL = LANG_BOOL, T_INT = LANG_INT,
	T_FLOAT = LANG_FLOAT, T_STR = LANG_STRING, T_LIST = LANG_LIST,
	T_MAP = LANG_MAP, T_FUNC = LANG_FUNCTION, T_HOST = LANG_HOST,
	T_CFUNC, T_PROTO, T_UPVAL, T_DEAD /* deleted map entry */
};

typedef struct GCObj {
	struct GCObj *next;
	uint8_t type;
	uint8_t marked;
} GCObj;

typedef struct String {
	GCObj h;
	uint8_t interned;
	uint8_t hashed;
	uint32_t hash;
	size_t len;
	size_t alloc; /* bytes allocated for data, minus the NUL */
	char data[];
} String;

/* Intern table slot: s NULL (empty), STR_TOMB (deleted) or a string. */
typedef struct StrSlot {
	uint32_t hash;
	String *s;
} StrSlot;
#define STR_TOMB ((String *)1)

typedef struct List {
	GCObj h;
	size_t len, cap;
	Value *items;
} List;

typedef struct MapEntry {
	Value key, val;
} MapEntry;

typedef struct Map {
	GCObj h;
	uint32_t count;  /* live entries */
	uint32_t nent;   /* used entries, live or dead */
	uint32_t cap;    /* entries allocated */
	uint32_t mask;   /* index size - 1 (0 when no index) */
	MapEntry *ent;
	int32_t *idx;    /* -1 empty, else entry index */
	uint32_t epoch;  /* compactions so far */
	uint32_t ndead;
	uint32_t *dead;  /* positions dropped by the last compaction */
} Map;

typedef struct LineInfo {
	int32_t line, col;
} LineInfo;

typedef struct UpvalDesc {
	uint8_t instack; /* 1: enclosing function's register; 0: its upvalue */
	uint8_t idx;
} UpvalDesc;

typedef struct Proto {
	GCObj h;
	uint32_t *code;
	LineInfo *lines;
	Value *k;
	struct Proto **protos;
	UpvalDesc *updesc;
	String *name;   /* NULL: anonymous */
	String *chunk;  /* file name */
	String *source; /* whole source text, for carets */
	int ncode, nk, nprotos, nup;
	int line, col;
	uint8_t nparams, vararg, maxregs;
	uint8_t needs_close; /* has captured locals or try: RET must clean up */
} Proto;

typedef struct UpVal {
	GCObj h;
	Value *v;       /* points into the stack while open, else at closed */
	Value closed;
	struct UpVal *open_next;
} UpVal;

typedef struct Closure {
	GCObj h;
	Proto *p;
	int nup;
	UpVal *up[];
} Closure;

typedef struct CFunc {
	GCObj h;
	lang_cfunc fn;
	const char *name; /* static string */
} CFunc;

typedef struct Host {
	GCObj h;
	const struct lang_host_type *ty;
	void *ptr;
} Host;

/* One OrionLang call frame. */
typedef struct CallInfo {
	Closure *cl;
	const uint32_t *pc; /* saved pc (next instruction) */
	Value *base;
} CallInfo;

/* An active try block. */
typedef struct Handler {
	int ci;              /* index of the frame */
	int cdepth;
	const uint32_t *pc;  /* catch code */
	int reg;             /* register for the caught value */
} Handler;

/* A protected boundary (setjmp) on the C stack. */
typedef struct ErrJmp {
	jmp_buf b;
	struct ErrJmp *prev;
	int status;
} ErrJmp;

#define STACK_SLOTS 65536
#define MAX_CDEPTH 60
#define INTERN_MAX 40

struct lang_state {
	/* heap */
	GCObj *objects;
	size_t bytes, next_gc, mem_cap;
	bool gc_running;
	struct StrSlot *strtab; /* intern table, open addressing */
	uint32_t strcap, strcount, strused; /* slots, live, live + deleted */
	/* stack */
	Value *stack, *stack_end, *top, *hwm;
	CallInfo *cis;
	int ci;          /* current frame index; -1 when none */
	int cdepth;
	UpVal *open_up;
	Handler *handlers;
	int nhandlers, caphandlers, handler_floor;
	ErrJmp *errjmp;
	/* globals and modules */
	Map *globals;
	Map *mod_string, *mod_list, *mod_map;
	Map *refs;
	int nextref;
	String *s_names[16]; /* type names, interned, see lang_typename */
	/* limits */
	uint64_t steps_limit, steps_used;
	int64_t tick;        /* countdown to the next slow-path check */
	int64_t tick_start;
	uint64_t deadline;   /* CLOCK_MONOTONIC ns; 0 none */
	bool gc_wanted;
	volatile int interrupted; /* set by lang_interrupt() */
	int dead;            /* a fatal limit fired: status code */
	/* errors */
	int status;
	Value errval;
	bool err_located; /* errval is a message with its location */
	char *errmsg;    /* "FILE:LINE:COL: msg" */
	char *errreport;
	int exit_code;
	/* compile scratch (freed on error) */
	void *compiling;
	/* output */
	lang_writer writer;
	void *writer_ud;
	/* random */
	uint64_t rng[2];
};

/* ---- values ---- */
#define V_NIL ((Value){.tag = T_NIL})
static inline Value v_int(int64_t i) { Value v; v.tag = T_INT; v.u.i = i; return v; }
static inline Value v_float(double f) { Value v; v.tag = T_FLOAT; v.u.f = f; return v; }
static inline Value v_bool(int b) { Value v; v.tag = T_BOOL; v.u.i = 0; v.u.b = !!b; return v; }
static inline Value v_obj(int tag, void *o) { Value v; v.tag = (uint8_t)tag; v.u.o = (struct lang_obj *)o; return v; }
#define AS_STR(v) ((String *)(v).u.o)
#define AS_LIST(v) ((List *)(v).u.o)
#define AS_MAP(v) ((Map *)(v).u.o)
#define AS_CL(v) ((Closure *)(v).u.o)
#define AS_CF(v) ((CFunc *)(v).u.o)
#define AS_HOST(v) ((Host *)(v).u.o)
#define IS_OBJ(v) ((v).tag >= T_STR && (v).tag < T_DEAD)
#define TRUTHY(v) ((v).tag > T_BOOL || ((v).tag == T_BOOL && (v).u.b))

/* ---- memory and GC (gc.c) ---- */
/* Resize a block; counts bytes, raises "memory limit exceeded" (fatal). */
void *lang_mem_realloc(lang_state *L, void *p, size_t old, size_t new_size);
void *lang_gc_new(lang_state *L, int type, size_t size);
/* Run a full collection now; only at safe points (all values rooted). */
void lang_gc_collect(lang_state *L);
void lang_gc_free_all(lang_state *L);
#define MEM_FREE(L, p, n) lang_mem_realloc((L), (p), (n), 0)

/* ---- objects (object.c) ---- */
String *lang_str_new(lang_state *L, const char *s, size_t len);
/* A string to fill: len bytes uninitialised; not interned. */
String *lang_str_alloc(lang_state *L, size_t len);
/* Finish a string filled after lang_str_alloc (interns short ones). */
String *lang_str_done(lang_state *L, String *s);
String *lang_str_cstr(lang_state *L, const char *s);
uint32_t lang_str_hash(String *s);
bool lang_str_eq(const String *a, const String *b);
List *lang_list_alloc(lang_state *L, size_t cap);
void lang_list_append(lang_state *L, List *l, Value v);
void lang_list_reserve(lang_state *L, List *l, size_t cap);
Map *lang_map_alloc(lang_state *L, uint32_t cap);
/* Lookup; NULL if absent. */
Value *lang_map_find(Map *m, Value key);
Value *lang_map_findstr(Map *m, String *key);
/* Insert or overwrite; raises on a bad key. */
void lang_map_put(lang_state *L, Map *m, Value key, Value v);
bool lang_map_del(lang_state *L, Map *m, Value key);
/* Iterate: returns the next live entry at or after *i, NULL at end. */
MapEntry *lang_map_iter(Map *m, uint32_t *i);
/* Translate an iteration position saved at *epoch to the current layout. */
uint32_t lang_map_iter_fix(Map *m, uint32_t i, uint32_t *epoch);
Closure *lang_closure_new(lang_state *L, Proto *p);
Proto *lang_proto_new(lang_state *L);
CFunc *lang_cfunc_new(lang_state *L, const char *name, lang_cfunc fn);
bool lang_values_equal(Value a, Value b);
bool lang_valid_key(Value *k);
const char *lang_type_name(Value v);

/* ---- formatting (format.c) ---- */
typedef struct Buf {
	lang_state *L;
	String *s;
	char *p;
	size_t len, cap;
} Buf;
void lang_buf_init(Buf *b, lang_state *L);
void lang_buf_add(Buf *b, const char *s, size_t n);
void lang_buf_addc(Buf *b, char c);
void lang_buf_adds(Buf *b, const char *s);
void lang_buf_printf(Buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lang_buf_free(Buf *b);
String *lang_buf_tostr(Buf *b); /* frees the buffer */
/* Append str(v) (quoted strings when quote). */
void lang_fmt_value(Buf *b, Value v, bool quote, int depth);
void lang_fmt_float(char *out, size_t n, double d);
String *lang_tostring(lang_state *L, Value v);

/* ---- errors (vm.c) ---- */
/* Raise a runtime error "msg" located at the running instruction. */
_Noreturn void lang_rt_error(lang_state *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Raise value v (error(v)). */
_Noreturn void lang_throw_value(lang_state *L, Value v);
/* Raise a fatal limit error (status LANG_ESTEPS...). */
_Noreturn void lang_fatal(lang_state *L, int status, const char *msg);
/* Run f(L, ud) protected: returns 0 or the error status. */
int lang_vm_pcall(lang_state *L, void (*f)(lang_state *, void *), void *ud);

/* ---- VM (vm.c) ---- */
/* Call the function at fslot with nargs arguments after it; the result
 * replaces *fslot. Unprotected (errors propagate). */
void lang_vm_call(lang_state *L, Value *fslot, int nargs);
/* Call f(args) from C with the arguments copied above L->top; returns the
 * result. Unprotected. */
Value lang_vm_callv(lang_state *L, Value f, int nargs, const Value *args);
void lang_vm_slow_tick(lang_state *L);
Value lang_method_lookup(lang_state *L, Value recv, String *name, bool *pass_self);
/* Stack push for C functions' temporaries (rooted). */
Value *lang_push(lang_state *L, Value v);
/* Protected call for the API: 0 or a LANG_E* status. */
int lang_vm_protected_call(lang_state *L, Value fn, int argc,
			   const Value *argv, Value *ret);
uint64_t lang_now_ns(void);

/* ---- compiler (lex.c, parse.c, compile.c) ---- */
/* Compile; returns the main Proto or NULL with the error set. */
Proto *lang_compile(lang_state *L, const char *chunk, const char *src,
		    size_t len, bool repl, bool *incomplete);

/* ---- libraries ---- */
void lang_lib_open_base(lang_state *L);
void lang_lib_open_string(lang_state *L);
void lang_lib_open_list(lang_state *L);
void lang_lib_open_math(lang_state *L);
void lang_lib_open_json(lang_state *L);
void lang_lib_open_proc(lang_state *L);
void lang_lib_open_map(lang_state *L);
void lang_lib_open_time(lang_state *L);
bool lang_is_stream_writer(lang_cfunc f);
Map *lang_lib_module(lang_state *L, const char *name);
void lang_lib_set(lang_state *L, Map *m, const char *name, Value v);
void lang_lib_reg(lang_state *L, Map *m, const struct lang_reg *r);
int lang_lib_write(lang_state *L, int stream, const char *s, size_t n);
/* Argument checking helpers for builtins: they raise "NAME: ..." errors
 * when argument i (0-based) is missing or has the wrong type. */
void lang_arg_count(lang_state *L, const char *fn, int argc, int min, int max);
int64_t lang_arg_int(lang_state *L, const char *fn, int argc, const Value *a, int i);
double lang_arg_num(lang_state *L, const char *fn, int argc, const Value *a, int i);
String *lang_arg_str(lang_state *L, const char *fn, int argc, const Value *a, int i);
List *lang_arg_list(lang_state *L, const char *fn, int argc, const Value *a, int i);
Map *lang_arg_map(lang_state *L, const char *fn, int argc, const Value *a, int i);
void lang_arg_func(lang_state *L, const char *fn, int argc, const Value *a, int i);
/* format(): fmt with {} placeholders filled from args. */
String *lang_format(lang_state *L, const char *fn, String *fmt, int argc, const Value *args);
/* Compare a < b for sort (numbers or strings), raising on other types. */
bool lang_less(lang_state *L, Value a, Value b);
int lang_json_encode(lang_state *L, Buf *b, Value v, const char *indent, int depth);
Value lang_json_decode(lang_state *L, const char *s, size_t n);

/* UTF-8: length of the sequence starting at s (1 for an invalid byte). */
size_t lang_utf8_len(const unsigned char *s, size_t n);
int lang_utf8_encode(char *out, uint32_t cp);

#endif
