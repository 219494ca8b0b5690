#!/usr/bin/env bash
# tools/run-tests.sh — set up, build and run the whole test suite: once as a
# normal build with warnings as errors, once under AddressSanitizer + UBSan;
# then the benchmarks and the scatter contract check.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh

# The tests read their own scatter fixtures (tests/data/scatter). A folder of
# real scatter files is an extra corpus they also run over: ../shared's when
# it is there, or the one SF_EXTRA_FIXTURES_DIR names.
fixtures_args=()
if [ -n "${SF_EXTRA_FIXTURES_DIR:-}" ]; then
  fixtures_args=(-Dfixtures-dir="$(realpath "$SF_EXTRA_FIXTURES_DIR")")
fi

echo "== build (warnings are errors)"
[ -f build-ci/build.ninja ] || meson setup build-ci -Dwerror=true "${fixtures_args[@]}" >/dev/null
ninja -C build-ci
echo "== tests (the gui suite needs a display: xvfb-run)"
xvfb-run -a meson test -C build-ci --print-errorlogs

echo "== build with AddressSanitizer + UBSan"
[ -f build-asan/build.ninja ] || meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
  -Db_lundef=false --buildtype=debug "${fixtures_args[@]}" >/dev/null
ninja -C build-asan
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  xvfb-run -a meson test -C build-asan --print-errorlogs

echo "== benchmarks (figures with their goals; bench/README.md)"
xvfb-run -a bash bench/run build-ci

if [ -x ../shared/tools/check-scatter-contract ]; then
  echo "== scatter --json against the independent reader"
  python3 ../shared/tools/check-scatter-contract build-ci/src/cli/scatterflash-cli
fi

# One closing line for the whole run, from meson's own logs.
python3 - build-ci/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line).get("result")
        if r == "OK": passed += 1
        elif r == "SKIP": skipped += 1
        elif r is not None: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
