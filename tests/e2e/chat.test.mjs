// Text chat over the peers' data channels (wasm/chat/, shared/chat_log, shared/peer_protocol):
// three people chat, one in Korean through an input-method composition (Enter while composing does
// not send), one by pasting; an over-long message is refused with a note; a fourth person who joins
// late sees the conversation once, in order. The server never carries a chat message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cameraOff, click, createRoomByUi, enterNames, openPerson, screenshot, state, typeInto, useServerAndBrowser, waitForState,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages });

const texts = (s) => s.chat.map((m) => m.text);
const overlayValue = (page) => page.evaluate(() => document.getElementById('text-overlay').value);
// Everyone in the call has an open chat channel to everyone else.
const channelsOpen = (n) => (s) => s.room && s.room.peers.length === n && s.room.peers.every((p) => p.chatChannel === true);
test('three people chat (Korean through a composition, a paste, a refused long message); a late joiner gets the history once, in order', async () => {
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => openPerson(env.browser, env.server.url, n)));
  pages.push(alice, bob, carol, dave);
  await enterNames([[alice, 'Alice'], [bob, '박보영'], [carol, 'Carol'], [dave, 'Dave']]);
  for (const p of [alice, bob, carol, dave]) await cameraOff(p);
  const room = await createRoomByUi(alice, 'Chat room');
  let s;
  for (const p of [alice, bob, carol]) {
    await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), room);
    await click(p, `join:${room}`);
    await waitForState(p, (s) => s.screen === 'call');
  }
  for (const p of [alice, bob, carol]) await waitForState(p, channelsOpen(2), null, 30000);
  const sentAt = Date.now();

  // Alice opens the panel (the field takes the keyboard) and sends with Enter.
  await click(alice, 'chat-toggle');
  await waitForState(alice, (s) => s.chatOpen === true);
  await alice.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  await alice.keyboard.type('Hello everyone');
  await alice.keyboard.press('Enter');
  s = await waitForState(alice, (s) => s.chat.length === 1);
  assert.equal(await overlayValue(alice), '', 'the field is emptied once the message is sent');
  assert.deepEqual(texts(s), ['Hello everyone']);
  assert.equal(s.chat[0].own, true);
  for (const p of [bob, carol]) {
    const got = await waitForState(p, (s) => s.chat.length === 1);
    assert.equal(got.chat[0].text, 'Hello everyone');
    assert.equal(got.chat[0].name, 'Alice');
    assert.equal(got.chat[0].from, s.room.self.id);
    assert.equal(got.chat[0].id, s.chat[0].id);
    assert.ok(got.chat[0].time >= sentAt - 5000 && got.chat[0].time <= Date.now() + 5000, 'the sender\'s clock');
    assert.equal(got.chatUnread, 1, 'unread while the panel is closed');
    assert.equal(got.chatOpen, false);
  }

  // 박보영 opens the chat (unread goes to 0) and writes Korean through an input method: Enter while
  // the composition is open does not send; the committed text is sent once.
  await click(bob, 'chat-toggle');
  await waitForState(bob, (s) => s.chatOpen === true && s.chatUnread === 0);
  await bob.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  await bob.keyboard.type('안녕');
  const cdp = await bob.context().newCDPSession(bob);
  await cdp.send('Input.imeSetComposition', { text: '하세요', selectionStart: 3, selectionEnd: 3 });
  assert.equal(await overlayValue(bob), '안녕하세요');
  await bob.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal((await state(bob)).chat.length, 1, 'Enter during a composition does not send');
  await cdp.send('Input.insertText', { text: '하세요' });  // the input method commits
  await bob.keyboard.press('Enter');
  s = await waitForState(bob, (s) => s.chat.length === 2);
  assert.deepEqual(texts(s), ['Hello everyone', '안녕하세요']);
  await screenshot(bob, 'chat-korean.png');

  // Carol pastes a message that looks like markup: it is text, shown and carried as typed.
  await click(carol, 'chat-toggle');
  await carol.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  const pasted = '<b>not bold</b> & {"type":"chat"} %s %n';
  await carol.keyboard.insertText(pasted);
  await click(carol, 'chat-send');
  await waitForState(carol, (s) => s.chat.length === 3);
  // Over the limit: refused with a note, nothing sent, the text stays for editing.
  await typeInto(carol, 'chat-input', 'x'.repeat(2001), { paste: true });
  s = await waitForState(carol, (s) => /at most 2,000/.test(s.chatNote));
  await screenshot(carol, 'chat-too-long.png');
  await carol.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, 400));
  s = await state(carol);
  assert.equal(s.chat.length, 3, 'an over-long message is not sent');
  assert.equal((await overlayValue(carol)).length, 2001, 'and stays in the field');
  await carol.keyboard.press('Backspace');
  await waitForState(carol, (s) => s.chatNote === '2,000 / 2,000');
  await carol.keyboard.press('Control+A');
  await carol.keyboard.press('Backspace');

  const expected = ['Hello everyone', '안녕하세요', pasted];
  const order = [];
  for (const p of [alice, bob, carol]) {
    const got = await waitForState(p, (s) => s.chat.length === 3);
    assert.deepEqual(texts(got), expected);
    order.push(got.chat.map((m) => m.id).join(','));
  }
  assert.equal(new Set(order).size, 1, 'everyone has the conversation in the same order');

  // Dave joins late: both Alice's and 박보영's and Carol's channels send him the history; he sees it
  // once, in order, with who said what, all unread.
  await click(dave, `join:${room}`);
  await waitForState(dave, channelsOpen(3), null, 30000);
  s = await waitForState(dave, (s) => s.chat.length === 3);
  await new Promise((r) => setTimeout(r, 1000));  // every peer's copy has arrived by now
  s = await state(dave);
  assert.deepEqual(texts(s), expected, 'the history once, in order');
  assert.equal(s.chat.map((m) => m.id).join(','), order[0]);
  assert.deepEqual(s.chat.map((m) => m.name), ['Alice', '박보영', 'Carol']);
  assert.equal(s.chatUnread, 3);
  await click(dave, 'chat-toggle');
  await waitForState(dave, (s) => s.chatUnread === 0);
  await dave.keyboard.type('Sorry I am late');
  await dave.keyboard.press('Enter');
  for (const p of [alice, bob, carol]) await waitForState(p, (s) => s.chat.length === 4 && s.chat[3].name === 'Dave');
  await screenshot(dave, 'chat-late-joiner.png');

  // A long conversation: 박보영's open panel follows the newest message, stays where the reader
  // scrolled up to when more comes, and follows again once scrolled back down.
  await alice.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  for (let i = 1; i <= 30; i++) {
    await alice.keyboard.insertText(`line ${i}`);
    await alice.keyboard.press('Enter');
  }
  await waitForState(bob, (s) => s.chat.length === 34);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await state(bob)).chatScrolledUp, false, 'at the newest message');
  await bob.mouse.move(1090, 300);  // over the chat log
  await bob.mouse.wheel(0, -800);
  await waitForState(bob, (s) => s.chatScrolledUp === true);
  await alice.keyboard.type('one more');
  await alice.keyboard.press('Enter');
  await waitForState(bob, (s) => s.chat.length === 35);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await state(bob)).chatScrolledUp, true, 'a new message does not pull the reader down');
  await screenshot(bob, 'chat-scrolled-up.png');
  await bob.mouse.wheel(0, 5000);
  await waitForState(bob, (s) => s.chatScrolledUp === false);
  await alice.keyboard.type('and the last');
  await alice.keyboard.press('Enter');
  await waitForState(bob, (s) => s.chat.length === 36);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await state(bob)).chatScrolledUp, false, 'back at the end, it follows again');
  await screenshot(bob, 'chat-following.png');
});
