// Invite links through the real UI, the real server and real WebRTC: "Copy invite link" in a call
// (the clipboard read back), a link opened in a fresh browser profile asks only for the name and
// lands in the call, a locked room's link asks only for the password; Back leaves the call for the
// lobby, Forward and Reload return into it, Leave pushes the lobby (Back returns); links to rooms that
// are gone (deleted, never there, deleted while the name is typed) and malformed links land in the
// lobby with a message and the fragment cleared; where the clipboard is out of reach (plain http on a
// LAN name) the link is shown selected for copying by hand.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  click, launchBrowser, openPerson, saveReport, screenshot, startServer, state, typeInto, waitForState, widget,
} from './lib.mjs';

const servers = [];
const pages = [];
const browsers = [];
const timings = {};
after(async () => {
  for (const p of pages) if (p.consoleLines.some((l) => l.includes('PAGE ERROR'))) console.log(p.consoleLines.join('\n'));
  saveReport('invite-timings.json', timings);
  for (const b of browsers) await b.close();
  for (const s of servers) await s.stop();
});

async function browserWith(options) {
  const b = await launchBrowser(options);
  browsers.push(b);
  return b;
}

async function person(browser, url, label, options) {
  const page = await openPerson(browser, url, label, options);
  pages.push(page);
  return page;
}

async function named(browser, url, name, options) {
  const page = await person(browser, url, name.toLowerCase(), options);
  await typeInto(page, 'name-input', name);
  await page.keyboard.press('Enter');
  return page;
}

// Creates a room through the dialog; resolves with its entry in the creator's list.
async function createRoom(page, name, password = '') {
  await click(page, 'create-room');
  await waitForState(page, (s) => s.dialog === true);
  await typeInto(page, 'room-name-input', name);
  if (password) await typeInto(page, 'room-password-input', password);
  await click(page, 'create-confirm');
  const s = await waitForState(page, (s, n) => s.dialog === false && s.rooms.some((r) => r.name === n), name);
  return s.rooms.find((r) => r.name === name);
}

const hash = (page) => page.evaluate(() => location.hash);
const connectedTo = (page, names) => waitForState(page, (s, names) => s.screen === 'call' &&
  s.room.peers.length === names.length && names.every((n) => s.room.peers.some((p) => p.name === n)) &&
  s.room.peers.every((p) => p.connection === 'connected' && p.framesDecoded > 0 && p.framesShown > 0), names, 30000);

// Waits for the call, noting every modal seen on the way (the person was asked for those).
async function callAfter(page, roomId, seen) {
  try {
    return await waitForState(page, (s, id) => {
      if (s.modal) seen.add(s.modal.kind);
      return s.screen === 'call' && s.room.id === id;
    }, roomId, 30000);
  } catch (e) {
    console.log(JSON.stringify(await state(page)), '\n', page.consoleLines.slice(-30).join('\n'));
    throw e;
  }
}

test('copy the link; a fresh browser opens it, is asked only for a name, and Back / Forward / Reload / Leave move in and out', async () => {
  const server = await startServer();
  servers.push(server);
  const browser = await browserWith();
  const alice = await named(browser, server.url, 'Alice', { permissions: ['clipboard-read', 'clipboard-write'] });
  const room = await createRoom(alice, 'Standup');
  assert.equal((await state(alice)).inviteLink, null, 'no link outside a call');
  await click(alice, `join:${room.id}`);
  let s = await waitForState(alice, (s) => s.screen === 'call');
  const link = `${server.url}#/room/${room.id}`;
  assert.equal(s.inviteLink, link);
  assert.equal(await hash(alice), `#/room/${room.id}`, 'joining from the list makes the URL the room\'s link');

  // Copy invite link: the clipboard holds the link, and the page says so.
  await click(alice, 'copy-invite');
  s = await waitForState(alice, (s) => s.inviteCopy === 'copied');
  assert.equal(await alice.evaluate(() => navigator.clipboard.readText()), link);
  await screenshot(alice, 'invite-copied.png');

  // Bob: a browser profile that remembers no name opens the link. Asked for the name only.
  const opened = Date.now();
  const bob = await person(browser, link, 'bob');
  s = await waitForState(bob, (s, id) => s.modal?.kind === 'name' && s.modal.room === id, room.id);
  timings.linkToNamePromptMs = Date.now() - opened;
  assert.equal(s.screen, 'lobby');
  await widget(bob, 'invite-name-input');
  await screenshot(bob, 'invite-name-prompt.png');
  const seen = new Set([s.modal.kind]);
  const typed = Date.now();
  await typeInto(bob, 'invite-name-input', 'Bob');
  await bob.keyboard.press('Enter');
  s = await callAfter(bob, room.id, seen);
  assert.deepEqual([...seen], ['name'], 'asked for nothing but the name');
  assert.equal(s.inviteLink, link, 'the same link in every browser');
  await Promise.all([connectedTo(bob, ['Alice']), connectedTo(alice, ['Bob'])]);
  timings.nameToFirstRemoteFrameMs = Date.now() - typed;
  assert.equal(await bob.evaluate(() => localStorage.getItem('moim.name')), 'Bob', 'the name is remembered');
  await screenshot(bob, 'invite-call.png');

  // Back: out of the call, into the lobby (the link opened in a new tab got a lobby entry below it).
  await bob.goBack();
  s = await waitForState(bob, (s) => s.screen === 'lobby');
  assert.equal(await hash(bob), '');
  assert.equal(s.inviteLink, null);
  await waitForState(alice, (s) => s.room.peers.length === 0, null, 10000);
  await screenshot(bob, 'invite-back.png');

  // Forward: back into the call.
  let t = Date.now();
  await bob.goForward();
  await callAfter(bob, room.id, seen);
  assert.equal(await hash(bob), `#/room/${room.id}`);
  await Promise.all([connectedTo(bob, ['Alice']), connectedTo(alice, ['Bob'])]);
  timings.forwardToFirstRemoteFrameMs = Date.now() - t;
  await screenshot(bob, 'invite-forward.png');

  // Reload: the same room again.
  t = Date.now();
  await bob.reload();
  await waitForState(bob, (s) => s.connected === true);
  await callAfter(bob, room.id, seen);
  await Promise.all([connectedTo(bob, ['Alice']), connectedTo(alice, ['Bob'])]);
  timings.reloadToFirstRemoteFrameMs = Date.now() - t;
  assert.deepEqual([...seen], ['name'], 'Forward and Reload asked for nothing');
  await screenshot(bob, 'invite-reload.png');
  // ... and Back still leaves for the lobby (a reload does not stack another lobby entry).
  await bob.goBack();
  await waitForState(bob, (s) => s.screen === 'lobby');
  await bob.goForward();
  await callAfter(bob, room.id, seen);

  // Leave pushes the lobby's entry (as Jitsi's hang-up does): Back returns into the room.
  await click(bob, 'leave');
  await waitForState(bob, (s) => s.screen === 'lobby');
  assert.equal(await hash(bob), '');
  await bob.goBack();
  await callAfter(bob, room.id, seen);
  await connectedTo(bob, ['Alice']);
  assert.deepEqual([...seen], ['name']);
  assert.ok(server.alive());
});

test('a locked room\'s link asks only for the password, and again after Back and Forward', async () => {
  const server = await startServer();
  servers.push(server);
  const browser = await browserWith();
  const carol = await named(browser, server.url, 'Carol');
  const room = await createRoom(carol, 'Vault', 'hunter2');
  assert.equal(room.locked, true);
  const link = `${server.url}#/room/${room.id}`;

  // Dave's browser remembers his name from an earlier visit; today he opens the link.
  const dave = await named(browser, server.url, 'Dave');
  await dave.goto('about:blank');
  await dave.goto(link);
  await waitForState(dave, (s) => s.connected === true);
  let s = await waitForState(dave, (s, id) => s.modal?.kind === 'password' && s.modal.room === id, room.id);
  assert.equal(s.screen, 'lobby');
  assert.equal(s.name, 'Dave');
  await screenshot(dave, 'invite-password.png');
  const seen = new Set();
  // Every password operation of this address counts against the server's budget (5 a minute): the
  // create, and three joins here. Wrong passwords in the prompt are tested in rooms.test.mjs.
  await typeInto(dave, 'password-input', 'hunter2');
  await click(dave, 'password-confirm');
  await callAfter(dave, room.id, seen);
  assert.ok(!seen.has('name'), 'never asked for the name');

  // Carol joins through the list: both in the call.
  await click(carol, `join:${room.id}`);
  await waitForState(carol, (s) => s.modal?.kind === 'password');
  await typeInto(carol, 'password-input', 'hunter2');
  await click(carol, 'password-confirm');
  await Promise.all([connectedTo(dave, ['Carol']), connectedTo(carol, ['Dave'])]);
  await screenshot(dave, 'invite-locked-call.png');

  // Back, then Forward: the password is not kept, so it is asked again.
  await dave.goBack();
  await waitForState(dave, (s) => s.screen === 'lobby');
  await dave.goForward();
  s = await waitForState(dave, (s, id) => s.modal?.kind === 'password' && s.modal.room === id, room.id);
  await typeInto(dave, 'password-input', 'hunter2');
  await dave.keyboard.press('Enter');
  await callAfter(dave, room.id, seen);
  await connectedTo(dave, ['Carol']);
  // Cancelling the prompt of a link leaves the lobby with a clean URL.
  await dave.goBack();
  await waitForState(dave, (s) => s.screen === 'lobby');
  await dave.goForward();
  await waitForState(dave, (s) => s.modal?.kind === 'password');
  await click(dave, 'password-cancel');
  s = await waitForState(dave, (s) => s.modal === null);
  assert.equal(s.screen, 'lobby');
  assert.equal(await hash(dave), '');
  assert.ok(server.alive());
});

test('links to rooms that are gone, and malformed links, land in the lobby with a message', async () => {
  const server = await startServer();
  servers.push(server);
  const browser = await browserWith();
  const erin = await named(browser, server.url, 'Erin');
  const temp = await createRoom(erin, 'Temp');
  await click(erin, `delete:${temp.id}`);
  await waitForState(erin, (s) => s.modal?.kind === 'delete');
  await click(erin, 'delete-confirm');
  await waitForState(erin, (s, id) => !s.rooms.some((r) => r.id === id), temp.id);

  const cases = [
    { what: 'deleted', fragment: `#/room/${temp.id}`, message: /no longer exists/, shot: 'invite-room-gone.png' },
    { what: 'never there', fragment: '#/room/9007199254740991', message: /no longer exists/ },
    { what: 'not a room id', fragment: '#/room/abc', message: /does not lead to a room/, shot: 'invite-bad-link.png' },
    { what: 'past 2^53', fragment: '#/room/9007199254740992', message: /does not lead to a room/ },
  ];
  for (const c of cases) {
    const page = await person(browser, server.url + c.fragment, `frank ${c.what}`);
    const s = await waitForState(page, (s) => s.error !== null);
    assert.match(s.error, c.message, c.what);
    assert.equal(s.screen, 'lobby', c.what);
    assert.equal(s.modal, null, `${c.what}: nothing asked`);
    assert.equal(await hash(page), '', `${c.what}: the fragment is cleared`);
    if (c.shot) await screenshot(page, c.shot);
    await page.context().close();
  }

  // Deleted while the person types a name: the prompt closes and says why.
  const temp2 = await createRoom(erin, 'Temp 2');
  const gina = await person(browser, `${server.url}#/room/${temp2.id}`, 'gina');
  await waitForState(gina, (s) => s.modal?.kind === 'name');
  await typeInto(gina, 'invite-name-input', 'Gi');
  await click(erin, `delete:${temp2.id}`);
  await click(erin, 'delete-confirm');
  const s = await waitForState(gina, (s) => s.modal === null && s.error !== null, null, 10000);
  assert.match(s.error, /no longer exists/);
  assert.equal(await hash(gina), '');
  await screenshot(gina, 'invite-deleted-while-typing.png');
  assert.ok(server.alive());
});

test('where the clipboard is out of reach, the link is shown selected for copying by hand', async () => {
  const server = await startServer({ args: ['--server-name', 'moim.test'] });
  servers.push(server);
  // http://moim.test:PORT/ is not a secure context: navigator.clipboard does not exist there.
  const browser = await browserWith({ args: ['--host-resolver-rules=MAP moim.test 127.0.0.1'] });
  const url = new URL(server.url);
  url.hostname = 'moim.test';
  const hal = await named(browser, url.href, 'Hal');
  const room = await createRoom(hal, 'Plain http');
  await click(hal, `join:${room.id}`);
  let s = await waitForState(hal, (s) => s.screen === 'call');
  const link = `${url.href}#/room/${room.id}`;
  assert.equal(s.inviteLink, link);
  await click(hal, 'copy-invite');
  s = await waitForState(hal, (s) => s.inviteCopy === 'failed');
  await widget(hal, 'invite-link');
  const shown = await hal.waitForFunction(() => {
    const el = document.getElementById('text-overlay');
    return !el.hidden && document.activeElement === el &&
      { value: el.value, readOnly: el.readOnly, start: el.selectionStart, end: el.selectionEnd };
  });
  assert.deepEqual(await shown.jsonValue(), { value: link, readOnly: true, start: 0, end: link.length },
    'the whole link, selected, in a read-only field');
  await screenshot(hal, 'invite-copy-failed.png');
  await click(hal, 'invite-link-close');
  await waitForState(hal, (s) => s.inviteCopy === null);
  assert.ok(server.alive());
});
