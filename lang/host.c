/*
 * host.c: host-granted modules for standalone use: the clock (time),
 * randomness (random), the environment and arguments (proc), stdin, host
 * files (fs) and an in-memory key/value store (db). A sandbox binds its
 * own versions through lang_bind_module instead.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lang/internal.h"

extern char **environ;

/* ---- time ---- */

static int t_now(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)L; (void)argc; (void)a;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	*ret = v_float((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	return 0;
}

static int t_monotonic(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)L; (void)argc; (void)a;
	*ret = v_float((double)lang_now_ns() / 1e9);
	return 0;
}

static int t_denied(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)argc; (void)a; (void)ret;
	lang_rt_error(L, "time: clock not granted");
}

struct reg_args {
	const char *mod;
	const struct lang_reg *fns;
};

static void do_reg(lang_state *L, void *ud)
{
	struct reg_args *r = ud;
	lang_lib_reg(L, lang_lib_module(L, r->mod), r->fns);
}

static int reg(lang_state *L, const char *mod, const struct lang_reg *fns)
{
	struct reg_args r = { mod, fns };
	if (L->errjmp) {
		do_reg(L, &r);
		return 0;
	}
	return lang_vm_pcall(L, do_reg, &r) ? -ENOMEM : 0;
}

/* The time module exists in every state; without the grant it raises. */
int lang_grant_clock(lang_state *L)
{
	static const struct lang_reg f[] = {
		{ "now", t_now }, { "monotonic", t_monotonic }, { NULL, NULL }
	};
	return reg(L, "time", f);
}

void lang_lib_open_time(lang_state *L)
{
	static const struct lang_reg f[] = {
		{ "now", t_denied }, { "monotonic", t_denied }, { NULL, NULL }
	};
	lang_lib_reg(L, lang_lib_module(L, "time"), f);
}

/* ---- random (xoshiro128+ style 64-bit generator, seeded) ---- */

static uint64_t rng_next(lang_state *L)
{
	uint64_t s0 = L->rng[0], s1 = L->rng[1];
	uint64_t r = s0 + s1;
	s1 ^= s0;
	L->rng[0] = ((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14);
	L->rng[1] = (s1 << 36) | (s1 >> 28);
	return r;
}

static int r_int(lang_state *L, int argc, const Value *a, Value *ret)
{
	int64_t lo = lang_arg_int(L, "random.int", argc, a, 0);
	int64_t hi = lang_arg_int(L, "random.int", argc, a, 1);
	if (hi < lo)
		lang_rt_error(L, "random.int: empty range");
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
	uint64_t r = span ? rng_next(L) % span : rng_next(L);
	*ret = v_int((int64_t)((uint64_t)lo + r));
	return 0;
}

static int r_float(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)argc; (void)a;
	*ret = v_float((double)(rng_next(L) >> 11) / 9007199254740992.0);
	return 0;
}

static int r_choice(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = lang_arg_list(L, "random.choice", argc, a, 0);
	if (!l->len)
		lang_rt_error(L, "random.choice: empty list");
	*ret = l->items[rng_next(L) % l->len];
	return 0;
}

int lang_grant_random(lang_state *L, uint64_t seed)
{
	if (!seed && getrandom(&seed, sizeof seed, 0) != sizeof seed)
		seed = lang_now_ns();
	L->rng[0] = seed ^ 0x9e3779b97f4a7c15ULL;
	L->rng[1] = (seed * 0xbf58476d1ce4e5b9ULL) | 1;
	static const struct lang_reg f[] = {
		{ "int", r_int }, { "float", r_float }, { "choice", r_choice },
		{ NULL, NULL }
	};
	return reg(L, "random", f);
}

/* ---- proc: env, args, stdin ---- */

static int p_env(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *n = lang_arg_str(L, "proc.env", argc, a, 0);
	const char *v = getenv(n->data);
	*ret = v ? v_obj(T_STR, lang_str_cstr(L, v)) : V_NIL;
	return 0;
}

static int p_environ(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)argc; (void)a;
	Map *m = lang_map_alloc(L, 0);
	*ret = v_obj(T_MAP, m);
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		lang_map_put(L, m, v_obj(T_STR, lang_str_new(L, *e, (size_t)(eq - *e))),
			     v_obj(T_STR, lang_str_cstr(L, eq + 1)));
	}
	return 0;
}

int lang_grant_env(lang_state *L)
{
	static const struct lang_reg f[] = {
		{ "env", p_env }, { "environ", p_environ }, { NULL, NULL }
	};
	return reg(L, "proc", f);
}

struct args_args {
	int argc;
	char *const *argv;
};

static void do_args(lang_state *L, void *ud)
{
	struct args_args *aa = ud;
	List *l = lang_list_alloc(L, (size_t)aa->argc);
	for (int i = 0; i < aa->argc; i++)
		l->items[l->len++] = v_obj(T_STR, lang_str_cstr(L, aa->argv[i]));
	lang_lib_set(L, lang_lib_module(L, "proc"), "args", v_obj(T_LIST, l));
}

int lang_set_args(lang_state *L, int argc, char *const argv[])
{
	struct args_args aa = { argc, argv };
	if (L->errjmp) {
		do_args(L, &aa);
		return 0;
	}
	return lang_vm_pcall(L, do_args, &aa) ? -ENOMEM : 0;
}

static int in_read_line(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)argc; (void)a;
	Buf b;
	lang_buf_init(&b, L);
	int c;
	bool any = false;
	while ((c = getchar()) != EOF) {
		any = true;
		if (c == '\n')
			break;
		lang_buf_addc(&b, (char)c);
	}
	*ret = any ? v_obj(T_STR, lang_buf_tostr(&b)) : V_NIL;
	return 0;
}

static int in_read(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)argc; (void)a;
	Buf b;
	lang_buf_init(&b, L);
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
		lang_buf_add(&b, tmp, n);
	*ret = v_obj(T_STR, lang_buf_tostr(&b));
	return 0;
}

static void do_stdin(lang_state *L, void *ud)
{
	(void)ud;
	Map *m = lang_map_alloc(L, 0);
	lang_lib_set(L, lang_lib_module(L, "proc"), "stdin", v_obj(T_MAP, m));
	static const struct lang_reg f[] = {
		{ "read_line", in_read_line }, { "read", in_read }, { NULL, NULL }
	};
	lang_lib_reg(L, m, f);
}

int lang_grant_stdin(lang_state *L)
{
	if (L->errjmp) {
		do_stdin(L, NULL);
		return 0;
	}
	return lang_vm_pcall(L, do_stdin, NULL) ? -ENOMEM : 0;
}

/* ---- fs: host files ---- */

static _Noreturn void fs_fail(lang_state *L, const char *fn, const char *path)
{
	lang_rt_error(L, "%s: %s: %s", fn, path, strerror(errno));
}

static int f_read(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *p = lang_arg_str(L, "fs.read", argc, a, 0);
	FILE *f = fopen(p->data, "rb");
	if (!f)
		fs_fail(L, "fs.read", p->data);
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		fs_fail(L, "fs.read", p->data);
	}
	/* Read into a malloc'd buffer so an allocation error cannot leak
	 * the FILE: copy to a string only at the end. */
	char *buf = NULL;
	size_t len = 0, cap = 0;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (len + n > cap) {
			size_t nc = cap ? cap * 2 : 65536;
			while (nc < len + n)
				nc *= 2;
			if (L->mem_cap && nc > L->mem_cap) {
				free(buf);
				fclose(f);
				lang_fatal(L, LANG_EMEM, "memory limit exceeded");
			}
			char *nb = realloc(buf, nc);
			if (!nb) {
				free(buf);
				fclose(f);
				lang_fatal(L, LANG_EMEM, "memory limit exceeded");
			}
			buf = nb;
			cap = nc;
		}
		memcpy(buf + len, tmp, n);
		len += n;
	}
	bool err = ferror(f);
	fclose(f);
	if (err) {
		free(buf);
		fs_fail(L, "fs.read", p->data);
	}
	/* The copy below may not return (memory cap): check first. */
	Buf b;
	lang_buf_init(&b, L);
	if (L->mem_cap && L->bytes + len > L->mem_cap) {
		free(buf);
		lang_fatal(L, LANG_EMEM, "memory limit exceeded");
	}
	lang_buf_add(&b, buf ? buf : "", len);
	free(buf);
	*ret = v_obj(T_STR, lang_buf_tostr(&b));
	return 0;
}

static int write_file(lang_state *L, int argc, const Value *a, const char *mode,
		      const char *fn)
{
	String *p = lang_arg_str(L, fn, argc, a, 0);
	lang_arg_count(L, fn, argc, 2, 2);
	String *s = lang_tostring(L, a[1]);
	FILE *f = fopen(p->data, mode);
	if (!f)
		fs_fail(L, fn, p->data);
	size_t n = fwrite(s->data, 1, s->len, f);
	int e = fclose(f);
	if (n != s->len || e)
		fs_fail(L, fn, p->data);
	return 0;
}

static int f_write(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	return write_file(L, argc, a, "wb", "fs.write");
}

static int f_append(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	return write_file(L, argc, a, "ab", "fs.append");
}

static int f_exists(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *p = lang_arg_str(L, "fs.exists", argc, a, 0);
	struct stat st;
	*ret = v_bool(stat(p->data, &st) == 0);
	return 0;
}

static int f_remove(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	String *p = lang_arg_str(L, "fs.remove", argc, a, 0);
	if (remove(p->data) != 0)
		fs_fail(L, "fs.remove", p->data);
	return 0;
}

static int f_mkdir(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	String *p = lang_arg_str(L, "fs.mkdir", argc, a, 0);
	if (mkdir(p->data, 0777) != 0 && errno != EEXIST)
		fs_fail(L, "fs.mkdir", p->data);
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	const Value *a = x, *b = y;
	String *s = AS_STR(*a), *t = AS_STR(*b);
	size_t n = s->len < t->len ? s->len : t->len;
	int c = memcmp(s->data, t->data, n);
	return c ? c : (s->len > t->len) - (s->len < t->len);
}

static int f_list(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *p = lang_arg_str(L, "fs.list", argc, a, 0);
	DIR *d = opendir(p->data);
	if (!d)
		fs_fail(L, "fs.list", p->data);
	/* Collect names with malloc first: no OrionLang error may skip
	 * closedir. */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	List *l = lang_list_alloc(L, 0);
	*ret = v_obj(T_LIST, l);
	size_t i;
	for (i = 0; i < n; i++) {
		if (L->mem_cap && L->bytes + 256 > L->mem_cap)
			break;
		lang_list_append(L, l, v_obj(T_STR, lang_str_cstr(L, names[i])));
	}
	for (size_t j = 0; j < n; j++)
		free(names[j]);
	free(names);
	if (i < n)
		lang_fatal(L, LANG_EMEM, "memory limit exceeded");
	if (l->len > 1)
		qsort(l->items, l->len, sizeof(Value), cmp_str);
	return 0;
}

int lang_open_host_fs(lang_state *L)
{
	static const struct lang_reg f[] = {
		{ "read", f_read }, { "write", f_write }, { "append", f_append },
		{ "exists", f_exists }, { "remove", f_remove }, { "mkdir", f_mkdir },
		{ "list", f_list }, { NULL, NULL }
	};
	return reg(L, "fs", f);
}

/* ---- db: in-memory store (a map kept in the registry) ---- */

static Map *db_store(lang_state *L)
{
	static const char key[] = "__db_store";
	Value *v = lang_map_find(L->refs, v_obj(T_STR, lang_str_cstr(L, key)));
	if (v)
		return AS_MAP(*v);
	Map *m = lang_map_alloc(L, 0);
	lang_map_put(L, L->refs, v_obj(T_STR, lang_str_cstr(L, key)), v_obj(T_MAP, m));
	return m;
}

static int d_get(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *k = lang_arg_str(L, "db.get", argc, a, 0);
	Value *v = lang_map_findstr(db_store(L), k);
	*ret = v ? *v : argc > 1 ? a[1] : V_NIL;
	return 0;
}

static int d_put(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	String *k = lang_arg_str(L, "db.put", argc, a, 0);
	lang_arg_count(L, "db.put", argc, 2, 2);
	/* Store an encoded copy so later changes to a list do not leak in. */
	Buf b;
	lang_buf_init(&b, L);
	lang_json_encode(L, &b, a[1], NULL, 0);
	String *enc = lang_buf_tostr(&b);
	lang_map_put(L, db_store(L), v_obj(T_STR, k),
		     lang_json_decode(L, enc->data, enc->len));
	return 0;
}

static int d_delete(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *k = lang_arg_str(L, "db.delete", argc, a, 0);
	*ret = v_bool(lang_map_del(L, db_store(L), v_obj(T_STR, k)));
	return 0;
}

static int d_has(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *k = lang_arg_str(L, "db.has", argc, a, 0);
	*ret = v_bool(lang_map_findstr(db_store(L), k) != NULL);
	return 0;
}

static int d_keys(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *pre = argc > 0 ? lang_arg_str(L, "db.keys", argc, a, 0) : NULL;
	Map *m = db_store(L);
	List *l = lang_list_alloc(L, 0);
	*ret = v_obj(T_LIST, l);
	uint32_t it = 0;
	MapEntry *e;
	while ((e = lang_map_iter(m, &it))) {
		String *k = AS_STR(e->key);
		if (!pre || (k->len >= pre->len && !memcmp(k->data, pre->data, pre->len)))
			lang_list_append(L, l, e->key);
	}
	if (l->len > 1)
		qsort(l->items, l->len, sizeof(Value), cmp_str);
	return 0;
}

int lang_open_memory_db(lang_state *L)
{
	static const struct lang_reg f[] = {
		{ "get", d_get }, { "put", d_put }, { "delete", d_delete },
		{ "has", d_has }, { "keys", d_keys }, { NULL, NULL }
	};
	return reg(L, "db", f);
}
