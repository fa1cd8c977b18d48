// Starts real coturn for tests through scripts/turn.sh (the same script ./run.sh uses) with a fresh
// secret and state folder, and stops it again. Tests that run coturn inside a network namespace pass
// prefix: ['ip', 'netns', 'exec', NAME] and probe: false (then readiness is read from coturn's log).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TurnClient } from './turn_client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const turnScript = path.resolve(here, '..', '..', 'scripts', 'turn.sh');

const running = new Set();
// A test process that ends any way but SIGKILL takes its coturn with it.
process.on('exit', () => { for (const proc of running) try { proc.kill('SIGKILL'); } catch { /* gone */ } });

// A port free for both UDP and TCP on host (coturn listens on both).
export async function freeUdpTcpPort(host = '127.0.0.1') {
  for (let attempt = 0; attempt < 50; ++attempt) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.on('error', reject);
      srv.listen(0, host, () => { const { port: p } = srv.address(); srv.close(() => resolve(p)); });
    });
    const udpFree = await new Promise((resolve) => {
      const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', () => resolve(false));
      s.bind(port, host, () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}

// A random block of `count` relay ports below the kernel's ephemeral range (32768+).
export function randomRelayPorts(count = 40) {
  const min = 20000 + crypto.randomInt(0, 12000 - count);
  return `${min}-${min + count - 1}`;
}

export async function startTurn({
  listenIp = '127.0.0.1', relayIp = listenIp, allowPeers = [], realm = 'moim-test', port, relayPorts = randomRelayPorts(),
  extraArgs = [], prefix = [], probe = true, timeoutMs = 15000,
} = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'moim-turn-'));
  const secret = crypto.randomBytes(32).toString('hex');
  const secretFile = path.join(dir, 'turn-secret');
  writeFileSync(secretFile, secret, { mode: 0o600 });
  const stateDir = path.join(dir, 'state');
  const listenPort = port ?? await freeUdpTcpPort(listenIp);
  const args = ['--secret-file', secretFile, '--state-dir', stateDir, '--port', String(listenPort), '--relay-ports', relayPorts,
    '--listen-ip', listenIp, '--relay-ip', relayIp, '--realm', realm, ...allowPeers.flatMap((p) => ['--allow-peer', p]), ...extraArgs];
  const command = [...prefix, turnScript, ...args];
  const proc = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let log = '';
  const keep = (d) => { log = (log + d).slice(-200000); };  // bounded: coturn logs every allocation
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => { running.delete(proc); resolve({ code, signal }); }));
  const alive = () => proc.exitCode === null && proc.signalCode === null;

  const stop = async () => {
    if (alive()) {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!alive()) throw new Error(`scripts/turn.sh exited (${JSON.stringify(await exited)}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`coturn did not answer within ${timeoutMs} ms:\n${log}`);
      if (probe) {
        const client = await new TurnClient({ host: listenIp, port: listenPort }).open();
        const answered = await client.binding({ timeoutMs: 300 }).then((m) => m.isSuccess, () => false);
        client.close();
        if (answered) break;
      } else if (log.includes('Total General servers')) {
        break;
      } else {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { host: listenIp, port: listenPort, relayPorts, realm, secret, secretFile, stateDir, pid: proc.pid, log: () => log, alive, stop, exited };
}
