// A mesh that adapts (issue 14, item 5; shared/mesh_encoding.hpp, wasm/mesh/): in a 4-person call each
// person's camera goes out on 3 connections, each with a bitrate cap and a resolution scale
// (RTCRtpSender.setParameters, read back with getParameters) that keep the sum within the uplink
// budget; a person who shows someone small (the speaker view's strip) tells them, and that one's
// encoding towards them shrinks to the tile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { click, createRoomByUi, enterNames, openPerson, state, useServerAndBrowser, waitForState } from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages });

// Every open connection's camera encoding as the browser holds it, and what it sends now.
const encodings = (page) => page.evaluate(async () => {
  const out = [];
  for (const pc of window.__pcs) {
    if (pc.connectionState !== 'connected') continue;
    const sender = pc.getSenders().find((s) => s.track && s.track.kind === 'video');  // the camera (nobody shares a screen here)
    if (!sender) continue;
    const e = sender.getParameters().encodings[0] || {};
    let width = 0;
    (await sender.getStats()).forEach((s) => { if (s.type === 'outbound-rtp') width = s.frameWidth || width; });
    out.push({ maxBitrate: e.maxBitrate, scale: e.scaleResolutionDownBy, width });
  }
  return out;
});

test('a 4-person call caps each camera encoding within the budget; a small tile on one side shrinks what goes to it', async () => {
  const people = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => openPerson(env.browser, env.server.url, n, { recordPeerConnections: true })));
  pages.push(...people);
  const [alice, bob, carol, dave] = people;
  await enterNames([[alice, 'Alice'], [bob, 'Bob'], [carol, 'Carol'], [dave, 'Dave']]);
  const room = await createRoomByUi(alice, 'Mesh');
  for (const p of people) {
    await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), room);
    await click(p, `join:${room}`);
  }
  for (const p of people) await waitForState(p, (s) => s.room?.peers.length === 3 && s.room.peers.every((x) => x.framesDecoded > 0 && x.sending), null, 60000);

  // Each of Alice's three encodings is capped, together within 2.4 Mbit/s, as her state says.
  let s = await state(alice);
  let enc = await encodings(alice);
  assert.equal(enc.length, 3, JSON.stringify(enc));
  for (const e of enc) assert.ok(e.maxBitrate > 0 && e.maxBitrate <= 1000000 && e.scale >= 1, JSON.stringify(enc));
  assert.ok(enc.reduce((a, e) => a + e.maxBitrate, 0) <= 2400000, JSON.stringify(enc));
  assert.deepEqual(enc.map((e) => e.maxBitrate).sort(), s.room.peers.map((p) => p.sending.maxKbps * 1000).sort());

  // Only Bob's microphone is on, so he is Carol's active speaker; Carol switches to the speaker view
  // with Bob large: Alice and Dave are small in her strip. Carol tells them; Alice's encoding towards
  // Carol shrinks to the tile, the others stay.
  const ids = {};
  for (const [p, n] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol'], [dave, 'dave']]) ids[n] = (await state(p)).room.self.id;
  for (const p of [alice, carol, dave]) {
    await click(p, 'toggle-mic');
    await waitForState(p, (s) => s.room.self.mic === false);
  }
  await waitForState(carol, (s, bob) => s.room.activeSpeaker === bob, ids.bob, 20000);
  await click(carol, 'layout-toggle');
  await waitForState(carol, (s) => s.room.layout === 'speaker');
  s = await waitForState(alice, (s, carol) => {
    const c = s.room.peers.find((p) => p.id === carol);
    return c.sending.theirView && c.sending.scale >= 2;
  }, ids.carol, 20000);
  const toCarol = s.room.peers.find((p) => p.id === ids.carol).sending;
  const others = s.room.peers.filter((p) => p.id !== ids.carol).map((p) => p.sending);
  assert.ok(toCarol.maxKbps < Math.min(...others.map((o) => o.maxKbps)), JSON.stringify({ toCarol, others }));
  // The browser holds it, and sends that small.
  await new Promise((r) => setTimeout(r, 4000));
  enc = await encodings(alice);
  const smallest = enc.reduce((a, e) => (e.scale > a.scale ? e : a));
  assert.ok(smallest.scale >= 2 && smallest.maxBitrate === toCarol.maxKbps * 1000, JSON.stringify(enc));
  assert.ok(smallest.width > 0 && smallest.width <= 320, `what goes to Carol is small: ${JSON.stringify(enc)}`);
  for (const p of people) await click(p, 'leave');
});
