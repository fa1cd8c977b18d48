// Moim through real NATs (issue 11). netns.mjs builds, on this machine, a "public" network holding
// moim-server and coturn and two homes, each behind its own masquerading router; Chromium runs
// inside a home (Playwright starts it through `ip netns exec`). Needs root; without it every test
// here fails with the reason (never skipped). Topology and what each test proves: docs/TESTING.md.
//
// Per NAT kind one network, one coturn and one Chromium per home serve every test of that kind;
// each scenario opens its own two people (browser contexts, Alice in home 0, Bob in home 1) and its
// own moim-server with the flags it is about. Figures: build/e2e-artifacts/nat-report.json.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { click, openPerson, receivedCandidates, saveReport, screenshot, startServer, state, typeInto, waitForState } from './lib.mjs';
import {
  SERVER_PORT, firstRemoteFrame, peerIn, sleep, topology, turnFlags, turnTcpPeers, videoFlows,
} from './nat_topology.mjs';
import { NS_PREFIX, createNatNetwork, sweepStaleNamespaces } from './netns.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const probe = path.join(here, 'nat_probe.mjs');
const ECHO_UDP = 7000, ECHO_UDP2 = 7002, ECHO_TCP = 7001;   // nat_probe.mjs echo
const UNREACHABLE_WITHIN_MS = 60000;      // join -> both tiles say "Can't reach" (peer_health: ~35 s)
const ROUTE_SETTLES_MS = 15000;           // first frame -> the route both sides report is the expected one
const figures = { startedAt: new Date().toISOString(), scenarios: {} };
const fileStart = Date.now();

// ---- the pieces every scenario takes (topology, turnFlags and the peer's frames: nat_topology.mjs) --

// Alice (home 0) and Bob (home 1) in one call on a moim-server in the public namespace started with
// `args`. Returns { server, pages, alice, bob, joinedAt[i] (when each join was clicked) }.
async function twoHomesCall(ctx, args, roomName = 'Across') {
  const server = await startServer({ netns: ctx.net.public, address: ctx.net.publicIp, port: SERVER_PORT, args });
  ctx.servers.push(server);
  const people = [['Alice', 0], ['Bob', 1]];
  const pages = await Promise.all(people.map(([name, home]) => openPerson(ctx.browsers[home], server.url, name, { recordSignals: true })));
  ctx.pages.push(...pages);
  for (const [i, page] of pages.entries()) {
    await typeInto(page, 'name-input', people[i][0]);
    await page.keyboard.press('Enter');
  }
  await click(pages[0], 'create-room');
  await typeInto(pages[0], 'room-name-input', roomName);
  await click(pages[0], 'create-confirm');
  const s = await waitForState(pages[0], (s, n) => s.rooms.some((r) => r.name === n), roomName);
  const room = s.rooms.find((r) => r.name === roomName).id;
  const joinedAt = [];
  for (const page of pages) {
    await waitForState(page, (s, id) => s.rooms.some((r) => r.id === id), room);
    joinedAt.push(Date.now());
    await click(page, `join:${room}`);
    await waitForState(page, (s) => s.screen === 'call');
  }
  const call = { server, pages, alice: pages[0], bob: pages[1], joinedAt };
  call.end = async () => { await Promise.all(pages.map((p) => p.context().close())); await server.stop(); };
  return call;
}

const other = (page, call) => (page === call.alice ? 'Bob' : 'Alice');

// The call connects: each side's first remote frame (ms after its own join click), then the route
// both sides report is polled until it is `expected` on both (a pair may first show a `prflx`
// remote end: the other's check arrived before its signalled candidate; ROUTE_SETTLES_MS at most),
// then video flows both ways. Returns the scenario's figures: the route, join -> first frame, the
// selected pair of each side, and every (route, pair) each side showed on the way.
async function connects(call, expected) {
  const { alice, bob, joinedAt } = call;
  const firstFrameMs = await Promise.all([firstRemoteFrame(alice, 'Bob', joinedAt[0]), firstRemoteFrame(bob, 'Alice', joinedAt[1])]);
  const seen = [[], []];
  const t0 = Date.now();
  let peers;
  for (;;) {
    peers = await Promise.all(call.pages.map(async (page) => peerIn(await state(page), other(page, call))));
    for (const [i, p] of peers.entries()) {
      const shown = `${p.route} ${p.candidates?.local}/${p.candidates?.remote}`;
      if (seen[i].at(-1)?.shown !== shown) seen[i].push({ msAfterFirstFrame: Date.now() - t0, shown });
    }
    if (peers.every((p) => p.route === expected)) break;
    assert.ok(Date.now() - t0 < ROUTE_SETTLES_MS, `route ${expected} on both sides within ${ROUTE_SETTLES_MS} ms: ${JSON.stringify(seen)}`);
    await sleep(250);
  }
  for (const page of call.pages) await videoFlows(page, other(page, call));
  return {
    route: peers.map((p) => p.route), joinToFirstFrameMs: firstFrameMs,
    pairs: peers.map((p) => p.candidates), routeSeen: seen, connection: peers.map((p) => p.connection),
  };
}

// One line per scenario on stdout; the figures go to the report.
function record(name, result) {
  figures.scenarios[name] = result;
  const side = (i) => `${['Alice', 'Bob'][i]}: route ${result.route?.[i]}, first frame ${result.joinToFirstFrameMs?.[i]} ms, ` +
    `pair ${result.pairs?.[i]?.local}/${result.pairs?.[i]?.remote} ${result.pairs?.[i]?.protocol ?? ''}` +
    `${result.pairs?.[i]?.relayProtocol ? ` (to TURN: ${result.pairs[i].relayProtocol})` : ''}`;
  console.log(`[nat] ${name}: ${result.joinToUnreachableMs !== undefined ? `unreachable on both tiles ${result.joinToUnreachableMs} ms after the first join`
    : `${side(0)}; ${side(1)}`}`);
}

// ---- the NAT itself, seen from a home with small UDP/TCP programs (nat_probe.mjs) ---------------

async function startEcho(net) {
  const echo = net.spawnIn(net.public, process.execPath, [probe, 'echo', '--address', net.publicIp, '--address', net.publicIp2,
    '--udp', String(ECHO_UDP), '--udp', String(ECHO_UDP2), '--tcp', String(ECHO_TCP)]);
  await once(echo.stdout, 'data');
  return echo;
}

// One UDP socket in home `i` asks three public destinations (two addresses, two ports) which
// source address they see; one TCP connection does the same.
function mappingFrom(net, i) {
  const { publicIp: a, publicIp2: b } = net;
  return JSON.parse(net.run(net.homes[i], process.execPath, [probe, 'mapping',
    '--udp', `${a}:${ECHO_UDP}`, '--udp', `${b}:${ECHO_UDP}`, '--udp', `${a}:${ECHO_UDP2}`, '--tcp', `${a}:${ECHO_TCP}`], { timeout: 15000 }));
}

// Hole punching as ICE does it with STUN: each home learns its mapping from the echo, then both send
// to the other's mapping for 3 s (home 1 starts 300 ms later, as peers never start at once).
async function holePunch(net) {
  const kids = net.homes.map((home) => net.spawnIn(home, process.execPath, [probe, 'punch', '--echo', `${net.publicIp}:${ECHO_UDP}`,
    '--seconds', '3'], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const lines = kids.map((k) => {
    const got = [];
    let buf = '';
    k.stdout.on('data', (d) => { buf += d; for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) got.push(JSON.parse(buf.slice(0, i))); });
    return got;
  });
  const exits = kids.map((k) => once(k, 'exit'));
  for (const until = Date.now() + 10000; lines.some((l) => l.length < 1);) {
    assert.ok(Date.now() < until, 'both homes learnt their mapping');
    await sleep(20);
  }
  kids[0].stdin.end(lines[1][0].mapped + '\n');
  await sleep(300);
  kids[1].stdin.end(lines[0][0].mapped + '\n');
  await Promise.all(exits);
  return lines.map(([mapping, result]) => ({ ...mapping, ...result }));
}

// ---- the scenarios of issue 11, one function each ------------------------------------------------

// Symmetric NAT with TURN: the only way through is coturn's relay.
async function symmetricWithTurn(ctx) {
  const call = await twoHomesCall(ctx, turnFlags(ctx.coturn));
  try {
    const result = await connects(call, 'relay');
    await screenshot(call.alice, 'nat-symmetric-turn.png');
    return result;
  } finally { await call.end(); }
}

// The same networks without TURN: the built-in STUN responder is there (its default) and each side
// learns its router's mapping from it, which a symmetric NAT makes useless to the other. Nothing
// connects, and both tiles say why, with the hint that no TURN server is configured.
async function symmetricWithoutTurn(ctx) {
  const call = await twoHomesCall(ctx, []);
  try {
    const since = Math.min(...call.joinedAt);
    const verdictOf = (s) => s.room.peers.length === 1 && s.room.peers[0].unreachable === true;
    let states;
    const connections = new Set();
    for (;;) {
      states = await Promise.all(call.pages.map(state));
      for (const s of states) for (const p of s.room.peers) {
        connections.add(p.connection);
        assert.notEqual(p.connection, 'connected', `${Date.now() - since} ms: a connection got through the NATs`);
        assert.equal(p.framesDecoded, 0);
      }
      if (states.every(verdictOf)) break;
      assert.ok(Date.now() - since < UNREACHABLE_WITHIN_MS, `both tiles say the other is unreachable within ${UNREACHABLE_WITHIN_MS} ms: ` +
        JSON.stringify(states.map((s) => s.room.peers.map(({ connection, health, route, unreachable }) => ({ connection, health, route, unreachable })))));
      await sleep(250);
    }
    const joinToUnreachableMs = Date.now() - since;
    for (const [i, s] of states.entries()) {
      const peer = s.room.peers[0];
      assert.equal(peer.name, ['Bob', 'Alice'][i]);
      assert.ok(peer.unreachableText.includes(`Can't reach ${peer.name}: your networks block a direct connection`), peer.unreachableText);
      assert.ok(peer.unreachableText.includes('The server has no TURN relay configured'), `the no-TURN hint: ${peer.unreachableText}`);
      assert.equal(peer.route, null);
      assert.equal(s.ice.hasTurn, false);
      // STUN worked (a srflx candidate with the other's router address arrived): the NAT, not a
      // missing STUN answer, is what keeps the call from connecting.
      const got = receivedCandidates(call.pages[i]);
      assert.ok(got.some((c) => c.type === 'srflx' && c.address === ctx.net.routerWanIp(1 - i)),
        `the other's srflx candidate arrived: ${JSON.stringify(got.map((c) => c.line))}`);
    }
    await screenshot(call.alice, 'nat-unreachable-alice.png');   // look at it: the words on the tile
    await screenshot(call.bob, 'nat-unreachable-bob.png');
    return {
      joinToUnreachableMs, connectionStatesSeen: [...connections], health: states.map((s) => s.room.peers[0].health),
      unreachableText: states.map((s) => s.room.peers[0].unreachableText),
      candidatesReceived: call.pages.map((p) => receivedCandidates(p).map((c) => `${c.type} ${c.protocol} ${c.address}`)),
    };
  } finally { await call.end(); }
}

// --ice-policy relay: the call goes through the relay, and neither side ever receives a host, srflx
// or prflx candidate, nor an address of a home or router anywhere in what the server relays
// (offers, answers and trickled candidates).
async function relayOnly(ctx) {
  const call = await twoHomesCall(ctx, [...turnFlags(ctx.coturn), '--ice-policy', 'relay']);
  try {
    const result = await connects(call, 'relay');
    const secrets = [0, 1].flatMap((i) => [ctx.net.homeIp(i), ctx.net.routerWanIp(i)]);
    result.candidatesReceived = [];
    for (const [i, page] of call.pages.entries()) {
      const s = await state(page);
      assert.equal(s.ice.policy, 'relay');
      assert.equal(peerIn(s, other(page, call)).iceConfig.policy, 'relay');
      assert.deepEqual([result.pairs[i].local, result.pairs[i].remote], ['relay', 'relay'], JSON.stringify(result.pairs[i]));
      const got = receivedCandidates(page);
      assert.ok(got.length > 0, 'candidates were received');
      assert.deepEqual(got.filter((c) => c.type !== 'relay').map((c) => c.line), [], 'only relay candidates reach the other peer');
      const text = JSON.stringify(page.signalsReceived);
      for (const ip of secrets) assert.ok(!text.includes(ip), `${ip} never reaches the other peer`);
      result.candidatesReceived.push(got.map((c) => `${c.via} ${c.type} ${c.protocol} ${c.address}`));
    }
    return result;
  } finally { await call.end(); }
}

// Port-preserving NAT, only the server's built-in STUN (on by default, UDP on the HTTP port).
async function portPreservingBuiltInStun(ctx) {
  const call = await twoHomesCall(ctx, []);
  try {
    const result = await connects(call, 'srflx');
    for (const [i, page] of call.pages.entries()) {
      const s = await state(page);
      assert.deepEqual(s.ice.servers.map((x) => x.urls).flat(), [`stun:${ctx.net.publicIp}:${SERVER_PORT}`], 'only the built-in STUN');
      assert.equal(s.ice.hasTurn, false);
      assert.notEqual(result.pairs[i].local, 'relay');
    }
    await screenshot(call.alice, 'nat-srflx.png');
    return result;
  } finally { await call.end(); }
}

// Home 1's router forwards no UDP: Bob reaches coturn over TCP and the call goes through the relay.
async function udpBlockedTurnTcp(ctx) {
  ctx.net.setUdpBlocked(1, true);
  try {
    const call = await twoHomesCall(ctx, turnFlags(ctx.coturn));
    try {
      const result = await connects(call, 'relay');
      const bob = result.pairs[1];
      assert.ok(bob.local === 'relay' && (bob.relayProtocol === 'tcp' || bob.protocol === 'tcp'), `Bob's side is TURN over TCP: ${JSON.stringify(bob)}`);
      // On the wire: a TCP connection from home 1's router to coturn carries Bob's relay.
      result.turnTcpPeers = turnTcpPeers(ctx);
      assert.ok(result.turnTcpPeers.some((peer) => peer.startsWith(`${ctx.net.routerWanIp(1)}:`)), `TURN over TCP from home 1: ${result.turnTcpPeers}`);
      await screenshot(call.bob, 'nat-turn-tcp.png');
      return result;
    } finally { await call.end(); }
  } finally { ctx.net.setUdpBlocked(1, false); }
}

const scenario = (name, fn, topology) => test(name, async () => record(fn.name, await fn(topology())));

// ---- tests --------------------------------------------------------------------------------------

describe('network namespaces: built, torn down, refused without root', () => {
  test('destroy() removes every namespace and veth and ends what ran inside; stale ones are swept', async () => {
    const net = createNatNetwork({ nat: 'symmetric' });
    let sleeper;
    try {
      assert.equal(net.namespaces.length, 5);
      for (const ns of net.namespaces) assert.ok(ns.startsWith(`${NS_PREFIX}${process.pid}n`), ns);
      const nsList = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      for (const ns of net.namespaces) assert.ok(nsList.includes(ns), `${ns} exists`);
      for (const [i, r] of net.routers.entries()) {
        assert.equal(net.run(r, 'cat', ['/proc/sys/net/ipv4/ip_forward']).trim(), '1');
        assert.match(net.run(r, 'ip', ['-o', 'link', 'show', 'lo']), /UP/);
        assert.match(net.run(r, 'iptables', ['-t', 'nat', '-S', 'POSTROUTING']), new RegExp(`-o ${net.if.wan(i)} -j MASQUERADE --random-fully`));
      }
      sleeper = net.spawnIn(net.homes[0], 'sleep', ['600']);
      await sleep(200);
      assert.equal(sleeper.exitCode, null);
    } finally {
      net.destroy();
    }
    const nsList = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of net.namespaces) assert.ok(!nsList.includes(ns), `${ns} is gone`);
    assert.ok(!/\bmt[0-9a-z]+(br|[pwle]\d)\b/.test(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })), 'no veth in the host namespace');
    if (sleeper.exitCode === null && sleeper.signalCode === null) await once(sleeper, 'exit');
    assert.ok(sleeper.signalCode === 'SIGKILL' || sleeper.signalCode === 'SIGTERM', `the process inside was ended (${sleeper.signalCode})`);

    // A namespace left by a test process that is gone (crashed, SIGKILLed) is swept before building.
    const dead = spawnSync('true').pid;
    const stale = `${NS_PREFIX}${dead}n0-pub`;
    execFileSync('ip', ['netns', 'add', stale]);
    assert.ok(sweepStaleNamespaces().includes(stale));
    assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(stale));
  });

  test('without root, building fails with the reason', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e',
      `import(${JSON.stringify(path.join(here, 'netns.mjs'))}).then((m) => m.createNatNetwork())`], { encoding: 'utf8', cwd: '/' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot create network namespace .*need root.*uid 65534.*Operation not permitted/);
  });
});

describe('symmetric NAT (MASQUERADE --random-fully on both routers)', () => {
  let ctx;
  before(async () => { ctx = await topology({ nat: 'symmetric' }); figures.symmetricBuildMs = ctx.buildMs; });
  after(async () => { await ctx?.close(); figures.symmetricDestroyMs = ctx?.destroyMs; });

  test('the public side sees the router, a new port per destination; hole punching fails', async () => {
    const echo = await startEcho(ctx.net);
    try {
      for (const i of [0, 1]) {
        const m = mappingFrom(ctx.net, i);
        for (const r of [...m.udp, ...m.tcp]) assert.equal(r.address, ctx.net.routerWanIp(i), `home ${i} seen as its router: ${JSON.stringify(r)}`);
        const ports = new Set(m.udp.map((r) => r.port));
        assert.equal(ports.size, 3, `one socket, three destinations, three mappings: ${JSON.stringify(m)}`);
        figures[`symmetricMappingHome${i}`] = m;
      }
      const punch = await holePunch(ctx.net);
      figures.symmetricHolePunch = punch;
      for (const p of punch) assert.equal(p.received, 0, `nothing gets through: ${JSON.stringify(punch)}`);
    } finally { echo.kill(); }
  });

  scenario('symmetric NAT + TURN: the call connects, both routes relay, frames decode both ways', symmetricWithTurn, () => ctx);
  scenario('the same networks without TURN: no connection, both tiles say why', symmetricWithoutTurn, () => ctx);
  scenario('relay-only policy: no host or srflx candidate reaches the other peer, route relay', relayOnly, () => ctx);
});

describe('port-preserving NAT (plain MASQUERADE)', () => {
  let ctx;
  before(async () => { ctx = await topology({ nat: 'port-preserving' }); figures.portPreservingBuildMs = ctx.buildMs; });
  after(async () => { await ctx?.close(); figures.portPreservingDestroyMs = ctx?.destroyMs; });

  test('the public side sees the router and the home\'s own port; hole punching works; UDP can be blocked', async () => {
    const echo = await startEcho(ctx.net);
    try {
      for (const i of [0, 1]) {
        const m = mappingFrom(ctx.net, i);
        for (const r of m.udp) assert.deepEqual([r.address, r.port], [ctx.net.routerWanIp(i), m.localPort], JSON.stringify(m));
        assert.deepEqual([m.tcp[0].address, m.tcp[0].port], [ctx.net.routerWanIp(i), m.tcp[0].localPort]);
        figures[`portPreservingMappingHome${i}`] = m;
      }
      const punch = await holePunch(ctx.net);
      figures.portPreservingHolePunch = punch;
      for (const [i, p] of punch.entries()) {
        assert.ok(p.received > 5, `home ${i} hears the other: ${JSON.stringify(punch)}`);
        assert.deepEqual(p.from, [punch[1 - i].mapped], 'from the mapping the echo saw');
      }
      ctx.net.setUdpBlocked(1, true);
      try {
        const m = mappingFrom(ctx.net, 1);
        assert.ok(m.udp.every((r) => r.error === 'no answer'), `no UDP out of home 1: ${JSON.stringify(m.udp)}`);
        assert.equal(m.tcp[0].address, ctx.net.routerWanIp(1), 'TCP still goes out');
      } finally { ctx.net.setUdpBlocked(1, false); }
      assert.equal(mappingFrom(ctx.net, 1).udp[0].address, ctx.net.routerWanIp(1), 'UDP again once unblocked');
    } finally { echo.kill(); }
  });

  scenario('port-preserving NAT + the built-in STUN only: the call connects with route srflx', portPreservingBuiltInStun, () => ctx);
  scenario('UDP blocked in one home: the call connects over TURN/TCP', udpBlockedTurnTcp, () => ctx);
});

after(() => {
  figures.fileRuntimeMs = Date.now() - fileStart;
  saveReport('nat-report.json', figures);
  console.log(`nat.test.mjs: ${figures.fileRuntimeMs} ms; figures in build/e2e-artifacts/nat-report.json`);
});
