// The pieces the tests through real NATs share (nat.test.mjs for mesh rooms, sfu-nat.test.mjs for
// large rooms): the topology (netns.mjs's network, Chromium in each home, coturn and, if asked,
// Janus in the public namespace), the server flags that hand coturn out, what a page's peer shows of
// its frames and tile, and the selected ICE candidate pair of each of a page's RTCPeerConnections
// read from getStats.
import assert from 'node:assert/strict';
import { startJanus } from './large_rooms.mjs';
import { launchBrowser, state, tilePixels, waitForState, widget } from './lib.mjs';
import { createNatNetwork } from './netns.mjs';
import { startTurn } from './turn_server.mjs';

export const SERVER_PORT = 8080;          // fixed inside the public namespace: the browsers' secure-origin flag names it
export const TURN_PORT = 3478, TURN_RELAY_PORTS = '49152-49407';
export const JANUS_RTP_PORTS = '40500-40599';   // Janus's media ports in the public namespace
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One topology: the network (`nat`, `blockUdp` as createNatNetwork takes them), Chromium in each
// home, coturn (scripts/turn.sh through startTurn, the one way tests start coturn) in the public
// namespace, allowed to relay between the public addresses (TEST-NET-3, which turn.sh denies by
// default), and with `janus` Janus (scripts/janus.sh through startJanus) beside it, its API on the
// public namespace's loopback (ctx.janus.serverArgs for a moim-server started there). Torn down by
// `close` (browsers, servers, Janus, coturn, then the namespaces), which the tests' `after` runs
// whatever happened (and netns.mjs again on exit or a signal).
export async function topology({ nat, blockUdp = [], janus = false }) {
  const t0 = Date.now();
  const net = createNatNetwork({ nat, blockUdp });
  const origin = `http://${net.publicIp}:${SERVER_PORT}`;
  const ctx = { net, origin, browsers: [], coturn: null, janus: null, servers: [], pages: [], buildMs: Date.now() - t0 };
  ctx.close = async () => {
    for (const p of ctx.pages) if (p.consoleLines?.some((l) => l.includes('PAGE ERROR'))) console.log(p.consoleLines.join('\n'));
    for (const b of ctx.browsers) await b.close().catch(() => {});
    for (const s of ctx.servers) await s.stop();
    await ctx.janus?.kill();
    await ctx.coturn?.stop();
    const t = Date.now();
    net.destroy();
    ctx.destroyMs = Date.now() - t;
  };
  const inPublic = ['ip', 'netns', 'exec', net.public];
  try {
    // http://<public ip>:PORT is not a secure origin; camera and microphone need one.
    ctx.browsers = await Promise.all(net.homes.map((home) => launchBrowser({
      executablePath: net.chromiumWrapper(home), args: [`--unsafely-treat-insecure-origin-as-secure=${origin}`],
    })));
    ctx.coturn = await startTurn({
      listenIp: net.publicIp, port: TURN_PORT, relayPorts: TURN_RELAY_PORTS, allowPeers: [net.publicCidr],
      prefix: inPublic, probe: false,
    });
    if (janus) ctx.janus = await startJanus({ rtpPorts: JANUS_RTP_PORTS, prefix: inPublic });
  } catch (e) {
    await ctx.close();
    throw e;
  }
  return ctx;
}

// The server flags that hand out coturn (UDP and TCP), `{host}` replaced by the address the page came from.
export const turnFlags = (coturn) => ['--turn-uri', `turn:{host}:${coturn.port}?transport=udp`,
  '--turn-uri', `turn:{host}:${coturn.port}?transport=tcp`, '--turn-secret-file', coturn.secretFile];

// The established TCP connections to coturn, as `ss` in the public namespace sees them.
export const turnTcpPeers = (ctx) => ctx.net.run(ctx.net.public, 'ss', ['-Htn', 'state', 'established', `sport = :${ctx.coturn.port}`])
  .split('\n').map((l) => l.trim().split(/\s+/).at(-1)).filter(Boolean);

export const peerIn = (s, name) => s.room?.peers.find((p) => p.name === name);

// Waits until `page` has a connected peer `name` whose frames decode and show; ms since `since`.
export async function firstRemoteFrame(page, name, since, timeout = 45000) {
  await waitForState(page, (s, n) => s.room?.peers.some((p) => p.name === n && p.connection === 'connected' &&
    p.framesDecoded > 0 && p.framesShown > 0), name, timeout);
  return Date.now() - since;
}

// Frames from peer `name` keep decoding on `page` and its tile shows video (not the placeholder).
// Returns the frames decoded before and after.
export async function videoFlows(page, name) {
  const before = peerIn(await state(page), name).framesDecoded;
  const s = await waitForState(page, (s, [n, b]) => peerIn(s, n)?.framesDecoded > b, [name, before], 5000);
  const px = await tilePixels(page, await widget(page, `tile:${peerIn(s, name).id}`));
  assert.ok(px.differing > 0.6 && px.mean > 20, `the tile of ${name} shows video: ${JSON.stringify(px)}`);
  return [before, peerIn(s, name).framesDecoded];
}

// Every RTCPeerConnection of `page` not closed (the page opened with `recordPeerConnections`), as
// its own getStats() reports it: state, what it sends and receives, its configuration's policy,
// and the selected candidate pair (the transport's selectedCandidatePairId) with both candidates'
// type, protocol, address and port, and the local one's relayProtocol (how it reaches TURN).
export const connectionPairs = (page) => page.evaluate(() => Promise.all(window.__pcs.filter((pc) => pc.connectionState !== 'closed')
  .map(async (pc) => {
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((r) => { if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId); });
    const candidate = (id) => {
      const c = id && stats.get(id);
      return c ? { type: c.candidateType, protocol: c.protocol, address: c.address, port: c.port, relayProtocol: c.relayProtocol ?? null } : null;
    };
    return {
      state: pc.connectionState,
      sending: pc.getSenders().filter((s) => s.track).map((s) => s.track.kind).sort(),
      receiving: pc.getTransceivers().filter((t) => t.currentDirection === 'recvonly').length,
      policy: pc.getConfiguration().iceTransportPolicy,
      turnUrls: pc.getConfiguration().iceServers.flatMap((s) => [s.urls].flat()).filter((u) => u.startsWith('turn')),
      pair: pair && { state: pair.state, local: candidate(pair.localCandidateId), remote: candidate(pair.remoteCandidateId) },
    };
  })));
