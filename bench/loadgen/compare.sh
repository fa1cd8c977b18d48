#!/usr/bin/env bash
# run.sh's scenarios (same parameters) against two server binaries, alternately, ROUNDS rounds of one
# run each (old then new in odd rounds, new then old in even ones, so a drift of the machine's load
# weighs on both alike), with the same moim-loadgen. Prints the figures side by side and new/old as
# a ratio: on a shared machine the ratio is what to read. Writes nothing under bench/results (the
# runs' JSON lines go to $OUTDIR/{old,new}.jsonl).
#
#   git archive ba9ac2c | tar -x -C /tmp/moim-old && cmake -S /tmp/moim-old -B /tmp/moim-old/build \
#     -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/moim-old/build -j2 --target moim-server
#   OLD_SERVER=/tmp/moim-old/build/server/moim-server ROUNDS=3 bench/loadgen/compare.sh churn fanout
#
# Scenarios: relay idle churn fanout (default: all four). With relay, the saturation runs of every
# round come first; the latency runs of both servers then offer the same rate, half the lower of the
# two saturation medians (or RELAY_RATE), so both are measured at one load.
# run.sh tells the servers apart by their --help (servers from before issue 10 item 5 have no
# per-address request limits and send one room-updated per change; see run.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OLD_SERVER="${OLD_SERVER:?OLD_SERVER=path of the other moim-server}"
NEW_SERVER="${NEW_SERVER:-$ROOT/build/native/server/moim-server}"
LOADGEN="${BUILD:-$ROOT/build/native}/bench/loadgen/moim-loadgen"
ROUNDS="${ROUNDS:-3}"
OUTDIR="${OUTDIR:-$(mktemp -d)}"
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(relay idle churn fanout)
mkdir -p "$OUTDIR"
: > "$OUTDIR/old.jsonl"
: > "$OUTDIR/new.jsonl"

# Runs run.sh with these scenarios for both servers, round after round, alternating the order.
alternate() {
  for round in $(seq "$ROUNDS"); do
    local order=(old new)
    [ $((round % 2)) -eq 0 ] && order=(new old)
    for which in "${order[@]}"; do
      local bin="$OLD_SERVER"
      [ "$which" = new ] && bin="$NEW_SERVER"
      echo "[compare] round $round/$ROUNDS: $which server: $*" >&2
      SERVER="$bin" RUNS=1 RUNS_FILE="$OUTDIR/$which.jsonl" "$ROOT/bench/loadgen/run.sh" "$@"
    done
  done
}

rest=()
for scenario in "${SCENARIOS[@]}"; do
  if [ "$scenario" = relay ]; then
    alternate relay-saturation
    if [ -z "${RELAY_RATE:-}" ]; then
      RELAY_RATE="$(for which in old new; do
        "$LOADGEN" median --file "$OUTDIR/$which.jsonl" --scenario relay-saturation --field throughput; done |
        sort -g | head -1 | awk '{ printf "%d", $1 / 2 }')"
    fi
    echo "[compare] relay latency at $RELAY_RATE msg/s for both servers" >&2
    export RELAY_RATE
    rest+=(relay-latency)
  else
    rest+=("$scenario")
  fi
done
[ ${#rest[@]} -gt 0 ] && alternate "${rest[@]}"

node - "$OUTDIR/old.jsonl" "$OUTDIR/new.jsonl" <<'JS'
const fs = require('fs');
const read = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const [oldRuns, newRuns] = process.argv.slice(2).map(read);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const fmt = (x) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
const idle = (n) => (r) => (r.connections === n ? r.bytes_per_conn : NaN);
const rows = [
  ['relay saturation: msg/s received', 'relay-saturation', (r) => r.throughput],
  ['relay saturation: server CPU (%)', 'relay-saturation', (r) => r.server_cpu * 100],
  ['relay saturation: server CPU per msg (us)', 'relay-saturation', (r) => (r.server_cpu / r.throughput) * 1e6],
  ['relay saturation: generator CPU (%)', 'relay-saturation', (r) => r.generator_cpu * 100],
  ['relay latency: offered msg/s', 'relay-latency', (r) => r.rate],
  ['relay latency: p50 (ms)', 'relay-latency', (r) => r.p50_ms],
  ['relay latency: p99 (ms)', 'relay-latency', (r) => r.p99_ms],
  ['relay latency: p99.9 (ms)', 'relay-latency', (r) => r.p999_ms],
  ['relay latency: server CPU (%)', 'relay-latency', (r) => r.server_cpu * 100],
  ['relay latency: server waiting for a CPU (%)', 'relay-latency', (r) => r.server_runqueue_wait * 100],
  ['relay latency: generator waiting for a CPU (%)', 'relay-latency', (r) => r.generator_runqueue_wait * 100],
  ['idle: server RSS per connection, 1k (bytes)', 'idle', idle(1000)],
  ['idle: server RSS per connection, 10k (bytes)', 'idle', idle(10000)],
  ['churn: joins + leaves / s', 'churn', (r) => r.ops_per_sec],
  ['churn: room-updated / observer / s', 'churn', (r) => r.room_updates_per_observer_per_sec],
  ['churn: bytes / observer / s', 'churn', (r) => r.bytes_per_observer_per_sec],
  ['churn: server CPU (%)', 'churn', (r) => r.server_cpu * 100],
  ['churn: server CPU per op (us)', 'churn', (r) => (r.server_cpu / r.ops_per_sec) * 1e6],
  ['churn: server bytes sent / s', 'churn', (r) => r.server_bytes_sent_per_sec],
  ['churn: server bytes sent / op', 'churn', (r) => r.server_bytes_per_op],
  ['churn: generator CPU (%)', 'churn', (r) => r.generator_cpu * 100],
  ['churn: server waiting for a CPU (%)', 'churn', (r) => r.server_runqueue_wait * 100],
  ['fan-out to 1,000: p50 (ms)', 'fanout', (r) => r.p50_ms],
  ['fan-out to 1,000: p99 (ms)', 'fanout', (r) => r.p99_ms],
  ['fan-out: first receipt (ms)', 'fanout', (r) => r.first_ms],
  ['fan-out: p99 - first receipt (ms)', 'fanout', (r) => r.spread_p99_ms],
];
const cell = (runs, scenario, f) => {
  const xs = runs.filter((r) => r.scenario === scenario).map(f).filter((x) => Number.isFinite(x));
  return xs.length ? { m: median(xs), n: xs.length, text: `${fmt(median(xs))} (${fmt(Math.min(...xs))} – ${fmt(Math.max(...xs))})` } : null;
};
console.log('| figure (median of runs, min – max) | runs | old | new | new / old |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [label, scenario, f] of rows) {
  const o = cell(oldRuns, scenario, f), n = cell(newRuns, scenario, f);
  if (!o && !n) continue;
  const runs = `${o ? o.n : 0} + ${n ? n.n : 0}`;
  const ratio = o && n && o.m ? (n.m / o.m).toPrecision(3) : '—';
  console.log(`| ${label} | ${runs} | ${o ? o.text : 'n/a'} | ${n ? n.text : 'n/a'} | ${ratio} |`);
}
const checks = (runs) => {
  const out = [];
  const relay = runs.filter((r) => r.scenario.startsWith('relay'));
  if (relay.length) out.push(`${relay.filter((r) => r.lost === 0 && r.misrouted === 0 && r.errors === 0).length}/${relay.length} relay runs lossless`);
  const lat = runs.filter((r) => r.scenario === 'relay-latency');
  if (lat.length) out.push(`${lat.filter((r) => r.kept_up).length}/${lat.length} kept up with the rate`);
  const c = runs.filter((r) => r.scenario === 'churn');
  if (c.length) out.push(`${c.filter((r) => r.verified).length}/${c.length} churn runs verified`);
  return out.join(', ') || 'no checks';
};
console.log(`\nold: ${checks(oldRuns)}; new: ${checks(newRuns)}; runs in ${process.argv[2].replace(/old\.jsonl$/, '')}`);
JS
