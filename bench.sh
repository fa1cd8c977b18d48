#!/usr/bin/env bash
# Builds in Release and runs every benchmark: Google Benchmark micro benchmarks of shared/, the
# server load generator against a real server process, and client timings in headless Chromium.
# Prints one summary table, writes bench/results/latest.json and updates the table in README.md.
# Benchmarks report figures; they never fail on a missed target. Each phase prints its duration.
set -euo pipefail
cd "$(dirname "$0")"
start=$(date +%s)
timings=()
phase() {  # phase NAME COMMAND...: runs it and records how long it took
  local name=$1 t0
  shift
  t0=$(date +%s)
  "$@"
  timings+=("$name $(( $(date +%s) - t0 )) s")
  echo "[bench] $name took $(( $(date +%s) - t0 )) s"
}
# Only what the benchmarks run: the server, the load generator, the micro benchmarks (not the tests).
phase build env MOIM_NATIVE_TARGETS="moim-server moim-loadgen moim_micro_bench" scripts/setup.sh --release --for-bench
rm -rf bench/results/parts && mkdir -p bench/results/parts
phase micro env MOIM_BENCH_BUILD=build/native bench/micro/run.sh
phase loadgen bench/loadgen/run.sh
phase client node bench/client/run.mjs
elapsed=$(( $(date +%s) - start ))
summary=$(printf '%s, ' "${timings[@]}")
phase summary env BENCH_ELAPSED_S="$elapsed" BENCH_PHASES="${summary%, }" node bench/summarize.mjs --update-readme
summary=$(printf '%s, ' "${timings[@]}")
echo "[bench] finished in $(( $(date +%s) - start )) s (${summary%, })"
