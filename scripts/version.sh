#!/bin/sh
# version.sh -- the version of this source tree, for `dvcbot version` and the .deb.
#
#   scripts/version.sh        git describe --tags --always --dirty (e.g. v1.2-3-gabc1234,
#                             or abc1234-dirty without a tag); "unknown" outside git
#   scripts/version.sh --deb  a Debian version: the tag without its "v" and -N-gHASH as
#                             +gitN.HASH; without a tag 0.0~gitCOUNT.HASH (dpkg sorts it first)
set -eu
cd "$(dirname "$0")/.."
desc=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
[ "${1:-}" = "--deb" ] || { echo "$desc"; exit 0; }
if tag=$(git describe --tags --abbrev=0 2>/dev/null); then
    v=${tag#v}
    n=$(git rev-list --count "$tag..HEAD")
    [ "$n" -gt 0 ] && v="$v+git$n.$(git rev-parse --short HEAD)"
elif git rev-parse --short HEAD >/dev/null 2>&1; then
    v="0.0~git$(git rev-list --count HEAD).$(git rev-parse --short HEAD)"
else
    v=0.0~unknown
fi
git diff --quiet HEAD 2>/dev/null || v="$v.dirty"
echo "$v"
