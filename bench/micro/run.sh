#!/usr/bin/env bash
# Microbenchmarks of shared/ (Google Benchmark): builds moim_micro_bench in Release, runs every
# benchmark 5 times and writes bench/results/parts/micro.json (format: bench/README.md).
#   bench/micro/run.sh [--build DIR] [--filter REGEX]
#     --build DIR     a Release build folder of this project (default: $MOIM_BENCH_BUILD or build/bench;
#                     configured here when missing)
#     --filter REGEX  only the benchmarks whose name matches (e.g. '^decode\.')
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${MOIM_BENCH_BUILD:-build/bench}
FILTER=.
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="${2:?--build needs a folder}"; shift 2 ;;
    --filter) FILTER="${2:?--filter needs a regex}"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt")
[ "$build_type" = Release ] || echo "[micro] warning: $BUILD is a '$build_type' build; figures are only meaningful in Release" >&2
cmake --build "$BUILD" --target moim_micro_bench -j2 >/dev/null

RAW="$BUILD/bench/micro-raw.json"
mkdir -p bench/results/parts
echo "[micro] running moim_micro_bench (5 repetitions of at least 0.1 s each; about a minute)" >&2
"$BUILD/bench/moim_micro_bench" --benchmark_filter="$FILTER" \
  --benchmark_repetitions=5 --benchmark_min_time=0.1 --benchmark_report_aggregates_only=false \
  --benchmark_format=json --benchmark_out="$RAW" >/dev/null
node bench/micro/to_part.mjs "$RAW" bench/results/parts/micro.json
