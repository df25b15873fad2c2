#!/usr/bin/env python3
"""manifest.py: describe a tree exactly, to compare it across remounts.

  manifest.py list ROOT    one line per entry (sorted): path, type, mode,
                           uid, gid, size, nlink, inode, rdev, mtime and
                           ctime in ns, symlink target, xattrs (hex) and
                           sha256 of file contents.  atime is left out:
                           reading the files to hash them may move it.
  manifest.py times ROOT   give every entry distinct atime/mtime with
                           nanoseconds (children before parents, so a
                           directory keeps the time it was given).
"""
import hashlib
import os
import stat
import sys


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return "-"
    out = []
    for n in sorted(names):
        v = os.getxattr(path, n, follow_symlinks=False)
        out.append("%s=%s" % (n, v.hex()))
    return ",".join(out) or "-"


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def entries(root):
    yield "."
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs + files):
            yield os.path.relpath(os.path.join(d, n), root)


def describe(root, rel):
    p = os.path.join(root, rel)
    st = os.lstat(p)
    m = st.st_mode
    kind = stat.filemode(m)[0]
    target = os.readlink(p) if stat.S_ISLNK(m) else "-"
    data = digest(p) if stat.S_ISREG(m) else "-"
    return " ".join(str(x) for x in (
        repr(rel), kind, "%o" % stat.S_IMODE(m), st.st_uid, st.st_gid,
        st.st_size if not stat.S_ISDIR(m) else "-", st.st_nlink, st.st_ino,
        st.st_rdev, st.st_mtime_ns, st.st_ctime_ns, repr(target), xattrs(p),
        data))


def set_times(root):
    paths = list(entries(root))
    for i, rel in enumerate(reversed(paths)):
        p = os.path.join(root, rel)
        base = 981173106 + 86400 * i  # from 2001-02-03, one day apart
        ns = 123456789 + i
        os.utime(p, ns=(base * 10**9 + ns + 7, base * 10**9 + ns),
                 follow_symlinks=False)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("list", "times"):
        sys.exit(__doc__)
    root = sys.argv[2]
    if sys.argv[1] == "times":
        set_times(root)
        return
    for rel in sorted(entries(root)):
        print(describe(root, rel))


if __name__ == "__main__":
    main()
