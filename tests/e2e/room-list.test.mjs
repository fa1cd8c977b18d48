// A lobby with more rooms than the window holds: only rows a person can see are reported (and
// clickable) in widgets(); the list scrolls with the mouse wheel and with a finger on a touch
// screen (following the finger); the filter field finds rooms by part of their name, in any case,
// in Korean too, and says so when none matches.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  click, launchBrowser, openPerson, screenshot, startServer, state, typeInto, waitForState, widget,
} from './lib.mjs';

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const kRooms = 30;
const names = [...Array.from({ length: kRooms - 1 }, (_, i) => `Room ${String(i + 1).padStart(2, '0')}`),
  '\uAC00\uC871 \uBAA8\uC784'];  // 가족 모임: the last one

// Creates the rooms over the page's own origin (the server's Origin check), quicker than the dialog.
async function createRooms(page, list) {
  await page.evaluate((list) => new Promise((resolve, reject) => {
    const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws');
    let created = 0;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'hello', version: 3 }));
      for (const name of list) ws.send(JSON.stringify({ type: 'create-room', name, capacity: 4 }));
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'error') reject(new Error(e.data));
      if (m.type === 'room-created' && ++created === list.length) { ws.close(); resolve(); }
    };
  }), list);
}

const joinButtons = async (page) => (await page.evaluate(() => window.app.widgets())).filter((w) => w.id.startsWith('join:'));
const idOf = (s, name) => s.rooms.find((r) => r.name === name).id;

test('a long room list: visible rows only, wheel and touch scrolling, and a filter', async () => {
  const server = await startServer({ args: ['--max-rooms-per-address-per-hour', '0', '--max-live-rooms-per-address', '0'] });
  cleanups.push(() => server.stop());
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const page = await openPerson(browser, server.url, 'ana');
  await typeInto(page, 'name-input', 'Ana');
  await page.keyboard.press('Enter');
  await createRooms(page, names);
  const s = await waitForState(page, (s, n) => s.rooms.length === n, kRooms);
  await widget(page, `join:${idOf(s, 'Room 01')}`);

  // Only what is on screen, and all of it inside the list (below the header, above the window's bottom).
  const create = await widget(page, 'create-room');
  const viewport = page.viewportSize();
  let buttons = await joinButtons(page);
  assert.ok(buttons.length > 3 && buttons.length < kRooms, `${buttons.length} of ${kRooms} rows on screen`);
  for (const b of buttons) {
    assert.ok(b.y >= create.y + create.h && b.y + b.h <= viewport.height, `${b.id} at y ${b.y}..${b.y + b.h} is outside the list`);
  }
  const last = `join:${idOf(s, names.at(-1))}`;
  assert.ok(!buttons.some((b) => b.id === last), 'the last room is not on screen yet');
  await screenshot(page, 'room-list-top.png');

  // The wheel brings the last room into view.
  const first = buttons[0];
  await page.mouse.move(first.x - 200, first.y + first.h / 2);
  for (let i = 0; i < 20 && !(await joinButtons(page)).some((b) => b.id === last); ++i) {
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(50);
  }
  buttons = await joinButtons(page);
  assert.ok(buttons.some((b) => b.id === last), 'the wheel scrolled to the last room');
  for (const b of buttons) assert.ok(b.y >= create.y + create.h && b.y + b.h <= viewport.height, `${b.id} outside the list after scrolling`);
  await screenshot(page, 'room-list-bottom.png');

  // Touch: a finger dragged up by 240 px moves the rows up by as much (a phone-sized touch context).
  const phone = await browser.newContext({ viewport: { width: 420, height: 800 }, hasTouch: true, isMobile: true });
  cleanups.push(() => phone.close());
  const touchPage = await phone.newPage();
  await touchPage.goto(server.url);
  await touchPage.waitForFunction(() => window.app.state().connected === true && window.app.state().rooms.length > 0);
  const top = `join:${idOf(s, 'Room 03')}`;
  const before = await widget(touchPage, top);
  const cdp = await phone.newCDPSession(touchPage);
  const x = 60, y0 = before.y + 100, drag = 240, steps = 12;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: y0 }] });
  for (let i = 1; i <= steps; ++i) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y0 - (drag * i) / steps }] });
    await touchPage.waitForTimeout(20);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  const movedTo = await widget(touchPage, `join:${idOf(s, 'Room 08')}`);
  const after = (await joinButtons(touchPage)).find((b) => b.id === top);
  const moved = after ? before.y - after.y : null;
  // Room 03 may have left the list's top; then Room 08's place says how far the rows went.
  const rowPitch = 70;
  const movedByRoom08 = before.y + 5 * rowPitch - movedTo.y;
  assert.ok(Math.abs((moved ?? movedByRoom08) - drag) <= 3, `rows moved ${moved ?? movedByRoom08} px for a ${drag} px drag`);
  // A tap still taps: the filter field takes the keyboard.
  const field = await widget(touchPage, 'room-filter');
  await touchPage.touchscreen.tap(field.x + field.w / 2, field.y + field.h / 2);
  await touchPage.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  await screenshot(touchPage, 'room-list-touch.png');

  // The filter: part of a name, any case; the list shows those only and widgets() agrees.
  await typeInto(page, 'room-filter', 'ROOM 2');
  const filtered = await waitForState(page, (s) => s.roomFilter === 'ROOM 2');
  const shownNames = filtered.rooms.filter((r) => r.shown).map((r) => r.name).sort();
  assert.deepEqual(shownNames, Array.from({ length: 9 }, (_, i) => `Room 2${i + 1}`).concat('Room 20').sort());
  await page.waitForTimeout(100);
  const shownIds = new Set(filtered.rooms.filter((r) => r.shown).map((r) => `join:${r.id}`));
  buttons = await joinButtons(page);
  assert.ok(buttons.length > 0 && buttons.every((b) => shownIds.has(b.id)), `only matching rooms are listed: ${buttons.map((b) => b.id)}`);
  assert.equal(buttons[0].id, `join:${idOf(s, 'Room 20')}`, 'a new filter shows its matches from the top (the list was scrolled down)');
  await screenshot(page, 'room-list-filtered.png');

  // Korean, through the IME overlay.
  await typeInto(page, 'room-filter', '\uBAA8\uC784');
  await waitForState(page, (s) => s.roomFilter === '\uBAA8\uC784');
  await page.waitForTimeout(100);
  assert.deepEqual((await joinButtons(page)).map((b) => b.id), [last]);

  // Nothing matches: no rows, and the list says why.
  await typeInto(page, 'room-filter', 'retro');
  await waitForState(page, (s) => s.roomFilter === 'retro' && s.rooms.every((r) => !r.shown));
  await page.waitForTimeout(100);
  assert.equal((await joinButtons(page)).length, 0);
  await screenshot(page, 'room-list-no-match.png');

  // Cleared, every room is back; a row found by the filter joins that room.
  await typeInto(page, 'room-filter', '');
  await waitForState(page, (s, n) => s.roomFilter === '' && s.rooms.filter((r) => r.shown).length === n, kRooms);
  await typeInto(page, 'room-filter', '07');
  await waitForState(page, (s) => s.roomFilter === '07');
  await click(page, `join:${idOf(s, 'Room 07')}`);
  await waitForState(page, (s, id) => s.screen === 'call' && s.room.id === id, idOf(s, 'Room 07'));
});
