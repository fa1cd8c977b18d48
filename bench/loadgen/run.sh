#!/usr/bin/env bash
# Load-generator benchmarks of moim-server: relay throughput and latency, idle memory per connection,
# join/leave churn, room-list fan-out. Starts a fresh server for every run, runs moim-loadgen against
# it, stops it, and writes bench/results/parts/loadgen.json (format: bench/README.md); every run's raw JSON line goes
# to bench/results/loadgen-runs.jsonl.
#
#   bench/loadgen/run.sh              # every scenario, RUNS (default 5) runs each; about 4-5 minutes
#   RUNS=3 bench/loadgen/run.sh relay # only some scenarios: relay idle churn fanout (relay is
#                                     # relay-saturation then relay-latency; either runs alone too)
#   SERVER=/tmp/old/build/server/moim-server RUNS_FILE=/tmp/old.jsonl bench/loadgen/run.sh churn
#                                     # another server binary; raw lines to RUNS_FILE only (no part
#                                     # file, bench/results untouched): see compare.sh
#   RELAY_RATE=30000 bench/loadgen/run.sh relay-latency
#                                     # the latency runs' offered rate (default: half the median
#                                     # saturation throughput of this invocation's saturation runs)
#
# Placement: the server is pinned to core 0 and the generator to core 1 (taskset). On a shared
# machine other work competes for those cores; when run as root both get priority $NICE (default
# -10, see below) so the figures are less noisy. The relay run reads the server's CPU time: below 90% the figure is
# marked invalid (the server was not the bottleneck).
#
# Needs a native Release build: cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release &&
# cmake --build build/native -j2 (the moim-server and moim-loadgen targets).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build/native}"
SERVER="${SERVER:-$BUILD/server/moim-server}"
LOADGEN="$BUILD/bench/loadgen/moim-loadgen"
RUNS="${RUNS:-5}"
NICE="${NICE:--10}"
SERVER_CPU="${SERVER_CPU:-0}"
GEN_CPU="${GEN_CPU:-1}"
OUT="$ROOT/bench/results/parts/loadgen.json"
RUNS_FILE="${RUNS_FILE:-}"
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(relay idle churn fanout)

for bin in "$SERVER" "$LOADGEN"; do
  [ -x "$bin" ] || { echo "run.sh: $bin not built (cmake --build $BUILD -j2)" >&2; exit 1; }
done

# Descriptors: 10,000 idle connections need more than the usual 1024 (server and generator each).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10100 ]; then
  echo "run.sh: open-file limit $(ulimit -n) is below 10,100; the 10k idle run will fail" >&2
fi

# Per-address limits. The generator is thousands of users behind one address (127.0.0.1-8): the
# server's defaults for one address (20 costly requests a second: hello, create, join, ...; 20 rooms
# created an hour; 50 live rooms) would refuse most of what it sends, so they are turned off.
# Servers from before these limits (before issue 10 item 5, e.g. ba9ac2c) do not know the flags;
# they also send one room-updated per change to every connection instead of batches, which the churn
# check must know (--lobby-batches).
LIMIT_ARGS=()
LOBBY_BATCHES=0
SERVER_HELP="$("$SERVER" --help 2>&1 || true)"
# A load generator is thousands of users from a few loopback addresses: the per-address limits
# (requests, room quotas, connections) of a public server would throttle it, so they are lifted.
if [[ "$SERVER_HELP" == *--max-http-connections-per-address* ]]; then
  LIMIT_ARGS+=(--max-http-connections-per-address 2000)
fi
if [[ "$SERVER_HELP" == *--max-requests-per-address-per-second* ]]; then
  LIMIT_ARGS+=(--max-requests-per-address-per-second 0 --max-rooms-per-address-per-hour 0 --max-live-rooms-per-address 0)
  LOBBY_BATCHES=1
fi

# Priority. With scheduler autogroups (Linux's default), a process's nice value only ranks it within
# its session's group; groups share the CPU equally, so a busy browser test in another session can
# take most of a core whatever `nice` says. As root, both this session's autogroup and the processes
# get $NICE for the duration (the autogroup's previous value is put back on exit).
PRIO=()
AUTOGROUP_SAVED=""
if [ "$(id -u)" = 0 ] && [ "$NICE" != 0 ]; then
  PRIO=(nice -n "$NICE")
  if [ -w "/proc/$$/autogroup" ]; then
    AUTOGROUP_SAVED="$(sed -n 's/.* nice \(-\{0,1\}[0-9]*\).*/\1/p' "/proc/$$/autogroup")"
    echo "$NICE" > "/proc/$$/autogroup" 2>/dev/null || AUTOGROUP_SAVED=""
  fi
fi

WORK="$(mktemp -d)"
SITE="$ROOT/build/wasm/site"
[ -d "$SITE" ] || SITE="$WORK/site"  # the server only needs a folder; no page is requested
mkdir -p "$SITE"
RESULTS="$WORK/runs.jsonl"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$AUTOGROUP_SAVED" ]; then echo "$AUTOGROUP_SAVED" > "/proc/$$/autogroup" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server() {
  : > "$WORK/server.out"
  # --max-connections-per-address and --max-http-connections-per-address: the generator opens up to
  # 10,000 connections from 8 loopback addresses (1,250 each; churn and fanout: up to 251 from each
  # of 4), above the defaults of 32 WebSockets and 64 connections.
  "${PRIO[@]}" taskset -c "$SERVER_CPU" "$SERVER" --port 0 --address 127.0.0.1 --root "$SITE" --data-dir '' --max-messages-per-second 0 \
    --max-connections-per-address 2000 "${LIMIT_ARGS[@]}" > "$WORK/server.out" 2> "$WORK/server.err" &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 100); do
    PORT="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9]*\)$/\1/p' "$WORK/server.out")"
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "run.sh: the server did not start:" >&2
  cat "$WORK/server.err" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# One run: fresh server, one moim-loadgen subcommand, its JSON line appended to RESULTS.
run_one() {
  local label="$1"
  shift
  start_server
  local line
  printf '%-14s ' "$label" >&2  # the generator prints a one-line summary on stderr
  if line="$("${PRIO[@]}" taskset -c "$GEN_CPU" "$LOADGEN" "$@" --port "$PORT" --server-pid "$SERVER_PID")"; then :; else
    echo "run.sh: $label: moim-loadgen exited with $? (the run still counts, see its JSON)" >&2
  fi
  stop_server
  [ -n "$line" ] && echo "$line" >> "$RESULTS"
}

START=$(date +%s)
for scenario in "${SCENARIOS[@]}"; do
  case "$scenario" in
    relay|relay-saturation|relay-latency)
      # Saturation: 25 rooms of 4 (100 clients), 16 signals in flight per sender, 9 candidates
      # (~300 B) : 1 offer (~5 KB). Then latency, open loop at half the median saturation rate (or
      # at RELAY_RATE).
      if [ "$scenario" != relay-latency ]; then
        for i in $(seq "$RUNS"); do run_one "relay-sat/$i" relay --rooms 25 --window 16 --mix 10 --warmup 1 --duration 4; done
      fi
      if [ "$scenario" != relay-saturation ]; then
        RATE="${RELAY_RATE:-}"
        if [ -z "$RATE" ]; then
          grep -q '"scenario":"relay-saturation"' "$RESULTS" 2>/dev/null || {
            echo "run.sh: relay-latency needs RELAY_RATE or saturation runs before it (run.sh relay)" >&2; exit 2; }
          RATE="$("$LOADGEN" median --file "$RESULTS" --scenario relay-saturation --field throughput)"
          RATE="$(awk -v r="$RATE" 'BEGIN { printf "%d", r / 2 }')"
        fi
        for i in $(seq "$RUNS"); do run_one "relay-lat/$i" relay --rooms 25 --mix 10 --rate "$RATE" --warmup 1 --duration 4; done
      fi
      ;;
    idle)
      for n in 1000 10000; do
        for i in $(seq "$RUNS"); do run_one "idle-$n/$i" idle --connections "$n" --settle 2 --sources 8; done
      done
      ;;
    churn)
      for i in $(seq "$RUNS"); do run_one "churn/$i" churn --observers 100 --churners 40 --per-room 4 --warmup 1 --duration 4 --lobby-batches "$LOBBY_BATCHES"; done
      ;;
    fanout)
      for i in $(seq "$RUNS"); do run_one "fanout/$i" fanout --lobby 1000 --events 20; done
      ;;
    *)
      echo "run.sh: unknown scenario $scenario (relay relay-saturation relay-latency idle churn fanout)" >&2
      exit 2
      ;;
  esac
done

if [ -n "$RUNS_FILE" ]; then
  cat "$RESULTS" >> "$RUNS_FILE"
  echo "run.sh: appended $(wc -l < "$RESULTS") runs to $RUNS_FILE ($(( $(date +%s) - START )) s)" >&2
  exit 0
fi

# Every run's JSON line is kept in bench/results/loadgen-runs.jsonl. Scenarios not run this time keep
# their previous lines there, so `run.sh relay` refreshes only the relay figures of the part.
mkdir -p "$(dirname "$OUT")"
ALL="$ROOT/bench/results/loadgen-runs.jsonl"
touch "$ALL"
for scenario in "${SCENARIOS[@]}"; do
  grep -v "\"scenario\":\"$scenario" "$ALL" > "$WORK/keep.jsonl" || true
  cp "$WORK/keep.jsonl" "$ALL"
done
cat "$RESULTS" >> "$ALL"
"$LOADGEN" summarize --out "$OUT" "$ALL"
echo "run.sh: wrote $OUT ($(( $(date +%s) - START )) s)" >&2
