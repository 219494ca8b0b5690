#!/usr/bin/env bash
# tools/install-deps.sh — install what Scatterflash needs to build and test on
# Debian 12 (run as root). Quiet when everything is already there.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc clang gettext
  # libraries
  libglib2.0-dev libjson-glib-dev libarchive-dev libusb-1.0-0-dev libserialport-dev
  libgtk-4-dev libadwaita-1-dev
  # tests
  check libclang-rt-14-dev python3
  # the data suite: desktop file, metainfo and man page checkers
  desktop-file-utils appstream groff-base
  # the gui suite runs under a virtual display
  xvfb xauth
  # the differential tests run MediaTek's MT6572 DA in an emulator
  # (../shared/tools/realda); without it they are skipped
  python3-unicorn
  # the sample firmware
  e2fsprogs android-sdk-libsparse-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Scatterflash needs: ${missing[*]}" >&2
    echo "Run this as root (or with sudo) to install them." >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
