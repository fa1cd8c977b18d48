// Sound that actually plays (issue 14, item 6): under an autoplay policy that needs a gesture
// (--autoplay-policy=user-gesture-required), a person who joins from an invite link with a remembered
// name (no click on the page) gets the others' video muted by the browser: the call says "Click to
// turn on sound", and one click on it plays their sound. A person who clicked to join never sees it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  click, createRoomByUi, enterNames, openPerson, screenshot, state, useServerAndBrowser, waitForState, widget,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages, browserArgs: ['--autoplay-policy=user-gesture-required'] });

// The page's elements that play a peer's sound (Chromium labels a received audio track "remote
// audio"; our own preview, which plays our microphone, is muted on purpose), unmuted and playing or not.
const soundElements = (page) => page.evaluate(() => [...document.querySelectorAll('video')]
  .filter((v) => v.srcObject && v.srcObject.getAudioTracks().some((t) => t.label === 'remote audio'))
  .map((v) => ({ muted: v.muted, paused: v.paused, tracks: v.srcObject.getTracks().map((t) => t.kind + ':' + t.label.slice(0, 20)) })));

test('joined without a gesture: "Click to turn on sound", and after the click the others are heard', async () => {
  const alice = await openPerson(env.browser, env.server.url, 'alice');
  pages.push(alice);
  await enterNames([[alice, 'Alice']]);
  const room = await createRoomByUi(alice, 'Autoplay');
  await click(alice, `join:${room}`);
  await waitForState(alice, (s) => s.screen === 'call');

  // Bob's name is remembered from an earlier visit; he opens the room's link and is in, untouched.
  // Nothing may touch his page until Alice's video is there: Playwright's evaluate runs as a user
  // gesture, which would allow the sound.
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => { if (!localStorage.getItem('moim.name')) localStorage.setItem('moim.name', 'Bob'); });
  const bob = await context.newPage();
  bob.consoleLines = [];
  bob.on('console', (m) => bob.consoleLines.push(`[bob] ${m.text()}`));
  bob.on('pageerror', (e) => bob.consoleLines.push(`[bob] PAGE ERROR ${e.message}`));
  pages.push(bob);
  const refused = bob.waitForEvent('console', { predicate: (m) => m.text().includes('play() with sound refused'), timeout: 40000 });
  await bob.goto(`${env.server.url}#/room/${room}`);
  await refused;
  let s = await waitForState(bob, (s) => s.screen === 'call' && s.room.peers.length === 1 && s.soundBlocked === true, null, 20000);
  const before = await soundElements(bob);
  assert.ok(before.length >= 1 && before.every((e) => e.muted), `the browser plays Alice muted: ${JSON.stringify(before)}`);
  await widget(bob, 'enable-sound');
  await screenshot(bob, 'autoplay-banner.png');

  // One click: her sound plays, the banner goes.
  await click(bob, 'enable-sound');
  await waitForState(bob, (s) => s.soundBlocked === false);
  const afterClick = await soundElements(bob);
  assert.ok(afterClick.length >= 1 && afterClick.every((e) => !e.muted && !e.paused), JSON.stringify(afterClick));
  await waitForState(bob, (s) => s.room.peers[0].audioLive && s.room.peers[0].audioEnergy > 0, null, 20000);  // and her audio arrives
  assert.equal(!!(await bob.evaluate(() => window.app.widgets().find((w) => w.id === 'enable-sound'))), false);

  // Alice clicked her way in: Bob's sound plays for her, no banner.
  await waitForState(alice, (s) => s.room.peers.length === 1 && s.room.peers[0].audioLive, null, 30000);
  assert.equal((await state(alice)).soundBlocked, false);
  const hers = await soundElements(alice);
  assert.ok(hers.length >= 1 && hers.every((e) => !e.muted && !e.paused), JSON.stringify(hers));
  for (const p of [alice, bob]) await click(p, 'leave');
});
