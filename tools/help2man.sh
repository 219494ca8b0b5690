#!/bin/sh
# tools/help2man.sh — write a man page from a program's --help output, so that
# the manual and --help are one text.
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: help2man.sh --output FILE --name SUMMARY [--include FILE]
#                    [--subcommands] [--source TEXT] PROGRAM [NAME]
#
# PROGRAM is run with --help (in the C.UTF-8 locale, so the page is English
# and the typography survives). NAME is what the page is called (default: the
# base name of PROGRAM). The help text is read the way GLib's GOptionContext
# prints it:
#
#   Usage:                       or   Usage: PROG ARGS
#     PROG [OPTION…] ARGS [- SUMMARY]
#
#   A paragraph: DESCRIPTION.
#
#   Heading:                     a list: "Commands:" becomes COMMANDS,
#     TERM    TEXT               any "… Options:" becomes OPTIONS
#
#   Exit status: …               EXIT STATUS; other trailing paragraphs
#                                join the DESCRIPTION.
#
# With --subcommands, every entry of the Commands list is run as
# "PROGRAM COMMAND --help" and gets its own subsection with its options.
# --include names a file of extra sections, each opened by a line "[SECTION]"
# and written in man(7) markup; they are added after the generated text of a
# section of that name ("[<SECTION]": before it), or as sections of their own
# before SEE ALSO. Lines starting with "#" are comments.
set -eu

output=
name_summary=
include=
subcommands=no
source_text=
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output=$2; shift 2 ;;
    --name) name_summary=$2; shift 2 ;;
    --include) include=$2; shift 2 ;;
    --subcommands) subcommands=yes; shift ;;
    --source) source_text=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "help2man.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 1 ] || [ -z "$output" ]; then
  echo "usage: help2man.sh --output FILE [--name SUMMARY] [--include FILE] [--subcommands] PROGRAM [NAME]" >&2
  exit 2
fi
program=$1
page_name=${2:-$(basename "$program")}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# English, UTF-8, no display needed, and no leak report from a sanitiser
# build failing the build of a text file.
run_help() {
  env LC_ALL=C.UTF-8 LANGUAGE= ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
    "$program" "$@" --help
}

if ! run_help > "$tmp/main.txt"; then
  echo "help2man.sh: $program --help failed" >&2
  exit 1
fi

: > "$tmp/commands"
if [ "$subcommands" = yes ]; then
  # The first word of every entry in the "Commands:" list.
  LC_ALL=C awk '
    /^[^ ].*:$/ { in_list = ($0 == "Commands:"); next }
    /^$/ { in_list = 0; next }
    in_list && /^  +[^ ]/ { sub(/^ +/, ""); sub(/ .*/, ""); print }
  ' "$tmp/main.txt" > "$tmp/commands"
  while read -r command; do
    if ! run_help "$command" > "$tmp/cmd-$command.txt"; then
      echo "help2man.sh: $program $command --help failed" >&2
      exit 1
    fi
  done < "$tmp/commands"
fi

# The page's date: SOURCE_DATE_EPOCH for reproducible builds, else today.
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  page_date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d 2>/dev/null || date -u +%Y-%m-%d)
else
  page_date=$(date -u +%Y-%m-%d)
fi

# The awk program is in single quotes: no apostrophes in it, comments too.
# shellcheck disable=SC1112
LC_ALL=C awk \
  -v page_name="$page_name" \
  -v name_summary="$name_summary" \
  -v page_date="$page_date" \
  -v source_text="$source_text" \
  -v include="$include" \
  -v tmpdir="$tmp" \
  -v commands_file="$tmp/commands" '

# Text to man(7): escape backslashes and minus signs (so that options can be
# copied), spell the common typographic characters the portable way.
function esc(s) {
  gsub(/\\/, "\\e", s)
  gsub(/-/, "\\-", s)
  gsub(/“/, "\\(lq", s)
  gsub(/”/, "\\(rq", s)
  gsub(/‘/, "\\(oq", s)
  gsub(/’/, "\\(cq", s)
  gsub(/…/, "...", s)
  gsub(/—/, "\\(em", s)
  gsub(/–/, "\\(en", s)
  gsub(/×/, "\\(mu", s)
  return s
}

# A text line must not start with a control character.
function line(s) {
  if (s ~ /^[.\x27]/)
    s = "\\&" s
  return s "\n"
}

# "-s, --storage=DIR" or "--partitions=A,B,…": options bold, arguments
# italic. A command name is just bold.
function term_markup(t,    n, parts, i, out, p, eq) {
  n = split(t, parts, /, /)
  out = ""
  for (i = 1; i <= n; i++) {
    p = parts[i]
    eq = index(p, "=")
    if (eq > 0)
      p = "\\fB" esc(substr(p, 1, eq - 1)) "\\fR=\\fI" esc(substr(p, eq + 1)) "\\fR"
    else
      p = "\\fB" esc(p) "\\fR"
    out = out (i > 1 ? ", " : "") p
  }
  return out
}

# A synopsis line: the program name bold, the rest as it is.
function synopsis_markup(s, prog,    rest) {
  if (index(s, prog) == 1) {
    rest = substr(s, length(prog) + 1)
    return "\\fB" esc(prog) "\\fR" esc(rest)
  }
  return esc(s)
}

function add(section, text) {
  if (!(section in sec)) {
    sec[section] = ""
    order[++n_order] = section
  }
  sec[section] = sec[section] text
}

# Read one --help text into the arrays L[1..nl].
function slurp(file,    l) {
  nl = 0
  while ((getline l < file) > 0)
    L[++nl] = l
  close(file)
}

# Parse the text in L. is_sub: a subcommand, rendered into COMMANDS.
function parse(is_sub, prog,    i, j, s, usage, heading, item, t, d, para, seen_list, k, sum) {
  i = 1
  seen_list = 0
  usage = ""
  while (i <= nl) {
    s = L[i]
    if (s ~ /^Usage:/) {
      s = substr(s, 7)
      sub(/^ +/, "", s)
      if (s != "") {
        usage = usage s "\n"
        i++
      } else {
        i++
        while (i <= nl && L[i] ~ /^ +[^ ]/) {
          t = L[i]
          sub(/^ +/, "", t)
          usage = usage t "\n"
          i++
        }
      }
      continue
    }
    if (s ~ /^ *$/) {
      i++
      continue
    }
    if (s ~ /^[^ ].*:$/ && i < nl && L[i + 1] ~ /^  +[^ ]/) {
      heading = s
      seen_list = 1
      i++
      out_list = ""
      while (i <= nl && L[i] !~ /^ *$/) {
        item = L[i]
        sub(/^ +/, "", item)
        k = match(item, /   */)
        if (k > 0) {
          t = substr(item, 1, k - 1)
          d = substr(item, k + RLENGTH)
        } else {
          t = item
          d = ""
        }
        out_list = out_list ".TP\n" term_markup(t) "\n" (d != "" ? line(esc(d)) : "")
        i++
      }
      if (heading == "Commands:") {
        if (n_commands == 0)
          add("COMMANDS", out_list)
      } else if (heading ~ /Options:$/) {
        if (is_sub && heading == "Help Options:")
          continue
        if (is_sub)
          add("COMMANDS", out_list)
        else
          add("OPTIONS", out_list)
      } else {
        add(is_sub ? "COMMANDS" : "DESCRIPTION", ".SS " esc(substr(heading, 1, length(heading) - 1)) "\n" out_list)
      }
      continue
    }
    # A paragraph.
    para = ""
    while (i <= nl && L[i] !~ /^ *$/) {
      # "Exit status:" opens a paragraph of its own, and so does a line
      # that starts a sentence after one that ended one (a newline in the
      # text of the program; GLib does not wrap those lines).
      if (para != "" && L[i] ~ /^ *Exit status: /)
        break
      if (para != "" && L[i - 1] ~ /[.:]$/ && L[i] ~ /^ *[A-Z]/)
        break
      t = L[i]
      sub(/^ +/, "", t)
      para = para (para == "" ? "" : " ") t
      i++
    }
    if (para ~ /^Exit status: /) {
      sub(/^Exit status: /, "", para)
      para = toupper(substr(para, 1, 1)) substr(para, 2)
      add("EXIT STATUS", ".PP\n" line(esc(para)))
    } else {
      add(is_sub ? "COMMANDS" : "DESCRIPTION", ".PP\n" line(esc(para)))
    }
    # Subcommands: the usage becomes the subsection heading right before
    # the first paragraph.
  }
  return usage
}

# The text of one "[SECTION]" (or "[<SECTION]": before the generated
# text) of the include file.
function flush_included() {
  if (cur == "")
    return
  if (!(cur in sec)) {
    sec[cur] = ""
    order[++n_order] = cur
  }
  sec[cur] = prepend ? text sec[cur] : sec[cur] text
  text = ""
  cur = ""
}

BEGIN {
  n_order = 0
  n_commands = 0
  while ((getline c < commands_file) > 0)
    commands[++n_commands] = c
  close(commands_file)

  # The main text, with a subsection per command after it.
  slurp(tmpdir "/main.txt")
  usage = parse(0, page_name)

  # "PROG [OPTION…] - summary": the summary belongs in NAME.
  n_usage = split(usage, usage_lines, "\n")
  synopsis = ""
  for (u = 1; u <= n_usage; u++) {
    if (usage_lines[u] == "")
      continue
    k = index(usage_lines[u], " - ")
    if (k > 0) {
      if (name_summary == "")
        name_summary = substr(usage_lines[u], k + 3)
      usage_lines[u] = substr(usage_lines[u], 1, k - 1)
    }
    synopsis = synopsis (synopsis == "" ? "" : ".br\n") synopsis_markup(usage_lines[u], page_name) "\n"
  }

  for (c = 1; c <= n_commands; c++) {
    slurp(tmpdir "/cmd-" commands[c] ".txt")
    # The subsection heading is the usage line of the command.
    mark = "\001" c "\001"
    add("COMMANDS", mark)
    sub_usage = parse(1, page_name)
    sub(/\n.*/, "", sub_usage)
    if (sub_usage == "")
      sub_usage = page_name " " commands[c]
    heading = ".SS \"" synopsis_markup(sub_usage, page_name " " commands[c]) "\"\n"
    sec["COMMANDS"] = substr(sec["COMMANDS"], 1, index(sec["COMMANDS"], mark) - 1) heading \
      substr(sec["COMMANDS"], index(sec["COMMANDS"], mark) + length(mark))
    synopsis = synopsis ".br\n" synopsis_markup(sub_usage, page_name) "\n"
  }
  if (n_commands > 0) {
    sec["COMMANDS"] = ".PP\n" line(esc("Every command takes -h, --help for its options.")) sec["COMMANDS"]
  }

  # Hand-written sections.
  cur = ""
  if (include != "") {
    while ((getline l < include) > 0) {
      if (l ~ /^\[<?[A-Z][A-Z ]*\]$/) {
        flush_included()
        cur = substr(l, 2, length(l) - 2)
        prepend = (substr(cur, 1, 1) == "<")
        if (prepend)
          cur = substr(cur, 2)
        continue
      }
      if (cur != "" && l !~ /^#/)
        text = text l "\n"
    }
    close(include)
    flush_included()
  }

  printf ".\\\" -*- coding: UTF-8 -*-\n"
  printf ".\\\" Generated by tools/help2man.sh from \"%s --help\"; do not edit.\n", page_name
  printf ".TH \"%s\" \"1\" \"%s\" \"%s\" \"User Commands\"\n", toupper(esc(page_name)), page_date, esc(source_text)
  printf ".SH NAME\n%s \\- %s\n", esc(page_name), esc(name_summary)
  printf ".SH SYNOPSIS\n%s", synopsis

  # The usual order of man-pages(7), then anything else, SEE ALSO last.
  split("DESCRIPTION OPTIONS COMMANDS EXIT_STATUS ENVIRONMENT FILES EXAMPLES", std, " ")
  for (s = 1; s in std; s++) {
    name = std[s]
    gsub(/_/, " ", name)
    if (name in sec && sec[name] != "") {
      printf ".SH %s\n%s", name, sec[name]
      done[name] = 1
    }
  }
  for (o = 1; o <= n_order; o++) {
    name = order[o]
    if (!(name in done) && name != "SEE ALSO" && sec[name] != "")
      printf ".SH %s\n%s", name, sec[name]
  }
  if ("SEE ALSO" in sec)
    printf ".SH SEE ALSO\n%s", sec["SEE ALSO"]
}
' > "$tmp/page"

mv "$tmp/page" "$output"
