/*
 * fuse_node.c: the kernel's lookup count of every real inode it knows, so
 * that an unlinked inode is evicted (ofs_evict) only when the kernel has
 * forgotten it, i.e. after the last close, and how many of its open handles
 * may write it (ofs_fuse_may_be_dirty).  A chained hash table under one
 * mutex: every operation is a few pointer steps.
 */
#include "orionfs/fuse_internal.h"

#include <errno.h>
#include <stdlib.h>

#define NODES_MIN 1024

/* bucket: index of ino in a table of n (a power of two) buckets. */
static size_t bucket(uint64_t ino, size_t n)
{
	ino *= 0x9E3779B97F4A7C15ULL; /* spread sequential numbers */
	return (size_t)(ino >> 32) & (n - 1);
}

/* ofs_fuse_nodes_init: an empty table. */
int ofs_fuse_nodes_init(struct ofs_fuse *srv)
{
	srv->nodes = calloc(NODES_MIN, sizeof *srv->nodes);
	if (!srv->nodes)
		return -ENOMEM;
	srv->nbuckets = NODES_MIN;
	srv->nnodes = 0;
	return pthread_mutex_init(&srv->nlock, NULL) ? -ENOMEM : 0;
}

/* ofs_fuse_nodes_free: drop the table (the kernel is gone). */
void ofs_fuse_nodes_free(struct ofs_fuse *srv)
{
	if (!srv->nodes)
		return;
	for (size_t i = 0; i < srv->nbuckets; i++) {
		struct ofs_fuse_node *n = srv->nodes[i], *next;
		for (; n; n = next) {
			next = n->next;
			free(n->dead);
			free(n);
		}
	}
	free(srv->nodes);
	srv->nodes = NULL;
	pthread_mutex_destroy(&srv->nlock);
}

/* grow: double the buckets when the table is full; failure is harmless
 * (chains just get longer). Called locked. */
static void grow(struct ofs_fuse *srv)
{
	size_t n = srv->nbuckets * 2;
	struct ofs_fuse_node **t = calloc(n, sizeof *t);
	if (!t)
		return;
	for (size_t i = 0; i < srv->nbuckets; i++) {
		struct ofs_fuse_node *e = srv->nodes[i], *next;
		for (; e; e = next) {
			next = e->next;
			size_t b = bucket(e->ino, n);
			e->next = t[b];
			t[b] = e;
		}
	}
	free(srv->nodes);
	srv->nodes = t;
	srv->nbuckets = n;
}

/* find: the link pointing at ino's node (or at the NULL ending its chain).
 * Called locked. */
static struct ofs_fuse_node **find(struct ofs_fuse *srv, uint64_t ino)
{
	struct ofs_fuse_node **pp = &srv->nodes[bucket(ino, srv->nbuckets)];
	while (*pp && (*pp)->ino != ino)
		pp = &(*pp)->next;
	return pp;
}

/* ofs_fuse_ref: the kernel is about to get one more reference to ino.
 * Without memory the count is lost, which only delays an eviction to the
 * next mount (ofs_open reclaims orphans). */
void ofs_fuse_ref(struct ofs_fuse *srv, uint64_t ino)
{
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node **pp = find(srv, ino);
	if (*pp) {
		(*pp)->nlookup++;
	} else {
		struct ofs_fuse_node *n = malloc(sizeof *n);
		if (n) {
			*n = (struct ofs_fuse_node){ino, 1, 0, 0, NULL, NULL};
			*pp = n;
			if (++srv->nnodes > srv->nbuckets)
				grow(srv);
		}
	}
	pthread_mutex_unlock(&srv->nlock);
}

/* ofs_fuse_unref: the kernel dropped n references; evict an unlinked
 * inode once none is left. */
void ofs_fuse_unref(struct ofs_fuse *srv, uint64_t ino, uint64_t n)
{
	int evict = 0;
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node **pp = find(srv, ino), *e = *pp;
	if (e) {
		e->nlookup = e->nlookup > n ? e->nlookup - n : 0;
		if (e->nlookup == 0) {
			evict = e->orphan;
			*pp = e->next;
			srv->nnodes--;
			free(e->dead);
			free(e);
		}
	}
	pthread_mutex_unlock(&srv->nlock);
	if (evict)
		ofs_evict(srv->fs, ino);
}

/* ofs_fuse_orphaned: ino lost its last link; evict it now if the kernel
 * does not know it, else when it forgets it. */
void ofs_fuse_orphaned(struct ofs_fuse *srv, uint64_t ino)
{
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node *e = *find(srv, ino);
	if (e)
		e->orphan = 1;
	pthread_mutex_unlock(&srv->nlock);
	if (!e)
		ofs_evict(srv->fs, ino);
}

/* ofs_fuse_bury: directory a was removed; while the kernel still knows it
 * (an open handle, a process's cwd) it keeps answering with these
 * attributes and no links, as a removed directory does. */
void ofs_fuse_bury(struct ofs_fuse *srv, const struct ofs_attr *a)
{
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node *e = *find(srv, a->ino);
	if (e && !e->dead && (e->dead = malloc(sizeof *e->dead))) {
		*e->dead = *a;
		e->dead->nlink = 0;
	}
	pthread_mutex_unlock(&srv->nlock);
}

/* ofs_fuse_dead_attr: the buried attributes of ino; -ENOENT if none. */
int ofs_fuse_dead_attr(struct ofs_fuse *srv, uint64_t ino, struct ofs_attr *out)
{
	int rc = -ENOENT;
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node *e = *find(srv, ino);
	if (e && e->dead) {
		*out = *e->dead;
		rc = 0;
	}
	pthread_mutex_unlock(&srv->nlock);
	return rc;
}

/* ofs_fuse_known: the kernel holds ino (a reference it has not given
 * back), so it has its attributes. */
int ofs_fuse_known(struct ofs_fuse *srv, uint64_t ino)
{
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node *e = *find(srv, ino);
	int known = e && e->nlookup > 0;
	pthread_mutex_unlock(&srv->nlock);
	return known;
}

/* ofs_fuse_writer: a handle that may write ino was opened (delta 1) or
 * released (-1).  When ino has no node to count it in (the kernel opens
 * only what it looked up, so only a failed allocation gets here), every
 * later ofs_fuse_may_be_dirty() is true. */
void ofs_fuse_writer(struct ofs_fuse *srv, uint64_t ino, int delta)
{
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node *e = *find(srv, ino);
	if (e && delta > 0)
		e->writers++;
	else if (e && e->writers)
		e->writers--;
	else if (!e && delta > 0)
		srv->writers_lost = 1;
	pthread_mutex_unlock(&srv->nlock);
}

/* ofs_fuse_may_be_dirty: under the write-back cache, the kernel may hold
 * pages of ino that we have not seen: some handle that may write it is
 * open (a close writes its pages back before its release reaches us, and
 * a shared writable mapping keeps its handle open). */
int ofs_fuse_may_be_dirty(struct ofs_fuse *srv, uint64_t ino)
{
	pthread_mutex_lock(&srv->nlock);
	struct ofs_fuse_node *e = *find(srv, ino);
	int dirty = srv->writers_lost || (e && e->writers);
	pthread_mutex_unlock(&srv->nlock);
	return dirty;
}
