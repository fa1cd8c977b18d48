// Shared helpers for Moim's end-to-end tests: a real moim-server process, Debian's Chromium with a
// fake camera and microphone, and input through real mouse clicks and keyboard typing at the
// rectangles window.app.widgets() reports. Results are read only through window.app.state() and
// the canvas pixels (docs/TESTING.md).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const serverBinary = process.env.MOIM_SERVER ?? path.join(repo, 'build/native/server/moim-server');
export const siteRoot = process.env.MOIM_SITE ?? path.join(repo, 'build/wasm/site');
export const artifacts = process.env.MOIM_ARTIFACTS ?? path.join(repo, 'build/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// Starts the real server; resolves once it prints its "listening" line. Rooms go to a fresh data
// folder unless `dataDir` names one (restart tests pass the same folder again); `port` reuses a port.
// `netns`: run it inside that network namespace (netns.mjs), listening on `address` (default
// 127.0.0.1, whose page is http://localhost:PORT/; any other address is the page's host).
export async function startServer({ dataDir, port: wantedPort, args = [], netns, address = '127.0.0.1' } = {}) {
  const port = wantedPort ?? await freePort();
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'moim-e2e-'));
  const argv = [serverBinary, '--port', String(port), '--address', address, '--root', siteRoot, '--data-dir', dir, ...args];
  // `ip netns exec` execs the server: the child's pid and signals are the server's own.
  const proc = netns ? spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + log)), 10000);
    proc.stdout.on('data', (d) => {
      log += d;
      if (log.includes('listening')) { clearTimeout(timer); resolve(); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${log}`)); });
  });
  return {
    url: `http://${address === '127.0.0.1' ? 'localhost' : address}:${port}/`,
    port,
    address,
    dataDir: dir,
    kill: (signal = 'SIGKILL') => new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', resolve);
      proc.kill(signal);
    }),
    log: () => log,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
    }),
  };
}

// One server and one Chromium for a test file: started before its tests, closed after them (also when
// one failed). Returns the object that holds them, as `server` and `browser`, once started. `pages`:
// the file's pages; at the end, the console of each that had a page error is printed.
// Node runs a file's top-level before() hooks side by side, not one after another: another before()
// of the file cannot use the server or browser (video-colors.test.mjs starts its own).
// `browserArgs`: Chromium flags added to lib's (a later flag wins over an earlier one of the same name).
export function useServerAndBrowser({ pages = [], browserArgs = [] } = {}) {
  const started = {};
  before(async () => {
    started.server = await startServer();
    started.browser = await launchBrowser({ args: browserArgs });
  });
  after(async () => {
    for (const p of pages) if (p.consoleLines.some((l) => l.includes('PAGE ERROR'))) console.log(p.consoleLines.join('\n'));
    await started.browser?.close();
    await started.server?.stop();
  });
  return started;
}

// `fakeMediaUi`: true = camera/mic prompts are accepted automatically; false = they are denied.
// `executablePath`: another way to start Chromium, e.g. netns.mjs's chromiumWrapper (inside a
// network namespace).
export async function launchBrowser({ fakeMediaUi = true, args: extra = [], executablePath = '/usr/bin/chromium' } = {}) {
  const args = [...(fakeMediaUi ? [...chromiumArgs, '--use-fake-ui-for-media-stream'] : chromiumArgs), ...extra];
  return chromium.launch({ executablePath, headless: true, args });
}

// A person: a separate browser context (own storage, own camera) with the app open.
// `recordSignals`: every `signal` message the page receives from the server is kept, parsed, in
// page.signalsReceived (see receivedCandidates).
// `recordIce`: every `ice` message (with its credentials, which state() does not show) in page.iceReceived.
// `recordMediaRequests`: the constraints of every getUserMedia call, as the browser got them (see
// mediaRequests).
// `recordPeerConnections`: every RTCPeerConnection the page makes, in window.__pcs (read their senders'
// getParameters() and getStats() from the test).
export async function openPerson(browser, url, label, { permissions, recordSignals = false, recordIce = false, recordMediaRequests = false,
  recordPeerConnections = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (recordPeerConnections) {
    await context.addInitScript(() => {
      const Original = window.RTCPeerConnection;
      window.__pcs = [];
      if (!Original) return;
      window.RTCPeerConnection = class extends Original {
        constructor(...args) { super(...args); window.__pcs.push(this); }
      };
    });
  }
  if (permissions) await context.grantPermissions(permissions, { origin: url });
  if (recordMediaRequests) {
    await context.addInitScript(() => {
      const devices = navigator.mediaDevices;
      window.__mediaRequests = [];
      if (!devices || !devices.getUserMedia) return;
      const original = devices.getUserMedia.bind(devices);
      devices.getUserMedia = (constraints) => {
        window.__mediaRequests.push(JSON.parse(JSON.stringify(constraints ?? null)));
        return original(constraints);
      };
    });
  }
  const page = await context.newPage();
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`[${label}] ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`[${label}] PAGE ERROR ${e.message}`));
  if (recordSignals) {
    page.signalsReceived = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"signal"')) return;
      try {
        const message = JSON.parse(payload);
        if (message.type === 'signal') page.signalsReceived.push(message);
      } catch { /* not JSON: the app reports it */ }
    }));
  }
  if (recordIce) {
    page.iceReceived = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.startsWith('{"type":"ice"')) return;
      try { page.iceReceived.push(JSON.parse(payload)); } catch { /* not JSON: the app reports it */ }
    }));
  }
  await page.goto(url);
  await page.waitForFunction(() => window.app.state().connected === true, null, { timeout: 20000 });
  return page;
}

// A page of send-only peers (send_only_peers.js) in `browser`: the server's own "not found" page, so
// a document at the server's origin (its Origin check passes) that came from loopback (so Chromium
// lets it open sockets to loopback), with the script added. Drive it with page.evaluate on
// window.sendOnlyPeers; `joinSendOnlyPeer` below does one join.
export async function openSendOnlyPeers(browser, url) {
  // bypassCSP: the server's Content-Security-Policy (rightly) refuses the inline script that
  // addScriptTag makes; this page is test equipment, not the app.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`[send-only peers] ${m.text()}`));
  const where = new URL('/send-only-peers', url).href;
  await page.goto(where);
  await page.addScriptTag({ path: path.join(here, 'send_only_peers.js') });
  page.wsUrl = where.replace(/^http/, 'ws').replace(/\/send-only-peers$/, '/ws');
  return page;
}
export const joinSendOnlyPeer = (peersPage, room, name, targetName, source = 'camera', options = {}) =>
  peersPage.evaluate(([u, r, n, t, s, o]) => window.sendOnlyPeers.join(u, r, n, t, s, o), [peersPage.wsUrl, room, name, targetName, source, options]);
// A send-only publisher in large room `room` (it publishes to the media server, subscribes to
// nothing); resolves to its peer id. `options`: {video: {width, height, fps}}.
export const joinLargeRoomPublisher = (peersPage, room, name, options = {}) =>
  peersPage.evaluate(([u, r, n, o]) => window.sendOnlyPeers.joinLargeRoom(u, r, n, o), [peersPage.wsUrl, room, name, options]);

export const state = (page) => page.evaluate(() => window.app.state());

// The ICE candidates a page recorded with `recordSignals` received from the other peers, from the
// SDP of offers and answers (a=candidate lines) and from trickled candidates:
// [{from, via: 'sdp' | 'trickle', type: 'host' | 'srflx' | 'prflx' | 'relay', protocol, address, port, line}].
export function receivedCandidates(page) {
  if (!page.signalsReceived) throw new Error('receivedCandidates: open the page with recordSignals');
  return candidatesIn(page.signalsReceived);
}

// The ICE candidates in parsed `signal` or `media-signal` messages (their `sdp` and trickled
// `candidate`), as receivedCandidates lists them (`from`: the message's, undefined in a media-signal).
export function candidatesIn(messages) {
  const parse = (from, via, line) => {
    const f = line.replace(/^a=/, '').replace(/^candidate:/, '').trim().split(/\s+/);
    // foundation component protocol priority address port "typ" type ...
    return { from, via, protocol: f[2]?.toLowerCase(), address: f[4], port: Number(f[5]), type: f[7], line };
  };
  const out = [];
  for (const m of messages) {
    if (typeof m.sdp === 'string') {
      for (const line of m.sdp.split(/\r?\n/)) if (line.startsWith('a=candidate:')) out.push(parse(m.from, 'sdp', line));
    }
    const c = m.candidate?.candidate;
    if (typeof c === 'string' && c.length > 0) out.push(parse(m.from, 'trickle', c));
  }
  return out;
}

// The getUserMedia constraints a page opened with `recordMediaRequests` passed, in order.
export const mediaRequests = (page) => page.evaluate(() => window.__mediaRequests);

// The m-lines of an SDP in order, each as "kind:direction" (the section's a=sendrecv, sendonly,
// recvonly or inactive; sendrecv when it says none), e.g. "audio:sendrecv video:recvonly".
export function mediaLines(sdp) {
  const lines = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\w+) /.exec(line);
    if (m) lines.push({ kind: m[1], direction: 'sendrecv' });
    const a = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (a && lines.length) lines[lines.length - 1].direction = a[1];
  }
  return lines.map((l) => `${l.kind}:${l.direction}`).join(' ');
}

// Polls the page's state and tests it here, in Node: building the predicate inside the page would
// need eval, which the server's Content-Security-Policy (rightly) refuses.
export async function waitForState(page, predicate, arg, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const s = await state(page);
    if (predicate(s, arg ?? null)) return s;
    if (Date.now() > deadline) {
      const error = new Error(`waitForState: Timeout ${timeout}ms exceeded waiting for ${predicate}`);
      error.name = 'TimeoutError';
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The widget's rectangle once it has stayed put for a few frames (as a person would see it).
export async function widget(page, id, timeout = 10000) {
  const handle = await page.waitForFunction((wid) => {
    const w = window.app.widgets().find((x) => x.id === wid);
    const key = w ? `${w.x},${w.y},${w.w},${w.h}` : '';
    const seen = (window.__moimStable ??= {});
    const prev = seen[wid];
    seen[wid] = { key, n: prev && prev.key === key ? prev.n + 1 : 1 };
    return w && seen[wid].n >= 3 ? w : null;
  }, id, { timeout, polling: 30 });
  return handle.jsonValue();
}

export async function click(page, id) {
  const w = await widget(page, id);
  await page.mouse.click(w.x + w.w / 2, w.y + w.h / 2);
}

// Clicks a text field, replaces its content by typing, and leaves it focused. `paste`: the text
// arrives as one input event, as a paste does. For long text: typing hundreds of keys at machine
// speed redraws on every key and keeps the page from running its timers and socket events for tens
// of seconds (the server then drops the silent connection).
export async function typeInto(page, id, text, { paste = false } = {}) {
  await click(page, id);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  if (paste) await page.keyboard.insertText(text);
  else await page.keyboard.type(text);
}

// Types each person's display name into the lobby's field and commits it: [[page, name], ...].
// Clicks Join on a locked room, types the password into the prompt and confirms it.
export async function joinWithPassword(page, roomId, password) {
  const s = await state(page);
  if (s.modal?.kind !== 'password') {
    await click(page, `join:${roomId}`);
    await waitForState(page, (s, id) => s.modal?.kind === 'password' && s.modal.room === id, roomId);
  }
  await typeInto(page, 'password-input', password);
  await click(page, 'password-confirm');
}

export async function enterNames(people) {
  for (const [page, name] of people) {
    await typeInto(page, 'name-input', name);
    await page.keyboard.press('Enter');
  }
}

// Join with the camera off (the pre-join card's button), for tests about something else than
// cameras: on this 2-core machine, four pages each encoding and decoding three cameras starve the
// pages (a state() read took 12 s in a four-person call) and make timing checks fail.
export async function cameraOff(page) {
  await waitForState(page, (s) => s.devices.cameraInUse !== '' && s.devices.cameraOn === true, null, 15000);
  await click(page, 'prejoin-camera');
  await waitForState(page, (s) => s.devices.cameraOn === false);
}
// Creates an open room through the dialog; resolves to its id once the creator's list shows it.
export async function createRoomByUi(page, name) {
  await click(page, 'create-room');
  await typeInto(page, 'room-name-input', name);
  await page.keyboard.press('Enter');
  const s = await waitForState(page, (s, n) => s.rooms.some((r) => r.name === n), name);
  return s.rooms.find((r) => r.name === name).id;
}

export async function screenshot(page, name) {
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file });
  return file;
}

// Fraction of the pixels inside `rect` that differ from the tile's placeholder background, and
// their luminance spread: a live video tile is neither blank nor the "camera off" placeholder.
export async function tilePixels(page, rect) {
  const png = PNG.sync.read(await page.screenshot());
  const placeholder = [30, 34, 44];
  let differing = 0, n = 0, sum = 0, sumSq = 0;
  const x0 = Math.ceil(rect.x + 4), y0 = Math.ceil(rect.y + 4);
  const x1 = Math.floor(rect.x + rect.w - 4), y1 = Math.floor(rect.y + rect.h - 4);
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = (y * png.width + x) * 4;
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      const d = Math.abs(r - placeholder[0]) + Math.abs(g - placeholder[1]) + Math.abs(b - placeholder[2]);
      if (d > 24) differing++;
      const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      sum += l; sumSq += l * l; n++;
    }
  }
  const mean = sum / n;
  return { differing: differing / n, stddev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), mean };
}

// Resolves with the pixels of widget `id` (a tile or the lobby's `preview`) once they show video
// (as tilePixels counts: most of it off the placeholder, not dark); throws with the last reading
// when they do not within `timeout` ms.
export async function waitForVideo(page, id, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    const px = await tilePixels(page, await widget(page, id));
    if (px.differing > 0.6 && px.mean > 20) return px;
    if (Date.now() > end) throw new Error(`waitForVideo: ${id} shows no video after ${timeout} ms: ${JSON.stringify(px)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function saveReport(name, data) {
  writeFileSync(path.join(artifacts, name), JSON.stringify(data, null, 2));
}

// `page` checks every 50 ms (in the page) that peer `id` is in its call; sawMissing: was it ever not?
export const watchPresence = (page, id) => page.evaluate((id) => {
  window.__sawMissing = false;
  window.__watch = setInterval(() => {
    const s = window.app.state();
    if (!s.room || !s.room.peers.some((q) => q.id === id)) window.__sawMissing = true;
  }, 50);
}, id);
export const sawMissing = (page) => page.evaluate(() => window.__sawMissing);

// Clicks the widget and gives the file picker that opens `file`.
export async function pickFile(page, widgetId, file) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click(page, widgetId)]);
  await chooser.setFiles(file);
}
// Saves the received transfer `id` into `dir`; resolves to the downloaded file's path and name.
export async function saveReceived(page, id, dir) {
  const [download] = await Promise.all([page.waitForEvent('download'), click(page, `file-save:${id}`)]);
  const file = path.join(dir, `${randomUUID()}.download`);
  await download.saveAs(file);
  return { file, name: download.suggestedFilename() };
}
