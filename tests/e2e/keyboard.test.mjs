// Keyboard shortcuts in a call (issue 14, item 7; shared/shortcuts.hpp): M, V, S, C and ? do what the
// buttons do, never while a text field has the keyboard, not with Ctrl; Escape closes the help
// overlay; the buttons' tooltips name their keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  click, createRoomByUi, enterNames, openPerson, screenshot, state, useServerAndBrowser, waitForState, widget,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages });

test('M, V, S, C and ? in a call; not while typing; Escape closes the help; tooltips name the keys', async () => {
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => openPerson(env.browser, env.server.url, n)));
  pages.push(alice, bob);
  await enterNames([[alice, 'Alice'], [bob, 'Bob']]);
  const room = await createRoomByUi(alice, 'Keys');
  for (const p of [alice, bob]) {
    await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), room);
    await click(p, `join:${room}`);
  }
  for (const p of [alice, bob]) await waitForState(p, (s) => s.room?.peers.length === 1 && s.room.peers[0].framesDecoded > 0, null, 30000);
  const aliceId = (await state(alice)).room.self.id;
  const bobSees = (pred) => waitForState(bob, (s) => pred(s.room.peers.find((p) => p.id === aliceId)));

  // M and V: the others see it as they would after the buttons.
  await alice.keyboard.press('m');
  await waitForState(alice, (s) => s.room.self.mic === false);
  await bobSees((p) => p.mic === false);
  await alice.keyboard.press('v');
  await waitForState(alice, (s) => s.room.self.camera === false);
  await bobSees((p) => p.camera === false);
  // With Ctrl (the browser's and the system's keys), nothing.
  await alice.keyboard.press('Control+m');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await state(alice)).room.self.mic, false);
  await alice.keyboard.press('m');
  await alice.keyboard.press('v');
  await waitForState(alice, (s) => s.room.self.mic === true && s.room.self.camera === true);

  // The tooltip of a button names its key.
  const mic = await widget(alice, 'toggle-mic');
  await alice.mouse.move(mic.x + mic.w / 2, mic.y + mic.h / 2);
  await waitForState(alice, (s) => s.tooltip === 'Mute (M)');
  const share = await widget(alice, 'share-screen');
  await alice.mouse.move(share.x + share.w / 2, share.y + share.h / 2);
  await waitForState(alice, (s) => s.tooltip === 'Share screen (S)');
  await alice.mouse.move(5, 300);

  // C opens the chat with its field focused: now keys are text, not shortcuts.
  await alice.keyboard.press('c');
  await waitForState(alice, (s) => s.chatOpen === true);
  await alice.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  await alice.keyboard.type('mvsc?');
  await new Promise((r) => setTimeout(r, 300));
  let s = await state(alice);
  assert.equal(await alice.evaluate(() => document.getElementById('text-overlay').value), 'mvsc?');
  assert.equal(s.room.self.mic, true, 'typing m in a field does not mute');
  assert.equal(s.room.self.camera, true);
  assert.equal(s.room.self.sharing, false);
  assert.equal(s.chatOpen, true);
  assert.equal(s.shortcutsHelp, false);
  await alice.keyboard.press('Enter');
  await waitForState(bob, (s) => s.chat.length === 1 && s.chat[0].text === 'mvsc?');
  // Out of the field (a click on the call), C closes the chat.
  await alice.mouse.click(640, 300);
  await alice.waitForFunction(() => !document.activeElement || document.activeElement.id !== 'text-overlay');
  await alice.keyboard.press('c');
  await waitForState(alice, (s) => s.chatOpen === false);

  // S shares the screen (a key press is the gesture the browser wants) and stops it.
  await alice.keyboard.press('s');
  await waitForState(alice, (s) => s.room.self.sharing === true, null, 20000);
  await bobSees((p) => p.screen && p.screen.framesDecoded > 0);
  await alice.keyboard.press('s');
  await waitForState(alice, (s) => s.room.self.sharing === false);
  await bobSees((p) => p.screen === null);

  // ? shows every shortcut; Escape closes it; so does its button.
  await alice.keyboard.press('Shift+Slash');
  await waitForState(alice, (s) => s.shortcutsHelp === true);
  await widget(alice, 'shortcuts-help');
  await screenshot(alice, 'keyboard-shortcuts.png');
  await alice.keyboard.press('Escape');
  await waitForState(alice, (s) => s.shortcutsHelp === false);
  await alice.keyboard.press('?');
  await waitForState(alice, (s) => s.shortcutsHelp === true);
  await click(alice, 'shortcuts-close');
  await waitForState(alice, (s) => s.shortcutsHelp === false);

  // Outside a call, keys are nothing.
  await click(alice, 'leave');
  await waitForState(alice, (s) => s.screen === 'lobby');
  await alice.mouse.click(640, 700);
  await alice.keyboard.press('?');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await state(alice)).shortcutsHelp, false);
  await click(bob, 'leave');
});
