#!/usr/bin/env bash
# Same set-up and build as ./run.sh, then every test: native (GoogleTest via CTest, including the
# server as a real process) and end to end (Playwright driving Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
echo "[moim] native tests (CTest)"
(cd build/native && ctest --output-on-failure --timeout 300)
echo "[moim] end-to-end tests (Playwright + Chromium); screenshots in build/e2e-artifacts/"
(cd tests/e2e && node --test --test-concurrency=1 .)
