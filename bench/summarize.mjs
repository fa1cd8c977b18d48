// Merges bench/results/parts/*.json into bench/results/latest.json, prints one summary table
// (metric, value, target, met or not) and, with --update-readme, puts the table into README.md
// between the "bench:start" / "bench:end" markers, with the machine it ran on.
import { execSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const partsDir = path.join(root, 'bench/results/parts');
const sh = (cmd) => { try { return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return ''; } };

const order = ['loadgen', 'client', 'micro'];
const parts = readdirSync(partsDir).filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(partsDir, f), 'utf8')))
  .sort((a, b) => order.indexOf(a.part) - order.indexOf(b.part));

const compare = { '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '<': (a, b) => a < b };
const rows = [];
for (const part of parts) {
  for (const m of part.metrics) {
    let met = null;
    if (m.target) met = m.valid === false ? false : compare[m.target.op](m.median, m.target.value);
    rows.push({ part: part.part, ...m, met });
  }
}

const cpu = (sh("grep -m1 'model name' /proc/cpuinfo").split(':')[1] || os.cpus()[0]?.model || '?').trim();
const machine = {
  cpu, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: sh('. /etc/os-release && echo "$PRETTY_NAME"') || os.type(), kernel: os.release(),
  chromium: sh('chromium --version 2>/dev/null').replace(/ built on.*/, ''), node: process.version,
  commit: sh(`git -C ${root} rev-parse --short HEAD`), date: new Date().toISOString(),
};
writeFileSync(path.join(root, 'bench/results/latest.json'), JSON.stringify({ machine, metrics: rows }, null, 2) + '\n');

const fmt = (x) => (typeof x !== 'number' ? String(x) : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(Math.round(x * 100) / 100));
const tableRows = rows.filter((r) => r.part !== 'micro' || r.target);  // micro figures: in latest.json and below
const line = (cells) => `| ${cells.join(' | ')} |`;
const table = [
  line(['metric', 'value (median)', 'min – max', 'target', 'met']),
  line(['---', '---:', '---:', '---', '---']),
  ...tableRows.map((r) => line([
    r.label, r.median === null ? 'not measured' : `${fmt(r.median)} ${r.unit}`, r.median === null ? '—' : `${fmt(r.min)} – ${fmt(r.max)}`,
    r.target ? `${r.target.op} ${fmt(r.target.value)} ${r.unit}` : '—',
    r.met === null ? '' : r.met ? 'yes' : r.median === null ? 'no (not measured)' : (r.valid === false ? 'no (invalid run)' : '**no**'),
  ])),
];
const micro = rows.filter((r) => r.part === 'micro');
const microTable = micro.length ? [
  '', `Microbenchmarks (Google Benchmark, median of ${micro[0].runs} repetitions):`, '',
  line(['benchmark', 'median', 'min – max']), line(['---', '---:', '---:']),
  ...micro.map((r) => line([r.label, `${fmt(r.median)} ${r.unit}`, `${fmt(r.min)} – ${fmt(r.max)}`])),
] : [];
// One line per distinct note, naming every metric it belongs to.
const byNote = new Map();
for (const r of rows.filter((r) => r.note && r.part !== 'micro')) byNote.set(r.note, [...(byNote.get(r.note) ?? []), r.label]);
const notes = [...byNote].map(([note, labels]) => `- ${labels.join('; ')}: ${note}`);
// bench.sh passes how long its phases took so far (BENCH_ELAPSED_S, BENCH_PHASES).
const elapsed = Number(process.env.BENCH_ELAPSED_S);
const duration = Number.isFinite(elapsed) && elapsed > 0
  ? [`\`./bench.sh\` took ${Math.floor(elapsed / 60)} min ${elapsed % 60} s (${process.env.BENCH_PHASES ?? ''}).`, ''] : [];
const text = [
  `Measured ${machine.date.slice(0, 10)} at ${machine.commit} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
  `${machine.os}, ${machine.chromium}.`, '', ...duration, ...table, '', 'Notes:', ...notes, ...microTable,
].join('\n');
console.log(text);
writeFileSync(path.join(root, 'bench/results/latest.md'), text + '\n');

if (process.argv.includes('--update-readme')) {
  const readme = path.join(root, 'README.md');
  const src = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->', end = '<!-- bench:end -->';
  const a = src.indexOf(start), b = src.indexOf(end);
  if (a >= 0 && b > a) writeFileSync(readme, src.slice(0, a + start.length) + '\n' + text + '\n' + src.slice(b));
}
const missed = rows.filter((r) => r.met === false).length;
console.log(`\n${rows.filter((r) => r.met === true).length} targets met, ${missed} missed; bench/results/latest.json written.`);
