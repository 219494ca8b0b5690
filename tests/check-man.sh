#!/bin/sh
# tests/check-man.sh — each generated man page must format without a single
# warning from groff, and have the sections a man page needs.
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-man.sh GROFF PAGE…
set -eu
groff=$1
shift
status=0
for page in "$@"; do
  name=$(basename "$page")
  warnings=$("$groff" -ww -z -man -Tutf8 -k "$page" 2>&1) || { echo "$name: groff failed"; status=1; }
  if [ -n "$warnings" ]; then
    echo "$name: groff warns:"
    printf '%s\n' "$warnings"
    status=1
  fi
  for section in NAME SYNOPSIS DESCRIPTION 'SEE ALSO'; do
    grep -q "^\.SH \"*$section\"*\$" "$page" || { echo "$name: no $section section"; status=1; }
  done
  # NAME is "program \- summary", which whatis and apropos read.
  sed -n '/^\.SH NAME$/{n;p;}' "$page" | grep -q '^[-a-z\\]* \\- [^ ]' || { echo "$name: NAME is not \"name \\- summary\""; status=1; }
  [ "$status" -eq 0 ] && echo "$name: formats cleanly"
done
exit "$status"
