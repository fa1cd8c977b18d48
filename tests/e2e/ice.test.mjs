// How peers are reached (issue 11, items 1 and 4): the ICE configuration travelling from the real
// server's `ice` message through the C++ client and the glue into RTCPeerConnection (read back with
// pc.getConfiguration()), fresh TURN credentials reaching a live connection, and the route of the
// selected candidate pair in state() and on the tile.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, openPerson, saveReport, screenshot, startServer, waitForState, widget } from './lib.mjs';
import { joinCall } from './ice_people.mjs';

const TTL = 60;  // the smallest --turn-ttl: fresh credentials every 30 s
let browser, server, secret;
const pages = [];
before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'moim-ice-'));
  secret = randomBytes(24).toString('hex');
  const secretFile = path.join(dir, 'turn-secret');
  writeFileSync(secretFile, secret + '\n', { mode: 0o600 });
  browser = await launchBrowser();
  // TURN at port 9 (discard): nobody answers, so the call still goes host to host while the
  // configuration is there to be read back.
  server = await startServer({ args: ['--turn-uri', 'turn:{host}:9?transport=udp', '--turn-uri', 'turn:{host}:9?transport=tcp',
    '--turn-secret-file', secretFile, '--turn-ttl', String(TTL)] });
});
after(async () => {
  for (const p of pages) {
    const lines = p.consoleLines.filter((l) => /ICE|setConfiguration|RTCPeerConnection|unreachable|PAGE ERROR/.test(l));
    if (lines.length) console.log(lines.join('\n'));
  }
  await browser?.close();
  await server?.kill();
});

const expiryOf = (username) => Number(username.split(':')[0]);
const hmac = (username) => createHmac('sha1', secret).update(username).digest('base64');

test('the server\'s ICE servers reach RTCPeerConnection, fresh credentials reach a live call, route host both ways', async () => {
  const ann = await openPerson(browser, server.url, 'Ann', { recordIce: true });
  const ben = await openPerson(browser, server.url, 'Ben', { recordIce: true });
  pages.push(ann, ben);
  const [annId, benId] = await joinCall([ann, ben], ['Ann', 'Ben'], 'Routes');
  const joinedAt = Date.now();
  const connected = (s) => s.room && s.room.peers.length === 1 && s.room.peers[0].connection === 'connected' &&
    s.room.peers[0].framesDecoded > 0 && s.room.peers[0].route !== null;
  await Promise.all([waitForState(ann, connected, null, 60000), waitForState(ben, connected, null, 60000)]);
  const routeAfter = Date.now() - joinedAt;
  // A remote candidate whose check arrived before its signal is peer-reflexive at first; Chromium
  // names it host once the signal lands. Wait a while for that; a direct loopback path is host/host or
  // host/prflx (never srflx or relay here).
  const settled = (s) => connected(s) && s.room.peers[0].route === 'host';
  const [a, b] = await Promise.all([ann, ben].map((p) => waitForState(p, settled, null, 10000).catch(() => p.evaluate(() => window.app.state()))));
  for (const [who, s, self, other] of [['Ann', a, annId, benId], ['Ben', b, benId, annId]]) {
    const q = s.room.peers[0];
    assert.equal(q.id, other);
    assert.ok(['host', 'prflx'].includes(q.route), `${who} reaches the other by ${q.route} (${JSON.stringify(q.candidates)})`);
    assert.equal(q.candidates.local, 'host');
    assert.equal(q.candidates.remote, q.route);
    assert.equal(q.unreachable, false);
    assert.equal(q.unreachableText, null);
    // What the server sent: the built-in STUN responder first, then TURN with {host} = localhost and
    // REST credentials for this peer (the credential itself is not read back from the page).
    const port = server.port;
    assert.deepEqual(s.ice.servers.map((x) => x.urls), [[`stun:localhost:${port}`],
      ['turn:localhost:9?transport=udp', 'turn:localhost:9?transport=tcp']]);
    const username = s.ice.servers[1].username;
    assert.match(username, new RegExp(`^\\d+:${self}$`));
    assert.ok(Math.abs(expiryOf(username) - (Date.now() / 1000 + TTL)) < 15, `expiry ${username} is about now + ${TTL} s`);
    assert.equal(s.ice.expires, expiryOf(username));
    assert.equal(s.ice.policy, 'all');
    assert.equal(s.ice.hasTurn, true);
    // And RTCPeerConnection holds exactly that.
    assert.deepEqual(q.iceConfig, { servers: s.ice.servers.map(({ urls, username: u }) => ({ urls, username: u })), policy: 'all' });
  }
  // On the wire, each credential is base64(HMAC-SHA1(secret, username)) (coturn's REST scheme).
  for (const p of [ann, ben]) {
    assert.equal(p.iceReceived.length, 1, 'one `ice`, just before joined');
    const turn = p.iceReceived[0].servers[1];
    assert.equal(turn.credential, hmac(turn.username));
  }

  // The tile shows the route in its name bar (widget route:<peer id>), on both pages.
  for (const [p, other] of [[ann, benId], [ben, annId]]) {
    const w = await widget(p, `route:${other}`);
    const tile = await widget(p, `tile:${other}`);
    assert.ok(w.x >= tile.x && w.x + w.w <= tile.x + tile.w && w.y >= tile.y + tile.h, 'the route is in the tile\'s name bar');
  }
  await screenshot(ann, 'call-route-host.png');

  // Fresh credentials mid-call: the server sends a new `ice` at half the TTL; the existing
  // connection gets it through setConfiguration, and the call goes on.
  const oldUser = a.ice.servers[1].username;
  const fresh = await waitForState(ann, (s, old) => s.room && s.room.peers[0].iceConfig &&
    s.room.peers[0].iceConfig.servers.some((x) => x.username && x.username !== old), oldUser, (TTL / 2 + 20) * 1000);
  const newUser = fresh.ice.servers[1].username;
  const last = ann.iceReceived.at(-1).servers[1];
  assert.deepEqual([last.username, last.credential], [newUser, hmac(newUser)]);
  assert.ok(expiryOf(newUser) > expiryOf(oldUser), `${newUser} expires after ${oldUser}`);
  assert.equal(fresh.room.peers[0].connection, 'connected');
  assert.ok(!ann.consoleLines.some((l) => /setConfiguration refused|refused the ICE servers/.test(l)), 'no configuration was refused');
  const framesBefore = fresh.room.peers[0].framesDecoded;
  await waitForState(ann, (s, n) => s.room.peers[0].framesDecoded > n, framesBefore, 10000);

  saveReport('ice-route.json', { routeAfterMs: routeAfter, ann: a.room.peers[0], ben: b.room.peers[0], refreshed: { oldUser, newUser } });
  console.log(`route shown ${routeAfter} ms after both joined: Ann->Ben ${a.room.peers[0].route} ` +
    `(${a.room.peers[0].candidates.local}/${a.room.peers[0].candidates.remote}, ${a.room.peers[0].candidates.protocol}), ` +
    `Ben->Ann ${b.room.peers[0].route}; credentials ${oldUser} -> ${newUser} applied to the live connection`);
  for (const p of [ann, ben]) await p.context().close();
});
