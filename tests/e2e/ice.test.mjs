// How peers are reached (issue 11, items 1 and 4): the route of the selected candidate pair in
// state() and on the tile, and the ICE configuration travelling from an `ice` message through the
// C++ client and the glue into RTCPeerConnection (read back with pc.getConfiguration()).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, saveReport, screenshot, startServer, state, waitForState, widget } from './lib.mjs';
import { joinCall, openPersonWithIce } from './ice_people.mjs';

let browser, server;
const pages = [];
before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});
after(async () => {
  for (const p of pages) {
    const lines = p.consoleLines.filter((l) => /ICE|setConfiguration|RTCPeerConnection|unreachable|PAGE ERROR/.test(l));
    if (lines.length) console.log(lines.join('\n'));
  }
  await browser?.close();
  await server?.kill();
});

// Servers nobody answers at (port 9, discard): the browser tries them and gets nothing, so the call
// still goes host to host, while the configuration is there to be read back.
const iceA = {
  servers: [{ urls: ['stun:127.0.0.1:9'] },
            { urls: ['turn:127.0.0.1:9?transport=udp', 'turn:127.0.0.1:9?transport=tcp'], username: '1900000000:1', credential: 'c2VjcmV0MQ==' }],
  policy: 'all', expires: 1900000000,
};

test('a two-person call: route host both ways (state and tile), and the ICE servers reach RTCPeerConnection', async () => {
  // Ann's socket carries an `ice` message before `joined`; Ben's none (as with a server that sends none).
  const ann = await openPersonWithIce(browser, server.url, 'Ann', iceA);
  const ben = await openPersonWithIce(browser, server.url, 'Ben', null);
  pages.push(ann, ben);
  const [annId, benId] = await joinCall([ann, ben], ['Ann', 'Ben'], 'Routes');
  const joinedAt = Date.now();
  const connected = (s) => s.room && s.room.peers.length === 1 && s.room.peers[0].connection === 'connected' &&
    s.room.peers[0].framesDecoded > 0 && s.room.peers[0].route !== null;
  const [a, b] = await Promise.all([waitForState(ann, connected, null, 60000), waitForState(ben, connected, null, 60000)]);
  const routeAfter = Date.now() - joinedAt;
  for (const [who, s, other] of [['Ann', a, benId], ['Ben', b, annId]]) {
    const q = s.room.peers[0];
    assert.equal(q.id, other);
    assert.equal(q.route, 'host', `${who} reaches the other by ${q.route} (${JSON.stringify(q.candidates)})`);
    assert.deepEqual([q.candidates.local, q.candidates.remote], ['host', 'host']);
    assert.equal(q.health, 'connected');
    assert.equal(q.unreachable, false);
    assert.equal(q.unreachableText, null);
  }
  // The tile shows the route in its name bar (widget route:<peer id>), on both pages.
  for (const [p, other] of [[ann, benId], [ben, annId]]) {
    const w = await widget(p, `route:${other}`);
    const tile = await widget(p, `tile:${other}`);
    assert.ok(w.x >= tile.x && w.x + w.w <= tile.x + tile.w && w.y >= tile.y + tile.h, 'the route is in the tile\'s name bar');
  }
  await screenshot(ann, 'call-route-host.png');

  // The glue path: what Ann's RTCPeerConnection holds is what the message said (credentials are not
  // read back); Ben's holds none, as before any `ice`.
  assert.deepEqual(a.ice, { servers: iceA.servers.map(({ urls, username }) => ({ urls, username: username ?? '' })),
    policy: 'all', expires: iceA.expires, hasTurn: true });
  assert.deepEqual(a.room.peers[0].iceConfig, { servers: iceA.servers.map(({ urls, username }) => ({ urls, username: username ?? '' })), policy: 'all' });
  assert.equal(b.ice, null);
  assert.deepEqual(b.room.peers[0].iceConfig, { servers: [], policy: 'all' });

  // Fresh credentials mid-call (the server sends them before the old ones expire): the existing
  // connection gets them through setConfiguration, and the call goes on.
  const iceB = { ...iceA, servers: [iceA.servers[0], { ...iceA.servers[1], username: '1900003600:1', credential: 'c2VjcmV0Mg==' }], expires: 1900003600 };
  ann.sendIce(iceB);
  const fresh = await waitForState(ann, (s) => s.room && s.room.peers[0].iceConfig &&
    s.room.peers[0].iceConfig.servers.some((x) => x.username === '1900003600:1'), null, 10000);
  assert.equal(fresh.ice.expires, 1900003600);
  assert.equal(fresh.room.peers[0].connection, 'connected');
  assert.ok(!ann.consoleLines.some((l) => /setConfiguration refused|refused the ICE servers/.test(l)), 'no configuration was refused');
  const before = fresh.room.peers[0].framesDecoded;
  await waitForState(ann, (s, n) => s.room.peers[0].framesDecoded > n, before, 10000);

  saveReport('ice-route.json', { routeAfterMs: routeAfter, ann: a.room.peers[0], ben: b.room.peers[0] });
  console.log(`route shown ${routeAfter} ms after both joined: Ann->Ben ${a.room.peers[0].route} ` +
    `(${a.room.peers[0].candidates.local}/${a.room.peers[0].candidates.remote}, ${a.room.peers[0].candidates.protocol}), ` +
    `Ben->Ann ${b.room.peers[0].route} (${b.room.peers[0].candidates.local}/${b.room.peers[0].candidates.remote})`);
  for (const p of [ann, ben]) await p.context().close();
});
