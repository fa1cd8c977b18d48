// Connection quality, shown (issue 14, item 4): every remote tile carries a quality verdict (signal
// bars), and the stats panel plots each peer's bitrate in and out, round trip, loss and frames per
// second over the last minute, live. The figures come from getStats' raw counters, derived in C++
// (shared/call_stats.hpp); the test reads them through state() and checks the plots move on screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import {
  click, createRoomByUi, enterNames, openPerson, saveReport, screenshot, state, useServerAndBrowser, waitForState, widget,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages });

const KEYS = ['kbpsIn', 'kbpsOut', 'rttMs', 'lossPct', 'fps'];
const QUALITIES = ['good', 'fair', 'poor'];
// A peer's figures are live: traffic both ways, camera frames with a size and a codec, a round trip.
const live = (st) => !!st && st.kbpsIn > 0 && st.kbpsOut > 0 && st.fps > 0 && st.width > 0 && st.height > 0 &&
  typeof st.codec === 'string' && st.codec.length > 0 && typeof st.rttMs === 'number' && st.rttMs >= 0 &&
  typeof st.lossPct === 'number' && st.lossPct >= 0;
const allLive = (s) => s.room?.peers.length === 2 &&
  s.room.peers.every((p) => live(p.stats) && p.route !== null && QUALITIES.includes(p.quality));

// The RGBA bytes of `rect` (CSS pixels; the page's scale is 1) in a screenshot.
async function rectPixels(page, rect) {
  const clip = { x: Math.round(rect.x), y: Math.round(rect.y), width: Math.round(rect.w), height: Math.round(rect.h) };
  return PNG.sync.read(await page.screenshot({ clip })).data;
}
// How many pixels of two same-sized captures differ visibly.
function changedPixels(a, b) {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 30) n++;
  }
  return n;
}

test('three people: each tile judges its connection; the stats panel shows live figures per peer and its plots move', async () => {
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => openPerson(env.browser, env.server.url, n)));
  pages.push(alice, bob, carol);
  await enterNames([[alice, 'Alice'], [bob, 'Bob'], [carol, 'Carol']]);
  const room = await createRoomByUi(alice, 'Stats room');
  for (const p of [alice, bob, carol]) {
    await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), room);
    await click(p, `join:${room}`);
    await waitForState(p, (s) => s.screen === 'call');
  }
  for (const p of [alice, bob, carol])
    await waitForState(p, (s) => s.room.peers.length === 2 && s.room.peers.every((x) => x.framesDecoded > 0), null, 40000);

  // Everyone has live figures for everyone, a route and a verdict, before any panel is opened.
  const figures = {};
  for (const [name, p] of [['alice', alice], ['bob', bob], ['carol', carol]]) {
    const s = await waitForState(p, allLive, null, 20000);
    figures[name] = s.room.peers.map((x) => ({ id: x.id, route: x.route, quality: x.quality, stats: x.stats }));
    for (const x of s.room.peers) {
      assert.deepEqual(Object.keys(x.stats).sort(), [...KEYS, 'codec', 'height', 'width'].sort());
      // Each tile shows its verdict as signal bars in its name bar, beside the route.
      const bars = await widget(p, `quality:${x.id}`);
      const route = await widget(p, `route:${x.id}`);
      assert.ok(bars.x + bars.w <= route.x && Math.abs((bars.y + bars.h / 2) - (route.y + route.h / 2)) < 4,
        `the bars sit left of the route: ${JSON.stringify({ bars, route })}`);
    }
  }
  saveReport('stats-figures.json', figures);
  console.log('stats: ' + JSON.stringify(figures));

  // The panel: opened by its button, a plot per peer and figure.
  let s = await state(alice);
  assert.equal(s.statsOpen, false);
  await click(alice, 'stats-toggle');
  s = await waitForState(alice, (s) => s.statsOpen === true && s.chatOpen === false && s.peopleOpen === false);
  const panel = await widget(alice, 'stats-panel');
  for (const x of s.room.peers) {
    for (const key of KEYS) {
      const plot = await widget(alice, `stats-plot:${x.id}:${key}`);
      assert.ok(plot.x >= panel.x && plot.x + plot.w <= panel.x + panel.w + 1, `${key} of ${x.id} inside the panel`);
    }
  }
  // The plots move: the same plot a couple of seconds apart (two polls later) is not the same picture.
  // Only the lines count: the right half of the plot under its label and figure (which change as
  // text), right of the scale's figure; the newest second is at the right edge.
  const first = s.room.peers[0].id;
  for (const key of ['kbpsIn', 'fps']) {
    const plot = await widget(alice, `stats-plot:${first}:${key}`);
    const rect = { x: plot.x + plot.w / 2, y: plot.y + 28, w: plot.w / 2, h: plot.h - 28 };
    const before = await rectPixels(alice, rect);
    await new Promise((r) => setTimeout(r, 2500));
    const after = await rectPixels(alice, rect);
    const changed = changedPixels(before, after);
    assert.ok(changed > 50, `the ${key} plot moved: ${changed} pixels changed`);
  }
  await waitForState(alice, allLive, null, 10000);  // still live with the panel open
  await screenshot(alice, 'stats-plots.png');

  // With a screen shared beside the camera, the frames and size stay the camera's; bytes in count both.
  // (The camera's encoded size may change as the sender adapts; it is never the screen's.)
  const bobId = (await state(bob)).room.self.id;
  await click(bob, 'share-screen');
  s = await waitForState(alice, (s) => {
    const b = s.room.peers.find((x) => x.id === bobId);
    return b.screen && b.screen.framesDecoded > 30 && b.screen.width > 0 && live(b.stats);
  }, null, 30000);
  const shared = s.room.peers.find((x) => x.id === bobId);
  assert.notDeepEqual([shared.stats.width, shared.stats.height], [shared.screen.width, shared.screen.height],
    `the camera's size, not the screen's: ${JSON.stringify(shared)}`);
  await click(bob, 'share-screen');
  await waitForState(alice, (s) => s.room.peers.find((x) => x.id === bobId).screen === null, null, 20000);

  // One side panel at a time: People closes the stats; the stats' own Close closes it.
  await click(alice, 'people-toggle');
  await waitForState(alice, (s) => s.peopleOpen === true && s.statsOpen === false);
  await click(alice, 'stats-toggle');
  await waitForState(alice, (s) => s.statsOpen === true && s.peopleOpen === false);
  await click(alice, 'stats-close');
  await waitForState(alice, (s) => s.statsOpen === false);

  // Someone leaving takes their figures along.
  const carolId = (await state(carol)).room.self.id;
  await click(carol, 'leave');
  s = await waitForState(alice, (s, id) => s.room.peers.length === 1 && !s.room.peers.some((x) => x.id === id), carolId);
  assert.ok(live(s.room.peers[0].stats));
  for (const p of [alice, bob]) await click(p, 'leave');
});
