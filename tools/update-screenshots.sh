#!/usr/bin/env bash
# tools/update-screenshots.sh — copy the screenshots that the gui test suite
# makes (BUILD/tests/screenshots/) to docs/screenshots/, where the README and
# the AppStream metainfo show them.
#
#   xvfb-run -a meson test -C build gui && bash tools/update-screenshots.sh build
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
from="$build/tests/screenshots"
[ -d "$from" ] || { echo "no $from: run the gui tests first (xvfb-run -a meson test -C $build gui)" >&2; exit 1; }
mkdir -p "$here/docs/screenshots"
cp "$from"/*.png "$here/docs/screenshots/"
ls -1 "$here/docs/screenshots/"
