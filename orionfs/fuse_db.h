/*
 * fuse_db.h: the runtime's synthetic trees that live beside the FUSE
 * server: OrionDB's /db key tree (fuse_db.c) and the /ctl control files
 * (fuse_ctl.c).  mount_main.c's providers[] table names the two attach
 * functions; /db must be attached before /ctl, whose "db" file uses the
 * database handle /db opened.
 *
 * Contract
 *  - ofs_db_attach / ofs_ctl_attach: register the provider with srv (after
 *    ofs_fuse_new, before ofs_fuse_mount); 0 or a negative errno.  One
 *    mount per process: the state they keep is the process's.
 *  - ofs_db_handle: the OrionDB handle /db serves (on fs's environment), or
 *    NULL if /db is not attached.
 *  - ofs_db_changed: key changed behind the kernel's back (a /ctl/db batch):
 *    drop the kernel's cached name so the next access sees the new value
 *    and size.  Call it from a deferred request's thread, never from the
 *    server's loop thread (the kernel may need that thread to answer
 *    before the notification returns).
 */
#ifndef ORIONFS_FUSE_DB_H
#define ORIONFS_FUSE_DB_H

#include "db/db.h"
#include "orionfs/fuse_internal.h"

int ofs_db_attach(struct ofs_fuse *srv, ofs *fs);
int ofs_ctl_attach(struct ofs_fuse *srv, ofs *fs);
db *ofs_db_handle(struct ofs_fuse *srv);
void ofs_db_changed(struct ofs_fuse *srv, const char *key);

#endif
