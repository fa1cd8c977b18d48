#!/usr/bin/env bash
# The soak run (not part of ./test.sh or ./bench.sh: it takes 10+ minutes). 1,000 simulated people
# churn against one real moim-server for 10 minutes: join and leave, signal each other, say goodbye
# and reconnect, drop their connection and resume (bench/loadgen/soak.cpp says exactly how). The
# server runs with its default limits and a SQLite data directory, as in production, except the
# per-address limits: the generator's 1,000 people share 16 loopback addresses, so the limits on
# connections, costly requests a second (hello, join, resume, ...), rooms created an hour and live
# rooms per address, meant for one person or one household behind an address, are raised or off.
# Passes (exit 0) when every signal was delivered once to its addressee or refused, nothing was
# misrouted, and the server's descriptors came back to the cold count after each round.
# Writes the result to bench/results/soak.json and the server's log to build/native/soak-server.log.
#
#   bench/soak.sh                         # 1,000 clients, 10 minutes (about 11 minutes in all)
#   CLIENTS=200 MINUTES=2 bench/soak.sh   # a shorter run
#   CLIENTS=12 MINUTES=0.15 WARM_MINUTES=0.05 OUT=build/soak-smoke.json bench/soak.sh   # ./test.sh's smoke
#
# Needs a native build: scripts/setup.sh (or cmake --build build/native --target moim-server moim-loadgen).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build/native}"
SERVER="$BUILD/server/moim-server"
LOADGEN="$BUILD/bench/loadgen/moim-loadgen"
CLIENTS="${CLIENTS:-1000}"
MINUTES="${MINUTES:-10}"
WARM_MINUTES="${WARM_MINUTES:-1}"
OUT="${OUT:-$ROOT/bench/results/soak.json}"  # ./test.sh's smoke writes elsewhere
LOG="$BUILD/soak-server.log"  # the server's log of the last run
for bin in "$SERVER" "$LOADGEN"; do
  [ -x "$bin" ] || { echo "soak.sh: $bin not built (cmake --build $BUILD --target moim-server moim-loadgen)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WORK="$(mktemp -d)"
mkdir -p "$WORK/site" "$WORK/data" "$(dirname "$OUT")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Pinned apart when there are two cores or more, so the generator does not starve the server.
PIN_SERVER=() PIN_GEN=()
if [ "$(nproc)" -ge 2 ]; then PIN_SERVER=(taskset -c 0) PIN_GEN=(taskset -c 1); fi
"${PIN_SERVER[@]}" "$SERVER" --port 0 --address 127.0.0.1 --root "$WORK/site" --data-dir "$WORK/data" \
  --max-connections-per-address 2000 --max-http-connections-per-address 2000 --max-requests-per-address-per-second 0 \
  --max-rooms-per-address-per-hour 0 --max-live-rooms-per-address 0 > "$WORK/server.out" 2> "$LOG" &
SERVER_PID=$!
PORT=""
for _ in $(seq 200); do
  PORT="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9]*\)$/\1/p' "$WORK/server.out")"
  [ -n "$PORT" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "soak.sh: the server did not start" >&2; cat "$LOG" >&2; exit 1; }
sleep 1  # the server settles before its cold reading
echo "[soak] server pid $SERVER_PID on port $PORT; $CLIENTS clients for $MINUTES minutes"
set +e
"${PIN_GEN[@]}" "$LOADGEN" soak --port "$PORT" --server-pid "$SERVER_PID" --clients "$CLIENTS" \
  --minutes "$MINUTES" --warm-minutes "$WARM_MINUTES" > "$WORK/soak.json"
rc=$?
set -e
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "[soak] the server died during the run" >&2
  rc=1
fi
if [ -s "$WORK/soak.json" ]; then
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    r.machine = `${require("os").cpus().length} cores, ${require("os").cpus()[0].model}`; r.date = new Date().toISOString();
    require("fs").writeFileSync(process.argv[2], JSON.stringify(r, null, 2) + "\n");' "$WORK/soak.json" "$OUT"
  echo "[soak] result: ${OUT#$ROOT/}"
fi
[ $rc -eq 0 ] && echo "[soak] PASS" || echo "[soak] FAIL (exit $rc)"
exit $rc
