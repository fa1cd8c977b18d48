#!/usr/bin/env bash
# Builds in Release and runs every benchmark: Google Benchmark micro benchmarks of shared/, the
# server load generator against a real server process, and client timings in headless Chromium.
# Prints one summary table, writes bench/results/latest.json and updates the table in README.md.
# Benchmarks report figures; they never fail on a missed target.
set -euo pipefail
cd "$(dirname "$0")"
start=$(date +%s)
scripts/setup.sh --release
rm -rf bench/results/parts && mkdir -p bench/results/parts
MOIM_BENCH_BUILD=build/native bench/micro/run.sh
bench/loadgen/run.sh
node bench/client/run.mjs
node bench/summarize.mjs --update-readme
echo "[bench] finished in $(( $(date +%s) - start )) s"
