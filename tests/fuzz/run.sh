#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, build/fuzz) and runs each one:
#   1. every input in tests/fuzz/regressions/<target>/ is replayed once (past crashes stay fixed);
#   2. the target fuzzes for N seconds, starting from tests/fuzz/corpus/<target>/, the regressions and
#      the inputs earlier runs found (build/fuzz/corpus/<target>/, kept between runs).
# Exits non-zero when any input crashes; the crashing input is saved under build/fuzz/findings/<target>/.
#
#   tests/fuzz/run.sh [--seconds N] [--only TARGET]     (default 20 s per target; 0: replay only)
#   tests/fuzz/run.sh --seconds 3600                    (a nightly run)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECONDS_PER_TARGET=20
ONLY=
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
TARGETS=(fuzz_protocol_decode fuzz_hub fuzz_session_token fuzz_stun fuzz_peer_protocol)
[ -n "$ONLY" ] && TARGETS=("$ONLY")
BUILD=$ROOT/build/fuzz
JOBS=$(( $(nproc) < 2 ? $(nproc) : 2 ))
log() { printf '[fuzz] %s\n' "$*"; }

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DMOIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
if ! cmake --build "$BUILD" --target "${TARGETS[@]}" -j"$JOBS" >"$BUILD/build.log" 2>&1; then
  cat "$BUILD/build.log" >&2
  echo "[fuzz] build failed" >&2
  exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for target in "${TARGETS[@]}"; do
  bin=$BUILD/tests/fuzz/$target
  seeds=$ROOT/tests/fuzz/corpus/$target
  regressions=$ROOT/tests/fuzz/regressions/$target
  work=$BUILD/corpus/$target
  findings=$BUILD/findings/$target
  logfile=$BUILD/logs/$target.log
  mkdir -p "$work" "$findings" "$(dirname "$logfile")" "$regressions"

  # 1. Regression inputs, each replayed once.
  mapfile -t replay < <(find "$regressions" -type f ! -name '.*' ! -name '*.md' | sort)
  if [ ${#replay[@]} -gt 0 ]; then
    if "$bin" -runs=1 "${replay[@]}" >"$BUILD/logs/$target.replay.log" 2>&1; then
      log "$target: ${#replay[@]} regression inputs replayed, all pass"
    else
      tail -n 60 "$BUILD/logs/$target.replay.log" >&2
      log "$target: a regression input fails again (log: build/fuzz/logs/$target.replay.log)"
      status=1
      continue
    fi
  fi

  # 2. Fuzzing. libFuzzer writes new interesting inputs into the first folder ($work) only.
  [ "$SECONDS_PER_TARGET" -gt 0 ] || continue  # --seconds 0: replay only
  start=$(date +%s)
  set +e
  # The decoder needs inputs past the 64 KiB message limit. fuzz_hub reaches its limits with dedicated
  # operations (a limit + 1 frame, a 256-byte limit), so shorter scripts, many more of them per second.
  max_len=70000
  [ "$target" = fuzz_hub ] && max_len=8192
  # STUN datagrams over 548 bytes are dropped unread: a little past that is enough.
  [ "$target" = fuzz_stun ] && max_len=1024
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -max_len=$max_len -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -print_funcs=0 -artifact_prefix="$findings/" \
    "$work" "$seeds" "$regressions" >"$logfile" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logfile" | tail -n 1)
  [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logfile" | tail -n 1)
  elapsed=$(( $(date +%s) - start ))
  corpus=$(find "$work" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    log "$target: ${runs:-?} executions in ${elapsed} s, corpus ${corpus} found inputs, no findings"
  else
    tail -n 80 "$logfile" >&2
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logfile" | tail -n 1)
    log "$target: FINDING after ${runs:-?} executions (exit $rc); input: ${crash:-see $logfile}"
    log "  replay: $bin ${crash:-<input>}"
    log "  once fixed, keep it: cp ${crash:-<input>} tests/fuzz/regressions/$target/ (and commit it)"
    status=1
  fi
done
exit $status
