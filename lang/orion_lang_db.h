/*
 * orion_lang_db.h: the `db` module of orion-lang backed by OrionDB on an
 * image (orion-lang --db IMAGE).  Part of the orion-lang program, not of
 * liblang: it links libdb and libofs, which liblang must not depend on.
 *
 * Contract: the module has the functions of the in-memory store
 * (lang_open_memory_db: get, put, delete, has, keys) with the same
 * meaning; each call is one OrionDB transaction.  Values map as
 * docs/orion-lang.1 and lang/NOTES.md ("db module") describe.
 *
 * Caveats: one image per process (the host functions find it through a
 * file-level handle, as lang_cfunc carries no user data); the image is
 * opened read-write unless a read-only mount holds it, then read-only.
 */
#ifndef ORION_LANG_DB_H
#define ORION_LANG_DB_H

#include "lang/lang.h"

/* olang_db_open: open the image at path; 0, or a negative errno / orion
 * code (-ORION_EMOUNTED when a read-write mount holds it).  *rdonly says
 * whether it could only be opened read-only. */
int olang_db_open(const char *path, int *rdonly);

/* olang_db_bind: bind the module `db` of L to the open image. */
int olang_db_bind(lang_state *L);

/* olang_db_close: flush and close the image; a no-op when none is open. */
void olang_db_close(void);

#endif
