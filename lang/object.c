/*
 * object.c: strings (short ones interned), lists, insertion-ordered maps,
 * functions, value equality and UTF-8 helpers.
 */
#include <math.h>
#include <stdlib.h>

#include "lang/internal.h"

/* ---- strings ---- */

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	/* final mix: the tables index by the low bits */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t lang_str_hash(String *s)
{
	if (!s->hashed) {
		s->hash = hash_bytes(s->data, s->len);
		s->hashed = 1;
	}
	return s->hash;
}

bool lang_str_eq(const String *a, const String *b)
{
	if (a == b)
		return true;
	if ((a->interned && b->interned) || a->len != b->len)
		return false;
	return memcmp(a->data, b->data, a->len) == 0;
}

/* Rehash into a table sized for the live strings (drops deleted slots). */
static void strtab_rehash(lang_state *L)
{
	uint32_t nc = 1024;
	while (nc < (L->strcount + 1) * 2)
		nc *= 2;
	StrSlot *nt = lang_mem_realloc(L, NULL, 0, nc * sizeof *nt);
	if (!nt)
		return;
	memset(nt, 0, nc * sizeof *nt);
	for (uint32_t i = 0; i < L->strcap; i++) {
		String *s = L->strtab[i].s;
		if (!s || s == STR_TOMB)
			continue;
		uint32_t j = s->hash & (nc - 1);
		while (nt[j].s)
			j = (j + 1) & (nc - 1);
		nt[j].hash = s->hash;
		nt[j].s = s;
	}
	MEM_FREE(L, L->strtab, L->strcap * sizeof *nt);
	L->strtab = nt;
	L->strcap = nc;
	L->strused = L->strcount;
}

String *lang_str_alloc(lang_state *L, size_t len)
{
	if (len > ((size_t)1 << 40))
		lang_fatal(L, LANG_EMEM, "memory limit exceeded");
	String *s = lang_gc_new(L, T_STR, sizeof(String) + len + 1);
	if (!s)
		return NULL;
	s->interned = 0;
	s->hashed = 0;
	s->hash = 0;
	s->len = len;
	s->alloc = len;
	s->data[len] = 0;
	return s;
}

/* Find an interned string equal to data, or NULL. */
static String *intern_find(lang_state *L, const char *data, size_t len,
			   uint32_t h)
{
	if (!L->strcap)
		return NULL;
	uint32_t mask = L->strcap - 1;
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		StrSlot *e = &L->strtab[i];
		if (!e->s)
			return NULL;
		if (e->hash == h && e->s != STR_TOMB && e->s->len == len &&
		    memcmp(e->s->data, data, len) == 0)
			return e->s;
	}
}

/* Add s (known to be absent); keeps the table at most half used. */
static void intern_add(lang_state *L, String *s)
{
	if ((L->strused + 1) * 2 > L->strcap)
		strtab_rehash(L);
	if ((L->strused + 1) * 2 > L->strcap)
		return; /* no memory for the table: leave s uninterned */
	uint32_t mask = L->strcap - 1;
	uint32_t i = s->hash & mask;
	while (L->strtab[i].s && L->strtab[i].s != STR_TOMB)
		i = (i + 1) & mask;
	if (!L->strtab[i].s)
		L->strused++;
	L->strtab[i].hash = s->hash;
	L->strtab[i].s = s;
	s->interned = 1;
	L->strcount++;
}

String *lang_str_new(lang_state *L, const char *data, size_t len)
{
	if (len <= INTERN_MAX) {
		uint32_t h = hash_bytes(data, len);
		String *s = intern_find(L, data, len, h);
		if (s) {
			if (L->gc_running) /* never during a collection */
				s->h.marked = 1;
			return s;
		}
		s = lang_str_alloc(L, len);
		if (!s)
			return NULL;
		memcpy(s->data, data, len);
		s->hash = h;
		s->hashed = 1;
		intern_add(L, s);
		return s;
	}
	String *s = lang_str_alloc(L, len);
	if (s)
		memcpy(s->data, data, len);
	return s;
}

String *lang_str_done(lang_state *L, String *s)
{
	if (s->len > INTERN_MAX)
		return s;
	uint32_t h = hash_bytes(s->data, s->len);
	String *old = intern_find(L, s->data, s->len, h);
	if (old)
		return old; /* s becomes garbage */
	s->hash = h;
	s->hashed = 1;
	intern_add(L, s);
	return s;
}

String *lang_str_cstr(lang_state *L, const char *s)
{
	return lang_str_new(L, s, strlen(s));
}

/* ---- lists ---- */

List *lang_list_alloc(lang_state *L, size_t cap)
{
	List *l = lang_gc_new(L, T_LIST, sizeof(List));
	l->len = 0;
	l->cap = 0;
	l->items = NULL;
	if (cap)
		lang_list_reserve(L, l, cap);
	return l;
}

void lang_list_reserve(lang_state *L, List *l, size_t cap)
{
	if (cap <= l->cap)
		return;
	if (cap > ((size_t)1 << 36))
		lang_fatal(L, LANG_EMEM, "memory limit exceeded");
	l->items = lang_mem_realloc(L, l->items, l->cap * sizeof(Value),
				    cap * sizeof(Value));
	l->cap = cap;
}

void lang_list_append(lang_state *L, List *l, Value v)
{
	if (l->len == l->cap)
		lang_list_reserve(L, l, l->cap < 4 ? 4 : l->cap * 2);
	l->items[l->len++] = v;
}

/* ---- maps ---- */

static uint32_t hash_value(Value k)
{
	uint64_t x;
	switch (k.tag) {
	case T_STR:
		return lang_str_hash(AS_STR(k));
	case T_INT:
		x = (uint64_t)k.u.i;
		break;
	case T_FLOAT:
		memcpy(&x, &k.u.f, sizeof x);
		break;
	case T_BOOL:
		x = (uint64_t)k.u.b + 0x9e37;
		break;
	default:
		x = 0;
	}
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

static inline bool key_eq(Value a, Value b)
{
	if (a.tag != b.tag)
		return false;
	switch (a.tag) {
	case T_STR:
		return lang_str_eq(AS_STR(a), AS_STR(b));
	case T_INT:
		return a.u.i == b.u.i;
	case T_FLOAT:
		return a.u.f == b.u.f;
	case T_BOOL:
		return a.u.b == b.u.b;
	default:
		return false;
	}
}

bool lang_valid_key(Value *k)
{
	switch (k->tag) {
	case T_STR:
	case T_INT:
	case T_BOOL:
		return true;
	case T_FLOAT:
		if (isnan(k->u.f))
			return false;
		if (k->u.f >= -9.2233720368547758e18 &&
		    k->u.f < 9.2233720368547758e18 &&
		    k->u.f == (double)(int64_t)k->u.f)
			*k = v_int((int64_t)k->u.f);
		return true;
	default:
		return false;
	}
}

Map *lang_map_alloc(lang_state *L, uint32_t cap)
{
	Map *m = lang_gc_new(L, T_MAP, sizeof(Map));
	m->count = m->nent = m->cap = m->mask = 0;
	m->ent = NULL;
	m->idx = NULL;
	m->dead = NULL;
	m->ndead = m->epoch = 0;
	if (cap) {
		if (cap > 8) {
			uint32_t n = 16;
			while (n < cap * 2)
				n *= 2;
			m->idx = lang_mem_realloc(L, NULL, 0, n * sizeof(int32_t));
			memset(m->idx, 0xff, n * sizeof(int32_t));
			m->mask = n - 1;
		}
		m->ent = lang_mem_realloc(L, NULL, 0, cap * sizeof(MapEntry));
		m->cap = cap;
	}
	return m;
}

/* Entry index of key, or -1. */
static int32_t map_lookup(Map *m, Value key)
{
	if (!m->mask) {
		for (uint32_t i = 0; i < m->nent; i++)
			if (key_eq(m->ent[i].key, key))
				return (int32_t)i;
		return -1;
	}
	uint32_t h = hash_value(key) & m->mask;
	for (;;) {
		int32_t e = m->idx[h];
		if (e < 0)
			return -1;
		if (key_eq(m->ent[e].key, key))
			return e;
		h = (h + 1) & m->mask;
	}
}

Value *lang_map_find(Map *m, Value key)
{
	if (key.tag == T_FLOAT && !lang_valid_key(&key))
		return NULL;
	int32_t e = map_lookup(m, key);
	return e < 0 ? NULL : &m->ent[e].val;
}

Value *lang_map_findstr(Map *m, String *key)
{
	if (!m->mask) {
		for (uint32_t i = 0; i < m->nent; i++) {
			Value k = m->ent[i].key;
			if (k.tag == T_STR && lang_str_eq(AS_STR(k), key))
				return &m->ent[i].val;
		}
		return NULL;
	}
	int32_t e = map_lookup(m, v_obj(T_STR, key));
	return e < 0 ? NULL : &m->ent[e].val;
}

/* Rebuild with room for cap entries, dropping deleted ones. The positions
 * of the dropped entries are kept (m->dead) so a running for-loop can
 * translate its position (lang_map_iter_fix). */
static void map_rebuild(lang_state *L, Map *m, uint32_t cap)
{
	MapEntry *ne = lang_mem_realloc(L, NULL, 0, cap * sizeof(MapEntry));
	uint32_t n = 0, ndead = m->nent - m->count;
	uint32_t *dead = NULL;
	if (ndead)
		dead = lang_mem_realloc(L, NULL, 0, ndead * sizeof(uint32_t));
	uint32_t d = 0;
	for (uint32_t i = 0; i < m->nent; i++) {
		if (m->ent[i].key.tag != T_DEAD)
			ne[n++] = m->ent[i];
		else if (d < ndead)
			dead[d++] = i;
	}
	if (ndead) {
		MEM_FREE(L, m->dead, m->ndead * sizeof(uint32_t));
		m->dead = dead;
		m->ndead = d;
		m->epoch++;
	}
	MEM_FREE(L, m->ent, m->cap * sizeof(MapEntry));
	m->ent = ne;
	m->cap = cap;
	m->nent = n;
	if (m->mask)
		MEM_FREE(L, m->idx, (m->mask + 1) * sizeof(int32_t));
	m->idx = NULL;
	m->mask = 0;
	if (cap > 8) {
		uint32_t sz = 16;
		while (sz < cap * 2)
			sz *= 2;
		m->idx = lang_mem_realloc(L, NULL, 0, sz * sizeof(int32_t));
		memset(m->idx, 0xff, sz * sizeof(int32_t));
		m->mask = sz - 1;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t h = hash_value(ne[i].key) & m->mask;
			while (m->idx[h] >= 0)
				h = (h + 1) & m->mask;
			m->idx[h] = (int32_t)i;
		}
	}
}

void lang_map_put(lang_state *L, Map *m, Value key, Value v)
{
	if (!lang_valid_key(&key)) {
		if (key.tag == T_FLOAT)
			lang_rt_error(L, "map key cannot be NaN");
		lang_rt_error(L, "%s cannot be a map key", lang_type_name(key));
	}
	int32_t e = map_lookup(m, key);
	if (e >= 0) {
		m->ent[e].val = v;
		return;
	}
	if (m->nent == m->cap) {
		if (m->cap >= 0x40000000u)
			lang_fatal(L, LANG_EMEM, "memory limit exceeded");
		uint32_t nc = m->count < m->cap / 2 ? m->cap : m->cap * 2;
		map_rebuild(L, m, nc < 4 ? 4 : nc);
	}
	uint32_t i = m->nent++;
	m->ent[i].key = key;
	m->ent[i].val = v;
	m->count++;
	if (m->mask) {
		uint32_t h = hash_value(key) & m->mask;
		while (m->idx[h] >= 0)
			h = (h + 1) & m->mask;
		m->idx[h] = (int32_t)i;
	}
}

bool lang_map_del(lang_state *L, Map *m, Value key)
{
	(void)L;
	if (!lang_valid_key(&key))
		return false;
	int32_t e = map_lookup(m, key);
	if (e < 0)
		return false;
	m->ent[e].key.tag = T_DEAD;
	m->ent[e].val = V_NIL;
	m->count--;
	return true;
}

uint32_t lang_map_iter_fix(Map *m, uint32_t i, uint32_t *epoch)
{
	if (*epoch != m->epoch) {
		if (*epoch + 1 == m->epoch) {
			/* entries before i that were dropped shift it down */
			uint32_t lo = 0, hi = m->ndead;
			while (lo < hi) {
				uint32_t mid = (lo + hi) / 2;
				if (m->dead[mid] < i)
					lo = mid + 1;
				else
					hi = mid;
			}
			i -= lo;
		}
		*epoch = m->epoch;
	}
	return i;
}

MapEntry *lang_map_iter(Map *m, uint32_t *i)
{
	while (*i < m->nent) {
		MapEntry *e = &m->ent[*i];
		(*i)++;
		if (e->key.tag != T_DEAD)
			return e;
	}
	return NULL;
}

/* ---- functions ---- */

Closure *lang_closure_new(lang_state *L, Proto *p)
{
	Closure *c = lang_gc_new(L, T_FUNC,
				 sizeof(Closure) + (size_t)p->nup * sizeof(UpVal *));
	c->p = p;
	c->nup = p->nup;
	for (int i = 0; i < p->nup; i++)
		c->up[i] = NULL;
	return c;
}

Proto *lang_proto_new(lang_state *L)
{
	Proto *p = lang_gc_new(L, T_PROTO, sizeof(Proto));
	memset((char *)p + sizeof(GCObj), 0, sizeof(Proto) - sizeof(GCObj));
	return p;
}

CFunc *lang_cfunc_new(lang_state *L, const char *name, lang_cfunc fn)
{
	CFunc *f = lang_gc_new(L, T_CFUNC, sizeof(CFunc));
	f->fn = fn;
	f->name = name;
	return f;
}

/* ---- values ---- */

/* Exact int == float (no rounding of the int). */
static bool int_eq_float(int64_t i, double f)
{
	return f >= -9.2233720368547758e18 && f < 9.2233720368547758e18 &&
	       f == floor(f) && (int64_t)f == i;
}

bool lang_values_equal(Value a, Value b)
{
	if (a.tag != b.tag) {
		if (a.tag == T_INT && b.tag == T_FLOAT)
			return int_eq_float(a.u.i, b.u.f);
		if (a.tag == T_FLOAT && b.tag == T_INT)
			return int_eq_float(b.u.i, a.u.f);
		return false;
	}
	switch (a.tag) {
	case T_NIL:
		return true;
	case T_BOOL:
		return a.u.b == b.u.b;
	case T_INT:
		return a.u.i == b.u.i;
	case T_FLOAT:
		return a.u.f == b.u.f;
	case T_STR:
		return lang_str_eq(AS_STR(a), AS_STR(b));
	default:
		return a.u.o == b.u.o;
	}
}

const char *lang_type_name(Value v)
{
	switch (v.tag) {
	case T_NIL: return "nil";
	case T_BOOL: return "bool";
	case T_INT: return "int";
	case T_FLOAT: return "float";
	case T_STR: return "string";
	case T_LIST: return "list";
	case T_MAP: return "map";
	case T_FUNC:
	case T_CFUNC: return "function";
	case T_HOST: return AS_HOST(v)->ty->name;
	default: return "internal";
	}
}

/* ---- UTF-8 ---- */

size_t lang_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	if (c < 0x80)
		return 1;
	else if ((c & 0xe0) == 0xc0 && c >= 0xc2)
		need = 2;
	else if ((c & 0xf0) == 0xe0)
		need = 3;
	else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 1;
	if (need > n)
		return 1;
	for (size_t i = 1; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return need;
}

int lang_utf8_encode(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
