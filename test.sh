#!/usr/bin/env bash
# The set-up of ./run.sh plus the test tools (scripts/setup.sh --for-tests: Chromium, clang, iptables,
# coturn, ...), then every test: native (GoogleTest via CTest, including the
# server as a real process), the native tests again under ASan + UBSan, the store tests under TSan,
# a short fuzzing run (libFuzzer), a one-minute smoke of the soak (bench/soak.sh)
# and end to end (Playwright driving Debian's Chromium). docs/TESTING.md describes each.
#   MOIM_FUZZ_SECONDS=N ./test.sh    fuzzes N seconds per target (default 20; 0: only replay tests/fuzz/regressions)
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --for-tests
echo "[moim] native tests (CTest)"
(cd build/native && ctest --output-on-failure --timeout 300)
echo "[moim] native tests under ASan + UBSan (build/asan)"
tests/sanitize.sh
echo "[moim] store tests and server tests under ThreadSanitizer (build/tsan)"
tests/tsan.sh
FUZZ_SECONDS=${MOIM_FUZZ_SECONDS:-20}
echo "[moim] fuzzing (libFuzzer, build/fuzz): regression inputs, then $FUZZ_SECONDS s per target"
tests/fuzz/run.sh --seconds "$FUZZ_SECONDS"
# The soak's smoke: 12 people, 9 s of churn with drops and resumes, every signal accounted for. The
# full run (1,000 people, 10 minutes) is not here; this catches a resume or ledger that stopped working.
echo "[moim] soak smoke (bench/soak.sh: 12 people, 9 s; result in build/soak-smoke.json)"
CLIENTS=12 MINUTES=0.15 WARM_MINUTES=0.05 OUT="$PWD/build/soak-smoke.json" bench/soak.sh
echo "[moim] end-to-end tests (Playwright + Chromium, Puppeteer + Firefox ESR); screenshots in build/e2e-artifacts/"
(cd tests/e2e && node --test --test-concurrency=1 .)
