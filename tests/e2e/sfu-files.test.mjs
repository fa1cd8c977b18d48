// Files in a large room (no peer connections between people: media goes through Janus). The file's
// messages go through moim-server as peer-messages (wasm/server_channel.hpp) and its bytes over a
// data-only connection between the two browsers, opened for the transfer and closed after
// (shared/data_links.hpp, wasm/files/file_links.hpp), signaled through the server's `signal` relay.
// Three real pages in a room for 8, real moim-server and Janus (large_rooms.mjs): Ana sends a file to
// Bo from the participant panel (it arrives, its size and SHA-256 right, the saved bytes the
// source's), then one to everyone (Bo and Cy both receive it); while bytes move Ana holds her two
// media connections and one data link per receiver (no media lines on it), after them only the two
// media connections; the bytes never pass through the server.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLargeRoomByUi, endAfterTests, joinFromLobby as join, namedPerson, startJanus } from './large_rooms.mjs';
import {
  cameraOff, click, launchBrowser, pickFile, saveReceived, saveReport, screenshot, startServer, state, waitForState,
} from './lib.mjs';

const servers = [];
const pages = [];
let browser;
let janus;
let dir;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moim-sfu-files-')); });
endAfterTests(() => ({ pages, browser, servers, janus }));
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

// A page whose socket's frames are counted (`wsSent`: bytes it sent) and whose peer-messages and
// signals are kept (`sent`, `heard`); its RTCPeerConnections in window.__pcs.
async function person(url, label, name) {
  browser ??= await launchBrowser();
  const record = (page, direction, text) => {
    page.wsSent ??= 0;
    page.sent ??= [];
    page.heard ??= [];
    if (direction === 'sent') page.wsSent += text.length;
    if (!text.includes('"peer-message"') && !text.includes('"signal"')) return;
    (direction === 'sent' ? page.sent : page.heard).push(JSON.parse(text));
  };
  const page = await namedPerson(browser, url, label, name, { frames: record, recordPeerConnections: true });
  pages.push(page);
  page.wsSent ??= 0;
  page.sent ??= [];
  page.heard ??= [];
  await cameraOff(page);
  return page;
}

function makeFile(name, bytes) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, crypto.randomBytes(bytes));
  return file;
}
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const save = (page, id) => saveReceived(page, id, dir);

// The page's connections not closed: how many, and how many carry no media (data links).
const connections = (page) => page.evaluate(() => {
  const open = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
  return { open: open.length, dataOnly: open.filter((pc) => pc.getTransceivers().length === 0).length };
});
// In the page, every 20 ms: the most connections open at once, and the most data-only ones.
const watchConnections = (page) => page.evaluate(() => {
  window.__most = { open: 0, dataOnly: 0 };
  clearInterval(window.__watch);
  window.__watch = setInterval(() => {
    const open = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
    window.__most.open = Math.max(window.__most.open, open.length);
    window.__most.dataOnly = Math.max(window.__most.dataOnly, open.filter((pc) => pc.getTransceivers().length === 0).length);
  }, 20);
});
const most = (page) => page.evaluate(() => window.__most);

// Offers `file` from Ana through widget `widgetId` to `receivers`, each accepts and saves it; checks
// the bytes, and the connections Ana held meanwhile and after.
async function transfer(ana, widgetId, file, receivers, t) {
  const size = fs.statSync(file).size;
  const source = sha256(file);
  const anaId = (await state(ana)).room.self.id;
  const before = (await state(ana)).transfers.length;
  const wsBefore = ana.wsSent;
  await watchConnections(ana);
  await pickFile(ana, widgetId, file);
  const s = await waitForState(ana, (s, n) => s.transfers.length === before + n, receivers.length);
  const mine = s.transfers.slice(before);
  assert.ok(mine.every((x) => x.direction === 'out' && x.size === size && x.name === path.basename(file)));
  const ids = [];
  for (const p of receivers) {
    const got = await waitForState(p, (s, from) => s.transfers.some((x) => x.peer === from && x.state === 'offered'), anaId, 15000);
    const offer = got.transfers.find((x) => x.peer === anaId && x.state === 'offered');
    assert.equal(offer.size, size);
    ids.push(offer.id);
  }
  for (const [i, p] of receivers.entries()) await click(p, `file-accept:${ids[i]}`);
  for (const [i, p] of receivers.entries()) {
    const got = await waitForState(p, (s, id) => ['done', 'failed', 'cancelled'].includes(s.transfers.find((x) => x.id === id).state), ids[i], 60000);
    const mineIn = got.transfers.find((x) => x.id === ids[i]);
    assert.equal(mineIn.state, 'done', JSON.stringify(mineIn));
    assert.equal(mineIn.bytes, size);
    const saved = await save(p, ids[i]);
    assert.equal(saved.name, path.basename(file));
    assert.equal(fs.statSync(saved.file).size, size);
    assert.equal(sha256(saved.file), source, 'the saved bytes are the source\'s');
    assert.ok(fs.readFileSync(saved.file).equals(fs.readFileSync(file)));
  }
  await waitForState(ana, (s, n) => s.transfers.slice(n).every((x) => x.state === 'done'), before, 15000);
  const seen = await most(ana);
  t.diagnostic(`${path.basename(file)} to ${receivers.length}: at most ${seen.open} connections, ${seen.dataOnly} data-only`);
  assert.deepEqual(seen, { open: 2 + receivers.length, dataOnly: receivers.length },
    'two media connections and one data link per receiver while bytes moved');
  // Once done, the data links close (on both sides): the two media connections stay.
  await ana.waitForFunction(() => window.__pcs.filter((pc) => pc.connectionState !== 'closed').length === 2, null, { timeout: 10000 });
  for (const p of [ana, ...receivers]) assert.deepEqual(await connections(p), { open: 2, dataOnly: 0 });
  assert.ok(ana.wsSent - wsBefore < 100 * 1024, `the file did not go through the server (${ana.wsSent - wsBefore} bytes sent meanwhile)`);
}

test('files in a large room: messages through the server, bytes over a data link opened for the transfer', async (t) => {
  janus = await startJanus({ rtpPorts: '40800-40899' });
  const server = await startServer({ args: [...janus.serverArgs, '--stun-port', '0'] });
  servers.push(server);
  const ana = await person(server.url, 'ana', 'Ana');
  const bo = await person(server.url, 'bo', 'Bo');
  const cy = await person(server.url, 'cy', 'Cy');
  const { id: room, mode } = await createLargeRoomByUi(ana, 'Big files', 8);
  assert.equal(mode, 'sfu');
  for (const p of [ana, bo, cy]) await join(p, room);
  for (const p of [ana, bo, cy]) await waitForState(p, (s) => s.room && s.room.peers.length === 2, null, 30000);
  // Media connections settle first: two each (publish, subscribe).
  for (const p of [ana, bo, cy]) await p.waitForFunction(() => window.__pcs.filter((pc) => pc.connectionState === 'connected').length === 2, null, { timeout: 30000 });

  try {
    const boId = (await state(bo)).room.self.id;
    // 1. To Bo only, from the participant panel.
    await click(ana, 'people-toggle');
    await waitForState(ana, (s) => s.peopleOpen === true);
    await transfer(ana, `send-file:${boId}`, makeFile('plan.pdf', 8 * 1024 * 1024), [bo], t);
    assert.equal((await state(cy)).transfers.length, 0, 'Cy was not offered it');
    await screenshot(bo, 'sfu-files-received.png');
    // 2. To everyone: one transfer each, Bo and Cy both receive it.
    await transfer(ana, 'send-file', makeFile('photos.zip', 6 * 1024 * 1024), [bo, cy], t);
    await screenshot(ana, 'sfu-files-sent.png');
    // The control messages went as peer-messages to one person each; the links' negotiation as signals.
    const fileMessages = ana.sent.filter((m) => m.type === 'peer-message' && /"file-/.test(m.data));
    assert.equal(fileMessages.filter((m) => JSON.parse(m.data).type === 'file-offer').length, 3);
    assert.ok(fileMessages.every((m) => typeof m.to === 'number'), 'each file message to one person');
    assert.ok(ana.sent.some((m) => m.type === 'signal' && m.kind === 'offer') || ana.heard.some((m) => m.type === 'signal' && m.kind === 'offer'),
      'the data links were negotiated through the server');
  } catch (e) {
    await screenshot(ana, 'sfu-files-failure-ana.png').catch(() => {});
    await screenshot(bo, 'sfu-files-failure-bo.png').catch(() => {});
    saveReport('sfu-files-failure.json', Object.fromEntries(pages.map((p, i) => [i, {
      sent: p.sent.map((m) => ({ ...m, sdp: m.sdp && `${m.sdp.length} chars` })),
      heard: p.heard.map((m) => ({ ...m, sdp: m.sdp && `${m.sdp.length} chars` })),
      console: p.consoleLines?.slice(-60),
    }])));
    throw e;
  }
});
