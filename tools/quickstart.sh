#!/usr/bin/env bash
# tools/quickstart.sh — set up, build, and run the main job: the plan for
# flashing the bundled sample MT6572 firmware (Download Only).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build >/dev/null

echo
echo "== scatterflash-cli scatter build/data/sample-firmware"
build/src/cli/scatterflash-cli scatter build/data/sample-firmware
echo
echo "== scatterflash-cli plan --scene download-only build/data/sample-firmware"
build/src/cli/scatterflash-cli plan --scene download-only build/data/sample-firmware
