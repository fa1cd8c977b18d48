#!/usr/bin/env bash
# The store tests under ThreadSanitizer (docs/TESTING.md). The server is single-threaded except for
# the Argon2id password pool (server/password_pool.*), whose tests run here with -fsanitize=thread.
#   build/tsan: clang, Debug, -DMOIM_TSAN=ON; builds and runs only moim_store_tests.
# Any data race or lock-order report fails the run (halt_on_error=1).
#   tests/tsan.sh [gtest arguments, e.g. --gtest_filter='PasswordPool.*']
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build/tsan
JOBS=$(( $(nproc) < 2 ? $(nproc) : 2 ))
log() { printf '[tsan] %s\n' "$*"; }

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DMOIM_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; echo "[tsan] configure failed" >&2; exit 1; }
  rm -f "$BUILD.configure.log"
fi
start=$(date +%s)
if ! cmake --build "$BUILD" --target moim_store_tests -j"$JOBS" >"$BUILD/build.log" 2>&1; then
  cat "$BUILD/build.log" >&2
  echo "[tsan] build failed" >&2
  exit 1
fi
log "built moim_store_tests in $(( $(date +%s) - start )) s"

export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
logfile=$BUILD/store-tests.log
t0=$(date +%s)
if "$BUILD/tests/store/moim_store_tests" --gtest_brief=1 "$@" >"$logfile" 2>&1; then
  log "store tests: $(grep -o '[0-9]* tests\? from' "$logfile" | head -n 1 | cut -d' ' -f1) tests pass ($(( $(date +%s) - t0 )) s)"
  exit 0
fi
grep -E -A 60 'WARNING: ThreadSanitizer|FATAL: ThreadSanitizer' "$logfile" | head -n 150 >&2 || true
grep -E '^\[  FAILED  \]|Failure$' "$logfile" | head -n 40 >&2 || true
log "store tests: FAILED (whole log: ${logfile#$ROOT/})"
exit 1
