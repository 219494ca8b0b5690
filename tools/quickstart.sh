#!/usr/bin/env bash
# tools/quickstart.sh — set up, build, and run the main job: flash the bundled
# sample MT6572 firmware onto a fresh virtual phone, verify it, and show the
# result.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build >/dev/null

cli=build/src/cli/scatterflash-cli
sim=build/src/sim/scatterflash-sim
firmware=build/data/sample-firmware
phone=build/virtual-phone

echo
echo "== The firmware: $cli scatter $firmware"
"$cli" scatter "$firmware"

echo
echo "== A fresh virtual MT6572 phone (eMMC in $phone/), paced like USB 2.0 high speed"
rm -rf "$phone"
portfile=$(mktemp)
"$sim" --storage "$phone" --pace high-speed >"$portfile" &
simpid=$!
trap 'kill $simpid 2>/dev/null || true; rm -f "$portfile"' EXIT
for _ in $(seq 100); do
  grep -q '^PORT ' "$portfile" && break
  sleep 0.05
done
port=$(awk '/^PORT /{print $2}' "$portfile")
echo "The phone is on $port"

echo
echo "== $cli download --port $port --verify $firmware"
"$cli" download --port "$port" --verify "$firmware"
wait $simpid || true

echo
echo "== What the phone's eMMC now holds ($phone/):"
ls -ls "$phone"
