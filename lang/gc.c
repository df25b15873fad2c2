/*
 * gc.c: the counting allocator and a stop-the-world mark & sweep collector.
 *
 * Every heap block goes through lang_mem_realloc, which enforces the memory
 * cap. Collection never starts inside an allocation (C code may hold
 * unrooted values): crossing the threshold only asks for a collection,
 * which the VM runs at its next safe point (a call or a backward jump).
 */
#include <stdlib.h>

#include "lang/internal.h"

#define GC_MIN (256u * 1024u)

void *lang_mem_realloc(lang_state *L, void *p, size_t old, size_t new_size)
{
	if (new_size > old) {
		size_t grow = new_size - old;
		if (L->mem_cap && L->errjmp &&
		    (grow > L->mem_cap || L->bytes + grow > L->mem_cap))
			lang_fatal(L, LANG_EMEM, "memory limit exceeded");
	}
	if (new_size == 0) {
		free(p);
		L->bytes -= old;
		return NULL;
	}
	void *q = realloc(p, new_size);
	if (!q) {
		if (L->errjmp)
			lang_fatal(L, LANG_EMEM, "memory limit exceeded");
		/* No protected caller: nothing to unwind to. */
		return NULL;
	}
	L->bytes = L->bytes - old + new_size;
#ifdef LANG_GC_STRESS
	/* testing: collect at every safe point after an allocation */
	if (new_size > old && !L->gc_running) {
		L->steps_used += (uint64_t)(L->tick_start - L->tick);
		L->tick_start = L->tick = 0;
		L->gc_wanted = true;
	}
#endif
	if (L->bytes > L->next_gc && !L->gc_running) {
		L->gc_wanted = true;
		/* enter the VM's slow path at the next step; bank the steps
		 * counted so far so the total stays exact */
		L->steps_used += (uint64_t)(L->tick_start - L->tick);
		L->tick_start = L->tick = 0;
	}
	return q;
}

void *lang_gc_new(lang_state *L, int type, size_t size)
{
	GCObj *o = lang_mem_realloc(L, NULL, 0, size);
	if (!o)
		return NULL;
	o->type = (uint8_t)type;
	o->marked = 0;
	o->next = L->objects;
	L->objects = o;
	return o;
}

/* ---- marking: an explicit gray stack, no C recursion ---- */

typedef struct Gray {
	GCObj **v;
	size_t n, cap;
	bool failed;
} Gray;

static void gray_push(Gray *g, GCObj *o)
{
	if (!o || o->marked)
		return;
	o->marked = 1;
	if (o->type == T_STR || o->type == T_CFUNC)
		return; /* no children */
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 256;
		GCObj **nv = realloc(g->v, nc * sizeof *nv);
		if (!nv) {
			g->failed = true; /* handled by a rescan */
			return;
		}
		g->v = nv;
		g->cap = nc;
	}
	g->v[g->n++] = o;
}

static void mark_value(Gray *g, Value v)
{
	if (IS_OBJ(v))
		gray_push(g, (GCObj *)v.u.o);
}

/* Mark the children of o. */
static void traverse(Gray *g, GCObj *o)
{
	switch (o->type) {
	case T_LIST: {
		List *l = (List *)o;
		for (size_t i = 0; i < l->len; i++)
			mark_value(g, l->items[i]);
		break;
	}
	case T_MAP: {
		Map *m = (Map *)o;
		for (uint32_t i = 0; i < m->nent; i++) {
			if (m->ent[i].key.tag == T_DEAD)
				continue;
			mark_value(g, m->ent[i].key);
			mark_value(g, m->ent[i].val);
		}
		break;
	}
	case T_FUNC: {
		Closure *c = (Closure *)o;
		gray_push(g, &c->p->h);
		for (int i = 0; i < c->nup; i++)
			if (c->up[i])
				gray_push(g, &c->up[i]->h);
		break;
	}
	case T_PROTO: {
		Proto *p = (Proto *)o;
		for (int i = 0; i < p->nk; i++)
			mark_value(g, p->k[i]);
		for (int i = 0; i < p->nprotos; i++)
			gray_push(g, &p->protos[i]->h);
		if (p->name)
			gray_push(g, &p->name->h);
		if (p->chunk)
			gray_push(g, &p->chunk->h);
		if (p->source)
			gray_push(g, &p->source->h);
		break;
	}
	case T_UPVAL: {
		UpVal *u = (UpVal *)o;
		mark_value(g, *u->v);
		break;
	}
	default:
		break;
	}
}

static void free_obj(lang_state *L, GCObj *o)
{
	switch (o->type) {
	case T_STR:
		MEM_FREE(L, o, sizeof(String) + ((String *)o)->alloc + 1);
		break;
	case T_LIST: {
		List *l = (List *)o;
		MEM_FREE(L, l->items, l->cap * sizeof(Value));
		MEM_FREE(L, l, sizeof *l);
		break;
	}
	case T_MAP: {
		Map *m = (Map *)o;
		MEM_FREE(L, m->ent, m->cap * sizeof(MapEntry));
		if (m->mask)
			MEM_FREE(L, m->idx, (m->mask + 1) * sizeof(int32_t));
		MEM_FREE(L, m->dead, m->ndead * sizeof(uint32_t));
		MEM_FREE(L, m, sizeof *m);
		break;
	}
	case T_FUNC: {
		Closure *c = (Closure *)o;
		MEM_FREE(L, c, sizeof *c + (size_t)c->nup * sizeof(UpVal *));
		break;
	}
	case T_PROTO: {
		Proto *p = (Proto *)o;
		MEM_FREE(L, p->code, (size_t)p->ncode * sizeof *p->code);
		MEM_FREE(L, p->lines, (size_t)p->ncode * sizeof *p->lines);
		MEM_FREE(L, p->k, (size_t)p->nk * sizeof *p->k);
		MEM_FREE(L, p->protos, (size_t)p->nprotos * sizeof *p->protos);
		MEM_FREE(L, p->updesc, (size_t)p->nup * sizeof *p->updesc);
		MEM_FREE(L, p, sizeof *p);
		break;
	}
	case T_UPVAL:
		MEM_FREE(L, o, sizeof(UpVal));
		break;
	case T_CFUNC:
		MEM_FREE(L, o, sizeof(CFunc));
		break;
	case T_HOST: {
		Host *h = (Host *)o;
		if (h->ty && h->ty->fini)
			h->ty->fini(h->ptr);
		MEM_FREE(L, h, sizeof *h);
		break;
	}
	default:
		break;
	}
}

/* Remove dead strings from the intern table (they become deleted slots;
 * the next growth drops them). */
static void sweep_strtab(lang_state *L)
{
	for (uint32_t i = 0; i < L->strcap; i++) {
		String *s = L->strtab[i].s;
		if (s && s != STR_TOMB && !s->h.marked) {
			L->strtab[i].s = STR_TOMB;
			L->strcount--;
		}
	}
}

static void mark_roots(lang_state *L, Gray *g)
{
	for (Value *v = L->stack; v < L->top; v++)
		mark_value(g, *v);
	/* Stale slots above the live top could dangle after this sweep. */
	for (Value *v = L->top; v < L->hwm; v++)
		*v = V_NIL;
	L->hwm = L->top;
	gray_push(g, &L->globals->h);
	gray_push(g, &L->mod_string->h);
	gray_push(g, &L->mod_list->h);
	gray_push(g, &L->mod_map->h);
	gray_push(g, &L->refs->h);
	for (int i = 0; i < 16; i++)
		if (L->s_names[i])
			gray_push(g, &L->s_names[i]->h);
	mark_value(g, L->errval);
	for (UpVal *u = L->open_up; u; u = u->open_next)
		gray_push(g, &u->h);
	for (int i = 0; i <= L->ci; i++)
		if (L->cis[i].cl)
			gray_push(g, &L->cis[i].cl->h);
}

void lang_gc_collect(lang_state *L)
{
	if (L->gc_running)
		return;
	L->gc_running = true;
	Gray g = {0};
	mark_roots(L, &g);
	for (;;) {
		while (g.n)
			traverse(&g, g.v[--g.n]);
		if (!g.failed)
			break;
		/* The gray stack could not grow: rescan marked objects. */
		g.failed = false;
		for (GCObj *o = L->objects; o; o = o->next)
			if (o->marked)
				traverse(&g, o);
	}
	free(g.v);
	sweep_strtab(L);
	GCObj **pp = &L->objects;
	while (*pp) {
		GCObj *o = *pp;
		if (o->marked) {
			o->marked = 0;
			pp = &o->next;
		} else {
			*pp = o->next;
			free_obj(L, o);
		}
	}
	size_t live = L->bytes;
	/* pause: collect again when the heap has grown to 3x the live data */
	size_t next = live * 3 > GC_MIN ? live * 3 : GC_MIN;
	if (L->mem_cap) {
		size_t room = L->mem_cap > live ? (L->mem_cap - live) / 2 : 0;
		if (next > live + room)
			next = live + room;
	}
	L->next_gc = next;
	L->gc_wanted = false;
	L->gc_running = false;
}

void lang_gc_free_all(lang_state *L)
{
	GCObj *o = L->objects;
	while (o) {
		GCObj *n = o->next;
		free_obj(L, o);
		o = n;
	}
	L->objects = NULL;
}
