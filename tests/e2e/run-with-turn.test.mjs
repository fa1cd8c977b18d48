// ./run.sh --with-turn for real (its set-up finds everything installed and built): coturn starts
// beside moim-server with a secret made once in the data folder (mode 0600, kept across runs) that
// the two share; Ctrl+C (SIGINT to the process group), SIGTERM to run.sh, or even SIGKILL of run.sh
// leaves no turnserver and no moim-server behind. A bad TURN argument stops run.sh before anything runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { TurnClient, describe as describeMessage, restCredentials } from './turn_client.mjs';
import { freeUdpTcpPort } from './turn_server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const SETUP_MS = 300000;  // run.sh's set-up: a no-op build check, slow on a busy machine

// Processes whose command line mentions `needle` (the unique data folder): run.sh's children.
function processesMentioning(needle) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmdline;
    try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmdline.includes(needle)) continue;
    let state = '';
    try { state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]; } catch { continue; }
    if (state !== 'Z') found.push({ pid: Number(pid), cmd: cmdline.split('\0').filter(Boolean).map((a) => path.basename(a)).slice(0, 2).join(' ') });
  }
  return found;
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const started = [];
after(() => {  // whatever happened: nothing of ours keeps running
  for (const r of started) {
    try { process.kill(-r.proc.pid, 'SIGKILL'); } catch { /* gone */ }
    for (const p of processesMentioning(r.dataDir)) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(r.dataDir, { recursive: true, force: true });
  }
});

// Starts ./run.sh --with-turn in its own process group (as a terminal would run it).
async function startRun({ dataDir, args = [] }) {
  const port = await freeUdpTcpPort();
  const turnPort = await freeUdpTcpPort();
  const proc = spawn(path.join(repo, 'run.sh'), ['--port', String(port), '--with-turn', '--turn-port', String(turnPort), ...args], {
    env: { ...process.env, MOIM_DATA_DIR: dataDir }, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = { proc, port, turnPort, dataDir, log: '' };
  started.push(r);
  proc.stdout.on('data', (d) => { r.log += d; });
  proc.stderr.on('data', (d) => { r.log += d; });
  r.exit = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return r;
}

async function waitUntilServing(r) {
  await waitFor('run.sh to start the server and coturn', () => {
    if (r.proc.exitCode !== null) throw new Error(`run.sh exited (${r.proc.exitCode}):\n${r.log}`);
    return /Moim server listening on/.test(r.log) && r.log.includes('Total General servers');
  }, SETUP_MS);
  const children = processesMentioning(r.dataDir);
  assert.deepEqual(children.map((c) => c.cmd.split(' ')[0]).sort(), ['moim-server', 'turnserver'], JSON.stringify(children));
  return children;
}

async function allocate(turnPort, secret) {
  const c = await new TurnClient({ host: '127.0.0.1', port: turnPort }).open();
  try { return await c.allocate(restCredentials(secret, '1', 600)); } finally { c.close(); }
}

describe('./run.sh --with-turn', { timeout: 3 * SETUP_MS }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'moim-run-'));
  let secret;

  test('starts coturn with a new 0600 secret shared with the server; Ctrl+C stops both', async () => {
    const r = await startRun({ dataDir });
    const children = await waitUntilServing(r);
    const file = path.join(dataDir, 'turn-secret');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    secret = readFileSync(file, 'utf8');
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.match(r.log, /made a TURN secret/);
    const cmdline = readFileSync(`/proc/${children.find((c) => c.cmd.startsWith('moim-server')).pid}/cmdline`, 'utf8').split('\0');
    for (const expected of [`turn:{host}:${r.turnPort}?transport=udp`, `turn:{host}:${r.turnPort}?transport=tcp`, file]) {
      assert.ok(cmdline.includes(expected), `moim-server lacks ${expected}: ${cmdline.join(' ')}`);
    }
    const result = await allocate(r.turnPort, secret);
    assert.ok(result.ok, `credentials from the data folder's secret: ${describeMessage(result.response)}`);

    process.kill(-r.proc.pid, 'SIGINT');  // what Ctrl+C in a terminal does
    const { code } = await r.exit;
    assert.equal(code, 130, r.log);
    assert.deepEqual(processesMentioning(dataDir), [], 'nothing left running after Ctrl+C');
  });

  test('keeps the secret on the next run; SIGTERM to run.sh alone stops both', async () => {
    const r = await startRun({ dataDir });
    await waitUntilServing(r);
    assert.equal(readFileSync(path.join(dataDir, 'turn-secret'), 'utf8'), secret);
    assert.doesNotMatch(r.log, /made a TURN secret/);
    r.proc.kill('SIGTERM');
    const { code } = await r.exit;
    assert.equal(code, 143, r.log);
    assert.deepEqual(processesMentioning(dataDir), [], 'nothing left running after SIGTERM');
  });

  test('a run.sh killed with SIGKILL takes coturn and the server along', async () => {
    const r = await startRun({ dataDir });
    await waitUntilServing(r);
    r.proc.kill('SIGKILL');
    await r.exit;
    await waitFor('the children to end', () => processesMentioning(dataDir).length === 0, 10000);
  });

  test('a bad TURN argument stops run.sh before anything starts', async () => {
    const r = await startRun({ dataDir, args: ['--turn-allow-peer', '10.0.0.1/8'] });
    const { code } = await r.exit;
    assert.equal(code, 2, r.log);
    assert.match(r.log, /--allow-peer '10\.0\.0\.1\/8' is not an address or CIDR range/);
    assert.doesNotMatch(r.log, /Moim server listening on/);
    assert.deepEqual(processesMentioning(dataDir), []);
  });
});
