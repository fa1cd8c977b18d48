#!/usr/bin/env bash
# The native tests under AddressSanitizer + UndefinedBehaviorSanitizer (docs/TESTING.md).
#   build/asan: clang, Debug, -DMOIM_SANITIZE=ON (-fsanitize=address,undefined -fno-sanitize-recover=all
#               -D_GLIBCXX_ASSERTIONS): moim_unit_tests and moim-server. clang rather than g++: with the
#               sanitizers on, g++ takes about three times as long to compile the Beast server.
#   1. the unit tests, sanitized;
#   2. the server tests (build/native's moim_server_tests: their own code needs no sanitizing) against
#      the sanitized server, through MOIM_SERVER_BINARY. Every test stops the server with SIGTERM and
#      expects exit status 0, so any ASan/UBSan report, or a leak found at exit, fails that test.
# Needs build/native (scripts/setup.sh builds it). ThreadSanitizer: tests/tsan.sh.
#   tests/sanitize.sh [--unit-only]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build/asan
JOBS=$(( $(nproc) < 2 ? $(nproc) : 2 ))
log() { printf '[asan] %s\n' "$*"; }

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DMOIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
fi
start=$(date +%s)
targets=(moim_unit_tests)
[ "${1:-}" = --unit-only ] || targets+=(moim-server)
if ! cmake --build "$BUILD" --target "${targets[@]}" -j"$JOBS" >"$BUILD/build.log" 2>&1; then
  cat "$BUILD/build.log" >&2
  echo "[asan] build failed" >&2
  exit 1
fi
log "built ${targets[*]} in $(( $(date +%s) - start )) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

. "$ROOT/tests/sanitizer_run.sh"
REPORTS='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:'

status=0
run_gtest "unit tests (ASan + UBSan)" "$BUILD/unit-tests.log" "$REPORTS" "$BUILD/tests/unit/moim_unit_tests" || status=1
if [ "${1:-}" != --unit-only ]; then
  MOIM_SERVER_BINARY=$BUILD/server/moim-server \
    run_gtest "server tests against the ASan + UBSan server" "$BUILD/server-tests.log" "$REPORTS" \
    "$ROOT/build/native/tests/server/moim_server_tests" || status=1
fi
exit $status
