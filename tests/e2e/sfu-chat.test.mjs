// The chat of a large room (no peer connections: messages go through moim-server as peer-message,
// wasm/server_channel.hpp, server/hub_peer_messages.cpp), with a real moim-server and a real Janus
// (large_rooms.mjs). Three people in a room for 10: messages typed in the Chat panel (one in
// Korean) reach both others, each sent as ONE peer-message to the server; a fourth who joins late
// gets the earlier messages once, from one participant only (one history copy on its socket, ids
// unique). Files in a large room: sfu-files.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLargeRoomByUi, endAfterTests, joinFromLobby as join, namedPerson, startJanus } from './large_rooms.mjs';
import {
  cameraOff, click, launchBrowser, saveReport, screenshot, startServer, state, waitForState,
} from './lib.mjs';

const servers = [];
const pages = [];
let browser;
let janus;
endAfterTests(() => ({ pages, browser, servers, janus }));

// A page whose socket's peer-messages are recorded: `sent` (what it sent), `heard` (what it got).
async function person(url, label, name) {
  browser ??= await launchBrowser();
  const record = (page, direction, text) => {
    if (!text.includes('"peer-message"')) return;
    page.sent ??= [];
    page.heard ??= [];
    (direction === 'sent' ? page.sent : page.heard).push(JSON.parse(text));
  };
  const page = await namedPerson(browser, url, label, name, { frames: record });
  pages.push(page);
  page.sent ??= [];
  page.heard ??= [];
  await cameraOff(page);
  return page;
}

async function say(page, text) {
  const before = (await state(page)).chat.length;
  if (!(await state(page)).chatOpen) await click(page, 'chat-toggle');
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'text-overlay');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await waitForState(page, (s, n) => s.chat.length === n + 1, before);
}

const texts = (s) => s.chat.map((m) => m.text);

test('a large room\'s chat goes through the server: everyone gets it, a late joiner gets the history once', async () => {
  janus = await startJanus({ rtpPorts: '40700-40799' });
  const server = await startServer({ args: [...janus.serverArgs, '--stun-port', '0'] });
  servers.push(server);
  const ana = await person(server.url, 'ana', 'Ana');
  const bo = await person(server.url, 'bo', '박보영');
  const cy = await person(server.url, 'cy', 'Cy');
  const dee = await person(server.url, 'dee', 'Dee');
  const { id: room, mode } = await createLargeRoomByUi(ana, 'Town hall', 10);
  assert.equal(mode, 'sfu');
  for (const p of [ana, bo, cy]) await join(p, room);
  for (const p of [ana, bo, cy]) await waitForState(p, (s) => s.room && s.room.peers.length === 2, null, 30000);

  try {
    await say(ana, 'Hello everyone');
    // The panel does not claim what a mesh's does ("never via the server").
    await ana.waitForFunction(() => window.app.texts().includes('Through the server in large rooms'));
    await say(bo, '안녕하세요 여러분');
    await say(cy, 'Hi from Cy');
    const expected = ['Hello everyone', '안녕하세요 여러분', 'Hi from Cy'];
    const orders = [];
    for (const p of [ana, bo, cy]) {
      const s = await waitForState(p, (s) => s.chat.length === 3, null, 10000);
      assert.deepEqual(texts(s).sort(), [...expected].sort());
      orders.push(s.chat.map((m) => m.id).join());
      const byName = Object.fromEntries(s.chat.map((m) => [m.text, m.name]));
      assert.deepEqual(byName, { 'Hello everyone': 'Ana', '안녕하세요 여러분': '박보영', 'Hi from Cy': 'Cy' });
    }
    assert.equal(new Set(orders).size, 1, 'everyone has the conversation in the same order');
    // Each message left its page as ONE peer-message, without `to`: the server fans it out.
    for (const p of [ana, bo, cy]) {
      const chats = p.sent.filter((m) => JSON.parse(m.data).type === 'chat');
      assert.equal(chats.length, 1, JSON.stringify(p.sent));
      assert.equal(chats[0].to, undefined);
    }
    // `from` is the server's: the sender's peer id.
    const anaId = (await state(ana)).room.self.id;
    assert.ok(bo.heard.some((m) => m.from === anaId && JSON.parse(m.data).text === 'Hello everyone'));

    // Dee joins late: the history comes once, from the one with the lowest peer id, to Dee alone.
    await join(dee, room);
    const s = await waitForState(dee, (s) => s.chat.length === 3, null, 15000);
    await new Promise((r) => setTimeout(r, 1500));  // any second copy would have arrived by now
    const late = await state(dee);
    assert.deepEqual(texts(late), texts(s));
    assert.equal(late.chat.map((m) => m.id).join(), orders[0], 'the same conversation, in the same order');
    assert.equal(new Set(late.chat.map((m) => m.id)).size, 3, 'ids unique');
    const histories = dee.heard.filter((m) => JSON.parse(m.data).type === 'history');
    assert.equal(histories.length, 3, `one copy of the history: ${JSON.stringify(histories.map((m) => m.from))}`);
    const ids = await Promise.all([ana, bo, cy].map(async (p) => (await state(p)).room.self.id));
    assert.ok(histories.every((m) => m.from === Math.min(...ids)), 'sent by the lowest peer id');
    const sentTo = [ana, bo, cy].flatMap((p) => p.sent.filter((m) => JSON.parse(m.data).type === 'history'));
    assert.equal(sentTo.length, 3);
    assert.ok(sentTo.every((m) => m.to === late.room.self.id));
    // Dee answers: the three others get it.
    await say(dee, 'Sorry I am late');
    for (const p of [ana, bo, cy]) await waitForState(p, (s) => s.chat.length === 4 && s.chat.some((m) => m.name === 'Dee'), null, 10000);
    await screenshot(dee, 'sfu-chat-late-joiner.png');

  } catch (e) {
    saveReport('sfu-chat-failure.json', Object.fromEntries(pages.map((p, i) => [i, { sent: p.sent, heard: p.heard, console: p.consoleLines?.slice(-40) }])));
    throw e;
  }
});
