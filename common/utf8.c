/* utf8.c: the one UTF-8 validator (control files, OrionDB strings). */
#include "common/orion.h"

/* seq_len: continuation bytes after lead byte c, and the smallest code
 * point that form may encode (to refuse overlongs); -1 for a bad lead. */
static int seq_len(unsigned c, unsigned *cp, unsigned *min)
{
	if (c >= 0xc2 && c <= 0xdf)
		return *cp = c & 0x1f, *min = 0x80, 1;
	if (c >= 0xe0 && c <= 0xef)
		return *cp = c & 0x0f, *min = 0x800, 2;
	if (c >= 0xf0 && c <= 0xf4)
		return *cp = c & 0x07, *min = 0x10000, 3;
	return -1;
}

/* orion_utf8_ok: whether s[0..len) is well-formed UTF-8. */
int orion_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	while (p < e) {
		unsigned c = *p++, cp, min;
		if (c < 0x80)
			continue;
		int n = seq_len(c, &cp, &min);
		if (n < 0 || e - p < n)
			return 0;
		for (int i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (*p & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}
