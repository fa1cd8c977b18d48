// A Korean display name typed through the keyboard (IME-style insertText into the text overlay)
// lands in the field exactly once, is remembered across visits, and shows on the other's tile.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { click, launchBrowser, openPerson, screenshot, startServer, state, typeInto, waitForState } from './lib.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a Korean name is typed once, remembered, and shown to others', async () => {
  const minji = await openPerson(browser, server.url, 'minji');
  const joe = await openPerson(browser, server.url, 'joe');
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
  await typeInto(joe, 'room-name-input', '회의실 1');
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
