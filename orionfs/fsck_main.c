/* fsck_main.c: fsck.orionfs, check (and repair) an OrionFS image. */
#include "orionfs/orionfs.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "fsck.orionfs"

/* Exit codes of fsck(8). */
enum { FSCK_OK = 0, FSCK_FIXED = 1, FSCK_UNFIXED = 4, FSCK_ERROR = 8, FSCK_USAGE = 16 };

static const char usage[] =
	"usage: " PROG " [-n | -y | -p] [-v] IMAGE\n"
	"Check every invariant of an OrionFS image (it must not be mounted\n"
	"read-write): entries name live inodes, link counts, orphans, sizes,\n"
	"block counts and every data checksum.\n"
	"  -n          check only, change nothing (the default)\n"
	"  -y, -p, -a  repair what is safe to repair\n"
	"  -f          accepted for fsck(8) compatibility (the check is always full)\n"
	"  -v          list what was checked\n"
	"  -h, --help  show this help\n"
	"Exit status (fsck(8)): 0 clean, 1 problems corrected, 4 problems left\n"
	"uncorrected, 8 operational error, 16 usage error.\n";

/* say: print one problem. */
static void say(void *arg, const char *msg)
{
	(void)arg;
	printf("%s\n", msg);
}

static const char *image; /* for the fault handler */

/* on_fault: a damaged B-tree page sent LMDB outside the file: report it
 * as the damage it is, not as a crash. */
static void on_fault(int sig)
{
	static const char a[] = PROG ": cannot check ", b[] =
		": image structure is inconsistent (a damaged page points outside the file)\n";
	(void)sig;
	if (write(2, a, sizeof a - 1) < 0 || write(2, image, strlen(image)) < 0 ||
	    write(2, b, sizeof b - 1) < 0)
		_exit(FSCK_UNFIXED);
	_exit(FSCK_UNFIXED);
}

/* catch_faults: route SIGBUS and SIGSEGV to on_fault. */
static void catch_faults(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	unsigned flags = 0;
	int c;
	while ((c = getopt_long(argc, argv, "nypafvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': flags &= ~(unsigned)OFS_FSCK_REPAIR; break;
		case 'y': case 'p': case 'a': flags |= OFS_FSCK_REPAIR; break;
		case 'f': break;
		case 'v': flags |= OFS_FSCK_VERBOSE; break;
		case 'h': fputs(usage, stdout); return FSCK_OK;
		default: fprintf(stderr, "%s", usage); return FSCK_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG ": %s\n%s", optind == argc ? "no IMAGE given" : "too many arguments", usage);
		return FSCK_USAGE;
	}
	const char *img = image = argv[optind];
	struct ofs_fsck_report r;
	catch_faults();
	int rc = ofs_fsck(img, flags, say, NULL, &r);
	if (rc) {
		fprintf(stderr, PROG ": cannot check %s: %s\n", img, orion_strerror(rc));
		return rc == -ORION_ECORRUPT ? FSCK_UNFIXED : FSCK_ERROR;
	}
	if (flags & OFS_FSCK_VERBOSE || r.problems)
		printf("%s: %lu inodes, %lu entries, %lu blocks; %lu problems, %lu fixed\n", img,
		       r.inodes, r.dirents, r.blocks, r.problems, r.repaired);
	if (r.problems > r.repaired) {
		if (!(flags & OFS_FSCK_REPAIR))
			printf("%s: run " PROG " -y to repair what can be repaired\n", img);
		return FSCK_UNFIXED;
	}
	return r.problems ? FSCK_FIXED : FSCK_OK;
}
