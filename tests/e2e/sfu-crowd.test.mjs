// Issue 15's proof at twelve: a large room through Janus with one real page (Ana) and eleven
// send-only publishers (send_only_peers.js, joinLargeRoom: real protocol clients, each publishing a
// small camera through moim-server's media-signal, in one page of a second browser). Ana sees the
// eleven with frames decoding on their tiles (the grid's pages turned when it has them), holds
// exactly two peer connections, and uploads one stream: a single video sender, in three simulcast
// layers, however many watch.
// The publishers join one by one (each once Ana decodes the one before), then, in a second room, back
// to back: that found a bug (tiles left on "Connecting…" while their frames decoded: a peer-joined
// between a subscription offer's setRemoteDescription being issued and done made the client create
// that offer's new feeds before their transceivers existed, with no tracks; feeds now follow only
// the offer applied last, wasm/sfu/media_server_links.cpp).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLargeRoomByUi, startJanus } from './large_rooms.mjs';
import {
  click, joinLargeRoomPublisher, launchBrowser, openPerson, openSendOnlyPeers, saveReport, screenshot, startServer, state,
  typeInto, waitForState,
} from './lib.mjs';

const OTHERS = 11;
let janus, server;
after(async () => {
  await server?.stop();
  await janus?.kill();
});
// Ana's open RTCPeerConnections; for each, its senders (kind, the encodings' rids) and the
// outbound video streams getStats counts on it (rid, bytes sent).
const connections = (page) => page.evaluate(async () => {
  const out = [];
  for (const pc of window.__pcs.filter((x) => x.connectionState !== 'closed')) {
    const outbound = [];
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') outbound.push({ rid: s.rid ?? null, bytesSent: s.bytesSent, width: s.frameWidth ?? null });
    });
    out.push({
      state: pc.connectionState,
      senders: pc.getSenders().filter((s) => s.track).map((s) => ({ kind: s.track.kind, rids: (s.getParameters().encodings ?? []).map((e) => e.rid ?? null) })),
      receiving: pc.getTransceivers().filter((t) => t.currentDirection === 'recvonly').length,
      outbound,
    });
  }
  return out;
});

// Everyone's tiles on every page of the grid, each showing new frames: the page shown is read, then
// the next one (grid-next) until the pager's first page comes round. Resolves to the peers whose
// tiles were seen drawing frames.
async function framesOnEveryTile(page, tag, timeout = 30000) {
  const pager = () => page.evaluate(() => window.app.widgets().find((w) => w.id === 'grid-page')?.label ?? null);
  const drawn = () => page.evaluate(() => window.app.widgets().filter((w) => /^tile:\d+$/.test(w.id)).map((w) => Number(w.id.slice(5))));
  const seen = new Set();
  const label = await pager();
  const pages = label ? Number(label.split('/')[1]) : 1;
  for (let i = 0; i < pages; i++) {
    const ids = await drawn();
    const before = await state(page);
    const shown = (s, id) => s.room.peers.find((p) => p.id === id)?.framesShown ?? 0;
    await waitForState(page, (s) => ids.every((id) => shown(s, id) > shown(before, id)), null, timeout).catch(async (e) => {
      const now = await state(page);
      await screenshot(page, `${tag}-failure.png`);
      saveReport(`${tag}-failure.json`, { peers: now.room.peers, console: page.consoleLines.slice(-60) });
      throw new Error(`${e.message}\npage ${i + 1}/${pages}, tiles drawn ${ids}: frames shown ${ids.map((id) => `${shown(before, id)} -> ${shown(now, id)}`)}`);
    });
    for (const id of ids) seen.add(id);
    if (i + 1 < pages) await click(page, 'grid-next');
    await new Promise((r) => setTimeout(r, 500));
  }
  for (let i = 1; i < pages; i++) await click(page, 'grid-prev');  // back to the first page
  return { pages, seen };
}

// Ana in a new large room for twelve, then the eleven publishers (`together`: back to back, else
// each once Ana decodes the one before); the checks. Its browsers are closed at the end, also on a
// failure.
async function crowd(t, roomName, together) {
  const tag = together ? 'sfu-crowd-together' : 'sfu-crowd';  // its screenshot's and failure report's names
  janus ??= await startJanus();
  server ??= await startServer({ args: [...janus.serverArgs, '--stun-port', '0'] });
  const browser = await launchBrowser();
  const crowdBrowser = await launchBrowser({ args: ['--mute-audio'] });
  let ana;
  try {
    await scenario();
  } finally {
    if (ana?.consoleLines.some((l) => l.includes('PAGE ERROR'))) t.diagnostic(ana.consoleLines.join('\n'));
    await crowdBrowser.close();
    await browser.close();
  }
  async function scenario() {
    ana = await openPerson(browser, server.url, 'ana', { recordPeerConnections: true });
    await typeInto(ana, 'name-input', 'Ana');
    await ana.keyboard.press('Enter');
    const room = await createLargeRoomByUi(ana, roomName, 12);
    assert.equal(room.mode, 'sfu');
    await click(ana, `join:${room.id}`);
    await waitForState(ana, (s) => s.screen === 'call');

    const peers = await openSendOnlyPeers(crowdBrowser, server.url);
    const names = Array.from({ length: OTHERS }, (_, i) => `Pub ${i + 1}`);
    try {
      for (const name of names) {
        await joinLargeRoomPublisher(peers, room.id, name);
        if (!together) await waitForState(ana, (s, n) => s.room?.peers.some((p) => p.name === n && p.framesDecoded > 0), name, 30000);
      }
      // Everyone else connected, with frames decoding.
      await waitForState(ana, (s, want) => s.room?.peers.length === want.length &&
        want.every((n) => s.room.peers.some((p) => p.name === n && p.connection === 'connected' && p.framesDecoded > 0)), names, 90000);
    } catch (e) {
      saveReport(`${tag}-failure.json`, {
        publishers: await peers.evaluate(() => window.sendOnlyPeers.report()).catch((x) => String(x)),
        ana: await state(ana).then((s) => s.room?.peers.map((p) => `${p.name} ${p.connection} ${p.framesDecoded}`)).catch((x) => String(x)),
        console: [...ana.consoleLines.slice(-40), ...peers.consoleLines.slice(-40)],
      });
      throw e;
    }
    const s = await state(ana);
    assert.equal(s.room.peers.length, OTHERS, 'eleven others');
    assert.deepEqual(s.room.peers.map((p) => p.name).sort(), [...names].sort());

    // Frames keep decoding for every one of the eleven, and every tile (on every page) draws them.
    const earlier = await state(ana);
    await new Promise((r) => setTimeout(r, 2000));
    const later = await state(ana);
    for (const p of later.room.peers) {
      assert.ok(p.framesDecoded > earlier.room.peers.find((q) => q.id === p.id).framesDecoded, `${p.name}'s frames keep decoding`);
    }
    const { pages, seen } = await framesOnEveryTile(ana, tag);
    t.diagnostic(`grid pages: ${pages}; tiles drawing frames: ${seen.size}`);
    assert.equal(seen.size, OTHERS, `every other's tile draws frames (seen ${[...seen]})`);

    // Two connections: the publication (sending) and the subscription (receiving the eleven).
    const pcs = await connections(ana);
    t.diagnostic(`Ana's connections: ${JSON.stringify(pcs)}`);
    assert.equal(pcs.length, 2, `two connections: ${JSON.stringify(pcs)}`);
    const publication = pcs.find((pc) => pc.senders.length > 0);
    const subscription = pcs.find((pc) => pc.senders.length === 0);
    assert.ok(publication && subscription, JSON.stringify(pcs));
    assert.ok(subscription.receiving >= 2 * OTHERS, `the subscription receives 11 cameras and microphones: ${subscription.receiving}`);
    // One stream up: one video sender in the whole page, in three simulcast layers (h, m, l), bytes
    // going out on its layers; nothing on the subscription.
    const videoSenders = pcs.flatMap((pc) => pc.senders.filter((x) => x.kind === 'video'));
    assert.equal(videoSenders.length, 1, 'one video sender, not eleven');
    assert.deepEqual(videoSenders[0].rids, ['h', 'm', 'l']);
    assert.deepEqual(publication.outbound.map((o) => o.rid).sort(), ['h', 'l', 'm'], 'getStats: three outbound layers');
    assert.ok(publication.outbound.some((o) => o.bytesSent > 0), JSON.stringify(publication.outbound));
    assert.equal(subscription.outbound.length, 0, 'nothing sent on the subscription');

    // The first page of the grid, as Ana sees it.
    await new Promise((r) => setTimeout(r, 1000));
    await screenshot(ana, `${tag}.png`);
    const report = await peers.evaluate(() => window.sendOnlyPeers.report());
    t.diagnostic(`publishers: ${report.map((r) => `${r.name} ${r.state} ${r.width}x${r.height}@${r.fps} (publications ${r.publications})`).join(', ')}`);
    for (const r of report) assert.equal(r.state, 'connected', `${r.name} publishes: ${JSON.stringify(r)}`);
  }
}

test('twelve in a large room through Janus: one real page sees eleven publishers on two connections and uploads one stream', async (t) => {
  await crowd(t, 'Town hall', false);
});

test('twelve in a large room, the eleven joining back to back', async (t) => {
  await crowd(t, 'Rush hour', true);
});
