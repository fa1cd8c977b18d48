# Sourced by tests/sanitize.sh and tests/tsan.sh (needs $ROOT and a `log` function):
#   run_gtest NAME LOGFILE REPORT_PATTERN COMMAND...
# runs one gtest binary quietly; on failure prints the sanitizer reports matching REPORT_PATTERN
# (an extended regex), the failed tests, and where the whole log is. Returns the binary's status.
run_gtest() {
  local name=$1 logfile=$2 pattern=$3 t0
  shift 3
  t0=$(date +%s)
  if "$@" --gtest_brief=1 >"$logfile" 2>&1; then
    log "$name: $(grep -o '[0-9]* tests\? from' "$logfile" | head -n 1 | cut -d' ' -f1) tests pass ($(( $(date +%s) - t0 )) s)"
    return 0
  fi
  grep -E -A 60 "$pattern" "$logfile" | head -n 150 >&2 || true
  grep -E '^\[  FAILED  \]|Failure$' "$logfile" | head -n 40 >&2 || true
  log "$name: FAILED (whole log: ${logfile#$ROOT/})"
  return 1
}
