#!/usr/bin/env bash
# Churn and fan-out (the lobby scenarios of run.sh, same parameters) against two server binaries,
# alternately, ROUNDS rounds of one run each (old then new in odd rounds, new then old in even ones,
# so a drift of the machine's load weighs on both alike), with the same moim-loadgen. Prints the
# figures side by side and new/old as a ratio: on a shared machine the ratio is what to read.
# Writes nothing under bench/results (the runs' JSON lines go to $OUTDIR/{old,new}.jsonl).
#
#   git archive ba9ac2c | tar -x -C /tmp/moim-old && cmake -S /tmp/moim-old -B /tmp/moim-old/build \
#     -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/moim-old/build -j2 --target moim-server
#   OLD_SERVER=/tmp/moim-old/build/server/moim-server ROUNDS=3 bench/loadgen/compare-lobby.sh
#
# run.sh tells the servers apart by their --help (servers from before issue 10 item 5 have no
# per-address request limits and send one room-updated per change; see run.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OLD_SERVER="${OLD_SERVER:?OLD_SERVER=path of the other moim-server}"
NEW_SERVER="${NEW_SERVER:-$ROOT/build/native/server/moim-server}"
ROUNDS="${ROUNDS:-3}"
OUTDIR="${OUTDIR:-$(mktemp -d)}"
mkdir -p "$OUTDIR"
: > "$OUTDIR/old.jsonl"
: > "$OUTDIR/new.jsonl"
for round in $(seq "$ROUNDS"); do
  order=(old new)
  [ $((round % 2)) -eq 0 ] && order=(new old)
  for which in "${order[@]}"; do
    bin="$OLD_SERVER"
    [ "$which" = new ] && bin="$NEW_SERVER"
    echo "[compare] round $round/$ROUNDS: $which server" >&2
    SERVER="$bin" RUNS=1 RUNS_FILE="$OUTDIR/$which.jsonl" "$ROOT/bench/loadgen/run.sh" churn fanout
  done
done
node - "$OUTDIR/old.jsonl" "$OUTDIR/new.jsonl" <<'EOF'
const fs = require('fs');
const read = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const [oldRuns, newRuns] = process.argv.slice(2).map(read);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const fmt = (x) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
const rows = [
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
  return xs.length ? { m: median(xs), text: `${fmt(median(xs))} (${fmt(Math.min(...xs))} – ${fmt(Math.max(...xs))})` } : { m: NaN, text: 'n/a' };
};
console.log('| figure (median of runs, min – max) | old | new | new / old |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label, scenario, f] of rows) {
  const o = cell(oldRuns, scenario, f), n = cell(newRuns, scenario, f);
  console.log(`| ${label} | ${o.text} | ${n.text} | ${Number.isFinite(o.m) && o.m ? (n.m / o.m).toPrecision(3) : '—'} |`);
}
const checks = (runs) => {
  const c = runs.filter((r) => r.scenario === 'churn');
  return `${c.filter((r) => r.verified).length}/${c.length} churn runs verified`;
};
console.log(`\nold: ${checks(oldRuns)}; new: ${checks(newRuns)}; runs in ${process.argv[2].replace(/old\.jsonl$/, '')}`);
EOF
