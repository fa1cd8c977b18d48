// A Korean display name typed through the keyboard (IME-style insertText into the text overlay)
// lands in the field exactly once, is remembered across visits, and shows on the other's tile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { click, openPerson, screenshot, state, typeInto, useServerAndBrowser, waitForState } from './lib.mjs';

const env = useServerAndBrowser();

test('a Korean name is typed once, remembered, and shown to others', async () => {
  const minji = await openPerson(env.browser, env.server.url, 'minji');
  const joe = await openPerson(env.browser, env.server.url, 'joe');
  await typeInto(minji, 'name-input', '김민지');
  await minji.keyboard.press('Enter');  // outside a composition: commits the field
  let s = await state(minji);
  assert.equal(s.name, '김민지');
  await screenshot(minji, 'korean-name.png');

  // Remembered across visits (localStorage).
  await minji.reload();
  await waitForState(minji, (s) => s.connected === true);
  assert.equal((await state(minji)).name, '김민지');

  await typeInto(joe, 'name-input', 'Joe');
  await click(joe, 'create-room');
  await typeInto(joe, 'room-name-input', '회의실 ');
  // An input method composing "1": the composition shows in the field; Enter while composing must
  // not submit; the committed text lands once.
  const cdp = await joe.context().newCDPSession(joe);
  await cdp.send('Input.imeSetComposition', { text: '1', selectionStart: 1, selectionEnd: 1 });
  assert.equal(await joe.evaluate(() => document.getElementById('text-overlay').value), '회의실 1');
  await screenshot(joe, 'ime-composition.png');
  await joe.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, 300));
  s = await state(joe);
  assert.equal(s.dialog, true, 'Enter during a composition does not submit');
  assert.equal(s.rooms.length, 0);
  await cdp.send('Input.insertText', { text: '1' });  // the IME commits
  assert.equal(await joe.evaluate(() => document.getElementById('text-overlay').value), '회의실 1');
  await joe.keyboard.press('Enter');
  s = await waitForState(joe, (s) => s.dialog === false && s.rooms.length === 1);
  const room = s.rooms[0];
  assert.equal(room.name, '회의실 1');
  await click(joe, `join:${room.id}`);
  await waitForState(minji, (s, id) => s.rooms.find((r) => r.id === id)?.participants === 1, room.id);
  await click(minji, `join:${room.id}`);
  s = await waitForState(joe, (s) => s.room && s.room.peers.length === 1 && s.room.peers[0].framesShown > 0, null, 30000);
  assert.equal(s.room.peers[0].name, '김민지');
  await screenshot(joe, 'korean-tile.png');
});
