// Korean and English (issue 14, item 8; shared/ui_text.hpp): a browser that prefers Korean gets the
// Korean UI with Hangul from the very first frame (the UI's own letters are in the start-up font:
// fonts/hangul.ttf is never fetched for them); the lobby's language button changes every string
// and is remembered; a refusal from the server is said in the person's language (its code's
// catalog entry, not the server's English sentence).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import {
  artifacts, click, createRoomByUi, enterNames, screenshot, state, typeInto, useServerAndBrowser, waitForState, widget,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages });

const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7A3]/;
const LATIN = /[A-Za-z]/;

// Runs in the page before its scripts: the moment the loading screen goes (right after the app's
// first frame, within the same task: a MutationObserver's callback comes before any other frame),
// the canvas as drawn (the WebGL context preserves its buffer), what the app says it drew, and the
// fonts the page had fetched by then.
function captureFirstFrame() {
  new MutationObserver((changes, observer) => {
    const box = document.getElementById('loading');
    if (!box || !box.classList.contains('hidden') || window.__firstFrame) return;
    observer.disconnect();
    const canvas = document.getElementById('canvas');
    window.__firstFrame = {
      png: canvas.toDataURL('image/png'),
      fonts: performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/fonts/')),
      state: window.app.state(),
      texts: window.app.texts(),
      widgets: window.app.widgets(),
      dpr: window.devicePixelRatio,
    };
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['class'] });
}

// A person whose browser prefers `locale` (Playwright sets navigator.language), with every font
// request the page makes recorded (page.fontRequests).
async function openWithLocale(locale, label) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  await context.addInitScript(captureFirstFrame);
  const page = await context.newPage();
  page.consoleLines = [];
  page.fontRequests = [];
  page.on('console', (m) => page.consoleLines.push(`[${label}] ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`[${label}] PAGE ERROR ${e.message}`));
  page.on('request', (r) => { if (r.url().includes('/fonts/')) page.fontRequests.push(r.url()); });
  pages.push(page);
  await page.goto(env.server.url);
  await page.waitForFunction(() => window.app.state().connected === true, null, { timeout: 20000 });
  return page;
}

async function firstFrame(page, file) {
  const frame = await (await page.waitForFunction(() => window.__firstFrame ?? null)).jsonValue();
  const bytes = Buffer.from(frame.png.replace(/^data:image\/png;base64,/, ''), 'base64');
  writeFileSync(path.join(artifacts, file), bytes);
  frame.image = PNG.sync.read(bytes);
  return frame;
}

// Pixels of `rect` (CSS pixels) in `image` brighter than the background by a margin: the ink of its text.
function ink(image, rect, dpr = 1) {
  let n = 0;
  const lum = (i) => 0.2126 * image.data[i] + 0.7152 * image.data[i + 1] + 0.0722 * image.data[i + 2];
  const x0 = Math.ceil(rect.x * dpr) + 2, y0 = Math.ceil(rect.y * dpr) + 2;
  const x1 = Math.floor((rect.x + rect.w) * dpr) - 2, y1 = Math.floor((rect.y + rect.h) * dpr) - 2;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (lum((y * image.width + x) * 4) > 80) n++;
  return n;
}
function crop(image, rect, dpr = 1) {
  const out = [];
  for (let y = Math.ceil(rect.y * dpr); y < Math.floor((rect.y + rect.h) * dpr); y++)
    for (let x = Math.ceil(rect.x * dpr); x < Math.floor((rect.x + rect.w) * dpr); x++) out.push(image.data[(y * image.width + x) * 4]);
  return out;
}

test('a browser preferring Korean shows the Korean UI from its first frame, with no Hangul font fetched', async () => {
  const ko = await openWithLocale('ko-KR', 'ko');
  const en = await openWithLocale('en-US', 'en');
  const kf = await firstFrame(ko, 'i18n-first-frame-ko.png');
  const ef = await firstFrame(en, 'i18n-first-frame-en.png');

  // The first frame is Korean: its state says so, every word it drew that is not a name is Hangul
  // (the language button names English in English), and no character lacked its glyph.
  assert.equal(kf.state.language, 'ko');
  assert.equal(ef.state.language, 'en');
  const words = kf.texts.filter((t) => LATIN.test(t) || HANGUL.test(t));
  assert.ok(words.length >= 6, `the first frame drew words: ${JSON.stringify(kf.texts)}`);
  for (const t of words) if (t !== 'English') assert.match(t, HANGUL, `"${t}" in the Korean first frame`);
  assert.ok(kf.texts.includes('방 목록') && kf.texts.includes('+  방 만들기'), JSON.stringify(kf.texts));
  assert.equal(kf.state.glyphsMissing, '', 'every character of the first frame has its glyph');
  assert.equal(ef.state.glyphsMissing, '');
  // No Hangul font before that frame, nor since: the lobby's Hangul is the start-up font's.
  assert.deepEqual(kf.fonts.filter((u) => u.includes('hangul.ttf')), []);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await state(ko)).glyphsMissing, '');
  assert.deepEqual(ko.fontRequests.filter((u) => u.endsWith('/fonts/hangul.ttf')), [], 'fonts/hangul.ttf was not requested');

  // The glyphs really are drawn: the empty name field's Korean hint has the ink of Hangul letters
  // (ImGui's "?" for a missing glyph has about a third of it), and differs from the English hint.
  const field = kf.widgets.find((w) => w.id === 'name-input');
  assert.equal(field.label, '다른 사람에게 보일 이름');
  const letters = [...field.label].filter((c) => HANGUL.test(c)).length;
  const perLetter = ink(kf.image, field, kf.dpr) / letters;
  assert.ok(perLetter > 35, `ink per Hangul letter in the hint: ${perLetter.toFixed(1)}`);
  const enField = ef.widgets.find((w) => w.id === 'name-input');
  assert.notDeepEqual(crop(kf.image, field, kf.dpr), crop(ef.image, enField, ef.dpr));
  saveFirstFrameReport(kf, perLetter);
  await screenshot(ko, 'i18n-lobby-ko.png');

  // Hangul beyond the UI's words (a name) still brings the Hangul font, lazily, as before.
  await typeInto(ko, 'name-input', '뷁');
  await ko.keyboard.press('Enter');
  await ko.waitForFunction(() => window.app.texts().includes('뷁'));
  await waitForState(ko, (s) => s.glyphsMissing === '', null, 10000);
  assert.ok(ko.fontRequests.some((u) => u.endsWith('/fonts/hangul.ttf')), 'a name\'s letters bring fonts/hangul.ttf');
});

function saveFirstFrameReport(kf, perLetter) {
  writeFileSync(path.join(artifacts, 'i18n-first-frame.json'),
    JSON.stringify({ texts: kf.texts, fonts: kf.fonts, glyphsMissing: kf.state.glyphsMissing, inkPerHangulLetter: perLetter }, null, 2));
}

// Everything the lobby shows in words: each widget's label by id, and every text drawn.
async function lobbyWords(page) {
  return page.evaluate(() => ({
    labels: Object.fromEntries(window.app.widgets().filter((w) => w.label).map((w) => [w.id, w.label])),
    texts: window.app.texts(),
  }));
}

test('the language button changes every string of the lobby and is remembered', async () => {
  const bob = await openWithLocale('en-US', 'bob');
  const ann = await openWithLocale('en-US', 'ann');
  await enterNames([[bob, 'Bob']]);
  const standup = await createRoomByUi(bob, 'Standup');
  await createRoomByUi(ann, 'Retro');  // Ann's own: Rename and Delete on its row
  // A banner too: Ann joins before typing her name.
  await waitForState(ann, (s, id) => s.rooms.some((r) => r.id === id), standup);
  await click(ann, `join:${standup}`);
  await waitForState(ann, (s) => s.error === 'Enter your name first.');
  await ann.keyboard.press('Escape');  // the name field lets go of the keyboard
  await ann.mouse.move(5, 790);
  await waitForState(ann, (s) => s.language === 'en' && s.rooms.length === 2);
  // Room names, people's names and the browser's names of devices are never translated.
  const user = new Set(['Standup', 'Retro', '']);
  // The pre-join card's pickers are listed (their words are the catalog's, the devices' names not).
  const listed = await waitForState(ann, (s) => s.devices.cameras.length > 0 && s.devices.mics.length > 0, null, 15000);
  for (const d of [...listed.devices.cameras, ...listed.devices.mics]) user.add(d.label);
  await new Promise((r) => setTimeout(r, 300));
  const before = await lobbyWords(ann);
  for (const id of ['language-toggle', 'create-room', 'room-filter', 'name-input', `join:${standup}`])
    assert.ok(before.labels[id], `${id} has a label: ${JSON.stringify(before.labels)}`);
  assert.ok(Object.keys(before.labels).some((id) => id.startsWith('rename:')) && before.texts.includes('Enter your name first.'));
  assert.equal(before.labels['language-toggle'], '한국어');
  assert.ok(before.texts.includes('Camera') && before.texts.includes('Microphone'), 'the pickers are drawn');
  assert.equal(before.labels['prejoin-mic'], 'Mic on');
  await screenshot(ann, 'i18n-switch-before-en.png');

  await click(ann, 'language-toggle');
  await waitForState(ann, (s) => s.language === 'ko' && s.error === '먼저 이름을 입력하세요.');
  await ann.waitForFunction(() => window.app.texts().includes('+  방 만들기'));  // a frame drawn in Korean
  await new Promise((r) => setTimeout(r, 300));
  const after = await lobbyWords(ann);
  await screenshot(ann, 'i18n-switch-after-ko.png');
  assert.ok(after.texts.includes('카메라') && after.texts.includes('마이크'), JSON.stringify(after.texts));
  assert.equal(after.labels['prejoin-mic'], '마이크 켜짐');
  // Every widget's words changed (but "×", which has none)...
  for (const [id, label] of Object.entries(before.labels)) {
    if (!LATIN.test(label) && !HANGUL.test(label)) continue;
    assert.ok(after.labels[id], `${id} is still there`);
    assert.notEqual(after.labels[id], label, `${id}: "${label}" did not change`);
  }
  // ...and every text drawn: no English sentence is left, and what has words is Hangul.
  for (const t of before.texts) if (LATIN.test(t) && !user.has(t)) assert.ok(!after.texts.includes(t), `"${t}" is still shown`);
  for (const t of after.texts)
    if ((LATIN.test(t) || HANGUL.test(t)) && !user.has(t) && t !== 'English') assert.match(t, HANGUL, `"${t}" after the switch`);
  assert.equal((await state(ann)).glyphsMissing, '');

  // Remembered: a reload (the browser still prefers English) comes back in Korean...
  await ann.reload();
  await waitForState(ann, (s) => s.connected === true);
  let s = await state(ann);
  assert.equal(s.language, 'ko');
  assert.equal(await ann.evaluate(() => document.documentElement.lang), 'ko');
  // ...and back to English the same way.
  await click(ann, 'language-toggle');
  await waitForState(ann, (s) => s.language === 'en');
  await ann.reload();
  await waitForState(ann, (s) => s.connected === true);
  s = await state(ann);
  assert.equal(s.language, 'en');
  assert.equal((await widget(ann, 'create-room')).label, '+  Create room');
});

test('a refusal from the server is said in Korean: the code, not the server\'s sentence', async () => {
  const dave = await openWithLocale('en-US', 'dave');
  const carol = await openWithLocale('ko-KR', 'carol');
  await enterNames([[dave, 'Dave'], [carol, 'Carol']]);
  await click(dave, 'create-room');
  await typeInto(dave, 'room-name-input', 'Vault');
  await typeInto(dave, 'room-password-input', 'secret');
  await dave.keyboard.press('Enter');
  const vault = (await waitForState(dave, (s) => s.rooms.some((r) => r.name === 'Vault'))).rooms.find((r) => r.name === 'Vault').id;
  await waitForState(carol, (s, id) => s.rooms.some((r) => r.id === id), vault);
  await click(carol, `join:${vault}`);
  await waitForState(carol, (s) => s.modal?.kind === 'password');
  await typeInto(carol, 'password-input', 'not it');
  await carol.keyboard.press('Enter');
  const s = await waitForState(carol, (s) => s.error !== null, null, 10000);
  assert.equal(s.error, '비밀번호가 틀렸습니다.');
  // The server said it in English (its code, password-wrong, is what the page used).
  assert.ok(carol.consoleLines.some((l) => l.includes('server error password-wrong (join): Wrong password.')), carol.consoleLines.join('\n'));
  await carol.waitForFunction(() => window.app.texts().includes('비밀번호가 틀렸습니다.'));
  assert.equal((await state(carol)).glyphsMissing, '');
  await screenshot(carol, 'i18n-server-error-ko.png');
});
