// Locked and owned rooms through the real UI: a password in the create dialog, the lock in the room
// list, the password prompt (wrong, then right), rooms and passwords surviving a server restart
// (SIGKILL right after the room-created ack), and the owner's rename and delete.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  click, joinWithPassword, launchBrowser, openPerson, screenshot, startServer, state, typeInto, waitForState, waitForVideo,
  widget,
} from './lib.mjs';

const servers = [];
const pages = [];
let browser;
after(async () => {
  for (const p of pages) if (p.consoleLines.some((l) => l.includes('PAGE ERROR'))) console.log(p.consoleLines.join('\n'));
  await browser?.close();
  for (const s of servers) await s.stop();
});

async function people(url, ...names) {
  browser ??= await launchBrowser();
  const list = await Promise.all(names.map((n) => openPerson(browser, url, n.toLowerCase())));
  for (const [i, page] of list.entries()) {
    pages.push(page);
    await typeInto(page, 'name-input', names[i]);
    await page.keyboard.press('Enter');
  }
  return list;
}

// Creates a room through the dialog; resolves with its entry in the creator's list once the
// server's room-created ack has closed the dialog.
async function createRoom(page, name, password = '', shot = null) {
  await click(page, 'create-room');
  await waitForState(page, (s) => s.dialog === true);
  await typeInto(page, 'room-name-input', name);
  if (password) {
    await typeInto(page, 'room-password-input', password);
    assert.equal(await page.evaluate(() => document.getElementById('text-overlay').type), 'password',
      'the password is typed into a masked input');
  }
  if (shot) await screenshot(page, shot);
  await click(page, 'create-confirm');
  const s = await waitForState(page, (s, n) => s.dialog === false && s.rooms.some((r) => r.name === n), name);
  return s.rooms.find((r) => r.name === name);
}

const connectedTo = (page, n) => waitForState(page, (s, n) => s.screen === 'call' && s.room.peers.length === n &&
  s.room.peers.every((p) => p.connection === 'connected' && p.framesDecoded > 0 && p.framesShown > 0), n, 30000);

test('a locked room: the lock in the list, a wrong password refused in the prompt, the right one admitted', async () => {
  const server = await startServer();
  servers.push(server);
  const [alice, bob] = await people(server.url, 'Alice', 'Bob');

  // The create dialog: an over-long password is refused in the dialog, then "hunter2" is set.
  await click(alice, 'create-room');
  await waitForState(alice, (s) => s.dialog === true);
  await typeInto(alice, 'room-name-input', 'Locked');
  await typeInto(alice, 'room-password-input', 'p'.repeat(257), { paste: true });
  await click(alice, 'create-confirm');
  let s = await waitForState(alice, (s) => /too long/i.test(s.error ?? ''));
  assert.equal(s.rooms.length, 0);
  await click(alice, 'create-cancel');
  await waitForState(alice, (s) => s.dialog === false);
  const room = await createRoom(alice, 'Locked', 'hunter2', 'dialog-password.png');
  assert.equal(room.locked, true);
  assert.equal(room.owned, true, 'the creator keeps the owner token');

  // Bob's lobby shows the room as locked (and not his).
  s = await waitForState(bob, (s, id) => s.rooms.some((r) => r.id === id && r.locked), room.id, 10000);
  assert.equal(s.rooms.find((r) => r.id === room.id).owned, false);
  await widget(bob, `lock:${room.id}`);  // the lock is drawn in the row
  await screenshot(bob, 'lobby-locked.png');

  // Alice, too, goes through the prompt.
  await joinWithPassword(alice, room.id, 'hunter2');
  await waitForState(alice, (s) => s.screen === 'call' && s.modal === null);

  // Bob: a wrong password is refused inside the prompt; he stays out.
  await joinWithPassword(bob, room.id, 'hunter3');
  s = await waitForState(bob, (s) => s.error === 'Wrong password.');
  assert.equal(s.screen, 'lobby');
  assert.equal(s.modal?.kind, 'password', 'the prompt stays open for another try');
  await screenshot(bob, 'password-wrong.png');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await state(alice)).room.peers.length, 0, 'Bob was not admitted');
  assert.equal((await state(bob)).rooms.find((r) => r.id === room.id).participants, 1);

  // The right one: admitted, and the two see and hear each other.
  await joinWithPassword(bob, room.id, 'hunter2');
  await waitForState(bob, (s) => s.screen === 'call' && s.modal === null);
  await Promise.all([connectedTo(alice, 1), connectedTo(bob, 1)]);
  await screenshot(bob, 'locked-call.png');
  const stored = await bob.evaluate(() => JSON.stringify({ ...window.localStorage }));
  assert.ok(!stored.includes('hunter'), `the password is never stored: ${stored}`);
  assert.ok(server.alive());
});

test('rooms survive a server restart (locked still locked); the owner renames and deletes', async () => {
  let server = await startServer();
  servers.push(server);
  const { dataDir, port } = server;
  const [alice, bob] = await people(server.url, 'Alice', 'Bob');

  const open = await createRoom(alice, 'Open room');
  const vault = await createRoom(alice, 'Vault', 's3cret');
  // SIGKILL right after the ack: what was acknowledged must be on disk.
  await server.kill();
  await waitForState(alice, (s) => s.connected === false, null, 10000);
  server = await startServer({ dataDir, port });
  servers.push(server);
  await Promise.all([alice.reload(), bob.reload()]);
  for (const page of [alice, bob]) {
    const s = await waitForState(page, (s, ids) => s.connected && ids.every((id) => s.rooms.some((r) => r.id === id)),
      [open.id, vault.id]);
    assert.equal(s.rooms.find((r) => r.id === vault.id).locked, true, 'still locked after the restart');
    assert.equal(s.rooms.find((r) => r.id === open.id).locked, false);
  }
  // The owner token outlived the reload (localStorage) and the restart (the server's store).
  let s = await state(alice);
  assert.ok(s.rooms.every((r) => r.owned), JSON.stringify(s.rooms));
  assert.ok((await state(bob)).rooms.every((r) => !r.owned));
  await widget(alice, `delete:${vault.id}`);
  await waitForVideo(alice, 'preview');  // the camera preview beside the name, not "Starting camera…"
  await screenshot(alice, 'lobby-owner.png');

  // Rename: another room's name is refused in the dialog; a new one reaches Bob's lobby.
  await click(alice, `rename:${vault.id}`);
  await waitForState(alice, (s) => s.modal?.kind === 'rename');
  await typeInto(alice, 'rename-input', 'open ROOM');
  await click(alice, 'rename-confirm');
  s = await waitForState(alice, (s) => /already exists/.test(s.error ?? ''));
  assert.equal(s.modal?.kind, 'rename');
  await screenshot(alice, 'rename-error.png');
  await typeInto(alice, 'rename-input', 'Vault 2');
  await click(alice, 'rename-confirm');
  await waitForState(alice, (s, id) => s.modal === null && s.rooms.find((r) => r.id === id)?.name === 'Vault 2', vault.id);
  await waitForState(bob, (s, id) => s.rooms.find((r) => r.id === id)?.name === 'Vault 2', vault.id, 10000);

  // Still the same password: the old one of another room is wrong, "s3cret" admits Bob.
  await joinWithPassword(bob, vault.id, 'hunter2');
  await waitForState(bob, (s) => s.error === 'Wrong password.');
  await joinWithPassword(bob, vault.id, 's3cret');
  await waitForState(bob, (s) => s.screen === 'call');

  // Delete, confirmed: Bob is returned to the lobby with the reason; the room and token are gone.
  await click(alice, `delete:${vault.id}`);
  await waitForState(alice, (s) => s.modal?.kind === 'delete');
  await screenshot(alice, 'delete-confirm.png');
  await click(alice, 'delete-confirm');
  s = await waitForState(bob, (s) => s.screen === 'lobby', null, 15000);
  assert.equal(s.error, 'The room was deleted by its owner.');
  assert.ok(!s.rooms.some((r) => r.id === vault.id));
  await screenshot(bob, 'room-deleted.png');
  await waitForState(alice, (s, id) => s.modal === null && !s.rooms.some((r) => r.id === id), vault.id, 15000);
  const keys = await alice.evaluate(() => Object.keys(window.localStorage).filter((k) => k.startsWith('moim.owner.')));
  assert.deepEqual(keys, [`moim.owner.${open.id}`], 'the deleted room\'s owner token is dropped');
  assert.ok(server.alive());
});
