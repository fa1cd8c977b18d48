// Issue 15: a large room's call, its media through Janus VideoRoom (started here as ./run.sh
// --with-sfu starts it). Three real pages in a room for 10 see and hear each other with frames
// decoding, each holding exactly two peer connections (its publication and its subscription)
// whatever the number of people; one leaves, one closes its tab: the others' tiles follow and their
// media goes on, still on two connections. A browser refusing a subscription offer once has its media
// started over (media-restart "fresh") and sees the others again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLargeRoomByUi, endAfterTests, namedPerson, startJanus } from './large_rooms.mjs';
import {
  click, launchBrowser, saveReport, sawMissing, screenshot, startServer, state, tilePixels, waitForState,
  watchPresence, widget,
} from './lib.mjs';

const servers = [];
const pages = [];
let browser;
let janus;
endAfterTests(() => ({ pages, browser, servers, janus }));

async function person(url, label, name) {
  browser ??= await launchBrowser();
  // What the media server sent (media-signal without its SDP, media-state), for a failure's report.
  const record = (page, direction, text) => {
    if (direction !== 'received' || !text.includes('"media-')) return;
    try {
      const { sdp, ...rest } = JSON.parse(text);
      (page.media ??= []).push(JSON.stringify({ ...rest, mLines: sdp ? (sdp.match(/\nm=/g) || []).length : undefined }));
    } catch { /* not JSON: the app reports it */ }
  };
  const page = await namedPerson(browser, url, label, name, { frames: record, recordPeerConnections: true });
  page.media ??= [];
  pages.push(page);
  return page;
}

// On a failure: what the page heard from the media server, and its last console lines, in
// build/e2e-artifacts/sfu-failure.json.
function report(page) {
  saveReport('sfu-failure.json', { media: page.media, console: page.consoleLines.slice(-60) });
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

test('three people in a large room through Janus: two connections each, the layer each tile needs, one leaves, one closes the tab', async (t) => {
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
  // Their fake microphones beep: the rings come from each feed's audio energy.
  await waitForState(ana, (s) => s.room.peers.every((p) => p.speaking), null, 10000);
  await screenshot(ana, 'sfu-three.png');

  // Simulcast: each tile gets the layer its size needs (the stats say the picture's size). In the
  // grid Ana's tiles are large: the full camera, 640 wide. In speaker view the other is a thumbnail:
  // its layer is asked down and its picture arrives at most half as wide while the speaker's stays
  // full; back in the grid, full size again.
  const sizes = (s) => s.room.peers.map((p) => `${p.name} ${p.stats?.width}x${p.stats?.height} layer ${p.layer}`).join(', ');
  const full = (s) => s.room.peers.every((p) => p.layer === 'high' && p.stats?.width >= 640);
  await waitForState(ana, full, null, 20000).catch(async (e) => { t.diagnostic(sizes(await state(ana))); throw e; });
  await click(ana, 'layout-toggle');
  const thumbnail = (s) => s.room.layout === 'speaker' && s.room.peers.some((p) => ['low', 'medium'].includes(p.layer) && p.stats?.width > 0 && p.stats.width <= 320);
  const speakerView = await waitForState(ana, thumbnail, null, 20000).catch(async (e) => { t.diagnostic(sizes(await state(ana))); throw e; });
  t.diagnostic(`speaker view: ${sizes(speakerView)}`);
  await screenshot(ana, 'sfu-speaker-view.png');
  await click(ana, 'layout-toggle');
  const grid = await waitForState(ana, (s) => s.room.layout === 'grid' && full(s), null, 20000).catch(async (e) => { t.diagnostic(sizes(await state(ana))); throw e; });
  t.diagnostic(`grid again: ${sizes(grid)}`);

  // Bo's browser will refuse the next subscription offer once (a browser operation failing): his
  // client asks the media server to start his media over (media-restart "fresh"), hears
  // media-failed and makes both links again, instead of keeping a dead subscription.
  await bo.evaluate(() => {
    const original = RTCPeerConnection.prototype.setRemoteDescription;
    RTCPeerConnection.prototype.setRemoteDescription = function (description, ...rest) {
      if (description?.type === 'offer' && !window.__refusedOnce) {
        window.__refusedOnce = true;
        return Promise.reject(new DOMException('refused once by the test', 'OperationError'));
      }
      return original.call(this, description, ...rest);
    };
  });

  // Cy leaves: the others' subscriptions drop Cy's media, Bo's goes on.
  await click(cy, 'leave');
  await waitForState(cy, (s) => s.screen === 'lobby');
  await bo.waitForFunction(() => window.__refusedOnce === true, null, { timeout: 20000 });
  for (let end = Date.now() + 20000; !bo.media.some((m) => m.includes('media-failed')); await new Promise((r) => setTimeout(r, 200))) {
    if (Date.now() > end) { report(bo); assert.fail(`Bo's media was not started over: ${bo.media.join(' ')}`); }
  }
  for (const [name, page, other] of [['Ana', ana, 'Bo'], ['Bo', bo, 'Ana']]) {
    await waitForState(page, (s, o) => seesEveryone(s, [o]), other, 30000).catch((e) => { report(page); throw e; });
    assert.equal((await openConnections(page)).length, 2, `${name} still holds two connections`);
    const a = (await state(page)).room.peers[0].framesDecoded;
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok((await state(page)).room.peers[0].framesDecoded > a, `${name} decodes ${other} after Bo's start-over`);
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

test('a large room: a shared screen reaches the others; Janus killed mid-call, media comes back on its own; a 5 s network drop resumed in place', async (t) => {
  await janus?.kill();
  janus = await startJanus();
  const server = await startServer({ args: [...janus.serverArgs, '--stun-port', '0'] });
  servers.push(server);
  const di = await person(server.url, 'di', 'Di');
  const ed = await person(server.url, 'ed', 'Ed');
  const room = await createLargeRoomByUi(di, 'Review', 12);
  for (const page of [di, ed]) {
    await waitForState(page, (s, id) => s.rooms.some((r) => r.id === id), room.id);
    await click(page, `join:${room.id}`);
  }
  await waitForState(di, (s) => seesEveryone(s, ['Ed']), null, 40000);
  await waitForState(ed, (s) => seesEveryone(s, ['Di']), null, 40000);
  const diId = (await state(di)).room.self.id;

  // Di shares her screen: it goes out on her publication (still two connections) and Ed sees it large.
  await click(di, 'share-screen');
  await waitForState(di, (s) => s.room.self.sharing === true, null, 20000);
  const shown = await waitForState(ed, (s, id) => {
    const p = s.room?.peers.find((x) => x.id === id);
    return !!p?.screen && p.screen.framesDecoded > 0 && p.screen.framesShown > 0 && s.room.presenter === id;
  }, diId, 30000).catch((e) => { report(ed); throw e; });
  assert.equal(shown.room.presenter, diId);
  assert.equal((await openConnections(di)).length, 2, 'the screen goes on the publication');
  await screenshot(ed, 'sfu-screen.png');
  await click(di, 'share-screen');
  await waitForState(ed, (s, id) => s.room.peers.find((x) => x.id === id)?.screen === null && s.room.presenter === null, diId, 20000);

  // Janus killed: "Reconnecting media…"; started again: everyone publishes and subscribes again by
  // themselves, frames decoding within 10 s of Janus being back.
  await janus.kill();
  for (const page of [di, ed]) {
    const s = await waitForState(page, (st) => st.mediaReconnecting === true, null, 20000);
    assert.equal(s.screen, 'call');
  }
  await screenshot(ed, 'sfu-reconnecting-media.png');
  janus = await startJanus(janus);  // the same folder, port and RTP ports
  const back = Date.now();
  // The old subscriptions are closed on "reset": frames counted again are the new ones'.
  for (const [page, other] of [[di, 'Ed'], [ed, 'Di']]) {
    await waitForState(page, (s, o) => !s.mediaReconnecting && seesEveryone(s, [o]), other, 20000)
      .catch((e) => { report(page); throw e; });
  }
  const recoveredMs = Date.now() - back;
  t.diagnostic(`media back ${recoveredMs} ms after Janus`);
  assert.ok(recoveredMs < 10000 + 4000, `media back within 10 s of the link (backoff up to 4 s): ${recoveredMs} ms`);
  for (const page of [di, ed]) assert.equal((await openConnections(page)).length, 2, 'two connections again, the old ones closed');

  // Ed's network drops for 5 s (Playwright's offline: his socket's traffic stops, his media to Janus
  // goes on), as in resilience.test's mesh case: he is back with the same id, Di never sees him
  // leave, his video keeps decoding at Di, still two connections each.
  const edId = (await state(ed)).room.self.id;
  await watchPresence(di, edId);
  const framesOf = async (page, id) => (await state(page)).room.peers.find((p) => p.id === id)?.framesDecoded ?? 0;
  const framesBefore = await framesOf(di, edId);
  await ed.context().setOffline(true);
  await new Promise((r) => setTimeout(r, 5000));
  const offline = await state(ed);
  const framesOffline = await framesOf(di, edId);
  await ed.context().setOffline(false);
  await waitForState(ed, (s, id) => s.connected && !s.reconnecting && s.room?.self.id === id && seesEveryone(s, ['Di']), edId, 15000)
    .catch((e) => { report(ed); throw e; });
  t.diagnostic(`Ed offline for 5 s: he saw ${JSON.stringify({ connected: offline.connected, reconnecting: offline.reconnecting })}; ` +
    `Di decoded ${framesOffline - framesBefore} of his frames meanwhile`);
  assert.ok(framesOffline > framesBefore, 'Ed\'s video kept decoding at Di while his socket was down');
  assert.equal(await sawMissing(di), false, 'Di never saw Ed leave');
  for (const page of [di, ed]) assert.equal((await openConnections(page)).length, 2, 'still two connections each');
});
