// Camera and microphone denied: the person is told why, still joins receive-only, and the others
// see a camera-off tile for them. The same on a page that is not a secure context (plain http on a
// name other than localhost), where getUserMedia does not exist. Also: a full room refuses a join
// with a clear message. What the browser is asked for is what C++ decided (shared/media_plan.hpp):
// the camera's constraints, and every connection's m-lines, read from the SDP on the wire.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  click, launchBrowser, mediaLines, mediaRequests, openPerson, screenshot, startServer, state, tilePixels, typeInto,
  waitForState, widget,
} from './lib.mjs';

let server, allowing, denying, insecure;
before(async () => {
  server = await startServer({ args: ['--server-name', 'moim.test'] });  // the Host check admits the name
  allowing = await launchBrowser();
  denying = await launchBrowser({ fakeMediaUi: false });  // no auto-accept: the prompt is denied
  // moim.test resolves to the server, so http://moim.test:PORT/ is a LAN-like insecure origin.
  insecure = await launchBrowser({ args: ['--host-resolver-rules=MAP moim.test 127.0.0.1'] });
});
after(async () => {
  await allowing?.close();
  await denying?.close();
  await insecure?.close();
  await server?.stop();
});

// The camera and microphone as the client asks for them (media_plan::capture_request(true, true)).
const CALL_DEVICES = { audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } } };

// The m-line layouts of the offers and answers `page` (opened with recordSignals) received from
// `from`, each once, after checking that `from` offered (a newcomer offers; an ICE restart under
// load may add more descriptions, with the same layout).
function layoutsFrom(page, from) {
  const descriptions = page.signalsReceived.filter((m) => m.from === from && typeof m.sdp === 'string');
  assert.ok(descriptions.some((m) => m.kind === 'offer'), `peer ${from} sent an offer`);
  return [...new Set(descriptions.map((m) => mediaLines(m.sdp)))];
}

async function createRoom(page, name, { minimumCapacity = false } = {}) {
  await click(page, 'create-room');
  await typeInto(page, 'room-name-input', name);
  // The capacity slider: click near its left end for the minimum (2).
  if (minimumCapacity) {
    const s = await widget(page, 'room-capacity-input');
    await page.mouse.click(s.x + 3, s.y + s.h / 2);
  }
  await click(page, 'create-confirm');
  const st = await waitForState(page, (s, n) => s.dialog === false && s.rooms.some((r) => r.name === n), name);
  return st.rooms.find((r) => r.name === name);
}

test('camera denied: clear message, joins receive-only, others see camera off', async () => {
  const ana = await openPerson(allowing, server.url, 'ana', { recordSignals: true, recordMediaRequests: true });
  const ben = await openPerson(denying, server.url, 'ben', { recordMediaRequests: true });
  await typeInto(ana, 'name-input', 'Ana');
  await typeInto(ben, 'name-input', 'Ben');
  const room = await createRoom(ana, 'Receive only');
  await click(ana, `join:${room.id}`);
  await waitForState(ana, (s) => s.screen === 'call');
  await waitForState(ben, (s, id) => s.rooms.some((r) => r.id === id), room.id);
  await click(ben, `join:${room.id}`);

  const b = await waitForState(ben, (s) => s.screen === 'call' && s.error !== null);
  assert.match(b.error, /Camera and microphone are unavailable/);
  assert.match(b.error, /NotAllowedError/);
  assert.equal(b.room.self.camera, false);
  assert.equal(b.room.self.mic, false);
  // Ben still receives Ana.
  await waitForState(ben, (s) => s.room.peers.length === 1 && s.room.peers[0].connection === 'connected' &&
    s.room.peers[0].framesDecoded > 0 && s.room.peers[0].framesShown > 0, null, 30000);
  // Ana sees Ben with camera and mic off, connected, and his tile is the camera-off placeholder.
  const a = await waitForState(ana, (s) => s.room.peers.length === 1 && s.room.peers[0].connection === 'connected');
  assert.equal(a.room.peers[0].camera, false);
  assert.equal(a.room.peers[0].mic, false);
  const px = await tilePixels(ana, await widget(ana, `tile:${a.room.peers[0].id}`));
  assert.ok(px.differing < 0.5, `Ben's tile is a placeholder: ${JSON.stringify(px)}`);
  // Both asked for the same devices; denied is final (no second ask without the camera).
  assert.deepEqual(await mediaRequests(ana), [CALL_DEVICES]);
  assert.deepEqual(await mediaRequests(ben), [CALL_DEVICES]);
  // Ben, the newcomer, offered one audio and one video line, both receive-only.
  assert.deepEqual(layoutsFrom(ana, a.room.peers[0].id), ['audio:recvonly video:recvonly application:sendrecv']);
  await screenshot(ben, 'receive-only.png');
  await screenshot(ana, 'camera-off-tile.png');
  // Calls left running would keep encoding and decoding video through the next tests (2 cores).
  await ana.context().close();
  await ben.context().close();
});

test('a full room cannot be joined: clear message, nothing changes', async () => {
  const [p1, p2, p3] = await Promise.all(['p1', 'p2', 'p3'].map((n) => openPerson(allowing, server.url, n, { recordSignals: n === 'p1' })));
  for (const [p, n] of [[p1, 'One'], [p2, 'Two'], [p3, 'Three']]) await typeInto(p, 'name-input', n);
  const room = await createRoom(p1, 'Pair', { minimumCapacity: true });
  assert.equal(room.capacity, 2);
  await click(p1, `join:${room.id}`);
  await waitForState(p1, (s) => s.screen === 'call');
  await waitForState(p2, (s, id) => s.rooms.find((r) => r.id === id)?.participants === 1, room.id);
  await click(p2, `join:${room.id}`);
  await waitForState(p2, (s) => s.screen === 'call');
  await waitForState(p3, (s, id) => s.rooms.find((r) => r.id === id)?.participants === 2, room.id);
  await click(p3, `join:${room.id}`);
  const s3 = await waitForState(p3, (s) => s.error !== null);
  assert.equal(s3.screen, 'lobby');
  assert.match(s3.error, /full/);
  await screenshot(p3, 'room-full.png');
  const s1 = await state(p1);
  assert.equal(s1.room.peers.length, 1);
  // Two people with camera and microphone: the newcomer offered both lines, sending and receiving.
  assert.deepEqual(layoutsFrom(p1, s1.room.peers[0].id), ['audio:sendrecv video:sendrecv application:sendrecv']);
  for (const p of [p1, p2, p3]) await p.context().close();
});

test('an insecure page says why there is no camera, and still joins receive-only', async () => {
  const url = new URL(server.url);
  url.hostname = 'moim.test';
  const ida = await openPerson(insecure, url.href, 'ida', { recordMediaRequests: true });
  assert.equal(await ida.evaluate(() => window.isSecureContext), false);
  const lobby = await state(ida);
  assert.equal(lobby.mediaSupported, false);
  assert.equal(lobby.connected, true);  // the WebSocket works on plain http
  await typeInto(ida, 'name-input', 'Ida');
  await screenshot(ida, 'insecure-page.png');

  const ana = await openPerson(allowing, server.url, 'ana2', { recordSignals: true });
  await typeInto(ana, 'name-input', 'Ana');
  const room = await createRoom(ana, 'Over plain http');
  await click(ana, `join:${room.id}`);
  await waitForState(ana, (s) => s.screen === 'call');
  await waitForState(ida, (s, id) => s.rooms.some((r) => r.id === id), room.id);
  await click(ida, `join:${room.id}`);
  const s = await waitForState(ida, (s) => s.screen === 'call' && s.error !== null);
  assert.match(s.error, /secure page/);
  assert.equal(s.room.self.camera, false);
  await waitForState(ida, (s) => s.room.peers.length === 1 && s.room.peers[0].connection === 'connected' &&
    s.room.peers[0].framesShown > 0, null, 30000);
  assert.deepEqual(await mediaRequests(ida), [], 'no getUserMedia on an insecure page');
  const idaId = (await state(ana)).room.peers[0].id;
  assert.deepEqual(layoutsFrom(ana, idaId), ['audio:recvonly video:recvonly application:sendrecv']);
  await screenshot(ida, 'insecure-call.png');
  await ida.context().close();
  await ana.context().close();
});
