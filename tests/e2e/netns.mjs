// Real NATs on this machine for the end-to-end tests: network namespaces, veth pairs and iptables.
//
//   home 0 (192.168.1.2) -- router 0 (LAN 192.168.1.1 | WAN 203.0.113.10) --+
//                                                                           +-- bridge in "public"
//   home 1 (192.168.2.2) -- router 1 (LAN 192.168.2.1 | WAN 203.0.113.11) --+   (203.0.113.1 and .2:
//                                                                               server, coturn, echo)
// Each router masquerades its home towards the public bridge and, like a home router, drops what
// arrives from the WAN unless it answers a connection from inside. The homes have no route to each
// other: anything between them goes through both NATs. Nothing is connected to the machine's own
// network namespace, so there is no side door through the host.
//
// Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns`): without it createNatNetwork throws
// with the reason, and the test fails (it is never skipped). Names are unique per process
// (moimt<pid>n<counter>-<role>); destroy() (also run on exit and on SIGINT/SIGTERM/SIGHUP) kills
// what runs inside, deletes the veths and the namespaces; sweepStaleNamespaces() removes those of a
// test process that no longer exists.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const NS_PREFIX = 'moimt';
export const PUBLIC_CIDR = '203.0.113.0/24';   // TEST-NET-3: documentation addresses, never routed
export const PUBLIC_IP = '203.0.113.1';          // server, coturn, echo
export const PUBLIC_IP2 = '203.0.113.2';         // a second public address on the same bridge
export const routerWanIp = (i) => `203.0.113.${10 + i}`;
export const homeCidr = (i) => `192.168.${1 + i}.0/24`;
export const routerLanIp = (i) => `192.168.${1 + i}.1`;
export const homeIp = (i) => `192.168.${1 + i}.2`;
export const NAT_KINDS = ['symmetric', 'port-preserving'];

const IFNAMSIZ = 15;          // longest interface name Linux accepts
const live = new Set();       // networks not yet destroyed, for the exit handlers
const loose = new Set();      // processes from the free-standing spawnIn (killed on exit)
let counter = 0;

const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const errText = (e) => String(e.stderr || e.message || e).trim().split('\n')[0];

function sh(cmd, args, { input, timeout = 10000 } = {}) {
  try {
    return execFileSync(cmd, args, { input, timeout, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    const err = new Error(`${cmd} ${args.join(' ')}: ${String(e.stderr || e.message).trim()}`);
    err.status = e.status;
    err.stderr = e.stderr;
    throw err;
  }
}

// Runs `cmd args` inside namespace `ns`, waits for it, returns its stdout (throws on failure).
export const run = (ns, cmd, args = [], options) => sh('ip', ['netns', 'exec', ns, cmd, ...args], options);

// Starts `cmd args` inside namespace `ns` (child_process.spawn options). `ip netns exec` execs the
// command, so the child's pid and signals are the command's own. Killed on exit if still running.
export function spawnIn(ns, cmd, args = [], options = {}) {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  loose.add(child);
  child.once('exit', () => loose.delete(child));
  return child;
}

const listNamespaces = () => sh('ip', ['netns', 'list']).split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
const nsPids = (ns) => { try { return sh('ip', ['netns', 'pids', ns]).split('\n').map(Number).filter((p) => p > 0); } catch { return []; } };
function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

// Ends every process inside `ns` (all of them were started there by a test): SIGTERM, up to
// `graceMs` for them to go, then SIGKILL.
function killInside(ns, graceMs = 1500) {
  let pids = nsPids(ns);
  for (const pid of pids) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  for (const until = Date.now() + graceMs; pids.length && Date.now() < until;) {
    sleepSync(50);
    pids = nsPids(ns);
  }
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const until = Date.now() + 2000; nsPids(ns).length && Date.now() < until;) sleepSync(20);
}

function deleteNamespace(ns) {
  killInside(ns);
  // Deleting one end of a veth deletes both; the namespace's own deletion would too, but only once
  // nothing holds the namespace any more, so the links go explicitly first.
  try {
    const links = sh('ip', ['-n', ns, '-o', 'link', 'show']).split('\n')
      .map((l) => l.split(':')[1]?.trim().split('@')[0]).filter((n) => n && n !== 'lo');
    for (const link of links) { try { sh('ip', ['-n', ns, 'link', 'del', link]); } catch { /* its peer went first */ } }
  } catch { /* namespace already gone */ }
  try { sh('ip', ['netns', 'del', ns]); } catch (e) { if (listNamespaces().includes(ns)) throw e; }
}

// Deletes the namespaces (and everything inside) left by test processes that no longer run, e.g.
// after a crash or SIGKILL. Namespaces of live processes (another test file running now) are kept.
// Returns the names deleted.
export function sweepStaleNamespaces() {
  const stale = listNamespaces().filter((ns) => {
    const m = new RegExp(`^${NS_PREFIX}(\\d+)n[0-9a-z]+-`).exec(ns);
    return m && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  for (const ns of stale) deleteNamespace(ns);
  return stale;
}

const who = () => (typeof process.getuid === 'function' ? `running as uid ${process.getuid()}` : 'unknown user');

// The tools must be there; whether this process may use them is found out by trying (the reason
// from `ip netns add` is the error), since capabilities, not the uid, decide.
function checkTools() {
  for (const tool of ['ip', 'iptables']) {
    try { sh(tool, ['-V']); } catch (e) { throw new Error(`the NAT tests need '${tool}' (apt-get install iproute2 iptables): ${errText(e)}`); }
  }
}

class NatNetwork {
  constructor({ nat, blockUdp, homes }) {
    if (!NAT_KINDS.includes(nat)) throw new Error(`nat must be one of ${NAT_KINDS.join(', ')}, not ${JSON.stringify(nat)}`);
    if (!Number.isInteger(homes) || homes < 1 || homes > 8) throw new Error(`homes must be 1..8, not ${homes}`);
    for (const i of blockUdp) if (!Number.isInteger(i) || i < 0 || i >= homes) throw new Error(`blockUdp: no home ${i}`);
    this.nat = nat;
    const n = counter++;
    this.id = `${process.pid}n${n.toString(36)}`;
    const tag = `mt${process.pid.toString(36)}${n.toString(36)}`;   // interface names: mt<pid36><n36><role>
    this.if = {
      bridge: `${tag}br`,
      pubSide: (i) => `${tag}p${i}`,    // in public, on the bridge, towards router i
      wan: (i) => `${tag}w${i}`,        // router i's WAN
      lan: (i) => `${tag}l${i}`,        // router i's LAN
      eth: (i) => `${tag}e${i}`,        // home i's only interface
    };
    if (this.if.pubSide(homes - 1).length > IFNAMSIZ) throw new Error(`interface name too long: ${this.if.pubSide(homes - 1)}`);
    this.public = `${NS_PREFIX}${this.id}-pub`;
    this.routers = Array.from({ length: homes }, (_, i) => `${NS_PREFIX}${this.id}-r${i}`);
    this.homes = Array.from({ length: homes }, (_, i) => `${NS_PREFIX}${this.id}-h${i}`);
    this.publicIp = PUBLIC_IP;
    this.publicIp2 = PUBLIC_IP2;
    this.publicCidr = PUBLIC_CIDR;
    this.routerWanIp = routerWanIp;
    this.homeIp = homeIp;
    this.udpBlocked = new Set();
    this.children = new Set();
    this.tmp = null;
    this.destroyed = false;
  }

  get namespaces() { return [this.public, ...this.routers, ...this.homes]; }

  build(blockUdp) {
    const created = [];
    const addNs = (ns) => {
      try { sh('ip', ['netns', 'add', ns]); } catch (e) {
        throw new Error(`cannot create network namespace ${ns}: the NAT tests need root (CAP_NET_ADMIN and CAP_SYS_ADMIN); ${who()}: ${errText(e)}`);
      }
      created.push(ns);
      // IPv4 only: no IPv6 path (link-local or otherwise) may bypass the NATs.
      run(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      run(ns, 'ip', ['link', 'set', 'lo', 'up']);
    };
    const ipn = (ns, ...args) => sh('ip', ['-n', ns, ...args]);
    const ipt = (ns, ...args) => run(ns, 'iptables', ['-w', ...args]);

    addNs(this.public);
    ipn(this.public, 'link', 'add', this.if.bridge, 'type', 'bridge');
    ipn(this.public, 'addr', 'add', `${PUBLIC_IP}/24`, 'dev', this.if.bridge);
    ipn(this.public, 'addr', 'add', `${PUBLIC_IP2}/24`, 'dev', this.if.bridge);
    ipn(this.public, 'link', 'set', this.if.bridge, 'up');

    this.homes.forEach((home, i) => {
      const router = this.routers[i];
      addNs(router);
      addNs(home);
      // veths made directly inside their namespaces: nothing ever appears in the host's namespace.
      sh('ip', ['link', 'add', this.if.pubSide(i), 'netns', this.public, 'type', 'veth', 'peer', 'name', this.if.wan(i), 'netns', router]);
      sh('ip', ['link', 'add', this.if.lan(i), 'netns', router, 'type', 'veth', 'peer', 'name', this.if.eth(i), 'netns', home]);
      ipn(this.public, 'link', 'set', this.if.pubSide(i), 'master', this.if.bridge, 'up');

      ipn(router, 'addr', 'add', `${routerWanIp(i)}/24`, 'dev', this.if.wan(i));
      ipn(router, 'addr', 'add', `${routerLanIp(i)}/24`, 'dev', this.if.lan(i));
      ipn(router, 'link', 'set', this.if.wan(i), 'up');
      ipn(router, 'link', 'set', this.if.lan(i), 'up');
      run(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);

      ipn(home, 'addr', 'add', `${homeIp(i)}/24`, 'dev', this.if.eth(i));
      ipn(home, 'link', 'set', this.if.eth(i), 'up');
      ipn(home, 'route', 'add', 'default', 'via', routerLanIp(i));

      // The NAT: 'symmetric' picks a random source port for every new flow (endpoint-dependent
      // mapping); plain MASQUERADE keeps the home's source port when it is free on the WAN address.
      ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', this.if.wan(i), '-j', 'MASQUERADE',
        ...(this.nat === 'symmetric' ? ['--random-fully'] : []));
      // A home router's firewall: from the WAN only answers to flows from inside. Dropping in the
      // filter table also keeps an unsolicited packet from leaving a conntrack entry behind (it is
      // never confirmed), which would otherwise make the NAT change the port of the home's own
      // flow to that peer later and break hole punching.
      ipt(router, '-P', 'FORWARD', 'DROP');
      ipt(router, '-A', 'FORWARD', '-i', this.if.lan(i), '-o', this.if.wan(i), '-j', 'ACCEPT');
      ipt(router, '-A', 'FORWARD', '-i', this.if.wan(i), '-o', this.if.lan(i), '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
      ipt(router, '-A', 'INPUT', '-i', this.if.wan(i), '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
      ipt(router, '-A', 'INPUT', '-i', this.if.wan(i), '-j', 'DROP');
    });
    for (const i of blockUdp) this.setUdpBlocked(i, true);
    return created;
  }

  // Home i's router forwards only TCP (and ICMP) out: every UDP packet through it is dropped.
  setUdpBlocked(i, blocked) {
    if (!this.routers[i]) throw new Error(`no home ${i}`);
    if (blocked === this.udpBlocked.has(i)) return;
    run(this.routers[i], 'iptables', ['-w', blocked ? '-I' : '-D', 'FORWARD', ...(blocked ? ['1'] : []), '-p', 'udp', '-j', 'DROP']);
    if (blocked) this.udpBlocked.add(i); else this.udpBlocked.delete(i);
  }

  run(ns, cmd, args, options) { return run(ns, cmd, args, options); }

  // As spawnIn, and the process is ended by destroy() at the latest.
  spawnIn(ns, cmd, args, options) {
    if (!this.namespaces.includes(ns)) throw new Error(`${ns} is not a namespace of this network`);
    const child = spawnIn(ns, cmd, args, options);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  // An executable that starts Debian's Chromium inside namespace `ns` (for Playwright's
  // executablePath); deleted by destroy().
  chromiumWrapper(ns, chromium = '/usr/bin/chromium') {
    if (!this.namespaces.includes(ns)) throw new Error(`${ns} is not a namespace of this network`);
    this.tmp ??= mkdtempSync(path.join(tmpdir(), `moim-netns-${this.id}-`));
    const file = path.join(this.tmp, `chromium-${ns}`);
    writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${ns} ${chromium} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  // Kills whatever still runs inside, deletes every veth and namespace of this network and its temp
  // files. Synchronous (so the exit handlers can use it), idempotent. Throws if a namespace is left.
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    for (const child of this.children) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    const errors = [];
    for (const ns of [...this.homes, ...this.routers, this.public]) {
      try { deleteNamespace(ns); } catch (e) { errors.push(e.message); }
    }
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    const left = listNamespaces().filter((ns) => this.namespaces.includes(ns));
    if (left.length || errors.length) throw new Error(`netns cleanup incomplete: left ${left.join(', ') || 'none'}; ${errors.join('; ')}`);
  }
}

// Builds the two homes, their routers and the public network. `nat`: 'symmetric' (MASQUERADE
// --random-fully on both routers) or 'port-preserving' (plain MASQUERADE). `blockUdp`: homes whose
// router forwards no UDP. Stale namespaces of dead test processes are swept first. On any failure
// what was built is deleted again and the error says why.
export function createNatNetwork({ nat = 'symmetric', blockUdp = [], homes = 2 } = {}) {
  checkTools();
  sweepStaleNamespaces();
  const net = new NatNetwork({ nat, blockUdp, homes });
  live.add(net);
  try {
    net.build(blockUdp);
  } catch (e) {
    try { net.destroy(); } catch (cleanup) { e.message += `\n(and cleaning up: ${cleanup.message})`; }
    throw e;
  }
  return net;
}

// Every network is torn down however the process ends. On a signal the handlers clean up and then
// end the process as the signal would have.
function cleanupAll() {
  for (const child of loose) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
  for (const net of [...live]) { try { net.destroy(); } catch (e) { process.stderr.write(`${e.message}\n`); } }
}
process.on('exit', cleanupAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    cleanupAll();
    process.kill(process.pid, signal);
  });
}
