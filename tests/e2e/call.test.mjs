// A 3-person mesh call through the real UI: create a room in the dialog, three people join,
// everyone sees and hears everyone, a fourth person watches the lobby counts, one person closes
// the tab and disappears for the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  click, openPerson, saveReport, screenshot, state, tilePixels, typeInto, useServerAndBrowser, waitForState, widget,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages });

test('three people in a mesh call, a fourth watching the lobby, one leaving by closing the tab', async () => {
  const url = env.server.url;
  const [alice, bob, carol, dave] = await Promise.all(
    ['alice', 'bob', 'carol', 'dave'].map((n) => openPerson(env.browser, url, n)));
  pages.push(alice, bob, carol, dave);

  // Names typed through the keyboard into the name field.
  for (const [page, name] of [[alice, 'Alice'], [bob, 'Bob'], [carol, 'Carol'], [dave, 'Dave']]) {
    await typeInto(page, 'name-input', name);
    await page.keyboard.press('Enter');
    assert.equal((await state(page)).name, name);
  }

  // The create-room dialog refuses an empty name, then creates "Standup" with the default capacity.
  await click(alice, 'create-room');
  await waitForState(alice, (s) => s.dialog === true);
  await click(alice, 'create-confirm');
  let s = await waitForState(alice, (s) => typeof s.error === 'string' && s.error.length > 0);
  assert.match(s.error, /room name/i);
  await typeInto(alice, 'room-name-input', 'x'.repeat(49));
  await click(alice, 'create-confirm');
  s = await waitForState(alice, (s) => /at most 48/.test(s.error ?? ''));
  assert.equal(s.rooms.length, 0);
  await typeInto(alice, 'room-name-input', 'Standup');
  await screenshot(alice, 'dialog.png');
  await click(alice, 'create-confirm');
  s = await waitForState(alice, (s) => s.dialog === false && s.rooms.some((r) => r.name === 'Standup'));
  const room = s.rooms.find((r) => r.name === 'Standup');
  assert.equal(room.capacity, 6);
  assert.equal(room.participants, 0);
  // Every open lobby sees it, without reload.
  for (const p of [bob, carol, dave]) await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), room.id, 1000);

  // A duplicate name is refused inside the dialog.
  await click(bob, 'create-room');
  await typeInto(bob, 'room-name-input', 'standup');
  await click(bob, 'create-confirm');
  s = await waitForState(bob, (s) => s.dialog === true && typeof s.error === 'string');
  assert.match(s.error, /already exists/);
  await click(bob, 'create-cancel');
  await waitForState(bob, (s) => s.dialog === false);
  await screenshot(dave, 'lobby.png');

  // Three join through the UI.
  const joinedAt = {};
  for (const [name, page] of [['alice', alice], ['bob', bob], ['carol', carol]]) {
    joinedAt[name] = Date.now();
    await click(page, `join:${room.id}`);
    await waitForState(page, (s) => s.screen === 'call');
  }

  // Everyone reaches two connected peers with frames decoding and shown.
  const firstFrameMs = {};
  await Promise.all([['alice', alice], ['bob', bob], ['carol', carol]].map(async ([name, page]) => {
    await waitForState(page, (s) => s.room && s.room.peers.length === 2 &&
      s.room.peers.every((p) => p.connection === 'connected' && p.framesDecoded > 0 && p.framesShown > 0), null, 30000);
    firstFrameMs[name] = Date.now() - joinedAt[name];
  }));
  for (const page of [alice, bob, carol]) assert.equal((await state(page)).capturing, true);
  const before = await Promise.all([alice, bob, carol].map(state));
  await new Promise((r) => setTimeout(r, 2000));
  const later = await Promise.all([alice, bob, carol].map(state));
  for (let i = 0; i < 3; i++) {
    for (const p of later[i].room.peers) {
      const old = before[i].room.peers.find((q) => q.id === p.id);
      assert.ok(p.framesDecoded > old.framesDecoded, `frames keep decoding (${p.name})`);
      // The fake device's tone: the remote audio track is live, unmuted and carries energy.
      assert.equal(p.audioLive, true, `audio track live for ${p.name}`);
      assert.ok(p.audioEnergy > 0, `audio energy from ${p.name}`);
    }
  }

  // The canvas pixels inside every remote tile show video, not a blank or placeholder tile.
  for (const page of [alice, bob, carol]) {
    const st = await state(page);
    for (const p of st.room.peers) {
      const rect = await widget(page, `tile:${p.id}`);
      const px = await tilePixels(page, rect);
      // Not the placeholder background and not black: the fake camera's green frame is there.
      assert.ok(px.differing > 0.6 && px.mean > 20, `tile of ${p.name} shows video: ${JSON.stringify(px)}`);
    }
  }
  await screenshot(alice, 'call-3.png');

  // Alice mutes and stops her video: Bob and Carol see the badges; her tile becomes a placeholder.
  const aliceId = (await state(alice)).room.self.id;
  await click(alice, 'toggle-mic');
  await click(alice, 'toggle-camera');
  s = await waitForState(alice, (s) => s.room.self.mic === false && s.room.self.camera === false);
  for (const p of [bob, carol]) {
    await waitForState(p, (s, id) => s.room.peers.some((q) => q.id === id && !q.mic && !q.camera), aliceId, 5000);
    const px = await tilePixels(p, await widget(p, `tile:${aliceId}`));
    assert.ok(px.differing < 0.5, `Alice's tile shows camera off: ${JSON.stringify(px)}`);
  }
  await screenshot(bob, 'call-3-muted.png');
  // A tile showing initials takes no video frames (App::fit_videos → the glue's setVideoDrawn): Bob's
  // page still decodes Alice's (black) frames, but uploads and draws none of them.
  const aliceOf = async (p) => (await state(p)).room.peers.find((q) => q.id === aliceId);
  await new Promise((r) => setTimeout(r, 500));  // frames already on their way when the tile changed
  const off0 = await aliceOf(bob);
  await new Promise((r) => setTimeout(r, 2500));
  const off1 = await aliceOf(bob);
  assert.ok(off1.framesDecoded > off0.framesDecoded, `still decoded: ${off0.framesDecoded} -> ${off1.framesDecoded}`);
  assert.ok(off1.framesShown - off0.framesShown <= 1, `none shown: ${off0.framesShown} -> ${off1.framesShown}`);
  await click(alice, 'toggle-mic');
  await click(alice, 'toggle-camera');
  await waitForState(bob, (s, id) => s.room.peers.some((q) => q.id === id && q.mic && q.camera), aliceId, 5000);
  await waitForState(bob, (s, [id, n]) => s.room.peers.some((q) => q.id === id && q.framesShown > n + 5), [aliceId, off1.framesShown], 10000);

  // The grid re-lays itself when the window changes size: every tile stays inside the window.
  await alice.setViewportSize({ width: 720, height: 900 });
  // The app lays out again on its next frame after the resize (on a busy machine, a while later):
  // read the tiles until they reflect the new width, or 10 s have passed.
  const tileIds = ['tile:self', ...(await state(alice)).room.peers.map((p) => `tile:${p.id}`)];
  const fits = (t) => t.x >= 0 && t.x + t.w <= 720 && t.y >= 0 && t.y + t.h <= 900;
  let tiles = [];
  for (const until = Date.now() + 10000; ;) {
    tiles = [];
    for (const id of tileIds) tiles.push(await widget(alice, id));
    if (tiles.every(fits) || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const t of tiles) assert.ok(fits(t), JSON.stringify(t));
  assert.ok(tiles[0].w < 700 && new Set(tiles.map((t) => t.x)).size <= 2, `narrow window stacks tiles: ${JSON.stringify(tiles)}`);
  await screenshot(alice, 'call-3-narrow.png');
  await alice.setViewportSize({ width: 1280, height: 800 });

  // The fourth person's lobby shows 3/6.
  await waitForState(dave, (s, id) => s.rooms.find((r) => r.id === id)?.participants === 3, room.id, 2000);

  // Carol closes her tab: her tile disappears for the others within 3 s; the lobby shows 2/6.
  const carolId = (await state(carol)).room.self.id;
  const closedAt = Date.now();
  await carol.close();
  await Promise.all([alice, bob].map((p) => waitForState(p, (s, id) => s.room.peers.length === 1 &&
    !s.room.peers.some((q) => q.id === id), carolId, 3000)));
  await waitForState(dave, (s, id) => s.rooms.find((r) => r.id === id)?.participants === 2, room.id, 3000);
  const goneMs = Date.now() - closedAt;
  await screenshot(alice, 'call-2.png');

  // Leave releases the camera and returns to the lobby.
  await click(bob, 'leave');
  s = await waitForState(bob, (s) => s.screen === 'lobby');
  assert.equal(s.capturing, false, 'leaving releases camera and microphone');
  await waitForState(dave, (s, id) => s.rooms.find((r) => r.id === id)?.participants === 1, room.id, 3000);
  await waitForState(alice, (s) => s.room.peers.length === 0, null, 3000);

  saveReport('call-timings.json', { joinToFirstRemoteFrameMs: firstFrameMs, tabCloseToTileGoneMs: goneMs });
  console.log('join -> first remote frame (ms):', JSON.stringify(firstFrameMs), ' tab close -> gone (ms):', goneMs);
  assert.ok(env.server.alive());
});
