#!/bin/sh
# tests/check-cli-i18n.sh — the command line speaks each language in
# po/LINGUAS: its help and its error messages come from the catalog, and the
# SP Flash Tool error names stay as they are (people search for them).
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-cli-i18n.sh SOURCE_ROOT CLI LOCALEDIR
set -eu
root=$1 cli=$2 localedir=$3
export LC_ALL=C.UTF-8 SCATTERFLASH_LOCALEDIR="$localedir" TEXTDOMAINDIR="$localedir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
summary="Write a firmware to a phone"

LANGUAGE=en "$cli" --help > "$tmp/help.en"
# A port that does not exist: S_COM_PORT_OPEN_FAIL (1013) in every language.
LANGUAGE=en "$cli" info --port "$tmp/ttyNONE" > "$tmp/err.en" 2>&1 && { echo "info --port on a missing port succeeded"; exit 1; }
grep -q 'S_[A-Z_]* ([0-9]*)\|SF_[A-Z_]*' "$tmp/err.en" || { echo "the English error has no error name:"; cat "$tmp/err.en"; exit 1; }
name=$(grep -o 'S_[A-Z_]* ([0-9]*)' "$tmp/err.en" | head -n 1 || true)

for lang in $(grep -v -e '^#' -e '^[[:space:]]*$' "$root/po/LINGUAS"); do
  expected=$(LANGUAGE=$lang gettext -d scatterflash "$summary")
  if [ "$expected" = "$summary" ]; then
    echo "$lang: the catalog in $localedir does not translate “$summary” (was the build's po/ made?)"
    status=1
    continue
  fi
  LANGUAGE=$lang "$cli" --help > "$tmp/help.$lang"
  if ! grep -qF "$expected" "$tmp/help.$lang"; then
    echo "$lang: scatterflash-cli --help does not show “$expected”:"
    head -n 5 "$tmp/help.$lang"
    status=1
  fi
  LANGUAGE=$lang "$cli" info --port "$tmp/ttyNONE" > "$tmp/err.$lang" 2>&1 || true
  if cmp -s "$tmp/err.en" "$tmp/err.$lang"; then
    echo "$lang: the error for a missing port is still in English:"
    cat "$tmp/err.$lang"
    status=1
  fi
  if [ -n "$name" ] && ! grep -qF "$name" "$tmp/err.$lang"; then
    echo "$lang: the error lost its SP Flash Tool name $name:"
    cat "$tmp/err.$lang"
    status=1
  fi
  [ $status -ne 0 ] || echo "$lang: help and errors translated"
done
exit $status
