// Converts Google Benchmark JSON (run with --benchmark_repetitions=N --benchmark_report_aggregates_only=false)
// into a bench part (bench/README.md): one metric per benchmark, id "micro.<benchmark name>", in ns of
// CPU time per operation, median/min/max over the repetitions. Prints a short table to stderr.
//   node bench/micro/to_part.mjs RAW.json OUT.json
import { readFileSync, writeFileSync } from 'node:fs';

const [rawPath, outPath] = process.argv.slice(2);
if (!rawPath || !outPath) {
  console.error('usage: node bench/micro/to_part.mjs RAW.json OUT.json');
  process.exit(2);
}
const raw = JSON.parse(readFileSync(rawPath, 'utf8'));
const toNs = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

const runs = new Map();  // benchmark name -> [{ns, wallNs, bytes}]
const errors = [];
for (const b of raw.benchmarks ?? []) {
  if (b.error_occurred) { errors.push(`${b.name}: ${b.error_message}`); continue; }
  if (b.run_type !== 'iteration') continue;  // aggregates (mean/median/stddev) are recomputed below
  const scale = toNs[b.time_unit ?? 'ns'];
  const name = b.run_name ?? b.name;
  if (!runs.has(name)) runs.set(name, []);
  runs.get(name).push({ ns: b.cpu_time * scale, wallNs: b.real_time * scale, bytes: b.bytes });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => (x >= 100 ? Math.round(x) : Math.round(x * 10) / 10);

const metrics = [];
for (const [name, rs] of runs) {
  const ns = rs.map((r) => r.ns);
  const bytes = rs[0].bytes;
  metrics.push({
    id: `micro.${name}`,
    label: name.replace('.', ' ') + (bytes ? ` (${Math.round(bytes)} B)` : ''),
    unit: 'ns',
    median: round(median(ns)),
    min: round(Math.min(...ns)),
    max: round(Math.max(...ns)),
    runs: rs.length,
    target: null,
    note: `CPU time per op; wall ${round(median(rs.map((r) => r.wallNs)))} ns`,
  });
}
const part = { part: 'micro', context: raw.context ? {
  date: raw.context.date, host: raw.context.host_name, cpus: raw.context.num_cpus,
  mhz: raw.context.mhz_per_cpu, load_avg: raw.context.load_avg, library_build_type: raw.context.library_build_type,
} : undefined, metrics };
writeFileSync(outPath, JSON.stringify(part, null, 2) + '\n');

const width = Math.max(...metrics.map((m) => m.id.length), 10);
for (const m of metrics) console.error(`${m.id.padEnd(width)}  ${String(m.median).padStart(10)} ns  [${m.min} .. ${m.max}]`);
for (const e of errors) console.error(`[micro] error: ${e}`);
console.error(`[micro] ${metrics.length} metrics -> ${outPath}`);
if (errors.length) process.exit(1);
