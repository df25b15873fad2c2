#!/bin/sh
# install-deps.sh: install, with apt-get, every Debian package Orion needs to
# build, test and benchmark. Does nothing when all are present already.
set -eu

PKGS="build-essential clang llvm pkg-config libfuse3-dev fuse3 liblmdb-dev lmdb-utils
libsodium-dev libyaml-dev check libseccomp-dev libedit-dev liburing-dev
attr acl rsync git sqlite3 libsqlite3-dev tar xz-utils e2fsprogs fuse2fs
lua5.4 python3 gocryptfs util-linux procps psmisc man-db groff-base"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
