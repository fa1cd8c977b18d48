// File transfer over data channels (wasm/files/, shared/file_transfer, web/glue/file_transfers.js)
// and the participant panel: a 20 MB file goes from Alice to Bob and Carol through the browser's
// file picker, both accept, both save it and the downloaded files have the source's SHA-256, and
// nothing of it passes through the server; a 512 MiB transfer to one person chosen in the participant
// panel shows progress and is cancelled half way by the receiver; a declined offer; an offer over
// the receiver's size limit (a page flag) declined for that; a sender who closes the tab mid-transfer.
// Everyone joins with the camera off: the test is about the data channel, and pages busy decoding
// cameras on this 2-core machine once let a call end under the transfer (CI).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  cameraOff, click, createRoomByUi, enterNames, openPerson, pickFile, saveReceived, screenshot, state, useServerAndBrowser,
  waitForState,
} from './lib.mjs';

let dir;
const pages = [];
const env = useServerAndBrowser({ pages });
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-files-')); });
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

function makeFile(name, bytes) {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  for (let left = bytes; left > 0;) {
    const n = Math.min(left, 4 << 20);
    fs.writeSync(fd, crypto.randomBytes(n));
    left -= n;
  }
  fs.closeSync(fd);
  return file;
}
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const channelsOpen = (n) => (s) => s.room && s.room.peers.length === n && s.room.peers.every((p) => p.chatChannel === true);
const transfer = (s, pred) => s.transfers.find(pred);

const save = (page, id) => saveReceived(page, id, dir);

test('files browser to browser: to everyone, to one person, cancel, decline, size limit, a sender leaving', async () => {
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => openPerson(env.browser, env.server.url, n)));
  const eve = await openPerson(env.browser, `${env.server.url}/?maxFileBytes=1000000`, 'eve');  // a page with a 1 MB limit
  pages.push(alice, bob, carol, eve);
  let wsBytesFromAlice = 0;
  alice.on('websocket', (ws) => ws.on('framesent', ({ payload }) => { wsBytesFromAlice += payload.length; }));
  await enterNames([[alice, 'Alice'], [bob, 'Bob'], [carol, 'Carol'], [eve, 'Eve']]);
  for (const p of [alice, bob, carol, eve]) await cameraOff(p);
  const room = await createRoomByUi(alice, 'Files');
  let s;
  for (const p of [alice, bob, carol]) {
    await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), room);
    await click(p, `join:${room}`);
  }
  for (const p of [alice, bob, carol]) await waitForState(p, channelsOpen(2), null, 30000);
  const ids = {};
  for (const [p, n] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']]) ids[n] = (await state(p)).room.self.id;

  // 1. 20 MB to everyone: two offers, both accepted, both saved; same SHA-256 as the source.
  const big = makeFile('report 2026.bin', 20 * 1024 * 1024);
  const bigSha = sha256(big);
  const wsBefore = wsBytesFromAlice;
  await pickFile(alice, 'send-file', big);
  s = await waitForState(alice, (s) => s.transfers.length === 2);
  assert.deepEqual(s.transfers.map((t) => [t.direction, t.state, t.name, t.size]).sort(),
    [['out', 'offered', 'report 2026.bin', 20971520], ['out', 'offered', 'report 2026.bin', 20971520]]);
  assert.deepEqual(s.transfers.map((t) => t.peer).sort(), [ids.bob, ids.carol].sort());
  const incoming = {};
  for (const [p, n] of [[bob, 'bob'], [carol, 'carol']]) {
    const got = await waitForState(p, (s) => s.transfers.length === 1 && s.transfers[0].state === 'offered');
    assert.equal(got.transfers[0].direction, 'in');
    assert.equal(got.transfers[0].peer, ids.alice);
    assert.equal(got.transfers[0].size, 20971520);
    incoming[n] = got.transfers[0].id;
  }
  await screenshot(bob, 'file-offer.png');
  await click(bob, `file-accept:${incoming.bob}`);
  await click(carol, `file-accept:${incoming.carol}`);
  for (const [p, n] of [[bob, 'bob'], [carol, 'carol']]) {
    const got = await waitForState(p, (s) => s.transfers[0].state === 'done', null, 60000);
    assert.equal(got.transfers[0].bytes, 20971520);
    const saved = await save(p, incoming[n]);
    assert.equal(saved.name, 'report 2026.bin');
    assert.equal(fs.statSync(saved.file).size, 20971520);
    assert.equal(sha256(saved.file), bigSha, `${n}'s download has the source's SHA-256`);
  }
  s = await waitForState(alice, (s) => s.transfers.every((t) => t.state === 'done'));
  await screenshot(bob, 'file-received.png');
  // Finished cards can be put away: the transfers are forgotten.
  for (const t of s.transfers) {
    await click(alice, `file-dismiss:${t.id}`);
    await alice.waitForFunction((id) => !window.app.widgets().some((w) => w.id === id), `file-dismiss:${t.id}`);
  }
  assert.equal((await state(alice)).transfers.length, 0);
  assert.ok(wsBytesFromAlice - wsBefore < 200 * 1024,
    `the file did not go through the server (${wsBytesFromAlice - wsBefore} bytes on Alice's WebSocket meanwhile)`);

  // 2. To one person, from the participant panel: 512 MiB to Carol only; progress on both sides;
  //    Carol cancels half way: both end cancelled, nothing to save.
  const huge = makeFile('video.bin', 512 * 1024 * 1024);  // long enough to be caught half way, however fast
  await click(alice, 'people-toggle');
  s = await waitForState(alice, (s) => s.peopleOpen === true);
  await screenshot(alice, 'people-panel.png');
  await pickFile(alice, `send-file:${ids.carol}`, huge);
  s = await waitForState(carol, (s) => s.transfers.length === 2 && s.transfers[1].state === 'offered');
  const cancelId = s.transfers[1].id;
  assert.equal((await state(bob)).transfers.length, 1, 'Bob was not offered it');
  await click(carol, `file-accept:${cancelId}`);
  s = await waitForState(carol, (s, id) => { const t = transfer(s, (t) => t.id === id); return t.bytes > 16 << 20 && t.bytes < t.size; }, cancelId, 60000);
  const senderSide = await waitForState(alice, (s, id) => { const t = transfer(s, (t) => t.id === id); return t && t.bytes > 0; }, cancelId);
  assert.equal(transfer(senderSide, (t) => t.id === cancelId).state, 'sending');
  // A big transfer does not starve the page: its link to the server stays up (flow control).
  for (const p of [alice, carol]) assert.equal((await state(p)).reconnecting, false);
  await screenshot(carol, 'file-progress.png');
  await click(carol, `file-cancel:${cancelId}`);
  s = await waitForState(carol, (s, id) => transfer(s, (t) => t.id === id).state === 'cancelled', cancelId);
  assert.ok(transfer(s, (t) => t.id === cancelId).bytes < 512 * 1024 * 1024);
  s = await waitForState(alice, (s, id) => transfer(s, (t) => t.id === id).state === 'cancelled', cancelId);
  assert.equal(transfer(s, (t) => t.id === cancelId).byPeer, true, 'Alice sees that Carol cancelled');

  // 3. Declined: Bob says no.
  const small = makeFile('notes.txt', 3000);
  await pickFile(alice, `send-file:${ids.bob}`, small);
  s = await waitForState(bob, (s) => s.transfers.length === 2 && s.transfers[1].state === 'offered');
  await click(bob, `file-decline:${s.transfers[1].id}`);
  s = await waitForState(alice, (s, id) => transfer(s, (t) => t.id === id)?.state === 'declined', s.transfers[1].id);

  // 4. Over the receiver's limit: Eve's page allows 1 MB; Alice's 20 MB offer is declined for it.
  await click(eve, `join:${room}`);
  await waitForState(eve, channelsOpen(3), null, 30000);
  ids.eve = (await state(eve)).room.self.id;
  await waitForState(alice, (s) => s.room.peers.length === 3 && s.room.peers.every((p) => p.chatChannel));
  await pickFile(alice, `send-file:${ids.eve}`, big);
  s = await waitForState(eve, (s) => s.transfers.length === 1 && s.transfers[0].state === 'declined');
  assert.equal(s.transfers[0].fault, 'too-large');
  assert.equal(s.maxFileBytes, 1000000);
  s = await waitForState(alice, (s) => s.transfers.some((t) => t.peer === ids.eve && t.state === 'declined' && t.byPeer));
  await screenshot(eve, 'file-too-large.png');

  // 5. The sender closes the tab mid-transfer: the receiver ends failed, nothing to save.
  await pickFile(alice, `send-file:${ids.bob}`, huge);
  s = await waitForState(bob, (s) => s.transfers.length === 3 && s.transfers[2].state === 'offered');
  const leftId = s.transfers[2].id;
  await click(bob, `file-accept:${leftId}`);
  await waitForState(bob, (s, id) => transfer(s, (t) => t.id === id).bytes > 8 << 20, leftId, 60000);
  await alice.close();
  try {
    s = await waitForState(bob, (s, id) => transfer(s, (t) => t.id === id)?.state === 'failed', leftId, 15000);
  } catch (e) {
    // Once (a fresh clone's run; the next run here passed) the transfer was gone from Bob's list: only the
    // call's end clears it. Say what Bob's page was in, for the next time.
    const st = await state(bob);
    console.log('Bob after Alice left:', JSON.stringify({ screen: st.screen, room: st.room?.id, error: st.error,
      transfers: st.transfers.map((t) => [t.id, t.state, t.fault]) }), (bob.consoleLines ?? []).slice(-20).join('\n'));
    throw e;
  }
  assert.match(transfer(s, (t) => t.id === leftId).fault, /peer-left|channel-broke/);
  await screenshot(bob, 'file-sender-left.png');
  // Nothing hangs on the others: every transfer is in a final state.
  for (const p of [bob, carol, eve]) {
    const st = await state(p);
    assert.ok(st.transfers.every((t) => ['done', 'declined', 'cancelled', 'failed'].includes(t.state)), JSON.stringify(st.transfers));
  }
});
