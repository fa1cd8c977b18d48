// A grid too small for everyone (issue 15 item 3; shared/grid_pages, wasm/ui/call_view.cpp): on a
// phone-sized window, four people do not fit at the grid's smallest tile, so the grid shows pages
// turned with Previous / Next; only the page's tiles are drawn (the others' videos pause); whoever
// speaks is in the last place of every page and everyone else on one page; the phone's control
// bar keeps four buttons and puts the rest in a More menu; a wide window shows everyone again.
// Everyone joins with the camera off: this is about which tiles are drawn, and four pages decoding
// three cameras each starve this 2-core machine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cameraOff, click, createRoomByUi, enterNames, openPerson, screenshot, state, useServerAndBrowser, waitForState, widget,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages });

// The tiles drawn in the last frame, as their widget ids, in drawing order.
const tilesDrawn = (page) => page.evaluate(() => window.app.widgets().filter((w) => w.id.startsWith('tile:')).map((w) => w.id));
const pagerLabel = (page) => page.evaluate(() => window.app.widgets().find((w) => w.id === 'grid-page')?.label ?? null);
const waitForPager = (page, label) => page.waitForFunction(
  (want) => (window.app.widgets().find((w) => w.id === 'grid-page')?.label ?? null) === want, label, { timeout: 10000 });

test('a grid too small for everyone shows pages; the one speaking is on every page; a phone\'s bar has a More menu; a wide window shows everyone', async () => {
  const [alice, bob, dave, carol] = await Promise.all(['alice', 'bob', 'dave', 'carol'].map((n) => openPerson(env.browser, env.server.url, n)));
  pages.push(alice, bob, dave, carol);
  await enterNames([[alice, 'Alice'], [bob, 'Bob'], [dave, 'Dave'], [carol, 'Carol']]);
  for (const p of [alice, bob, dave, carol]) await cameraOff(p);
  const room = await createRoomByUi(alice, 'Pages');
  for (const p of [alice, bob, dave, carol]) {
    await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), room);
    await click(p, `join:${room}`);
    await waitForState(p, (s) => s.screen === 'call');
  }
  for (const p of [alice, bob, dave, carol])
    await waitForState(p, (s) => s.room?.peers.length === 3 && s.room.peers.every((x) => x.connection === 'connected' && x.audioLive), null, 40000);
  // Only Alice's microphone is on: the others mute; she is the one speaking.
  for (const p of [bob, dave, carol]) {
    await click(p, 'toggle-mic');
    await waitForState(p, (s) => s.room.self.mic === false);
  }
  const id = {};
  for (const [p, n] of [[alice, 'alice'], [bob, 'bob'], [dave, 'dave'], [carol, 'carol']]) id[n] = (await state(p)).room.self.id;
  await waitForState(carol, (s) => s.room.activeSpeaker === id.alice, null, 15000);

  // A wide window: everyone, no pager.
  await widget(carol, `tile:${id.dave}`);
  assert.equal((await tilesDrawn(carol)).length, 4);
  assert.equal(await pagerLabel(carol), null, 'no pager when everyone fits');

  // A phone: two tiles a page; Alice, speaking, in the last place of each; Bob and Dave one a page.
  await carol.setViewportSize({ width: 360, height: 640 });
  await waitForPager(carol, '1 / 3');
  assert.deepEqual(await tilesDrawn(carol), ['tile:self', `tile:${id.alice}`]);
  await screenshot(carol, 'grid-page-1.png');
  const others = [];
  for (const label of ['2 / 3', '3 / 3']) {
    await click(carol, 'grid-next');
    await waitForPager(carol, label);
    const shown = await tilesDrawn(carol);
    assert.equal(shown.length, 2, `two tiles on page ${label}: ${shown}`);
    assert.equal(shown[1], `tile:${id.alice}`, 'the one speaking is on every page');
    others.push(shown[0]);
  }
  assert.deepEqual(others.sort(), [`tile:${id.bob}`, `tile:${id.dave}`].sort(), 'everyone else on one page');
  await screenshot(carol, 'grid-page-3.png');
  // Next on the last page does nothing.
  await click(carol, 'grid-next');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await pagerLabel(carol), '3 / 3');

  // Dave speaks, Alice mutes: Dave takes the last place of the page shown, Alice joins the others.
  await click(alice, 'toggle-mic');
  await click(dave, 'toggle-mic');
  await waitForState(carol, (s) => s.room.activeSpeaker === id.dave, null, 15000);
  await carol.waitForFunction((who) => {
    const tiles = window.app.widgets().filter((w) => w.id.startsWith('tile:')).map((w) => w.id);
    return tiles.length === 2 && tiles[1] === `tile:${who}`;
  }, id.dave, { timeout: 10000 });
  assert.equal(await pagerLabel(carol), '3 / 3');
  await screenshot(carol, 'grid-page-speaker.png');
  await click(carol, 'grid-prev');
  await waitForPager(carol, '2 / 3');
  assert.equal((await tilesDrawn(carol))[1], `tile:${id.dave}`);

  // The phone's control bar: the microphone, the camera, More and Leave, with the rest (and the
  // grid / speaker view switch the top bar has no room for) in More's menu; a choice closes it.
  const ids = async () => carol.evaluate(() => window.app.widgets().map((w) => w.id));
  let shown = await ids();
  for (const w of ['toggle-mic', 'toggle-camera', 'more-toggle', 'leave']) assert.ok(shown.includes(w), `${w} in the bar`);
  for (const w of ['chat-toggle', 'people-toggle', 'share-screen', 'layout-toggle']) assert.ok(!shown.includes(w), `${w} not in the bar`);
  await click(carol, 'more-toggle');
  await widget(carol, 'more-menu');
  shown = await ids();
  for (const w of ['share-screen', 'chat-toggle', 'people-toggle', 'stats-toggle', 'devices-toggle', 'send-file', 'layout-toggle'])
    assert.ok(shown.includes(w), `${w} in the menu`);
  await screenshot(carol, 'phone-more-menu.png');
  await click(carol, 'people-toggle');
  await waitForState(carol, (s) => s.peopleOpen === true);
  await carol.waitForFunction(() => !window.app.widgets().some((w) => w.id === 'more-menu'), null, { timeout: 10000 });
  await click(carol, 'people-close');
  await waitForState(carol, (s) => s.peopleOpen === false);

  // Wide again: everyone, no pager, every button in the bar.
  await carol.setViewportSize({ width: 1280, height: 800 });
  await carol.waitForFunction(() => !window.app.widgets().some((w) => w.id === 'grid-page'), null, { timeout: 10000 });
  assert.equal((await tilesDrawn(carol)).length, 4);
  shown = await ids();
  assert.ok(shown.includes('chat-toggle') && shown.includes('layout-toggle') && !shown.includes('more-toggle'));
  for (const p of [alice, bob, dave, carol]) await click(p, 'leave');
});
