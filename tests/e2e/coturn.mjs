// coturn (Debian's turnserver) for the NAT tests, run inside a namespace of netns.mjs, and TURN REST
// credentials (coturn's use-auth-secret scheme) computed the way the server hands them out.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repo } from './lib.mjs';

export const TURN_PORT = 3478;
export const TURN_RELAY_PORTS = [49152, 49407];

// Username `<expiry unix time>:<name>`, credential base64(HMAC-SHA1(secret, username)).
export function turnCredentials(secret, name, ttlSeconds = 3600, now = Date.now()) {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${name}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export function writeTurnSecret(dir) {
  const secretFile = path.join(dir, 'turn-secret');
  const secret = randomBytes(32).toString('hex');
  writeFileSync(secretFile, secret + '\n', { mode: 0o600 });
  return { secretFile, secret };
}

const listening = (net, ns, port) => {
  const udp = net.run(ns, 'ss', ['-Hlun', `sport = :${port}`]).trim().length > 0;
  const tcp = net.run(ns, 'ss', ['-Hltn', `sport = :${port}`]).trim().length > 0;
  return udp && tcp;
};

// ======================================================================================== startCoturn
// THE ONE PLACE that starts coturn for the tests. Its options are scripts/turn.sh's; until that
// script is in the tree, `turnserver` is started here with an equivalent configuration (the REST
// scheme only, no CLI, no TLS listeners, a bounded relay range, no loopback/multicast peers, private
// ranges denied except the ranges passed in allowPeer). Once scripts/turn.sh exists it is used
// instead, with the same arguments: delete the fallback then.
// Resolves when coturn listens on UDP and TCP `port`: {proc, secret, secretFile, stateDir, uris(host),
// log(), stop()}.
export async function startCoturn(net, {
  ns = net.public, listenIps = [net.publicIp], relayIp = net.publicIp, port = TURN_PORT,
  relayPorts = TURN_RELAY_PORTS, allowPeer = [net.publicCidr], realm = 'moim', stateDir,
} = {}) {
  stateDir ??= mkdtempSync(path.join(tmpdir(), 'moim-coturn-'));
  const { secretFile, secret } = writeTurnSecret(stateDir);
  const turnSh = path.join(repo, 'scripts/turn.sh');
  let proc;
  if (existsSync(turnSh)) {
    proc = net.spawnIn(ns, turnSh, [
      '--secret-file', secretFile, '--state-dir', stateDir, '--port', String(port),
      '--relay-ports', `${relayPorts[0]}-${relayPorts[1]}`, ...listenIps.flatMap((ip) => ['--listen-ip', ip]),
      '--relay-ip', relayIp, ...allowPeer.flatMap((c) => ['--allow-peer', c]), '--realm', realm,
    ]);
  } else {
    // --- fallback until scripts/turn.sh exists -------------------------------------------------
    const range = (cidr) => {   // coturn takes ranges as first-last
      const [base, bits] = cidr.split('/');
      const n = base.split('.').reduce((a, o) => a * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(bits ?? 32));
      const ip = (v) => [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
      return `${ip(n - (n % size))}-${ip(n - (n % size) + size - 1)}`;
    };
    const denied = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
      '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4'];
    const conf = path.join(stateDir, 'turnserver.conf');
    writeFileSync(conf, [
      `listening-port=${port}`, ...listenIps.map((ip) => `listening-ip=${ip}`), `relay-ip=${relayIp}`,
      `min-port=${relayPorts[0]}`, `max-port=${relayPorts[1]}`,
      'use-auth-secret', `static-auth-secret=${secret}`, `realm=${realm}`, 'fingerprint',
      'no-cli', 'no-tls', 'no-dtls', 'no-multicast-peers', 'no-software-attribute', 'no-rfc5780',
      'no-stun-backward-compatibility', 'response-origin-only-with-rfc5780',
      ...denied.map((c) => `denied-peer-ip=${range(c)}`), ...allowPeer.map((c) => `allowed-peer-ip=${range(c)}`),
      `userdb=${path.join(stateDir, 'turndb')}`, `pidfile=${path.join(stateDir, 'turnserver.pid')}`,
      `log-file=${path.join(stateDir, 'turnserver.log')}`, 'simple-log', '',
    ].join('\n'), { mode: 0o600 });
    proc = net.spawnIn(ns, 'turnserver', ['-c', conf]);
    // ------------------------------------------------------------------------------------------
  }
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  for (const until = Date.now() + 10000; !listening(net, ns, port);) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`coturn exited (${proc.exitCode ?? proc.signalCode}):\n${log}`);
    if (Date.now() > until) { proc.kill('SIGKILL'); throw new Error(`coturn did not listen on ${port} within 10 s:\n${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc, secret, secretFile, stateDir, port,
    // The URIs the server is to advertise (--turn-uri), `{host}` as the server replaces it.
    uris: (host = '{host}') => [`turn:${host}:${port}?transport=udp`, `turn:${host}:${port}?transport=tcp`],
    // What coturn printed (scripts/turn.sh: stdout) and wrote to its log file (the fallback).
    log: () => log + (existsSync(path.join(stateDir, 'turnserver.log')) ? readFileSync(path.join(stateDir, 'turnserver.log'), 'utf8') : ''),
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
    }),
  };
}
