#!/bin/sh
# tests/check-potfiles.sh — po/POTFILES.in must list every source with
# translatable strings, only files that exist, in sorted order.
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-potfiles.sh [--fix] SOURCE_ROOT
# With --fix it rewrites po/POTFILES.in: what it listed that still exists,
# plus what is missing, sorted.
set -eu
fix=no
if [ "${1:-}" = --fix ]; then
  fix=yes
  shift
fi
cd "$1"
export LC_ALL=C

listed=$(mktemp)
needed=$(mktemp)
trap 'rm -f "$listed" "$needed"' EXIT INT TERM

grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in > "$listed" || true
status=0

# C: _() N_() C_() NC_() Q_() and the plural and context calls.
# .ui: translatable="yes". The desktop, metainfo and schema sources always
# carry strings (their ITS rules mark them).
{
  find src resources data -type f \( -name '*.c' -o -name '*.h' \) \
    -exec grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_|g_dngettext|g_dpgettext2?|g_dcgettext|ngettext)[[:space:]]*\(' {} + || true
  find src resources data -type f \( -name '*.ui' -o -name '*.xml' -o -name '*.in' \) \
    -exec grep -l 'translatable="yes"' {} + || true
  find data -path data/sample-firmware -prune -o -type f \
    \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.appdata.xml.in' \
       -o -name '*.gschema.xml' -o -name '*.gschema.xml.in' \) -print
} | sed 's|^\./||' | sort -u > "$needed"

if [ "$fix" = yes ]; then
  {
    grep -e '^#' po/POTFILES.in || true
    while IFS= read -r f; do
      [ -f "$f" ] && printf '%s\n' "$f"
    done < "$listed" | cat - "$needed" | sort -u
  } > po/POTFILES.in.new
  mv po/POTFILES.in.new po/POTFILES.in
  grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in > "$listed"
fi

missing=$(sort -u "$listed" | comm -13 - "$needed")
if [ -n "$missing" ]; then
  echo "po/POTFILES.in lacks these files with translatable strings (tests/check-potfiles.sh --fix . adds them):"
  # One file a line; the names have no spaces.
  # shellcheck disable=SC2086
  printf '  %s\n' $missing
  status=1
fi

while IFS= read -r f; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done < "$listed"

if ! sort -c "$listed" 2>/dev/null; then
  echo "po/POTFILES.in is not sorted (LC_ALL=C sort):"
  sort "$listed" | diff "$listed" - || true
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "po/POTFILES.in lists all $(wc -l < "$needed") files with translatable strings"
fi
exit "$status"
