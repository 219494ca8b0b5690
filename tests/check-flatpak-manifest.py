#!/usr/bin/env python3
# tests/check-flatpak-manifest.py — the Flatpak manifest parses, builds the
# app with the libraries it needs, and asks for the devices a flasher needs
# and nothing broader.
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-flatpak-manifest.py MANIFEST APP_ID

import json
import re
import sys

manifest_path, app_id = sys.argv[1], sys.argv[2]
problems = []

try:
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
except (OSError, ValueError) as e:
    print(f"{manifest_path}: {e}")
    sys.exit(1)

manifest_id = manifest.get("id", manifest.get("app-id"))
if manifest_id != app_id:
    problems.append(f"id is {manifest_id!r}, not {app_id!r}")
if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
    problems.append("the runtime is not org.gnome.Platform with org.gnome.Sdk")
try:
    # GTK 4.8 and libadwaita 1.2 came with GNOME 43; the oldest runtime
    # still built is far newer, but never go below that.
    if int(manifest.get("runtime-version", "0")) < 43:
        problems.append("runtime-version is older than GNOME 43 (GTK 4.8, libadwaita 1.2)")
except ValueError:
    problems.append(f"runtime-version {manifest.get('runtime-version')!r} is not a GNOME release number")
if manifest.get("command") != "scatterflash":
    problems.append("command is not scatterflash")

finish_args = manifest.get("finish-args", [])
required = ["--device=all", "--share=ipc", "--socket=wayland", "--socket=fallback-x11"]
for arg in required:
    if arg not in finish_args:
        problems.append(f"finish-args lack {arg}")
# Files come through the portals; nothing else is needed.
allowed = set(required)
for arg in finish_args:
    if arg not in allowed:
        problems.append(f"finish-args have {arg}, which a flasher does not need")

modules = {m.get("name"): m for m in manifest.get("modules", []) if isinstance(m, dict)}
for name in ("libusb", "libserialport", "scatterflash"):
    if name not in modules:
        problems.append(f"no {name} module")

for name, module in modules.items():
    for source in module.get("sources", []):
        kind = source.get("type")
        if kind in ("archive", "file") and "url" in source:
            if not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
                problems.append(f"{name}: {source['url']} has no sha256")
        if kind == "git" and "url" in source:
            if not re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")):
                problems.append(f"{name}: {source['url']} is not pinned to a commit")

app = modules.get("scatterflash", {})
if app.get("buildsystem") != "meson":
    problems.append("scatterflash is not built with meson")
if "-Dtests=false" not in app.get("config-opts", []):
    problems.append("scatterflash is built with its tests (they need tools the SDK lacks)")
if manifest.get("modules", [{}])[-1].get("name") != "scatterflash":
    problems.append("scatterflash is not the last module")

for p in problems:
    print(f"{manifest_path}: {p}")
if problems:
    sys.exit(1)
print(f"{manifest_path}: {len(finish_args)} finish-args, {len(modules)} modules, all as expected")
