/*
 * lang.h: the OrionLang interpreter library (liblang).
 *
 * One lang_state holds a whole interpreter: globals, the heap with its
 * garbage collector, the value stack and the limits. States are independent;
 * a state is not thread-safe (use one per thread). liblang depends on libc
 * and libm only.
 *
 * Typical use:
 *     struct lang_limits lim = { .steps = 1000000, .mem_bytes = 64 << 20 };
 *     lang_state *L = lang_new(&lim);
 *     if (lang_run(L, "main.ol", src, len, NULL) != LANG_OK)
 *             fputs(lang_error_report(L), stderr);
 *     lang_close(L);
 *
 * Status codes: every int-returning function returns LANG_OK (0) or a
 * negative code: a negative errno for C-level failures (-ENOMEM, -EINVAL)
 * or one of the LANG_E* codes below.
 *
 * Caveats:
 *  - Values (lang_value) that refer to heap objects stay valid only while
 *    they are reachable from OrionLang: from a global, a live stack slot, an
 *    argument of the running host function or a reference taken with
 *    lang_ref(). The collector runs while OrionLang code runs and at the
 *    start of lang_load/lang_run/lang_run_repl/lang_set_limits, so anchor a
 *    value (set it as a global, put it in an anchored container, lang_ref
 *    it) before any of those, and before a host function calls lang_call.
 *  - Inside a host function, the allocating functions (lang_string,
 *    lang_list_push, lang_map_set, ...) do not return when the memory cap is
 *    exceeded: the state unwinds to the running lang_run/lang_call, like a
 *    limit firing. Host functions must therefore not hold resources (open
 *    files, malloc'd buffers) across those calls, or must free them first.
 *    Outside a run they return nil (or -ENOMEM) instead, and the state
 *    needs lang_set_limits() before it runs code again.
 *  - The C stack: compilation recurses up to a fixed nesting depth and
 *    host-to-OrionLang call nesting is bounded, so about 1 MiB of C stack
 *    is enough for any input.
 *  - The value stack is a fixed 1 MiB per state, allocated with malloc and
 *    not counted in mem_bytes; call depth is limited to LANG_MAX_DEPTH.
 *  - Strings are byte strings; nothing validates UTF-8 except the functions
 *    that iterate code points (invalid bytes come out one by one).
 *  - Step, memory and deadline limits are fatal: OrionLang try/catch cannot
 *    catch them, and the state must not be used to run more code until
 *    lang_set_limits() gives it a new budget (it can always be closed).
 */
#ifndef ORION_LANG_H
#define ORION_LANG_H

#include <stddef.h>
#include <stdint.h>

#define LANG_VERSION "0.1.0"
/* Maximum OrionLang call depth; deeper calls raise "stack overflow". */
#define LANG_MAX_DEPTH 1000

/* Status codes (negative); 0 is LANG_OK. */
enum lang_status {
	LANG_OK = 0,
	LANG_ESYNTAX = -1000,   /* compile error */
	LANG_ERUNTIME = -1001,  /* uncaught runtime error or error(v) */
	LANG_ESTEPS = -1002,    /* step budget exhausted (fatal) */
	LANG_EMEM = -1003,      /* memory limit exceeded (fatal) */
	LANG_EDEADLINE = -1004, /* deadline exceeded (fatal) */
	LANG_EEXIT = -1005,     /* proc.exit(n) called; see lang_exit_code() */
	LANG_EINTR = -1006,     /* lang_interrupt() stopped the run (fatal) */
};

/* Value types, as type() names them (LANG_HOST shows its own type name). */
typedef enum lang_type {
	LANG_NIL, LANG_BOOL, LANG_INT, LANG_FLOAT, LANG_STRING, LANG_LIST,
	LANG_MAP, LANG_FUNCTION, LANG_HOST
} lang_type;

typedef struct lang_state lang_state;
struct lang_obj;

/* A value. Treat the members as private: use the functions below. */
typedef struct lang_value {
	uint8_t tag;
	union {
		int b;
		int64_t i;
		double f;
		struct lang_obj *o;
	} u;
} lang_value;

/* Limits of a state; 0 in a field means unlimited. */
struct lang_limits {
	uint64_t steps;       /* calls + backward jumps allowed in total */
	size_t mem_bytes;     /* heap bytes allowed (strings, lists, maps...) */
	uint64_t deadline_ns; /* wall-clock time allowed, counted from the
	                         lang_new() or lang_set_limits() call */
};

/*
 * A host function. argv[0..argc-1] are the arguments (read-only; valid for
 * the call). Store the result in *ret (preset to nil). Return 0, or the
 * value of lang_error()/lang_raise() to raise an OrionLang error.
 */
typedef int (*lang_cfunc)(lang_state *L, int argc, const lang_value *argv,
			  lang_value *ret);

/* One entry of a module table; the array ends with { NULL, NULL }. */
struct lang_reg {
	const char *name;
	lang_cfunc fn;
};

/* A host object type. name shows in type() and errors; fini (may be NULL)
 * runs when the object is collected; methods (may be NULL) serve obj.name(). */
struct lang_host_type {
	const char *name;
	void (*fini)(void *ptr);
	const struct lang_reg *methods;
};

/* ---- states ---- */

/* Create a state with limits (NULL: no limits) and the standard library
 * (print, str, ..., string, list, map, math, json, and proc without env).
 * No clock, randomness, env, fs or db: grant them below. NULL on ENOMEM. */
lang_state *lang_new(const struct lang_limits *lim);
/* Free the state and everything in it. NULL is allowed. */
void lang_close(lang_state *L);
/* Replace the limits, restart the deadline and the step count, and make a
 * state on which a limit fired usable again. Returns 0. */
int lang_set_limits(lang_state *L, const struct lang_limits *lim);
/* Ask the running code to stop soon with "interrupted" (LANG_EINTR, fatal
 * like a limit). Async-signal-safe: meant for a SIGINT handler. */
void lang_interrupt(lang_state *L);
/* Steps and heap bytes used so far. */
uint64_t lang_steps_used(const lang_state *L);
size_t lang_mem_used(const lang_state *L);

/* ---- running code ---- */

/* Compile src (len bytes; chunk names the file in errors) into a function
 * of no arguments, stored in *fn. Returns 0 or LANG_ESYNTAX (see the error
 * functions). The source text is kept for error reports. *fn is not
 * anchored: call it or lang_ref() it before running other code. */
int lang_load(lang_state *L, const char *chunk, const char *src, size_t len,
	      lang_value *fn);
/* lang_load then lang_call; *result (may be NULL) gets the chunk's return
 * value. Returns 0 or a LANG_E* code. */
int lang_run(lang_state *L, const char *chunk, const char *src, size_t len,
	     lang_value *result);
/* Like lang_run, for the REPL: top-level `let` and `fn` define globals, and
 * a source that is one expression returns its value. */
int lang_run_repl(lang_state *L, const char *chunk, const char *src,
		  size_t len, lang_value *result);
/* 1 if src fails to compile only because it ends too early (an unclosed
 * bracket, string or block): the REPL then reads more lines. */
int lang_incomplete(lang_state *L, const char *src, size_t len);
/* Call fn with argc arguments; *ret (may be NULL) gets the result. Safe to
 * use inside a host function: an error is returned, not propagated (return
 * it from the host function to propagate it). Returns 0 or LANG_E*. */
int lang_call(lang_state *L, lang_value fn, int argc, const lang_value *argv,
	      lang_value *ret);
/* lang_call on the global called name; -ENOENT if it is not set. */
int lang_call_global(lang_state *L, const char *name, int argc,
		     const lang_value *argv, lang_value *ret);

/* ---- errors ---- */

/* In a host function: record a runtime error with a printf message and
 * return LANG_ERUNTIME for the host function to return. */
int lang_error(lang_state *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* In a host function: raise v as error(v) does; returns LANG_ERUNTIME. */
int lang_raise(lang_state *L, lang_value v);
/* After a failed call: "FILE:LINE:COL: message" (compile or runtime), or
 * just the message when there is no location. Valid until the next run. */
const char *lang_error_message(const lang_state *L);
/* The message, then the source line and a caret under the column, then for
 * runtime errors the stack trace ("  at NAME (FILE:LINE:COL)" lines). Ends
 * with a newline. */
const char *lang_error_report(const lang_state *L);
/* The raised value: error(v)'s v, or the message string. */
lang_value lang_error_value(const lang_state *L);
/* The code given to proc.exit() after LANG_EEXIT. */
int lang_exit_code(const lang_state *L);

/* ---- globals and host bindings ---- */

/* Set or read a global. lang_get_global returns nil when it is not set. */
int lang_set_global(lang_state *L, const char *name, lang_value v);
lang_value lang_get_global(lang_state *L, const char *name);
/* Bind a host function as a global. Returns 0. */
int lang_bind(lang_state *L, const char *name, lang_cfunc fn);
/* Bind a module: the global map name (created if absent) gets one function
 * per entry of fns. Returns 0. */
int lang_bind_module(lang_state *L, const char *name,
		     const struct lang_reg *fns);
/* A function value for a host function (name shows in traces). */
lang_value lang_function(lang_state *L, const char *name, lang_cfunc fn);
/* Output of print and proc.stdout/stderr (stream 1 or 2). Default: stdio.
 * The writer returns 0 or a negative errno (which raises an error). */
typedef int (*lang_writer)(void *ud, int stream, const char *buf, size_t n);
void lang_set_writer(lang_state *L, lang_writer w, void *ud);

/* Grants: bind the host-provided modules. Without them the modules are
 * absent, or raise "<module>: ... not granted". */
/* time.now() (seconds since the epoch, float) and time.monotonic(). */
int lang_grant_clock(lang_state *L);
/* random.int(a, b), random.float(), random.choice(list); seed 0 takes
 * the seed from the OS. */
int lang_grant_random(lang_state *L, uint64_t seed);
/* proc.env(name) -> string or nil, and proc.environ() -> map. */
int lang_grant_env(lang_state *L);
/* proc.args: the list of argv[0..argc-1]. */
int lang_set_args(lang_state *L, int argc, char *const argv[]);
/* proc.stdin.read_line() (string, nil at end of input) and read(). */
int lang_grant_stdin(lang_state *L);
/* fs: read, write, append, exists, remove, list, mkdir on host files. */
int lang_open_host_fs(lang_state *L);
/* db: an in-memory key/value store (get, put, delete, has, keys(prefix)). */
int lang_open_memory_db(lang_state *L);

/* ---- values ---- */

lang_value lang_nil(void);
lang_value lang_bool(int b);
lang_value lang_int(int64_t i);
lang_value lang_float(double f);
/* A new string holding a copy of s[0..len-1]. */
lang_value lang_string(lang_state *L, const char *s, size_t len);
lang_value lang_cstring(lang_state *L, const char *s);
lang_value lang_list_new(lang_state *L);
lang_value lang_map_new(lang_state *L);
/* A host object wrapping ptr; ty must outlive the state. */
lang_value lang_host_new(lang_state *L, const struct lang_host_type *ty,
			 void *ptr);

lang_type lang_typeof(lang_value v);
/* type() of v: "nil" ... "function", or the host type's name. */
const char *lang_typename(lang_value v);
/* Truthiness: everything but nil and false is true. */
int lang_truthy(lang_value v);
/* 0 and *out set if v is an int (or a float with an integral value). */
int lang_to_int(lang_value v, int64_t *out);
/* 0 and *out set if v is a number. */
int lang_to_float(lang_value v, double *out);
/* The bytes of a string value (NUL-terminated; *len may be NULL); NULL
 * when v is not a string. Valid while v is. */
const char *lang_to_string(lang_value v, size_t *len);
/* str(v) as a new string value. */
lang_value lang_tostr(lang_state *L, lang_value v);
/* The host pointer of v if v is a host object of type ty, else NULL. */
void *lang_host_ptr(lang_value v, const struct lang_host_type *ty);

/* Lists: length, element i (nil when out of range), append. */
size_t lang_list_len(lang_value list);
lang_value lang_list_get(lang_value list, size_t i);
int lang_list_push(lang_state *L, lang_value list, lang_value v);
/* Maps: set, get (0 if found, -ENOENT if not), length, and iteration in
 * insertion order: start with *iter = 0; returns 1 and sets *key and *val
 * per entry, 0 at the end. */
int lang_map_set(lang_state *L, lang_value map, lang_value key,
		 lang_value v);
int lang_map_setstr(lang_state *L, lang_value map, const char *key,
		    lang_value v);
int lang_map_get(lang_state *L, lang_value map, lang_value key,
		 lang_value *out);
size_t lang_map_len(lang_value map);
int lang_map_next(lang_value map, size_t *iter, lang_value *key,
		  lang_value *val);

/* Keep v alive until lang_unref; returns a reference id (>= 0) or
 * -ENOMEM. */
int lang_ref(lang_state *L, lang_value v);
lang_value lang_getref(lang_state *L, int ref);
void lang_unref(lang_state *L, int ref);

#endif
