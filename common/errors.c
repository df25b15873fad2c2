/* errors.c: the one table of Orion's own error texts. */
#include "common/orion.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *text;
	int errno_like; /* what a system boundary reports instead */
} errtab[] = {
	[ORION_EBADIMAGE - ORION_ERRBASE] = {"not an orion image", EINVAL},
	[ORION_EVERSION - ORION_ERRBASE] = {"unsupported image format version", EPROTONOSUPPORT},
	[ORION_ECHECKSUM - ORION_ERRBASE] = {"checksum mismatch (data corrupted)", EIO},
	[ORION_ECORRUPT - ORION_ERRBASE] = {"image structure is inconsistent", EUCLEAN},
	[ORION_EMOUNTED - ORION_ERRBASE] = {"image is already mounted", EBUSY},
	[ORION_EBADKEY - ORION_ERRBASE] = {"malformed key", EINVAL},
	[ORION_EBADVALUE - ORION_ERRBASE] = {"malformed value encoding", EBADMSG},
	[ORION_ESYNTAX - ORION_ERRBASE] = {"malformed command", EINVAL},
	[ORION_ESTALE_MOUNT - ORION_ERRBASE] =
		{"transport endpoint is not connected: the daemon serving this "
		 "mountpoint has died; run 'fusermount3 -u DIR' (or 'umount -l DIR') "
		 "and mount again",
		 ENOTCONN},
};

/* is_project: whether the magnitude e is one of enum orion_err. */
static int is_project(int e)
{
	return e >= ORION_ERRBASE && e < ORION_ERRMAX;
}

/* orion_strerror: text for a negative (or positive) errno or project code. */
const char *orion_strerror(int err)
{
	int e = err < 0 ? -err : err;
	if (is_project(e))
		return errtab[e - ORION_ERRBASE].text;
	return strerror(e);
}

/* orion_errno: map a negative project code to the closest negative errno. */
int orion_errno(int err)
{
	int e = err < 0 ? -err : err;
	if (is_project(e))
		return -errtab[e - ORION_ERRBASE].errno_like;
	return err;
}
