/*
 * test_lang.c: unit tests of liblang: lexer, parser, VM, library, API and
 * limits.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ast.h"
#include "lang/lang.h"
#include "tests/unit/unit.h"

/* ---- helpers ---- */

static char outbuf[65536];
static size_t outlen;

static int capture(void *ud, int stream, const char *buf, size_t n)
{
	(void)ud;
	(void)stream;
	if (outlen + n >= sizeof outbuf)
		n = sizeof outbuf - outlen - 1;
	memcpy(outbuf + outlen, buf, n);
	outlen += n;
	outbuf[outlen] = 0;
	return 0;
}

static lang_state *new_state(const struct lang_limits *lim)
{
	lang_state *L = lang_new(lim);
	ck_assert_ptr_nonnull(L);
	outlen = 0;
	outbuf[0] = 0;
	lang_set_writer(L, capture, NULL);
	return L;
}

/* Run src; return the status; output is in outbuf. */
static int run(lang_state *L, const char *src)
{
	outlen = 0;
	outbuf[0] = 0;
	return lang_run(L, "t.ol", src, strlen(src), NULL);
}

/* Run src expecting success and exactly the output want. */
static void expect_out(const char *src, const char *want)
{
	lang_state *L = new_state(NULL);
	int st = run(L, src);
	ck_assert_msg(st == 0, "%s: %s", src, lang_error_report(L));
	ck_assert_str_eq(outbuf, want);
	lang_close(L);
}

/* Run src expecting status st and a message containing want. */
static void expect_err(const char *src, int want_st, const char *want)
{
	lang_state *L = new_state(NULL);
	int st = run(L, src);
	ck_assert_int_eq(st, want_st);
	ck_assert_msg(strstr(lang_error_message(L), want), "got '%s', want '%s'",
		      lang_error_message(L), want);
	lang_close(L);
}

/* ---- lexer ---- */

struct lexrun {
	const char *src;
	int kinds[32];
	int n;
	Token toks[32];
};

static void do_lex(lang_state *L, void *ud)
{
	struct lexrun *r = ud;
	Compile C;
	bool inc = false;
	memset(&C, 0, sizeof C);
	C.L = L;
	C.chunk = "lex";
	C.src = r->src;
	C.len = strlen(r->src);
	C.incomplete = &inc;
	lang_lex_init(&C);
	for (r->n = 0; r->n < 32; r->n++) {
		lang_lex_next(&C);
		r->toks[r->n] = C.tok;
		r->kinds[r->n] = C.tok.kind;
		if (C.tok.kind == TK_EOF)
			break;
	}
}

START_TEST(lex_tokens)
{
	lang_state *L = new_state(NULL);
	struct lexrun r = { .src = "let x = 0x2a + 1_000 // 3 /* c */ 'a\\n'\n// all\n**" };
	ck_assert_int_eq(lang_vm_pcall(L, do_lex, &r), 0);
	int want[] = { TK_LET, TK_NAME, '=', TK_INT, '+', TK_INT, TK_IDIV, TK_INT,
		       TK_STRING, TK_POW, TK_EOF };
	ck_assert_int_eq(r.n + 1, (int)(sizeof want / sizeof want[0]));
	for (int i = 0; i <= r.n; i++)
		ck_assert_int_eq(r.kinds[i], want[i]);
	ck_assert_int_eq(r.toks[3].i, 42);
	ck_assert_int_eq(r.toks[5].i, 1000);
	ck_assert_str_eq(r.toks[8].s->data, "a\n");
	ck_assert_int_eq(r.toks[9].line, 3);
	ck_assert_int_eq(r.toks[9].col, 1);
	lang_close(L);
}
END_TEST

START_TEST(lex_errors)
{
	expect_err("let s = \"abc", LANG_ESYNTAX, "t.ol:1:9: unterminated string");
	expect_err("let s = \"\\q\"", LANG_ESYNTAX, "unknown escape");
	expect_err("let n = 99999999999999999999", LANG_ESYNTAX, "number too large");
	expect_err("let n = 12abc", LANG_ESYNTAX, "malformed number");
	expect_err("/* open", LANG_ESYNTAX, "unterminated comment");
	expect_err("let a = 1 $ 2", LANG_ESYNTAX, "unexpected character '$'");
	expect_out("print(\"\\u{1F600}\" == \"\\xf0\\x9f\\x98\\x80\")", "true\n");
}
END_TEST

/* ---- parser ---- */

START_TEST(parse_errors)
{
	expect_err("if a < b < c {}", LANG_ESYNTAX, "comparison operators do not chain");
	expect_err("y = 2", LANG_ESYNTAX, "t.ol:1:1: undefined variable y");
	expect_err("let f = fn(a { }", LANG_ESYNTAX, "expected");
	expect_err("break", LANG_ESYNTAX, "break outside a loop");
	expect_err("1 + 2 = 3", LANG_ESYNTAX, "cannot assign");
	lang_state *L = new_state(NULL);
	ck_assert_int_eq(lang_incomplete(L, "fn f() {", 8), 1);
	ck_assert_int_eq(lang_incomplete(L, "let s = \"ab", 11), 1);
	ck_assert_int_eq(lang_incomplete(L, "let x = 1", 9), 0);
	ck_assert_int_eq(lang_incomplete(L, "let x = )", 9), 0);
	lang_close(L);
}
END_TEST

START_TEST(parse_nesting_bounded)
{
	size_t n = 100000;
	char *src = malloc(2 * n + 16);
	memset(src, '(', n);
	memset(src + n, ')', n);
	src[2 * n] = 0;
	lang_state *L = new_state(NULL);
	ck_assert_int_eq(run(L, src), LANG_ESYNTAX);
	ck_assert_ptr_nonnull(strstr(lang_error_message(L), "nesting too deep"));
	memset(src, '[', n);
	src[n] = 0;
	ck_assert_int_eq(run(L, src), LANG_ESYNTAX);
	free(src);
	lang_close(L);
}
END_TEST

START_TEST(parse_precedence)
{
	expect_out("print(-2 ** 2, 2 ** 3 ** 2, 1 + 2 * 3, (1 + 2) * 3, 7 // 2 * 2)",
		   "-4 512 7 9 6\n");
	expect_out("print(1 | 2 ^ 3 & 4, 1 << 2 + 1, not 1 == 2 and true or false)",
		   "3 8 true\n");
	expect_out("let x = 7 // 2; // comment\nprint(x)", "3\n");
}
END_TEST

/* ---- VM ---- */

START_TEST(vm_arith)
{
	expect_out("print(7 / 2, 7 // 2, -7 // 2, -7 % 3, 7 % -3, 2 ** 10, 2 ** -1)",
		   "3.5 3 -4 2 -2 1024 0.5\n");
	expect_out("print(0.1, 1.0, 1e20, 1 == 1.0, 3 < 3.5, \"a\" < \"b\", 1e15, -0.0)",
		   "0.1 1.0 1e+20 true true true 1000000000000000.0 -0.0\n");
	expect_err("print(9223372036854775807 + 1)", LANG_ERUNTIME, "integer overflow");
	expect_err("print(1 // 0)", LANG_ERUNTIME, "division by zero");
	expect_err("print(\"a\" + 1)", LANG_ERUNTIME, "t.ol:1:11: cannot add string and int");
	expect_err("print([] < [])", LANG_ERUNTIME, "cannot compare list and list");
}
END_TEST

START_TEST(vm_control)
{
	expect_out("let s = 0 for i in range(10) { if i % 2 == 0 { continue } if i > 7 { break } s += i } print(s)",
		   "16\n");
	expect_out("let n = 0 while n < 5 { n += 1 } print(n)", "5\n");
	expect_out("for i, c in \"añb\" { print(i, c) }", "0 a\n1 ñ\n2 b\n");
	expect_out("let m = {z: 1, a: 2} m.q = 3 for k, v in m { print(k, v) }",
		   "z 1\na 2\nq 3\n");
	expect_out("for x in range(10, 0, -3) { print(x) }", "10\n7\n4\n1\n");
}
END_TEST

START_TEST(vm_closures)
{
	expect_out("fn mk() { let c = 0 return fn() { c += 1 return c } }\n"
		   "let a = mk() let b = mk() a() a() print(a(), b())", "3 1\n");
	expect_out("let fs = [] for i in range(3) { fs.push(fn() { return i }) }\n"
		   "print(fs[0](), fs[1](), fs[2]())", "0 1 2\n");
	expect_out("fn even(n) { if n == 0 { return true } return odd(n - 1) }\n"
		   "fn odd(n) { if n == 0 { return false } return even(n - 1) }\n"
		   "print(even(10), odd(7))", "true true\n");
	expect_out("let fs = [] for i in range(2) { let j = i * 10 fs.push(fn() { return j }) continue }\n"
		   "let k = 0 while k < 2 { let j = k k += 1 fs.push(fn() { return j }) if true { continue } }\n"
		   "print(fs[0](), fs[1](), fs[2](), fs[3]())", "0 10 0 1\n");
	expect_out("fn f(a, ...r) { return [a, r] } print(f(1, 2, 3), f())",
		   "[1, [2, 3]] [nil, []]\n");
}
END_TEST

START_TEST(vm_try)
{
	expect_out("try { error({code: 7}) } catch e { print(e.code) }", "7\n");
	expect_out("try { [1][5] } catch e { print(e) }",
		   "t.ol:1:10: list index 5 out of range (length 1)\n");
	expect_out("fn f() { try { return 1 } catch e { return 2 } }\n"
		   "print(f()) try { error(\"x\") } catch e { print(e) }", "1\nx\n");
	expect_out("let r = [] for i in range(3) { try { if i == 1 { break } r.push(i) } catch e {} }\n"
		   "try { error(\"after\") } catch e { print(r, e) }", "[0] after\n");
	expect_out("let l = [3, 1, 2]\n"
		   "try { l.sort(fn(a, b) { error(\"cmp\") }) } catch e { print(e) }\n"
		   "print(l)", "cmp\n[3, 1, 2]\n");
}
END_TEST

START_TEST(vm_trace)
{
	lang_state *L = new_state(NULL);
	ck_assert_int_eq(run(L, "fn inner() { return nil + 1 }\nfn outer() { return inner() }\nouter()"),
			 LANG_ERUNTIME);
	const char *rep = lang_error_report(L);
	ck_assert_ptr_nonnull(strstr(rep, "t.ol:1:25: cannot add nil and int\n"));
	ck_assert_ptr_nonnull(strstr(rep, "\n                          ^\n"));
	ck_assert_ptr_nonnull(strstr(rep, "  at inner (t.ol:1:25)\n"));
	ck_assert_ptr_nonnull(strstr(rep, "  at outer (t.ol:2:21)\n"));
	ck_assert_ptr_nonnull(strstr(rep, "  at <main> (t.ol:3:1)\n"));
	lang_close(L);
}
END_TEST

START_TEST(lib_strings_lists)
{
	expect_out("print(\"a,b,,c\".split(\",\"), \" x \".trim(), \"ab\".repeat(3), \"Hi\".upper())",
		   "[\"a\", \"b\", \"\", \"c\"] x ababab HI\n");
	expect_out("print(\"-\".join([1, 2]), [1, 2].join(\"+\"), \"hello\".find(\"ll\"), \"héllo\".chars())",
		   "1-2 1+2 2 [\"h\", \"é\", \"l\", \"l\", \"o\"]\n");
	expect_out("let l = [5, 2, 8] l.sort() print(l, l.map(fn(x) { return x * 2 }),"
		   " l.filter(fn(x) { return x > 2 }), l.reduce(fn(a, b) { return a + b }))",
		   "[2, 5, 8] [4, 10, 16] [5, 8] 15\n");
	expect_out("let p = [[1, \"b\"], [0, \"a\"], [1, \"a\"]] p.sort(fn(x, y) { return x[0] < y[0] }) print(p)",
		   "[[0, \"a\"], [1, \"b\"], [1, \"a\"]]\n");
	expect_out("print(format(\"{}|{:5}|{:<4}|{:.2f}|{:x}|{{}}\", \"a\", 42, \"b\", 3.14159, 255))",
		   "a|   42|b   |3.14|ff|{}\n");
	expect_out("let m = {a: 1} print(map.keys(m), map.has(m, \"a\"), map.delete(m, \"a\"), len(m))",
		   "[\"a\"] true true 0\n");
}
END_TEST

START_TEST(lib_json)
{
	expect_out("print(json.encode({a: [1, 2.5, \"x\\n\"], b: nil, c: true}))",
		   "{\"a\":[1,2.5,\"x\\n\"],\"b\":null,\"c\":true}\n");
	expect_out("let v = json.decode(\"{\\\"k\\\": [1, -2.5e3, \\\"\\\\u00e9\\\"], \\\"z\\\": {}}\") print(v, type(v.k[0]))",
		   "{\"k\": [1, -2500.0, \"é\"], \"z\": {}} int\n");
	expect_err("json.decode(\"[1, 2\")", LANG_ERUNTIME, "json.decode: expected ',' or ']'");
	expect_err("json.decode(\"{\\\"a\\\" 1}\")", LANG_ERUNTIME, "line 1, column 6");
	expect_err("json.encode(print)", LANG_ERUNTIME, "cannot encode function");
}
END_TEST

/* ---- limits ---- */

START_TEST(limit_steps)
{
	struct lang_limits lim = { .steps = 10000 };
	lang_state *L = new_state(&lim);
	ck_assert_int_eq(run(L, "let i = 0 try { while true { i += 1 } } catch e { print(\"caught\") }"),
			 LANG_ESTEPS);
	ck_assert_ptr_nonnull(strstr(lang_error_message(L), "step budget exhausted"));
	ck_assert_str_eq(outbuf, "");
	/* dead until the limits are reset */
	ck_assert_int_eq(run(L, "print(1)"), LANG_ESTEPS);
	lang_set_limits(L, &lim);
	ck_assert_int_eq(run(L, "print(1)"), 0);
	ck_assert_str_eq(outbuf, "1\n");
	ck_assert_uint_le(lang_steps_used(L), 10);
	lang_close(L);
}
END_TEST

START_TEST(limit_memory)
{
	struct lang_limits lim = { .mem_bytes = 2u << 20 };
	lang_state *L = new_state(&lim);
	ck_assert_int_eq(run(L, "let s = \"x\" try { while true { s = s + s } } catch e { print(\"no\") }"),
			 LANG_EMEM);
	ck_assert_ptr_nonnull(strstr(lang_error_message(L), "memory limit exceeded"));
	lang_set_limits(L, &lim);
	ck_assert_int_eq(run(L, "let l = [] while true { l.push([1, 2, 3]) }"), LANG_EMEM);
	lang_set_limits(L, &lim);
	ck_assert_int_eq(run(L, "let m = {} for i in range(100000000) { m[i] = str(i) }"), LANG_EMEM);
	lang_set_limits(L, &lim);
	ck_assert_int_eq(run(L, "\"ab\".repeat(100000000)"), LANG_EMEM);
	lang_set_limits(L, &lim);
	/* garbage does not count once collected */
	ck_assert_int_eq(run(L, "let n = 0 for i in range(200000) { let t = [i, str(i)] n += len(t) } print(n)"), 0);
	ck_assert_str_eq(outbuf, "400000\n");
	ck_assert_uint_le(lang_mem_used(L), 2u << 20);
	lang_close(L);
}
END_TEST

START_TEST(limit_deadline)
{
	struct lang_limits lim = { .deadline_ns = 50000000 };
	lang_state *L = new_state(&lim);
	ck_assert_int_eq(run(L, "while true {}"), LANG_EDEADLINE);
	ck_assert_ptr_nonnull(strstr(lang_error_message(L), "deadline exceeded"));
	lang_set_limits(L, &lim);
	ck_assert_int_eq(run(L, "print(2)"), 0);
	lang_close(L);
}
END_TEST

START_TEST(limit_interrupt)
{
	lang_state *L = new_state(NULL);
	lang_interrupt(L);
	ck_assert_int_eq(run(L, "while true {}"), LANG_EINTR);
	ck_assert_ptr_nonnull(strstr(lang_error_message(L), "interrupted"));
	lang_set_limits(L, NULL);
	ck_assert_int_eq(run(L, "print(3)"), 0);
	ck_assert_str_eq(outbuf, "3\n");
	lang_close(L);
}
END_TEST

START_TEST(limit_recursion)
{
	expect_out("fn f(n) { return f(n + 1) } try { f(0) } catch e { print(e) } print(\"ok\")",
		   "t.ol:1:18: stack overflow\nok\n");
	/* C-level nesting through builtins is bounded too */
	expect_out("fn g(n) { return [n].map(fn(x) { return g(x + 1) }) }\n"
		   "try { g(0) } catch e { print(\"deep\") }", "deep\n");
	expect_out("fn s(n) { return [2, 1].sort(fn(a, b) { s(n + 1) return a < b }) }\n"
		   "try { s(0) } catch e { print(\"deep sort\") }", "deep sort\n");
}
END_TEST

/* ---- API ---- */

static int h_add(lang_state *L, int argc, const lang_value *argv, lang_value *ret)
{
	int64_t a, b;
	if (argc != 2 || lang_to_int(argv[0], &a) || lang_to_int(argv[1], &b))
		return lang_error(L, "add: expected two ints");
	*ret = lang_int(a + b);
	return 0;
}

static int h_twice(lang_state *L, int argc, const lang_value *argv, lang_value *ret)
{
	if (argc != 2)
		return lang_error(L, "twice: expected f and x");
	lang_value r;
	int st = lang_call(L, argv[0], 1, &argv[1], &r);
	if (st)
		return st;
	return lang_call(L, argv[0], 1, &r, ret);
}

static int fini_calls;
static void counter_fini(void *p)
{
	fini_calls++;
	free(p);
}
static int counter_bump(lang_state *L, int argc, const lang_value *argv, lang_value *ret);
static const struct lang_reg counter_methods[] = { { "bump", counter_bump }, { NULL, NULL } };
static const struct lang_host_type counter_type = { "counter", counter_fini, counter_methods };

static int counter_bump(lang_state *L, int argc, const lang_value *argv, lang_value *ret)
{
	int64_t *n = argc > 0 ? lang_host_ptr(argv[0], &counter_type) : NULL;
	if (!n)
		return lang_error(L, "bump: not a counter");
	int64_t by = 1;
	if (argc > 1 && lang_to_int(argv[1], &by))
		return lang_raise(L, lang_cstring(L, "bad step"));
	*n += by;
	*ret = lang_int(*n);
	return 0;
}

static int counter_new(lang_state *L, int argc, const lang_value *argv, lang_value *ret)
{
	(void)argc;
	(void)argv;
	int64_t *n = calloc(1, sizeof *n);
	if (!n)
		return lang_error(L, "no memory");
	*ret = lang_host_new(L, &counter_type, n);
	return 0;
}

START_TEST(api_host_objects)
{
	fini_calls = 0;
	lang_state *L = new_state(NULL);
	lang_bind(L, "counter", counter_new);
	ck_assert_int_eq(run(L, "let c = counter() c.bump() c.bump(5) print(c.bump(), type(c), c)\n"
			     "try { c.bump(\"x\") } catch e { print(e) }\n"
			     "for i in range(100000) { counter() }"), 0);
	ck_assert_str_eq(outbuf, "7 counter <counter>\nbad step\n");
	ck_assert_int_gt(fini_calls, 0);
	ck_assert_int_eq(run(L, "[].bump()"), LANG_ERUNTIME);
	ck_assert_ptr_nonnull(strstr(lang_error_message(L), "list has no method 'bump'"));
	lang_close(L);
	ck_assert_int_eq(fini_calls, 100001);
}
END_TEST

static const struct lang_reg hmod[] = { { "add", h_add }, { "twice", h_twice }, { NULL, NULL } };

START_TEST(api_bindings)
{
	lang_state *L = new_state(NULL);
	ck_assert_int_eq(lang_bind_module(L, "h", hmod), 0);
	ck_assert_int_eq(lang_bind(L, "add", h_add), 0);
	ck_assert_int_eq(run(L, "print(h.add(2, 3), add(1, 1), h.twice(fn(x) { return x * 3 }, 2))"), 0);
	ck_assert_str_eq(outbuf, "5 2 18\n");
	ck_assert_int_eq(run(L, "h.add(1)"), LANG_ERUNTIME);
	ck_assert_str_eq(lang_error_message(L), "t.ol:1:3: add: expected two ints");
	ck_assert_int_eq(run(L, "try { h.twice(fn(x) { error(\"in\") }, 1) } catch e { print(e) }"), 0);
	ck_assert_str_eq(outbuf, "in\n");
	/* values */
	lang_value m = lang_map_new(L);
	lang_map_setstr(L, m, "n", lang_int(4));
	lang_value l = lang_list_new(L);
	lang_list_push(L, l, lang_cstring(L, "s"));
	lang_map_setstr(L, m, "l", l);
	ck_assert_int_eq(lang_set_global(L, "cfg", m), 0);
	ck_assert_int_eq(run(L, "fn total(k) { return cfg.n * k } print(cfg.l[0], len(cfg))"), 0);
	ck_assert_str_eq(outbuf, "s 2\n");
	ck_assert_int_eq(lang_run_repl(L, "r", "fn total(k) { return cfg.n * k }", 32, NULL), 0);
	lang_value arg = lang_int(10), res;
	ck_assert_int_eq(lang_call_global(L, "total", 1, &arg, &res), 0);
	int64_t iv;
	ck_assert_int_eq(lang_to_int(res, &iv), 0);
	ck_assert_int_eq(iv, 40);
	ck_assert_int_eq(lang_call_global(L, "nope", 0, NULL, NULL), -ENOENT);
	size_t it = 0;
	lang_value k, v;
	int n = 0;
	while (lang_map_next(m, &it, &k, &v))
		n++;
	ck_assert_int_eq(n, 2);
	lang_value r;
	ck_assert_int_eq(lang_run_repl(L, "r", "1 + 2", 5, &r), 0);
	ck_assert_int_eq(lang_to_int(r, &iv), 0);
	ck_assert_int_eq(iv, 3);
	ck_assert_str_eq(lang_typename(lang_float(1)), "float");
	lang_close(L);
}
END_TEST

START_TEST(api_grants)
{
	lang_state *L = new_state(NULL);
	ck_assert_int_eq(run(L, "time.now()"), LANG_ERUNTIME);
	ck_assert_ptr_nonnull(strstr(lang_error_message(L), "time: clock not granted"));
	ck_assert_int_eq(run(L, "random.int(1, 2)"), LANG_ERUNTIME);
	ck_assert_int_eq(run(L, "proc.env(\"HOME\")"), LANG_ERUNTIME);
	lang_grant_clock(L);
	lang_grant_random(L, 42);
	ck_assert_int_eq(run(L, "let t = time.monotonic() let r = random.int(1, 6) print(type(t), r >= 1 and r <= 6)"), 0);
	ck_assert_str_eq(outbuf, "float true\n");
	ck_assert_int_eq(run(L, "proc.exit(5)"), LANG_EEXIT);
	ck_assert_int_eq(lang_exit_code(L), 5);
	lang_close(L);
}
END_TEST

START_TEST(gc_stress)
{
	struct lang_limits lim = { .mem_bytes = 8u << 20 };
	lang_state *L = new_state(&lim);
	ck_assert_int_eq(run(L,
		"fn tree(d) { if d == 0 { return nil } return {l: tree(d - 1), r: tree(d - 1), s: str(d)} }\n"
		"fn count(t) { if t == nil { return 0 } return 1 + count(t.l) + count(t.r) }\n"
		"let keep = tree(10) let n = 0\n"
		"for i in range(200) { n += count(tree(8)) }\n"
		"let fs = [] for i in range(1000) { let v = [i] fs.push(fn() { return v[0] }) }\n"
		"let t = 0 for f in fs { t += f() }\n"
		"print(count(keep), n, t)"), 0);
	ck_assert_str_eq(outbuf, "1023 51000 499500\n");
	lang_close(L);
}
END_TEST

static Suite *lang_suite(void)
{
	Suite *s = suite_create("lang");
	TCase *t = tcase_create("lang");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, lex_tokens);
	tcase_add_test(t, lex_errors);
	tcase_add_test(t, parse_errors);
	tcase_add_test(t, parse_nesting_bounded);
	tcase_add_test(t, parse_precedence);
	tcase_add_test(t, vm_arith);
	tcase_add_test(t, vm_control);
	tcase_add_test(t, vm_closures);
	tcase_add_test(t, vm_try);
	tcase_add_test(t, vm_trace);
	tcase_add_test(t, lib_strings_lists);
	tcase_add_test(t, lib_json);
	tcase_add_test(t, limit_steps);
	tcase_add_test(t, limit_memory);
	tcase_add_test(t, limit_deadline);
	tcase_add_test(t, limit_interrupt);
	tcase_add_test(t, limit_recursion);
	tcase_add_test(t, api_bindings);
	tcase_add_test(t, api_grants);
	tcase_add_test(t, api_host_objects);
	tcase_add_test(t, gc_stress);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(lang_suite());
}
