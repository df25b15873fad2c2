/* perm.c: permission checks, run as a non-root user (-P FIXDIR) against
 * root-owned fixtures made by --perm-setup. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tests/posix/posix.h"

/* The supplementary group the non-root run is given (setpriv --groups),
 * and one it is not in. */
#define PERM_GID 4242

/* fx: path of a fixture (static buffer, one at a time). */
static const char *fx(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", g_fixdir, name);
	return buf;
}

/* put_mode: create path with content s and mode. */
static int put_mode(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write_all(fd, s, strlen(s)) < 0 || fchmod(fd, mode) < 0) {
		fprintf(stderr, "perm-setup: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return close(fd);
}

/* mkdir_mode: make (or re-mode) a directory. */
static int mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -1;
	return chmod(path, mode);
}

int perm_setup(const char *fixdir)
{
	g_fixdir = fixdir;
	if (mkdir_mode(fixdir, 0755) < 0 || mkdir_mode(fx("rootdir"), 0755) < 0 ||
	    put_mode(fx("rootdir/f"), "data", 0644) < 0 ||
	    put_mode(fx("secret"), "secret", 0600) < 0 ||
	    mkdir_mode(fx("private"), 0700) < 0 || put_mode(fx("private/x"), "x", 0644) < 0 ||
	    mkdir_mode(fx("sticky"), 01777) < 0 ||
	    put_mode(fx("sticky/rootfile"), "r", 0666) < 0 ||
	    put_mode(fx("rootdir/suid"), "s", 06777) < 0 ||
	    put_mode(fx("rootdir/suid-trunc"), "s", 06777) < 0 ||
	    put_mode(fx("rootdir/suid-otrunc"), "s", 06777) < 0 ||
	    put_mode(fx("rootdir/sgid-nogx"), "s", 02767) < 0 ||
	    chown(fx("rootdir/sgid-nogx"), 0, PERM_GID) < 0 || chmod(fx("rootdir/sgid-nogx"), 02767) < 0 ||
	    put_mode(fx("rootdir/sgid-nogx-out"), "s", 02767) < 0 ||
	    put_mode(fx("rootdir/sgid-nogx-chown"), "s", 02745) < 0 ||
	    put_mode(fx("rootdir/suid-chown"), "s", 06755) < 0 ||
	    put_mode(fx("grp-member"), "g", 0640) < 0 || chown(fx("grp-member"), 0, PERM_GID) < 0 ||
	    put_mode(fx("grp-other"), "g", 0640) < 0 || chown(fx("grp-other"), 0, PERM_GID + 1) < 0) {
		fprintf(stderr, "perm-setup: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* No create, delete or rename in a root-owned 0755 directory. */
static int c_perm_dir_write(void)
{
	char p[4096], q[4096];
	snprintf(p, sizeof p, "%s/rootdir/new", g_fixdir);
	ERR(open(p, O_WRONLY | O_CREAT, 0644), EACCES);
	ERR(mkdir(p, 0755), EACCES);
	ERR(symlink("x", p), EACCES);
	ERR(mkfifo(p, 0644), EACCES);
	snprintf(q, sizeof q, "%s/rootdir/f", g_fixdir);
	ERR(unlink(q), EACCES);
	ERR(rename(q, p), EACCES);
	int fd;
	SYS(fd = open("mine", O_WRONLY | O_CREAT, 0644));
	close(fd);
	ERR(link("mine", p), EACCES);
	ERR(rename("mine", p), EACCES);
	return 0;
}

/* File modes decide who may open, write or truncate. */
static int c_perm_file(void)
{
	char buf[16];
	ERR(open(fx("secret"), O_RDONLY), EACCES);
	ERR(open(fx("rootdir/f"), O_WRONLY), EACCES);
	ERR(open(fx("rootdir/f"), O_RDWR), EACCES);
	ERR(truncate(fx("rootdir/f"), 0), EACCES);
	ERR(access(fx("rootdir/f"), W_OK), EACCES);
	SYS(access(fx("rootdir/f"), R_OK));
	EXPECT(read_small(fx("rootdir/f"), buf, sizeof buf) == 4 && !strcmp(buf, "data"),
	       "reading a 0644 root file");
	return 0;
}

/* A 0700 root directory cannot be searched or listed. */
static int c_perm_search(void)
{
	struct stat st;
	ERR(stat(fx("private/x"), &st), EACCES);
	ERR(open(fx("private"), O_RDONLY | O_DIRECTORY), EACCES);
	ERR(chdir(fx("private")), EACCES);
	SYS(stat(fx("private"), &st)); /* the directory itself is visible */
	return 0;
}

/* Only the owner may chmod, chown away, set times explicitly; user xattrs
 * need write permission. */
static int c_perm_owner(void)
{
	const char *f = fx("rootdir/f");
	ERR(chmod(f, 0777), EPERM);
	ERR(chown(f, getuid(), getgid()), EPERM);
	const struct timespec t[2] = {{1, 0}, {2, 0}};
	ERR(utimensat(AT_FDCWD, f, t, 0), EPERM);
	ERR2(utimensat(AT_FDCWD, f, NULL, 0), EACCES, EPERM);
	ERR2(setxattr(f, "user.x", "v", 1, 0), EACCES, EPERM);
	int fd;
	SYS(fd = open("mine", O_WRONLY | O_CREAT, 0644));
	close(fd);
	ERR(chown("mine", 0, 0), EPERM);
	SYS(chmod("mine", 0600)); /* own file: allowed */
	SYS(utimensat(AT_FDCWD, "mine", t, 0));
	return 0;
}

/* In a sticky directory others' files cannot be deleted or renamed. */
static int c_perm_sticky(void)
{
	char mine[4096];
	ERR2(unlink(fx("sticky/rootfile")), EPERM, EACCES);
	char to[4096];
	snprintf(to, sizeof to, "%s/sticky/renamed", g_fixdir);
	ERR2(rename(fx("sticky/rootfile"), to), EPERM, EACCES);
	int fd;
	SYS(fd = open(fx("sticky/rootfile"), O_WRONLY)); /* 0666: writable */
	close(fd);
	snprintf(mine, sizeof mine, "%s/sticky/mine.%d", g_fixdir, (int)getpid());
	SYS(fd = open(mine, O_WRONLY | O_CREAT, 0644));
	close(fd);
	SYS(unlink(mine));
	return 0;
}

/* The owner is held to the owner bits too (only root is exempt). */
static int c_perm_own_modes(void)
{
	int fd;
	SYS(fd = open("f", O_WRONLY | O_CREAT, 0644));
	close(fd);
	SYS(chmod("f", 0));
	ERR(open("f", O_RDONLY), EACCES);
	SYS(chmod("f", 0400));
	ERR(open("f", O_WRONLY), EACCES);
	SYS(mkdir("d", 0755));
	SYS(chmod("d", 0500));
	ERR(open("d/x", O_WRONLY | O_CREAT, 0644), EACCES);
	SYS(chmod("d", 0300));
	ERR(open("d", O_RDONLY | O_DIRECTORY), EACCES);
	SYS(chmod("d", 0755));
	return 0;
}

/* A write by someone else clears set-user-ID (and set-group-ID with
 * group exec) of a file, as the kernel does for local filesystems. */
static int c_perm_kill_suid(void)
{
	int fd;
	SYS(fd = open(fx("rootdir/suid"), O_WRONLY | O_APPEND));
	SYS(write_all(fd, "x", 1));
	SYS(fsync(fd));
	close(fd);
	struct stat st;
	SYS(stat(fx("rootdir/suid"), &st));
	EXPECT(!(st.st_mode & (S_ISUID | S_ISGID)), "mode %04o after a write by uid %u",
	       st.st_mode & 07777, getuid());
	return 0;
}

/* mode_of: the permission bits of path, or -1. */
static int mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

/* A truncate by someone else, by truncate(2) or by O_TRUNC, clears suid
 * and sgid too.  sgid without group exec survives a write by a member of
 * the file's group (here through a supplementary group) and goes with
 * one by anyone else, as since Linux 6.2 (setattr_should_drop_sgid). */
static int c_perm_kill_trunc(void)
{
	SYS(truncate(fx("rootdir/suid-trunc"), 0));
	EXPECT(mode_of(fx("rootdir/suid-trunc")) == 0777, "mode %04o after truncate(2)",
	       mode_of(fx("rootdir/suid-trunc")));
	int fd;
	SYS(fd = open(fx("rootdir/suid-otrunc"), O_WRONLY | O_TRUNC));
	close(fd);
	EXPECT(mode_of(fx("rootdir/suid-otrunc")) == 0777, "mode %04o after O_TRUNC",
	       mode_of(fx("rootdir/suid-otrunc")));
	SYS(fd = open(fx("rootdir/sgid-nogx"), O_WRONLY | O_APPEND));
	SYS(write_all(fd, "x", 1));
	close(fd);
	EXPECT(mode_of(fx("rootdir/sgid-nogx")) == 02767, "mode %04o after a write by a group member",
	       mode_of(fx("rootdir/sgid-nogx")));
	SYS(fd = open(fx("rootdir/sgid-nogx-out"), O_WRONLY | O_APPEND));
	SYS(write_all(fd, "x", 1));
	close(fd);
	EXPECT(mode_of(fx("rootdir/sgid-nogx-out")) == 0767, "mode %04o after a write from outside the group",
	       mode_of(fx("rootdir/sgid-nogx-out")));
	return 0;
}

/* chown(f, -1, -1) changes no id but drops suid and sgid (sgid without
 * group exec when the caller is outside the group), a mode change that
 * only the owner may make: someone else gets EPERM for a set-id file,
 * and nothing for a plain one. */
static int c_perm_chown_none(void)
{
	ERR(chown(fx("rootdir/suid-chown"), (uid_t)-1, (gid_t)-1), EPERM);
	EXPECT(mode_of(fx("rootdir/suid-chown")) == 06755, "mode %04o after chown(-1, -1)",
	       mode_of(fx("rootdir/suid-chown")));
	ERR(chown(fx("rootdir/sgid-nogx-chown"), (uid_t)-1, (gid_t)-1), EPERM);
	SYS(chown(fx("rootdir/f"), (uid_t)-1, (gid_t)-1));
	return 0;
}

/* Group bits apply through supplementary groups; chgrp is allowed to
 * one's own groups only. */
static int c_perm_group(void)
{
	gid_t g[64];
	int n = getgroups(64, g), member = 0;
	for (int i = 0; i < n; i++)
		member |= g[i] == PERM_GID;
	if (!member)
		return skipf("not in group %d (run with setpriv --groups %d)", PERM_GID, PERM_GID);
	char buf[8];
	EXPECT(read_small(fx("grp-member"), buf, sizeof buf) == 1, "group-readable file: %s",
	       errname(errno));
	ERR(open(fx("grp-member"), O_WRONLY), EACCES);
	ERR(open(fx("grp-other"), O_RDONLY), EACCES);
	int fd;
	SYS(fd = open("mine", O_WRONLY | O_CREAT, 0644));
	close(fd);
	SYS(chown("mine", (uid_t)-1, PERM_GID));
	struct stat st;
	SYS(stat("mine", &st));
	EXPECT(st.st_gid == PERM_GID, "chgrp to own group gave %u", st.st_gid);
	ERR(chown("mine", (uid_t)-1, PERM_GID + 1), EPERM);
	return 0;
}

const struct check perm_checks[] = {
	{"perm_dir_write", c_perm_dir_write, PERM, "no writes in a root 0755 dir"},
	{"perm_file", c_perm_file, PERM, "file modes enforced"},
	{"perm_search", c_perm_search, PERM, "search permission enforced"},
	{"perm_owner", c_perm_owner, PERM, "owner-only operations"},
	{"perm_sticky", c_perm_sticky, PERM, "sticky directory"},
	{"perm_own_modes", c_perm_own_modes, PERM, "owner bits bind the owner"},
	{"perm_group", c_perm_group, PERM, "supplementary groups and chgrp"},
	{"perm_kill_suid", c_perm_kill_suid, PERM, "a write by another user clears suid/sgid"},
	{"perm_kill_trunc", c_perm_kill_trunc, PERM, "a truncate by another user clears suid/sgid"},
	{"perm_chown_none", c_perm_chown_none, PERM, "chown(-1, -1) of a set-id file: owner only"},
	{0},
};
