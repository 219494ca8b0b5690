#!/bin/sh
# tests/check-po.sh — every translation in po/LINGUAS is whole and sound
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-po.sh SOURCE_ROOT
#
# Fails when a language's .po
#   - does not compile with msgfmt --check (syntax, headers, a format
#     directive that differs from the English: a crash waiting to happen);
#   - has a fuzzy or an untranslated message;
#   - lacks a message the sources have today (the template is made afresh
#     from po/POTFILES.in with the same xgettext options meson's "glib"
#     preset uses, and merged without fuzzy matching, so a changed English
#     message counts as missing until someone translates it);
#   - has no glossary (po/LL-glossary.md) beside it.
# Each failure names the language and shows the first messages concerned.
set -eu
cd "$1"
export LC_ALL=C.UTF-8

langs=$(grep -v -e '^#' -e '^[[:space:]]*$' po/LINGUAS || true)
if [ -z "$langs" ]; then
  echo "po/LINGUAS lists no language" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

xgettext --package-name=scatterflash --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_print:1:c-format \
  --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  -D . -f po/POTFILES.in -o "$tmp/scatterflash.pot"
total=$(msgattrib --no-obsolete "$tmp/scatterflash.pot" | grep -c '^msgid ')
total=$((total - 1))   # the header

status=0
# Prints the msgids of a .po file's entries, one a line, at most 10.
show () {
  msgcat --no-wrap "$1" | sed -n 's/^msgid "\(..*\)"$/    \1/p' | head -n 10
}

for lang in $langs; do
  po="po/$lang.po"
  before=$status
  status=0
  if [ ! -f "$po" ]; then
    echo "$lang: $po is missing (listed in po/LINGUAS)"
    status=1
    continue
  fi
  if ! msgfmt --check -o /dev/null "$po" 2> "$tmp/err"; then
    echo "$lang: msgfmt --check fails:"
    sed 's/^/    /' "$tmp/err" | head -n 20
    status=1
  fi
  rm -f "$tmp/fuzzy.po" "$tmp/untranslated.po"
  msgattrib --only-fuzzy --no-obsolete -o "$tmp/fuzzy.po" "$po"
  if grep -q '^msgid ' "$tmp/fuzzy.po" 2>/dev/null; then
    echo "$lang: fuzzy messages (check and translate them, then remove the fuzzy flag):"
    show "$tmp/fuzzy.po"
    status=1
  fi
  msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$tmp/merged.po" "$po" "$tmp/scatterflash.pot"
  msgattrib --untranslated --no-obsolete -o "$tmp/untranslated.po" "$tmp/merged.po"
  if grep -q '^msgid ' "$tmp/untranslated.po" 2>/dev/null; then
    n=$(($(grep -c '^msgid ' "$tmp/untranslated.po") - 1))
    echo "$lang: $n of $total messages are not translated (new or changed in the sources: msgmerge --update $po, then translate):"
    show "$tmp/untranslated.po"
    status=1
  fi
  if [ ! -f "po/$lang-glossary.md" ]; then
    echo "$lang: po/$lang-glossary.md is missing: the terms this translation uses, and why"
    status=1
  fi
  [ $status -ne 0 ] || echo "$lang: $total messages, all translated"
  [ $before -eq 0 ] || status=1
done
exit $status
