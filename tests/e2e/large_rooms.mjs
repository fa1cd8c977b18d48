// Helpers for the tests of large rooms (media through Janus VideoRoom, issue 15): Janus started as
// ./run.sh --with-sfu starts it, moim-server's arguments to use it, and the create dialog's capacity
// slider set by dragging, and a named person in the lobby (its socket's frames seen, if asked).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after } from 'node:test';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { click, freePort, openPerson, repo, typeInto, waitForState, widget } from './lib.mjs';

// Janus through scripts/janus.sh: its secrets first (--prepare), then Janus, waited for until its
// API port accepts connections. Resolves to { dir, port, rtpPorts, serverArgs (moim-server's
// --janus-*), kill() }; the same again (`reuse`) starts it again after a kill, with the same folder,
// port and RTP ports. `rtpPorts`: Janus's media ports (tests running at once use different ones).
// `pid`: Janus's own (janus.sh replaces itself with it), for its CPU time in /proc.
// `prefix`: the command that runs it elsewhere, e.g. ['ip', 'netns', 'exec', NAME] inside a network
// namespace (as startTurn takes it): Janus's API is then on that namespace's 127.0.0.1, where a
// moim-server started in the same namespace reaches it, and is probed from there.
export async function startJanus({ dir: reuseDir, port: reusePort, rtpPorts = '40500-40599', prefix = [] } = {}) {
  const dir = reuseDir ?? path.join(mkdtempSync(path.join(tmpdir(), 'moim-e2e-janus-')), 'janus');
  const port = reusePort ?? await freePort();
  const script = path.join(repo, 'scripts/janus.sh');
  const args = ['--data-dir', dir, '--port', String(port), '--rtp-ports', rtpPorts];
  const prepared = spawnSync('bash', [script, '--prepare', ...args], { encoding: 'utf8' });
  assert.equal(prepared.status, 0, prepared.stdout + prepared.stderr);
  const command = [...prefix, 'bash', script, ...args];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Inside a namespace the port is reached from there (bash's /dev/tcp, through the same prefix).
  const listening = () => (prefix.length
    ? Promise.resolve(spawnSync(prefix[0], [...prefix.slice(1), 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`],
      { stdio: 'ignore', timeout: 5000 }).status === 0)
    : new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    }));
  const deadline = Date.now() + 15000;
  for (;;) {
    assert.ok(child.exitCode === null && child.signalCode === null, `scripts/janus.sh ended (${child.exitCode ?? child.signalCode})`);
    const open = await listening();
    if (open) break;
    assert.ok(Date.now() < deadline, 'Janus did not listen within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    dir,
    port,
    rtpPorts,
    pid: child.pid,
    serverArgs: ['--janus-url', `ws://127.0.0.1:${port}`, '--janus-api-secret-file', path.join(dir, 'api-secret'),
      '--janus-admin-key-file', path.join(dir, 'admin-key')],
    prefix,
    kill: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await exited; },
  };
}

// Sets the create dialog's capacity slider to `want` by dragging it (the value follows the pointer's
// x): a binary search over the slider's pixels, reading the value back from the test surface.
export async function setCapacity(page, want) {
  const s = await widget(page, 'room-capacity-input');
  const y = s.y + s.h / 2;
  const settle = () => new Promise((r) => setTimeout(r, 150));
  // Held down from the middle, the slider follows the pointer (a second click would not: the first
  // keeps it); the search moves it, then lets go.
  await click(page, 'room-name-input');
  let lo = s.x + 1, hi = s.x + s.w - 1;
  const seen = [];
  await page.mouse.move(Math.round((lo + hi) / 2), y);
  await page.mouse.down();
  try {
    for (let i = 0; i < 16; ++i) {
      const x = Math.round((lo + hi) / 2);
      await page.mouse.move(x, y, { steps: 2 });
      await settle();
      const got = (await waitForState(page, (st) => st.createDialog !== null)).createDialog.capacity;
      seen.push(`${x}->${got}`);
      if (got === want) return;
      if (got < want) lo = x + 1; else hi = x - 1;
    }
  } finally {
    await page.mouse.up();
    await settle();
  }
  assert.fail(`could not set the capacity to ${want} (slider ${JSON.stringify(s)}: ${seen.join(' ')})`);
}

// Creates a large room for `capacity` people through the dialog (locked with `password`, if given);
// resolves to it as the list shows it.
export async function createLargeRoomByUi(page, name, capacity, password = '') {
  await waitForState(page, (s) => s.limits.largeRooms === true, null, 15000);
  await click(page, 'create-room');
  await waitForState(page, (s) => s.dialog === true);
  await typeInto(page, 'room-name-input', name);
  if (password) await typeInto(page, 'room-password-input', password);
  await setCapacity(page, capacity);
  await waitForState(page, (s, c) => s.createDialog?.capacity === c && s.createDialog.createEnabled, capacity);
  await click(page, 'create-confirm');
  const created = await waitForState(page, (s, n) => s.dialog === false && s.rooms.some((r) => r.name === n), name);
  return created.rooms.find((r) => r.name === name);
}

// A person called `name` in the lobby of `url`, on `browser` (openPerson's `options`). With
// `frames(page, direction, text)`, every text frame of its socket ('sent' / 'received') is seen from
// the first: the page is reloaded once the listener is on (its first socket opened before it).
export async function namedPerson(browser, url, label, name, { frames, ...options } = {}) {
  const page = await openPerson(browser, url, label, options);
  if (frames) {
    page.on('websocket', (ws) => {
      ws.on('framesent', ({ payload }) => { if (typeof payload === 'string') frames(page, 'sent', payload); });
      ws.on('framereceived', ({ payload }) => { if (typeof payload === 'string') frames(page, 'received', payload); });
    });
    await page.reload();
    await waitForState(page, (s) => s.connected);
  }
  await typeInto(page, 'name-input', name);
  await page.keyboard.press('Enter');
  await waitForState(page, (s) => s.connected);
  return page;
}

// After a large-room file's tests, also when one failed: the console of each page that had a page
// error printed, then its browser closed, its servers stopped and its Janus killed. `held` returns
// them as they are then (the file's variables may have been set again meanwhile).
export function endAfterTests(held) {
  after(async () => {
    const { pages = [], browser, servers = [], janus } = held();
    for (const p of pages) if (p.consoleLines?.some((l) => l.includes('PAGE ERROR'))) console.log(p.consoleLines.join('\n'));
    await browser?.close();
    for (const s of servers) await s.stop();
    await janus?.kill();
  });
}

// `page` joins `room` from the lobby's list (once it shows it); resolves in the call screen.
export async function joinFromLobby(page, room) {
  await waitForState(page, (s, id) => s.rooms.some((r) => r.id === id), room);
  await click(page, `join:${room}`);
  await waitForState(page, (s) => s.screen === 'call');
}
