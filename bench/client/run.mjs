// Client benchmarks in headless Chromium with the fake camera, read through window.app.metrics():
//   a. transfer size of everything the page loads: raw, gzip, brotli (and what was actually sent)
//   b. navigation -> first UI frame, and -> room list shown
//   c. join click -> first remote frame for the 2nd, 3rd and 4th joiner, split into phases
//   d. UI CPU per frame (ImGui build + draw submission + texture uploads) with 1, 4 and 6 tiles
// Writes bench/results/parts/client.json (format: bench/README.md).
//   node bench/client/run.mjs [--runs N]
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import {
  click, launchBrowser, openPerson, startServer, state, typeInto, waitForState,
} from '../../tests/e2e/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '..', 'results', 'parts', 'client.json');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const stat = (xs) => ({ median: round(median(xs), 2), min: round(Math.min(...xs), 2), max: round(Math.max(...xs), 2), runs: xs.length });
const metrics = [];
const add = (id, label, unit, xs, target = null, note = undefined) =>
  metrics.push({ id, label, unit, ...stat(xs), target, ...(note ? { note } : {}) });

const server = await startServer();
const browser = await launchBrowser();
const log = (...a) => console.log('[client]', ...a);

try {
  // ---- a. transfer size ------------------------------------------------------------------------
  {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    const responses = new Map();
    cdp.on('Network.responseReceived', (e) => responses.set(e.requestId, { url: e.response.url, encoding: e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || '' }));
    cdp.on('Network.loadingFinished', (e) => { const r = responses.get(e.requestId); if (r) r.transferred = e.encodedDataLength; });
    await page.goto(server.url);
    await page.waitForFunction(() => window.app.state().connected === true);
    await page.waitForTimeout(500);
    let raw = 0, gz = 0, br = 0, sent = 0;
    const files = [];
    for (const [id, r] of responses) {
      if (!r.url.startsWith('http')) continue;
      let body;
      try {
        const b = await cdp.send('Network.getResponseBody', { requestId: id });
        body = Buffer.from(b.body, b.base64Encoded ? 'base64' : 'utf8');
      } catch { continue; }
      const g = zlib.gzipSync(body, { level: 9 }).length;
      const b2 = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
      raw += body.length; gz += g; br += b2; sent += r.transferred ?? 0;
      files.push(`${path.basename(new URL(r.url).pathname) || '/'} ${body.length}/${g}/${b2}${r.encoding ? ' sent ' + r.encoding : ''}`);
    }
    log('assets (raw/gzip/br):', files.join(', '));
    const kb = (x) => round(x / 1024, 1);
    add('page.raw', 'page weight, raw', 'KB', [kb(raw)], null, files.length + ' files');
    add('page.gzip', 'page weight, gzip -9', 'KB', [kb(gz)]);
    add('page.brotli', 'page weight, brotli', 'KB', [kb(br)], { op: '<=', value: 400 }, 'all assets of a first visit (Hangul font loads only for Korean text)');
    add('page.transferred', 'page weight, as transferred', 'KB', [kb(sent)], null, 'bytes on the wire incl. headers, with the server\'s encoding');
    await ctx.close();
  }

  // ---- b. navigation -> first frame, -> room list ----------------------------------------------
  {
    const first = [], list = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext();  // cold cache every time
      const page = await ctx.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => { const m = window.app.metrics(); return m && m.roomListShown !== null; });
      const m = await page.evaluate(() => window.app.metrics());
      first.push(m.firstFrame);
      list.push(m.roomListShown);
      await ctx.close();
    }
    add('nav.first_frame', 'navigation -> first UI frame', 'ms', first, { op: '<=', value: 300 }, 'cold cache, loopback');
    add('nav.room_list', 'navigation -> room list shown', 'ms', list, null, 'cold cache, loopback');
    log('first frame', first, 'room list', list);
  }

  // ---- c. join -> first remote frame, and d. frame costs ---------------------------------------
  const phasesByJoiner = { 2: [], 3: [], 4: [] };
  const frameCosts = { 1: [], 4: [], 6: [] };
  const sampleFrames = async (page, tiles) => {
    await page.waitForTimeout(3000);
    const m = await page.evaluate(() => window.app.metrics());
    const costs = m.frames.filter((f) => f[1] === tiles).slice(-150).map((f) => f[0]);
    frameCosts[tiles].push(...costs);
    return costs;
  };
  // Opens n people, creates a room, and joins them one after another. `onJoined(i, page)` runs after
  // person i has joined (and, from the second on, shown a first remote frame, or timed out).
  const call = async (n, name, onJoined) => {
    const people = [];
    for (let i = 0; i < n; i++) people.push(await openPerson(browser, server.url, `p${i}`));
    for (const [i, p] of people.entries()) await typeInto(p, 'name-input', `Person ${i + 1}`);
    const creator = people[0];
    await click(creator, 'create-room');
    await typeInto(creator, 'room-name-input', name);
    await creator.keyboard.press('Enter');
    const s = await waitForState(creator, (s, n) => s.rooms.some((r) => r.name === n), name);
    const room = s.rooms.find((r) => r.name === name);
    for (const [i, p] of people.entries()) {
      await waitForState(p, (s, [id, n]) => s.rooms.find((r) => r.id === id)?.participants === n, [room.id, i]);
      await click(p, `join:${room.id}`);
      await waitForState(p, (s) => s.screen === 'call');
      if (i > 0) {
        try {
          await p.waitForFunction(() => { const j = window.app.metrics().joins.at(-1); return j && j.firstFrame !== null; },
                                  null, { timeout: 45000, polling: 50 });
        } catch { log(`person ${i + 1} showed no remote frame within 45 s`); }
      }
      await onJoined(i, p);
    }
    return people;
  };
  for (let run = 0; run < RUNS; run++) {
    const people = await call(4, `Bench ${run}`, async (i, p) => {
      if (i === 0 && run === 0) await sampleFrames(p, 1);
      if (i >= 1) {
        const j = (await p.evaluate(() => window.app.metrics())).joins.at(-1);
        if (j.firstFrame !== null) phasesByJoiner[i + 1].push(j);
      }
    });
    if (run === 0) await sampleFrames(people[3], 4);
    for (const p of people) await p.context().close();
    log(`join run ${run + 1}/${RUNS} done`);
  }
  try {  // six people: the heaviest mesh this 2-core machine runs; sampled once everyone is in
    const people = await call(6, 'Bench six', async () => {});
    await waitForState(people[0], (s) => s.room && s.room.peers.length === 5, null, 60000);
    await sampleFrames(people[0], 6);
    for (const p of people) await p.context().close();
  } catch (e) { log('six-person call incomplete:', e.message.split('\n')[0]); }
  for (const k of [2, 3, 4]) {
    const js = phasesByJoiner[k];
    if (!js.length) continue;
    const total = js.map((j) => j.firstFrame - j.click);
    const phase = (a, b) => round(median(js.map((j) => j[b] - j[a])), 0);
    const note = `phases (median ms): media ${phase('click', 'mediaReady')}, socket joined +${phase('mediaReady', 'socketJoined')}, ` +
      `offer sent +${phase('socketJoined', 'offerSent')}, answer received +${phase('offerSent', 'answerReceived')}, ` +
      `ICE connected +${phase('answerReceived', 'iceConnected')}, first frame +${phase('iceConnected', 'firstFrame')}`;
    add(`join.first_frame.${k}`, `join -> first remote frame, joiner ${k}`, 'ms', total, k === 2 ? { op: '<=', value: 250 } : null, note);
  }
  for (const tiles of [1, 4, 6]) {
    const xs = frameCosts[tiles];
    if (!xs.length) continue;
    metrics.push({ id: `ui.frame.${tiles}`, label: `UI CPU per frame, ${tiles} tile${tiles > 1 ? 's' : ''}`, unit: 'ms',
      median: round(median(xs), 2), min: round(Math.min(...xs), 2), max: round(Math.max(...xs), 2), runs: xs.length,
      target: tiles === 6 ? { op: '<=', value: 2 } : null, note: `p95 ${round(pct(xs, 0.95), 2)} ms over ${xs.length} frames` });
  }
} finally {
  await browser.close();
  await server.stop();
}

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ part: 'client', metrics }, null, 2));
for (const m of metrics) log(`${m.label}: ${m.median} ${m.unit} (min ${m.min}, max ${m.max})${m.note ? ' - ' + m.note : ''}`);
