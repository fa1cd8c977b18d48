// Issue 15 step 3 (server side): a large room's media through moim-server and a real Janus, with
// real browsers doing ICE and DTLS, but without Moim's client (in progress): each page speaks the wire
// protocol itself (docs/PROTOCOL.md, "Large rooms: media through the media server") with two plain
// RTCPeerConnections, publish (it offers its fake camera and microphone) and subscribe (Janus offers).
// Ann and Bo publish: each gets a subscription offer naming the other's audio and video, answers, and
// its subscribe connection connects and receives both tracks; Cy joins and publishes: Ann and Bo get
// an offer that adds Cy, Cy one with both; Ann restarts ICE on both links (media-restart, a publish
// offer with iceRestart); Bo leaves: Ann and Cy get an offer without Bo.
// Needs only the native build (the page is a blank one served by moim-server) and Janus.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

// A site of one blank page: the test's own script runs in it (page.evaluate).
const site = mkdtempSync(path.join(tmpdir(), 'moim-e2e-blank-'));
writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>moim media test</title>\n');
process.env.MOIM_SITE = site;  // before lib.mjs reads it
const { launchBrowser, startServer } = await import('./lib.mjs');
const { startJanus } = await import('./large_rooms.mjs');

let browser;
let janus;
let server;
after(async () => {
  await browser?.close();
  await server?.stop();
  await janus?.kill();
});


// In the page: a WebSocket to moim-server and the two peer connections, as the protocol says.
function pageClient() {
  const t = { messages: [], offers: [], tracks: 0, errors: [] };
  window.t = t;
  const send = (m) => t.ws.send(JSON.stringify(m));
  t.connect = () => new Promise((resolve, reject) => {
    t.ws = new WebSocket(`ws://${location.host}/ws`);
    t.ws.onopen = () => { send({ type: 'hello', version: 3 }); };
    t.ws.onerror = () => reject(new Error('socket error'));
    t.ws.onmessage = async (e) => {
      const m = JSON.parse(e.data);
      t.messages.push(m.type);
      if (m.type === 'welcome') resolve(m);
      if (m.type === 'error') t.errors.push(m.code);
      if (m.type === 'ice') t.ice = m.servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
      if (m.type !== 'media-signal') return;
      try {
        if (m.link === 'publish' && m.kind === 'answer') {
          await t.pub.setRemoteDescription({ type: 'answer', sdp: m.sdp });
        } else if (m.link === 'subscribe' && m.kind === 'offer') {
          t.offers.push(m.streams ?? []);
          if (!t.sub) {
            t.sub = new RTCPeerConnection({ iceServers: t.ice ?? [] });
            t.sub.ontrack = () => { t.tracks += 1; };
            t.sub.onicecandidate = (c) => send({ type: 'media-signal', link: 'subscribe', kind: 'candidate',
              candidate: c.candidate ? c.candidate.toJSON() : { candidate: '' } });
          }
          await t.sub.setRemoteDescription({ type: 'offer', sdp: m.sdp });
          await t.sub.setLocalDescription(await t.sub.createAnswer());
          send({ type: 'media-signal', link: 'subscribe', kind: 'answer', sdp: t.sub.localDescription.sdp });
        }
      } catch (err) {
        t.errors.push(String(err));
      }
    };
  });
  t.request = (m, type) => new Promise((resolve) => {
    const before = t.ws.onmessage;
    t.ws.onmessage = (e) => {
      before(e);
      const r = JSON.parse(e.data);
      if (r.type === type || r.type === 'error') { t.ws.onmessage = before; resolve(r); }
    };
    send(m);
  });
  t.publish = async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    t.pub = new RTCPeerConnection({ iceServers: t.ice ?? [] });
    for (const track of stream.getTracks()) t.pub.addTrack(track, stream);
    t.pub.onicecandidate = (c) => send({ type: 'media-signal', link: 'publish', kind: 'candidate',
      candidate: c.candidate ? c.candidate.toJSON() : { candidate: '' } });
    await t.pub.setLocalDescription(await t.pub.createOffer());
    send({ type: 'media-signal', link: 'publish', kind: 'offer', sdp: t.pub.localDescription.sdp });
  };
  t.leave = () => send({ type: 'leave' });
  t.restartSubscription = () => send({ type: 'media-restart' });
  t.restartPublication = async () => {
    await t.pub.setLocalDescription(await t.pub.createOffer({ iceRestart: true }));
    send({ type: 'media-signal', link: 'publish', kind: 'offer', sdp: t.pub.localDescription.sdp });
  };
  t.ufrags = () => ({ pub: /a=ice-ufrag:(\S+)/.exec(t.pub.remoteDescription?.sdp ?? '')?.[1],
    sub: /a=ice-ufrag:(\S+)/.exec(t.sub?.remoteDescription?.sdp ?? '')?.[1], signaling: t.pub.signalingState });
  t.state = () => ({ pub: t.pub?.connectionState, sub: t.sub?.connectionState, offers: t.offers, tracks: t.tracks, errors: t.errors });
}

async function person() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.evaluate(pageClient);
  await page.evaluate(() => window.t.connect());
  return page;
}

const stateOf = (page) => page.evaluate(() => window.t.state());
async function waitFor(page, what, predicate, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let s;
  for (;;) {
    s = await stateOf(page);
    if (predicate(s)) return s;
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
// Whose audio and video the newest subscription offer names: "peer:kind" sorted.
const named = (s) => (s.offers.at(-1) ?? []).map((x) => `${x.peer}:${x.kind}`).sort();
const both = (...peers) => peers.flatMap((p) => [`${p}:audio`, `${p}:video`]).sort();

test('a large room: publish and subscribe connections through Janus, renegotiated as people come and go', async () => {
  janus = await startJanus({ rtpPorts: '40600-40699' });
  server = await startServer({ args: [...janus.serverArgs, '--stun-port', '0'] });
  browser = await launchBrowser();
  const ann = await person();
  // Large rooms once the link is ready.
  for (let i = 0; ; i++) {
    const created = await ann.evaluate(() => window.t.request({ type: 'create-room', name: 'All hands', capacity: 10 }, 'room-created'));
    if (created.type === 'room-created') { ann.room = created.room.id; break; }
    assert.equal(created.code, 'large-rooms-unavailable');
    assert.ok(i < 100, 'large rooms never became available');
    await new Promise((r) => setTimeout(r, 150));
  }
  const join = async (page, name) => {
    const joined = await page.evaluate(([room, n]) => window.t.request({ type: 'join', room, name: n }, 'joined'), [ann.room, name]);
    assert.equal(joined.type, 'joined', JSON.stringify(joined));
    return joined.self.id;
  };
  const annId = await join(ann, 'Ann');
  const bo = await person();
  const boId = await join(bo, 'Bo');
  await ann.evaluate(() => window.t.publish());
  await bo.evaluate(() => window.t.publish());

  // Each subscribes to the other once the other's publish connection is up.
  let a = await waitFor(ann, 'Ann subscribed to Bo', (s) => named(s).join() === both(boId).join() && s.sub === 'connected' && s.tracks >= 2);
  let b = await waitFor(bo, 'Bo subscribed to Ann', (s) => named(s).join() === both(annId).join() && s.sub === 'connected' && s.tracks >= 2);
  assert.equal(a.pub, 'connected');
  assert.equal(b.pub, 'connected');

  // Cy comes and publishes: Ann and Bo get Cy added; Cy gets both.
  const cy = await person();
  const cyId = await join(cy, 'Cy');
  await cy.evaluate(() => window.t.publish());
  await waitFor(cy, 'Cy subscribed to Ann and Bo', (s) => named(s).join() === both(annId, boId).join() && s.sub === 'connected');
  await waitFor(ann, 'Ann got Cy', (s) => named(s).join() === both(boId, cyId).join() && s.tracks >= 4);
  await waitFor(bo, 'Bo got Cy', (s) => named(s).join() === both(annId, cyId).join());

  // ICE restarts: media-restart brings Ann a subscription offer with new ICE credentials; a publish
  // offer with iceRestart gets an answer with new ones. Both stay connected.
  const before = await ann.evaluate(() => window.t.ufrags());
  const offersBefore = (await stateOf(ann)).offers.length;
  await ann.evaluate(() => window.t.restartSubscription());
  await waitFor(ann, 'a new subscription offer', (s) => s.offers.length === offersBefore + 1);
  await ann.evaluate(() => window.t.restartPublication());
  for (const deadline = Date.now() + 10000; ;) {
    const now = await ann.evaluate(() => window.t.ufrags());
    if (now.sub !== before.sub && now.pub !== before.pub && now.signaling === 'stable') break;
    assert.ok(Date.now() < deadline, `ICE credentials not renewed: ${JSON.stringify([before, now])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitFor(ann, 'Ann connected after the restarts', (s) => s.sub === 'connected' && s.pub === 'connected');

  // Bo leaves: Janus offers Ann and Cy again without him.
  await bo.evaluate(() => window.t.leave());
  a = await waitFor(ann, 'Ann without Bo', (s) => named(s).join() === both(cyId).join());
  await waitFor(cy, 'Cy without Bo', (s) => named(s).join() === both(annId).join());
  assert.equal(a.sub, 'connected');
  for (const page of [ann, bo, cy]) assert.deepEqual((await stateOf(page)).errors, []);
});
