// A second browser engine: Debian's Firefox ESR (puppeteer-core over WebDriver BiDi, headed under
// Xvfb so Mesa gives it WebGL2; firefox.mjs). Firefox's lobby and create dialog driven through the UI,
// and a call between a Firefox person and a Chromium person: media both ways, mute seen across,
// leave seen across. Real server, real WebRTC over loopback, input through real clicks and keys.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchFirefox, openFirefoxPerson } from './firefox.mjs';
import {
  click, launchBrowser, openPerson, saveReport, screenshot, startServer, state, tilePixels, typeInto, waitForState,
  widget,
} from './lib.mjs';

let server, chromium, firefox;
const pages = [];
before(async () => {
  server = await startServer();
  [chromium, firefox] = await Promise.all([launchBrowser(), launchFirefox()]);
});
after(async () => {
  for (const p of pages) if (p.failed) console.log(p.consoleLines.slice(-40).join('\n'));
  await Promise.allSettled([chromium?.close(), firefox?.close()]);
  await server?.stop();
});

// Runs `body`; on failure every page's last console lines are printed (after()).
async function logging(body) {
  try { return await body(); } catch (e) { for (const p of pages) p.failed = true; throw e; }
}

async function setName(page, name) {
  await typeInto(page, 'name-input', name);
  await page.keyboard.press('Enter');
  await waitForState(page, (s, n) => s.name === n, name, 5000);
}

test('Firefox: the lobby, the room list and the create dialog', () => logging(async () => {
  const [fox, watcher] = await Promise.all([
    openFirefoxPerson(firefox, server.url, 'firefox-lobby'), openPerson(chromium, server.url, 'chromium-lobby')]);
  pages.push(fox, watcher);
  await setName(watcher, 'Watcher');
  await setName(fox, 'Zoë');  // typed key by key into the overlay <input>, a non-ASCII letter included

  // A room made elsewhere is in Firefox's list, with its join button drawn.
  await click(watcher, 'create-room');
  await typeInto(watcher, 'room-name-input', 'Planning');
  await watcher.keyboard.press('Enter');
  let s = await waitForState(fox, (s) => s.rooms.some((r) => r.name === 'Planning'), null, 5000);
  const planning = s.rooms.find((r) => r.name === 'Planning');
  assert.equal(planning.owned, false);
  await widget(fox, `join:${planning.id}`);

  // The dialog: an empty name is refused inside it, a typed one creates the room.
  await click(fox, 'create-room');
  await waitForState(fox, (s) => s.dialog === true);
  await click(fox, 'create-confirm');
  s = await waitForState(fox, (s) => typeof s.error === 'string' && s.error.length > 0);
  assert.match(s.error, /room name/i);
  assert.equal(s.dialog, true);
  await typeInto(fox, 'room-name-input', 'Fox den');
  await screenshot(fox, 'firefox-dialog.png');
  await click(fox, 'create-confirm');
  s = await waitForState(fox, (s) => s.dialog === false && s.rooms.some((r) => r.name === 'Fox den'));
  const den = s.rooms.find((r) => r.name === 'Fox den');
  assert.deepEqual({ owned: den.owned, participants: den.participants, capacity: den.capacity },
    { owned: true, participants: 0, capacity: 6 });
  assert.equal(s.error, null);
  assert.equal(s.name, 'Zoë');
  await widget(fox, `join:${den.id}`);
  await widget(fox, `rename:${den.id}`);  // the owner's buttons: this browser kept the owner token
  await waitForState(watcher, (s, id) => s.rooms.some((r) => r.id === id && r.name === 'Fox den' && !r.owned), den.id, 3000);
  await screenshot(fox, 'firefox-lobby.png');

  // The canvas really shows the lobby (not a blank page): the room list is drawn.
  const px = await tilePixels(fox, { x: 0, y: 0, w: 1280, h: 800 });
  assert.ok(px.stddev > 5, `Firefox draws the lobby: ${JSON.stringify(px)}`);
  await Promise.all([fox.context().close(), watcher.context().close()]);
}));

test('a call between a Firefox person and a Chromium person', () => logging(async () => {
  const [fox, chrome] = await Promise.all([
    openFirefoxPerson(firefox, server.url, 'firefox'), openPerson(chromium, server.url, 'chromium')]);
  pages.push(fox, chrome);
  await setName(fox, 'Fiona');
  await setName(chrome, 'Carl');
  await click(chrome, 'create-room');
  await typeInto(chrome, 'room-name-input', 'Two engines');
  await chrome.keyboard.press('Enter');
  const lobby = await waitForState(fox, (s) => s.rooms.some((r) => r.name === 'Two engines'), null, 5000);
  const room = lobby.rooms.find((r) => r.name === 'Two engines');

  // Firefox joins first, Chromium second; both clicks are timed to the first remote frame shown.
  const clicked = {};
  clicked.fox = Date.now();
  await click(fox, `join:${room.id}`);
  await waitForState(fox, (s) => s.screen === 'call', null, 10000);
  clicked.chrome = Date.now();
  await click(chrome, `join:${room.id}`);
  const live = (s) => s.room && s.room.peers.length === 1 &&
    s.room.peers.every((p) => p.connection === 'connected' && p.framesDecoded > 0 && p.framesShown > 0);
  const firstFrameMs = {};
  const [foxSees, chromeSees] = await Promise.all([['fox', fox], ['chrome', chrome]].map(async ([who, page]) => {
    const s = await waitForState(page, live, null, 30000);
    firstFrameMs[who] = Date.now() - clicked.chrome;
    return s;
  }));
  assert.equal(foxSees.room.peers[0].name, 'Carl');
  assert.equal(chromeSees.room.peers[0].name, 'Fiona');
  // Firefox has no MediaStreamTrackProcessor: its frames come from the <video> element as RGBA;
  // Chromium's as I420 planes. Both ways are exercised here in one call.
  assert.equal(foxSees.room.peers[0].videoFormat, 'RGBA', 'Firefox uploads RGBA frames from the element');
  assert.equal(chromeSees.room.peers[0].videoFormat, 'I420', 'Chromium uploads I420 planes');

  // Video keeps decoding and audio arrives, both ways.
  await new Promise((r) => setTimeout(r, 2000));
  const [foxLater, chromeLater] = await Promise.all([state(fox), state(chrome)]);
  for (const [who, before, later] of [['Firefox', foxSees, foxLater], ['Chromium', chromeSees, chromeLater]]) {
    const [p0, p1] = [before.room.peers[0], later.room.peers[0]];
    assert.ok(p1.framesDecoded > p0.framesDecoded && p1.framesShown > p0.framesShown,
      `${who} keeps decoding and showing frames: ${p0.framesDecoded}/${p0.framesShown} -> ${p1.framesDecoded}/${p1.framesShown}`);
    assert.equal(p1.audioLive, true, `${who}: the remote audio track is live`);
    assert.ok(p1.audioEnergy > 0, `${who}: remote audio carries energy (${p1.audioEnergy})`);
  }
  // The tile pixels show video on both sides: not the placeholder, not black.
  const chromeId = (await state(chrome)).room.self.id, foxId = (await state(fox)).room.self.id;
  for (const [page, id] of [[fox, chromeId], [chrome, foxId]]) {
    const px = await tilePixels(page, await widget(page, `tile:${id}`));
    assert.ok(px.differing > 0.6 && px.mean > 20, `the remote tile shows video: ${JSON.stringify(px)}`);
  }
  await screenshot(fox, 'firefox-call.png');
  await screenshot(chrome, 'firefox-call-chromium-side.png');

  // Mute seen across, each way: the peer's state and the drawn tile (badge) follow.
  await click(fox, 'toggle-mic');
  await waitForState(fox, (s) => s.room.self.mic === false, null, 5000);
  await waitForState(chrome, (s, id) => s.room.peers.some((p) => p.id === id && p.mic === false && p.camera === true), foxId, 5000);
  await click(chrome, 'toggle-mic');
  await click(chrome, 'toggle-camera');
  await waitForState(fox, (s, id) => s.room.peers.some((p) => p.id === id && p.mic === false && p.camera === false), chromeId, 5000);
  // The state changes a frame before the tile is drawn again: look for up to 5 s, as a person would.
  let off;
  for (const end = Date.now() + 5000; ;) {
    off = await tilePixels(fox, await widget(fox, `tile:${chromeId}`));
    if (off.differing < 0.5 || Date.now() > end) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(off.differing < 0.5, `Chromium's camera off shows the placeholder in Firefox: ${JSON.stringify(off)}`);
  await screenshot(fox, 'firefox-call-muted.png');
  await screenshot(chrome, 'firefox-call-muted-chromium-side.png');
  await click(fox, 'toggle-mic');
  await click(chrome, 'toggle-mic');
  await click(chrome, 'toggle-camera');
  await Promise.all([[fox, chromeId], [chrome, foxId]].map(([page, id]) =>
    waitForState(page, (s, id) => s.room.peers.some((p) => p.id === id && p.mic && p.camera), id, 5000)));

  // Firefox leaves: Chromium sees it go, Firefox is back in the lobby with the camera released.
  const leftAt = Date.now();
  await click(fox, 'leave');
  const back = await waitForState(fox, (s) => s.screen === 'lobby', null, 5000);
  await waitForState(chrome, (s) => s.room.peers.length === 0, null, 3000);
  const leaveSeenMs = Date.now() - leftAt;
  assert.equal(back.capturing, false, 'leaving releases the camera and microphone');
  await waitForState(fox, (s, id) => s.rooms.find((r) => r.id === id)?.participants === 1, room.id, 3000);

  const versions = { firefox: await firefox.version(), chromium: chromium.version() };
  saveReport('firefox-call.json', { versions, clickToFirstRemoteFrameMs: firstFrameMs, leaveSeenMs });
  console.log(`Firefox <-> Chromium (${JSON.stringify(versions)}): 2nd join click -> first remote frame shown (ms)`,
    JSON.stringify(firstFrameMs), ' leave -> seen (ms):', leaveSeenMs);
  assert.ok(server.alive());
  await Promise.all([fox.context().close(), chrome.context().close()]);
}));
