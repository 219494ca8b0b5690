#!/bin/sh
# tests/check-install.sh — "meson install" into a scratch DESTDIR must put
# every expected file in place.
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-install.sh MESON BUILD_DIR PREFIX FILE…
# Each FILE is a path relative to PREFIX. The build must be up to date: the
# install does not rebuild (it runs inside "meson test", which already did).
set -eu

meson=$1
build_dir=$2
prefix=$3
shift 3

destdir=$build_dir/meson-private/install-test-root
rm -rf "$destdir"
trap 'rm -rf "$destdir"' EXIT INT TERM

# The post-install steps (schema compile, icon cache) skip themselves when
# DESTDIR is set.
if ! $meson install -C "$build_dir" --no-rebuild --quiet --destdir "$destdir"; then
  echo "meson install failed"
  exit 1
fi

echo "Installed:"
(cd "$destdir" && find . \( -type f -o -type l \) | sed 's|^\./|  /|' | LC_ALL=C sort)

status=0
for f in "$@"; do
  path=$destdir$prefix/$f
  if [ ! -f "$path" ]; then
    echo "missing: $prefix/$f"
    status=1
  elif [ ! -s "$path" ]; then
    echo "empty: $prefix/$f"
    status=1
  fi
done
for f in "$@"; do
  case "$f" in
    bin/*|*/bin/*)
      if [ -f "$destdir$prefix/$f" ] && [ ! -x "$destdir$prefix/$f" ]; then
        echo "not executable: $prefix/$f"
        status=1
      fi ;;
  esac
done
[ "$status" -eq 0 ] && echo "All $# expected files are installed."
exit "$status"
