// Large rooms through real NATs with TURN (issues 15 and 6): the media of a large room goes through
// Janus, and must get through NATs as a mesh call does. netns.mjs's network (nat_topology.mjs, the
// one nat.test.mjs uses): symmetric NAT on both homes' routers, home 1's router forwards no UDP; in
// the public namespace moim-server, coturn and Janus (scripts/janus.sh, its API on that namespace's
// loopback). Alice (home 0) and Bob (home 1) meet in a large room; Bob can reach nothing but coturn
// over TCP, so both his connections to Janus (publication and subscription) must be relayed by it.
// Needs root (never skipped). What each test proves: docs/TESTING.md. Figures:
// build/e2e-artifacts/sfu-nat-report.json.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLargeRoomByUi, joinFromLobby, namedPerson, startJanus } from './large_rooms.mjs';
import { candidatesIn, saveReport, screenshot, startServer, state } from './lib.mjs';
import {
  JANUS_RTP_PORTS, SERVER_PORT, connectionPairs, firstRemoteFrame, sleep, topology, turnFlags, turnTcpPeers, videoFlows,
} from './nat_topology.mjs';

const PAIRS_SETTLE_MS = 15000;    // first frames -> both connections of each side on their final pair
const figures = { startedAt: new Date().toISOString(), scenarios: {} };
const fileStart = Date.now();
const [janusRtpMin, janusRtpMax] = JANUS_RTP_PORTS.split('-').map(Number);

// Alice (home 0) and Bob (home 1) in a large room (a room for 10: above the default mesh max of 6)
// on a moim-server in the public namespace, pointed at the topology's Janus, started with `args`.
// Every media-signal each page sends and receives is kept (page.mediaSent, page.mediaReceived).
async function largeRoomCall(ctx, args, roomName) {
  // Each scenario's fresh moim-server numbers its rooms from 1 again, and a stopped server leaves its
  // rooms in Janus (for its restart to take over): the next server's room 1 would be refused as
  // `room-exists`. So each scenario after the first gets a fresh Janus too.
  if (ctx.janusUsed) {
    await ctx.janus.kill();
    ctx.janus = await startJanus({ rtpPorts: JANUS_RTP_PORTS, prefix: ctx.janus.prefix });
  }
  ctx.janusUsed = true;
  const server = await startServer({
    netns: ctx.net.public, address: ctx.net.publicIp, port: SERVER_PORT, args: [...ctx.janus.serverArgs, ...args],
  });
  ctx.servers.push(server);
  const keep = (page, direction, text) => {
    if (!text.includes('"media-signal"')) return;
    try { (direction === 'sent' ? page.mediaSent : page.mediaReceived).push(JSON.parse(text)); } catch { /* the app reports it */ }
  };
  const pages = await Promise.all([['Alice', 0], ['Bob', 1]].map(async ([name, home]) => {
    const page = await namedPerson(ctx.browsers[home], server.url, name, name, {
      recordPeerConnections: true,
      frames: (p, direction, text) => { p.mediaSent ??= []; p.mediaReceived ??= []; keep(p, direction, text); },
    });
    page.mediaSent ??= [];
    page.mediaReceived ??= [];
    return page;
  }));
  ctx.pages.push(...pages);
  const room = await createLargeRoomByUi(pages[0], roomName, 10);
  assert.equal(room.mode, 'sfu', 'a room for 10 is a large room');
  const joinedAt = [];
  for (const page of pages) {
    joinedAt.push(Date.now());
    await joinFromLobby(page, room.id);
  }
  // In the call, the app itself says the room is a large one.
  for (const page of pages) {
    const s = await state(page);
    assert.equal(s.rooms.find((r) => r.id === s.room.id)?.mode, 'sfu', 'the call is in a large room');
  }
  const call = { server, room, pages, alice: pages[0], bob: pages[1], joinedAt };
  call.end = async () => { await Promise.all(pages.map((p) => p.context().close())); await server.stop(); };
  return call;
}

const NAMES = ['Alice', 'Bob'];
const pairText = (c) => (c.pair ? `${c.pair.local?.type}${c.pair.local?.relayProtocol ? `(${c.pair.local.relayProtocol})` : ''}/` +
  `${c.pair.remote?.type} ${c.pair.remote?.address}:${c.pair.remote?.port}` : 'none');
const linkOf = (c) => (c.sending.length ? 'publish' : 'subscribe');

// Both see each other's video (first frame, ms after their own join click); then each page's open
// connections are read from getStats until `settled(i, connections)` holds for both (PAIRS_SETTLE_MS
// at most, every reading kept); then the frames keep decoding both ways and the tiles show video.
async function connectsThroughJanus(call, settled) {
  const firstFrameMs = await Promise.all(call.pages.map((page, i) => firstRemoteFrame(page, NAMES[1 - i], call.joinedAt[i])));
  const seen = [[], []];
  const t0 = Date.now();
  let connections;
  for (;;) {
    connections = await Promise.all(call.pages.map(connectionPairs));
    for (const [i, cs] of connections.entries()) {
      const shown = cs.map((c) => `${linkOf(c)} ${c.state} ${pairText(c)}`).join('; ');
      if (seen[i].at(-1)?.shown !== shown) seen[i].push({ msAfterFirstFrame: Date.now() - t0, shown });
    }
    if (connections.every((cs, i) => settled(i, cs))) break;
    assert.ok(Date.now() - t0 < PAIRS_SETTLE_MS, `both sides' connections as expected within ${PAIRS_SETTLE_MS} ms: ${JSON.stringify(seen)}`);
    await sleep(250);
  }
  const frames = [];
  for (const [i, page] of call.pages.entries()) frames.push(await videoFlows(page, NAMES[1 - i]));
  return { joinToFirstFrameMs: firstFrameMs, connections, pairsSeen: seen, framesDecoded: frames };
}

// Exactly two connections, both connected: the publication (sending camera and microphone) and the
// subscription (sending nothing, receiving the other's media), each on a selected pair whose remote
// end is Janus: a host candidate of the public address on one of its RTP ports.
function twoConnectionsToJanus(ctx, cs) {
  if (cs.length !== 2 || !cs.every((c) => c.state === 'connected' && c.pair?.state === 'succeeded')) return false;
  const publish = cs.find((c) => c.sending.join() === 'audio,video');
  const subscribe = cs.find((c) => c.sending.length === 0 && c.receiving >= 2);
  if (!publish || !subscribe) return false;
  return cs.every(({ pair: { remote } }) => remote?.type === 'host' && remote.address === ctx.net.publicIp &&
    remote.port >= janusRtpMin && remote.port <= janusRtpMax);
}

// Bob's connection is relayed by coturn, which he reaches over TCP.
const relayedOverTcp = (c) => c.pair.local?.type === 'relay' && c.pair.local.relayProtocol === 'tcp';

// Failed scenarios leave what the pages and the server saw in the report.
async function withReport(name, call, fn) {
  try {
    const result = await fn();
    figures.scenarios[name] = result;
    return result;
  } catch (e) {
    figures.scenarios[name] = {
      failed: e.message,
      connections: await Promise.all(call.pages.map((p) => connectionPairs(p).catch((x) => x.message))),
      console: call.pages.map((p) => p.consoleLines.slice(-40)),
      serverLog: call.server.log().split('\n').slice(-60),
    };
    throw e;
  }
}

describe('a large room through symmetric NATs, home 1 forwarding no UDP, with coturn and Janus in the public network', () => {
  let ctx;
  before(async () => {
    ctx = await topology({ nat: 'symmetric', blockUdp: [1], janus: true });
    figures.buildMs = ctx.buildMs;
  });
  after(async () => { await ctx?.close(); figures.destroyMs = ctx?.destroyMs; });

  test('Alice and Bob see each other through Janus; Bob\'s publication and subscription are both relayed by coturn over TCP', async (t) => {
    const call = await largeRoomCall(ctx, turnFlags(ctx.coturn), 'Across NATs');
    try {
      const result = await withReport('udpBlockedTurnTcp', call, async () => {
        const r = await connectsThroughJanus(call, (i, cs) => twoConnectionsToJanus(ctx, cs) && (i === 0 || cs.every(relayedOverTcp)));
        // Each connection got coturn (UDP and TCP) from the server.
        for (const cs of r.connections) {
          for (const c of cs) assert.deepEqual(c.turnUrls.sort(), [`turn:${ctx.net.publicIp}:${ctx.coturn.port}?transport=tcp`,
            `turn:${ctx.net.publicIp}:${ctx.coturn.port}?transport=udp`], `${linkOf(c)} has coturn`);
        }
        // On the wire: TCP connections from home 1's router to coturn carry Bob's two relays.
        r.turnTcpPeers = turnTcpPeers(ctx);
        const fromBob = r.turnTcpPeers.filter((peer) => peer.startsWith(`${ctx.net.routerWanIp(1)}:`));
        assert.ok(fromBob.length >= 2, `two TURN/TCP connections from home 1's router: ${r.turnTcpPeers}`);
        return r;
      });
      for (const [i, cs] of result.connections.entries()) {
        t.diagnostic(`${NAMES[i]}: first frame ${result.joinToFirstFrameMs[i]} ms after joining; ` +
          `${cs.map((c) => `${linkOf(c)} ${pairText(c)}`).join(', ')}; frames of ${NAMES[1 - i]} ${result.framesDecoded[i].join(' -> ')}`);
      }
      await screenshot(call.alice, 'sfu-nat-alice.png');
      await screenshot(call.bob, 'sfu-nat-bob.png');
    } finally { await call.end(); }
  });

  test('--ice-policy relay: every connection of both goes through coturn, and no host or srflx candidate is sent towards Janus', async (t) => {
    const call = await largeRoomCall(ctx, [...turnFlags(ctx.coturn), '--ice-policy', 'relay'], 'Relay only');
    try {
      const result = await withReport('relayOnly', call, async () => {
        const r = await connectsThroughJanus(call, (i, cs) => twoConnectionsToJanus(ctx, cs) &&
          cs.every((c) => c.pair.local?.type === 'relay' && (i === 0 || relayedOverTcp(c))));
        const secrets = [0, 1].flatMap((i) => [ctx.net.homeIp(i), ctx.net.routerWanIp(i)]);
        r.candidatesSent = [];
        for (const [i, page] of call.pages.entries()) {
          assert.equal((await state(page)).ice.policy, 'relay');
          for (const c of r.connections[i]) assert.equal(c.policy, 'relay', `${NAMES[i]}'s ${linkOf(c)} is relay-only`);
          // What the page sent towards Janus: its publication's offer, its subscription's answers
          // and the trickled candidates of both.
          const sent = candidatesIn(page.mediaSent);
          assert.ok(sent.some((c) => c.type === 'relay'), `${NAMES[i]} sent relay candidates`);
          assert.deepEqual(sent.filter((c) => c.type !== 'relay').map((c) => c.line), [], `${NAMES[i]} sent only relay candidates`);
          const text = JSON.stringify(page.mediaSent);
          for (const ip of secrets) assert.ok(!text.includes(ip), `${ip} is in nothing ${NAMES[i]} sent towards Janus`);
          r.candidatesSent.push(sent.map((c) => `${c.via} ${c.type} ${c.protocol} ${c.address}`));
        }
        return r;
      });
      for (const [i, cs] of result.connections.entries()) {
        t.diagnostic(`${NAMES[i]}: first frame ${result.joinToFirstFrameMs[i]} ms; ${cs.map((c) => `${linkOf(c)} ${pairText(c)}`).join(', ')}; ` +
          `sent ${result.candidatesSent[i].length} candidates, all relay`);
      }
      await screenshot(call.bob, 'sfu-nat-relay-bob.png');
    } finally { await call.end(); }
  });
});

after(() => {
  figures.fileRuntimeMs = Date.now() - fileStart;
  saveReport('sfu-nat-report.json', figures);
});
