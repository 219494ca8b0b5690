#!/usr/bin/env bash
# tests/check-completion.sh — the bash completion of scatterflash-cli offers
# the commands, each command's options and the scene names.
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-completion.sh COMPLETION_FILE SCATTERFLASH_CLI
set -u
# shellcheck source=/dev/null
source "$1"
cli=$2
failures=0

# complete WORD… : the completions when the cursor is on the last word.
complete_words() {
  COMP_WORDS=("$cli" "$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _scatterflash_cli
  printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {
  local want=$1 got
  shift
  got=$(complete_words "$@")
  if [[ $got == "$want" ]]; then
    echo "ok: [$*] -> $got"
  else
    echo "FAIL: [$*] -> \"$got\", want \"$want\""
    failures=$((failures + 1))
  fi
}

# Contains: the completions include every word of WANT.
expect_has() {
  local want=$1 got w
  shift
  got=" $(complete_words "$@") "
  for w in $want; do
    if [[ $got != *" $w "* ]]; then
      echo "FAIL: [$*] -> \"$got\" lacks $w"
      failures=$((failures + 1))
      return
    fi
  done
  echo "ok: [$*] has $want"
}

complete -p scatterflash-cli >/dev/null || { echo "FAIL: no completion registered for scatterflash-cli"; exit 1; }

expect "download" dow
expect "da devices download" d
expect_has "scatter plan info download readback format backup restore da devices" ""
expect "--help --version" --
expect_has "--scene= --partitions= --verify --port= --da= --dry-run --json --help" download --
expect "--verify" download --ver
expect "--scene=" download --sc
expect "download-only firmware-upgrade format-all-download" download --scene ""
expect "firmware-upgrade" download --scene=fi
expect "format format-all-download" plan --scene "=" form
expect "format-all-download" download --scene "=" form
expect "brom" info --mode "=" b
expect "EMMC_BOOT_1 EMMC_BOOT_2" readback --region "=" EMMC_B
expect "--json" scatter --j
expect "--help" download --he

# Files for FIRMWARE.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/firmware-folder"
: > "$tmp/MT6572_Android_scatter.txt"
expect "$tmp/MT6572_Android_scatter.txt" scatter "$tmp/MT65"
expect "$tmp/firmware-folder" restore "$tmp/"

if (( failures > 0 )); then
  echo "$failures completion checks failed"
  exit 1
fi
echo "All completion checks passed"
