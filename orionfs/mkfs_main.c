/* mkfs_main.c: mkfs.orionfs, create an empty OrionFS image. */
#include "orionfs/orionfs.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "mkfs.orionfs"

static const char usage[] =
	"usage: " PROG " [-f] [-s SIZE] [-u UID] [-g GID] [-q] IMAGE\n"
	"Create an empty OrionFS image (one LMDB file) at IMAGE.\n"
	"  -f, --force      overwrite an existing file (never a mounted image)\n"
	"  -s, --size SIZE  largest size the image may grow to, with an optional\n"
	"                   K, M, G or T suffix (default 1T; space is used only as\n"
	"                   files are written)\n"
	"  -u, --uid UID    owner of the root directory (default: your uid)\n"
	"  -g, --gid GID    group of the root directory (default: your gid)\n"
	"  -q, --quiet      print nothing on success\n"
	"      --encrypt    encrypted images are not supported by this build\n"
	"  -h, --help       show this help\n"
	"Exit status: 0 created, 1 failed, 2 bad usage.\n";

/* die_usage: report a usage error and exit 2. */
static void die_usage(const char *what)
{
	fprintf(stderr, PROG ": %s\n%s", what, usage);
	exit(2);
}

/* parse_size: SIZE[KMGT] in bytes, 0 when malformed. */
static uint64_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return 0;
	const char *units = "KMGT";
	const char *u = *end ? strchr(units, *end & ~0x20) : NULL;
	if (*end && (!u || end[1]))
		return 0;
	for (int shift = u ? (int)(u - units) + 1 : 0; shift > 0; shift--) {
		if (v > (~0ULL >> 10))
			return 0;
		v <<= 10;
	}
	return v;
}

/* parse_id: a uid or gid, exits on a malformed one. */
static uint32_t parse_id(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > 0xfffffffeUL)
		die_usage(what);
	return (uint32_t)v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"force", no_argument, NULL, 'f'}, {"size", required_argument, NULL, 's'},
		{"uid", required_argument, NULL, 'u'}, {"gid", required_argument, NULL, 'g'},
		{"quiet", no_argument, NULL, 'q'}, {"encrypt", no_argument, NULL, 'E'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct ofs_mkfs_opts o = {.root_uid = getuid(), .root_gid = getgid()};
	int quiet = 0, c;
	while ((c = getopt_long(argc, argv, "fs:u:g:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o.force = 1; break;
		case 's':
			if (!(o.map_size = parse_size(optarg)) || o.map_size < (1u << 20))
				die_usage("bad size (at least 1M)");
			break;
		case 'u': o.root_uid = parse_id(optarg, "bad uid"); break;
		case 'g': o.root_gid = parse_id(optarg, "bad gid"); break;
		case 'q': quiet = 1; break;
		case 'E':
			fprintf(stderr, PROG ": --encrypt: encrypted images are not supported by this build\n");
			return 1;
		case 'h': fputs(usage, stdout); return 0;
		default: die_usage("bad option");
		}
	}
	if (optind != argc - 1)
		die_usage(optind == argc ? "no IMAGE given" : "too many arguments");
	const char *img = argv[optind];
	int rc = ofs_mkfs(img, &o);
	if (rc == -EEXIST) {
		fprintf(stderr, PROG ": %s: file exists (use -f to overwrite it)\n", img);
		return 1;
	}
	if (rc) {
		fprintf(stderr, PROG ": cannot create %s: %s\n", img, orion_strerror(rc));
		return 1;
	}
	if (!quiet)
		printf("%s: OrionFS image, format %d\n", img, OFS_FORMAT_VERSION);
	return 0;
}
