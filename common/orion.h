/*
 * orion.h: what every Orion subsystem shares.
 *
 * Contract: every function in Orion returns 0 (or a count) on success and a
 * negative errno on failure.  Where no errno says enough, a project code
 * from enum orion_err is returned, negated, like an errno.  orion_strerror()
 * turns either into text; it is the only place such text lives.
 *
 * Caveats: project codes are >= ORION_ERRBASE so they never collide with a
 * kernel errno; at a system boundary (a FUSE reply, a write(2) result)
 * convert them with orion_errno() first.
 */
#ifndef ORION_H
#define ORION_H

#include <stddef.h>

#define ORION_ERRBASE 4096

enum orion_err {
	ORION_EBADIMAGE = ORION_ERRBASE, /* not an orion image */
	ORION_EVERSION,                  /* image format version not supported */
	ORION_ECHECKSUM,                 /* stored checksum does not match */
	ORION_ECORRUPT,                  /* image structure inconsistent */
	ORION_EMOUNTED,                  /* image already in use by a mount */
	ORION_EBADKEY,                   /* malformed OrionDB key */
	ORION_EBADVALUE,                 /* malformed OrionDB value encoding */
	ORION_ESYNTAX,                   /* malformed control command */
	ORION_ESTALE_MOUNT,              /* mountpoint's FUSE daemon has gone */
	ORION_ERRMAX
};

/* orion_strerror: text for a negative (or positive) errno or project code. */
const char *orion_strerror(int err);

/* orion_errno: map a negative project code to the closest negative errno. */
int orion_errno(int err);

/* orion_utf8_ok: whether s[0..len) is well-formed UTF-8 (no overlong
 * forms, no surrogates, nothing above U+10FFFF); NUL bytes count as valid. */
int orion_utf8_ok(const char *s, size_t len);

/* orion_populate: map in now the whole pages of the n bytes at p, fresh
 * memory about to be written, in one call: where a page fault traps to
 * the hypervisor, faulting them in one by one costs some 12 us a page,
 * and this a twentieth of a microsecond.  A hint: errors are ignored. */
void orion_populate(void *p, size_t n);

#endif
