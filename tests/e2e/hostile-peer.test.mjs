// A hostile peer on the data channel: a page that speaks the protocol by hand (send_only_peers.js
// with its "moim" channel) joins a call and writes malformed, oversize, binary and rule-breaking
// messages, sends a file whose bytes do not match its digest and one longer than offered, floods
// file offers and opens a channel nobody asked for. The real client drops each,
// says so in its console, shows only what is valid, and the call goes on: video keeps decoding and
// the chat with a real person keeps working.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  click, createRoomByUi, enterNames, joinSendOnlyPeer, openPerson, openSendOnlyPeers, screenshot, useServerAndBrowser,
  waitForState,
} from './lib.mjs';

const env = useServerAndBrowser();

test('malformed, oversize and rule-breaking data channel messages are dropped and logged; the call goes on', async () => {
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => openPerson(env.browser, env.server.url, n)));
  await enterNames([[alice, 'Alice'], [bob, 'Bob']]);
  const room = await createRoomByUi(alice, 'Hostile');
  let s;
  await click(alice, `join:${room}`);
  await waitForState(bob, (s, id) => s.rooms.some((r) => r.id === id), room);
  await click(bob, `join:${room}`);
  await waitForState(alice, (s) => s.room?.peers.length === 1 && s.room.peers[0].chatChannel, null, 30000);

  const mallory = await openSendOnlyPeers(env.browser, env.server.url);
  const malloryId = await joinSendOnlyPeer(mallory, room, 'Mallory', 'Alice', 'camera', { channel: true });
  await mallory.waitForFunction(() => window.sendOnlyPeers.channelOpen('Mallory'), null, { timeout: 30000 });
  s = await waitForState(alice, (s, id) => s.room.peers.some((p) => p.id === id && p.chatChannel && p.framesDecoded > 0), malloryId, 30000);
  const say = (data) => mallory.evaluate(([d]) => window.sendOnlyPeers.sendOnChannel('Mallory', d), [data]);
  const chat = (id, text, extra = {}) => JSON.stringify({ v: 1, type: 'chat', id, time: Date.now(), seq: 1, text, ...extra });

  // A file whose bytes do not match: Alice accepts, Mallory sends 100 one-byte messages and an end
  // marker with a wrong digest; then one with more bytes than offered. Both fail, nothing to save.
  const offer = (id, size) => say(JSON.stringify({ v: 1, type: 'file-offer', id, name: `${id}.bin`, size }));
  for (const [id, size, items, fault] of [
    ['evil1', 100, [...Array(100).fill({ binary: 1 }), JSON.stringify({ v: 1, type: 'file-end', size: 100, sha256: 'ab'.repeat(32) })], 'hash-mismatch'],
    ['evil2', 10, [{ binary: 20 }], 'size-mismatch'],
  ]) {
    await offer(id, size);
    await waitForState(alice, (s, i) => s.transfers.some((t) => t.id === i && t.state === 'offered'), id);
    await click(alice, `file-accept:${id}`);
    await waitForState(alice, (s, i) => s.transfers.some((t) => t.id === i && t.state === 'receiving'), id);
    await mallory.evaluate(([i, it]) => window.sendOnlyPeers.openChannel('Mallory', `file:${i}`, it), [id, items]);
    s = await waitForState(alice, (s, i) => s.transfers.find((t) => t.id === i).state === 'failed', id);
    assert.equal(s.transfers.find((t) => t.id === id).fault, fault);
    await mallory.waitForFunction((i) => window.sendOnlyPeers.channelReceived('Mallory').some((m) => m.includes(`"file-result"`) && m.includes(i) && m.includes('false')), id);
  }
  assert.ok(!(await alice.evaluate(() => window.app.widgets())).some((w) => w.id.startsWith('file-save:')), 'nothing to save');
  for (const id of ['evil1', 'evil2']) await click(alice, `file-dismiss:${id}`);
  await waitForState(alice, (s) => s.transfers.length === 0);

  const hostile = [
    'not json at all',
    '[1,2,3]',
    '{"v":1}',
    '{"type":"chat","id":"nov","time":1,"seq":1,"text":"no version"}',
    JSON.stringify({ v: 1, type: 'chat', id: 'pad', time: 1, seq: 1, text: '  padded  ' }),
    chat('empty', ''),
    chat('long', 'x'.repeat(2001)),
    chat('ctl', 'bell\u0007'),
    chat('bad id!', 'bad id'),
    JSON.stringify({ v: 1, type: 'history', id: 'h0', time: 1, seq: 1, text: 'no author', from: 0, name: 'Bob' }),
    JSON.stringify({ v: 1, type: 'file-offer', id: 'path', name: '../../etc/passwd', size: 1 }),
    JSON.stringify({ v: 1, type: 'file-offer', id: 'neg', name: 'x.bin', size: -1 }),
    JSON.stringify({ v: 1, type: 'file-end', size: 1, sha256: 'ab'.repeat(32) }),
    JSON.stringify({ v: 1, type: 'file-result', id: 'nothing', ok: true }),
    JSON.stringify({ v: 1, type: 'file-cancel', id: 'nothing' }),
    '{"v":1,"type":"chat","id":"big","time":1,"seq":1,"text":"' + 'y'.repeat(40000) + '"}',  // over 32 KiB
    { binary: 1000 },
  ];
  for (const m of hostile) assert.equal(await say(m), true);
  // A newer Moim's message: dropped without complaint.
  await say(JSON.stringify({ v: 2, type: 'chat', id: 'v2', time: 1, seq: 1, text: 'from the future' }));
  // Twenty file offers: eight wait for an answer, the rest are declined at once.
  for (let i = 0; i < 20; i++) await say(JSON.stringify({ v: 1, type: 'file-offer', id: `flood${i}`, name: `f${i}.bin`, size: 10 }));
  // A channel nobody asked for.
  await mallory.evaluate(() => window.sendOnlyPeers.openChannel('Mallory', 'file:unasked', ['surprise']));
  // And one valid message, which shows.
  await say(chat('valid1', 'hello from Mallory'));

  s = await waitForState(alice, (s) => s.chat.length === 1 && s.transfers.length >= 20);
  assert.deepEqual(s.chat.map((m) => [m.name, m.text]), [['Mallory', 'hello from Mallory']]);
  assert.equal(s.chat[0].from, malloryId);
  const waiting = s.transfers.filter((t) => t.state === 'offered');
  const declined = s.transfers.filter((t) => t.state === 'declined' && t.fault === 'too-many');
  assert.equal(waiting.length, 8, 'eight offers wait');
  assert.equal(declined.length, 12, 'the rest are declined at once');
  // Mallory was told, for each of those twelve.
  await mallory.waitForFunction(() => window.sendOnlyPeers.channelReceived('Mallory').filter((m) => m.includes('"file-decline"')).length === 12);

  // Each kind of drop is said in the console (the unexpected channel's once its handshake is done).
  const deadline = Date.now() + 10000;
  while (!alice.consoleLines.some((l) => l.includes('closed an unexpected data channel')) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const log = alice.consoleLines.join('\n');
  for (const why of ['not-json', 'bad-version', 'bad-field', 'bad-text'])
    assert.match(log, new RegExp(`dropped a data channel message from peer ${malloryId}: ${why}`), why);
  assert.match(log, /over-long message on the moim channel dropped/);
  assert.match(log, /binary message on the moim channel dropped/);
  assert.match(log, /closed an unexpected data channel "file:unasked"/);
  assert.doesNotMatch(log, /newer-version|from the future/, 'a newer version is dropped silently');
  assert.doesNotMatch(log, /PAGE ERROR/);

  // The call goes on: video from both keeps decoding, and Alice and Bob still chat.
  const before = Object.fromEntries(s.room.peers.map((p) => [p.id, p.framesDecoded]));
  s = await waitForState(alice, (s, b) => s.room.peers.length === 2 && s.room.peers.every((p) => p.framesDecoded > b[p.id] + 10), before, 15000);
  await click(bob, 'chat-toggle');
  await bob.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  await bob.keyboard.type('still here');
  await bob.keyboard.press('Enter');
  s = await waitForState(alice, (s) => s.chat.length === 2 && s.chat[1].text === 'still here');
  assert.equal(s.screen, 'call');
  await screenshot(alice, 'hostile-peer.png');
});
