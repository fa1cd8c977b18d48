// Issue 15: a large room's call, its media through Janus VideoRoom (started here as ./run.sh
// --with-sfu starts it). Three real pages in a room for 10 see and hear each other with frames
// decoding, each holding exactly two peer connections (its publication and its subscription)
// whatever the number of people; one leaves, one closes its tab: the others' tiles follow and their
// media goes on, still on two connections.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLargeRoomByUi, startJanus } from './large_rooms.mjs';
import { click, launchBrowser, openPerson, screenshot, startServer, state, tilePixels, typeInto, waitForState, widget } from './lib.mjs';

const servers = [];
const pages = [];
let browser;
let janus;
after(async () => {
  for (const p of pages) if (p.consoleLines.some((l) => l.includes('PAGE ERROR'))) console.log(p.consoleLines.join('\n'));
  await browser?.close();
  for (const s of servers) await s.stop();
  await janus?.kill();
});

async function person(url, label, name) {
  browser ??= await launchBrowser();
  const page = await openPerson(browser, url, label, { recordPeerConnections: true });
  pages.push(page);
  await typeInto(page, 'name-input', name);
  await page.keyboard.press('Enter');
  await waitForState(page, (s) => s.connected);
  return page;
}

// The page's RTCPeerConnections not closed, and what each sends and receives.
const openConnections = (page) => page.evaluate(() => window.__pcs.filter((pc) => pc.connectionState !== 'closed').map((pc) => ({
  state: pc.connectionState,
  sending: pc.getSenders().filter((s) => s.track).map((s) => s.track.kind).sort(),
  receiving: pc.getTransceivers().filter((t) => t.currentDirection === 'recvonly').length,
})));

// Everyone else there, connected, with frames decoding and shown.
const seesEveryone = (s, names) => s.room && s.room.peers.length === names.length &&
  names.every((n) => s.room.peers.some((p) => p.name === n && p.connection === 'connected' && p.framesDecoded > 0 && p.framesShown > 0));

test('three people in a large room through Janus: two connections each, one leaves, one closes the tab', async () => {
  janus = await startJanus();
  const server = await startServer({ args: [...janus.serverArgs, '--stun-port', '0'] });
  servers.push(server);
  const ana = await person(server.url, 'ana', 'Ana');
  const bo = await person(server.url, 'bo', 'Bo');
  const cy = await person(server.url, 'cy', 'Cy');
  const room = await createLargeRoomByUi(ana, 'All hands', 10);
  assert.equal(room.mode, 'sfu');
  const everyone = [['Ana', ana], ['Bo', bo], ['Cy', cy]];
  for (const [, page] of everyone) {
    await waitForState(page, (s, id) => s.rooms.some((r) => r.id === id), room.id);
    await click(page, `join:${room.id}`);
    await waitForState(page, (s) => s.screen === 'call');
  }
  await Promise.all(everyone.map(([name, page]) =>
    waitForState(page, (s, others) => seesEveryone(s, others), everyone.map(([n]) => n).filter((n) => n !== name), 40000)));
  for (const [name, page] of everyone) {
    const pcs = await openConnections(page);
    assert.equal(pcs.length, 2, `${name} holds two connections: ${JSON.stringify(pcs)}`);
    assert.ok(pcs.some((pc) => pc.sending.join() === 'audio,video'), `${name} publishes camera and microphone: ${JSON.stringify(pcs)}`);
    assert.ok(pcs.some((pc) => pc.sending.length === 0 && pc.receiving >= 4), `${name} receives both others' media on one: ${JSON.stringify(pcs)}`);
  }
  // Frames keep coming and the tiles show them; the sound plays.
  const before = await state(ana);
  await new Promise((r) => setTimeout(r, 2000));
  const later = await state(ana);
  for (const p of later.room.peers) {
    const old = before.room.peers.find((q) => q.id === p.id);
    assert.ok(p.framesDecoded > old.framesDecoded, `frames keep decoding (${p.name})`);
    assert.equal(p.audioLive, true, `${p.name}'s sound is live`);
    const px = await tilePixels(ana, await widget(ana, `tile:${p.id}`));
    assert.ok(px.differing > 0.6, `${p.name}'s tile shows video: ${JSON.stringify(px)}`);
  }
  await screenshot(ana, 'sfu-three.png');

  // Cy leaves: the others' subscriptions drop Cy's media, Bo's goes on.
  await click(cy, 'leave');
  await waitForState(cy, (s) => s.screen === 'lobby');
  for (const [name, page, other] of [['Ana', ana, 'Bo'], ['Bo', bo, 'Ana']]) {
    await waitForState(page, (s, o) => seesEveryone(s, [o]), other, 20000);
    assert.equal((await openConnections(page)).length, 2, `${name} still holds two connections`);
  }
  assert.equal((await openConnections(cy)).length, 0, 'Cy holds none after leaving');

  // Bo closes the tab: Ana is alone, her publication still up.
  await bo.close();
  const alone = await waitForState(ana, (s) => s.room && s.room.peers.length === 0, null, 20000);
  assert.equal(alone.screen, 'call');
  const pcs = await openConnections(ana);
  assert.ok(pcs.some((pc) => pc.sending.join() === 'audio,video' && pc.state === 'connected'), JSON.stringify(pcs));
  await screenshot(ana, 'sfu-alone.png');
});
