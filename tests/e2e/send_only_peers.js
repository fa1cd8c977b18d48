// Send-only peers: lightweight other people for a call with one real client in it. They run in one
// page of their own browser, at the server's origin (tests/e2e/lib.mjs openSendOnlyPeers). Each is a
// real protocol client (own WebSocket, hello, join, pings) and a real WebRTC sender: it offers video
// and sound, send-only, to one person (the real client) and connects to nobody else.
// Used by the bench (bench/client/run.mjs: five of them, so the measured page decodes and draws live
// video from every other tile, without this machine also running the rest of a six-person mesh) and
// by the end-to-end tests (color bars of known colors, to check the colors the client draws).
// With `{channel: true}` a peer also opens the client's data channel ("moim", negotiated, id 0) and
// can write anything on it (sendOnChannel) or open other channels (openChannel): a hostile peer for
// the end-to-end tests (hostile-peer.test.mjs).
// Driven through window.sendOnlyPeers.
(() => {
  const peers = [];
  let camera = null;  // one fake camera + microphone, shared by every peer that sends it
  let bars = null;    // color bars (BARS, left to right) on a canvas, 640x360 at 24 fps
  const BARS = ['#ff0000', '#00ff00', '#0000ff', '#ffffff', '#000000', '#ffcc00'];

  function send(p, msg) {
    if (p.ws.readyState === WebSocket.OPEN) p.ws.send(JSON.stringify(msg));
  }
  function fail(p, why) {
    p.problem ??= why;
    console.error(`send-only peer ${p.name}: ${why}`);
    p.rejectJoined?.(new Error(`${p.name}: ${why}`));
  }

  function colorBars() {
    if (bars) return bars;
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const g = canvas.getContext('2d');
    const draw = () => {
      BARS.forEach((c, i) => { g.fillStyle = c; g.fillRect(i * canvas.width / BARS.length, 0, canvas.width / BARS.length, canvas.height); });
    };
    draw();
    setInterval(draw, 1000 / 24);  // a canvas stream sends a frame only when the canvas is drawn
    bars = canvas.captureStream(24);
    return bars;
  }

  // Offers to `target` (the real client); candidates before the answer wait in `early`.
  async function offer(p, target) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    p.pc = pc;
    p.target = target;
    const media = p.source === 'bars' ? colorBars() : camera;
    for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
    if (p.withChannel) {
      p.channel = pc.createDataChannel('moim', { negotiated: true, id: 0, ordered: true });
      p.channel.onmessage = (e) => p.received.push(typeof e.data === 'string' ? e.data : `<binary ${e.data.byteLength || e.data.size}>`);
    }
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) send(p, { type: 'signal', to: target, kind: 'candidate', candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => { if (pc.connectionState === 'failed') fail(p, `connection to ${p.targetName} failed`); };
    await pc.setLocalDescription(await pc.createOffer());
    send(p, { type: 'signal', to: target, kind: 'offer', sdp: pc.localDescription.sdp });
  }

  async function onSignal(p, m) {
    if (!p.pc || m.from !== p.target) return;  // only the real client negotiates with these peers
    if (m.kind === 'answer') {
      await p.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      for (const c of p.early.splice(0)) await p.pc.addIceCandidate(c);
    } else if (m.kind === 'candidate') {
      if (p.pc.remoteDescription) await p.pc.addIceCandidate(m.candidate);
      else p.early.push(m.candidate);
    } else {
      fail(p, `unexpected ${m.kind} from ${p.targetName}`);
    }
  }

  // Resolves to its peer id once joined and the offer to the member named `targetName` is sent.
  // source: 'camera' (the fake camera and microphone, as the client asks for them) or 'bars' (BARS).
  async function join(url, room, name, targetName, source = 'camera', { channel = false } = {}) {
    if (source === 'camera') {
      camera ??= await navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },
      });
    }
    const p = { name, source, targetName, ws: new WebSocket(url), pc: null, target: null, early: [], problem: null,
      withChannel: channel, channel: null, received: [] };
    peers.push(p);
    const joined = new Promise((resolve, reject) => { p.resolveJoined = resolve; p.rejectJoined = reject; });
    p.ws.onopen = () => send(p, { type: 'hello', version: 3 });
    p.ws.onclose = (e) => fail(p, `socket closed (${e.code})`);
    p.ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'welcome') send(p, { type: 'join', room, name, client: `send-only-${name}` });
      else if (m.type === 'joined') {
        const target = m.peers.find((q) => q.name === targetName);
        if (!target) return fail(p, `no ${targetName} in the room`);
        offer(p, target.id).then(() => p.resolveJoined(m.self.id), (err) => fail(p, `offer: ${err}`));
      } else if (m.type === 'signal') onSignal(p, m).catch((err) => fail(p, `${m.kind}: ${err}`));
      else if (m.type === 'error') fail(p, `server error ${m.code}: ${m.message ?? ''}`);
    };
    p.ping = setInterval(() => send(p, { type: 'ping' }), 2000);
    return joined;
  }

  // What each peer sends: [{name, state, width, height, fps, problem}].
  async function report() {
    const out = [];
    for (const p of peers) {
      const r = { name: p.name, state: p.pc?.connectionState ?? 'none', problem: p.problem };
      if (p.pc) (await p.pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') Object.assign(r, { width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond });
      });
      out.push(r);
    }
    return out;
  }

  const byName = (name) => peers.find((q) => q.name === name);
  // Writes `data` on the peer's "moim" channel as it is: a string, or {binary: n} for n zero bytes.
  function sendOnChannel(name, data) {
    const c = byName(name)?.channel;
    if (!c || c.readyState !== 'open') return false;
    c.send(typeof data === 'string' ? data : new Uint8Array(data.binary));
    return true;
  }
  const channelOpen = (name) => byName(name)?.channel?.readyState === 'open';
  const channelReceived = (name) => byName(name)?.received ?? [];
  // Opens another channel, labelled `label`, to the real client and writes `items` on it once open
  // (strings as text, {binary: n} as n zero bytes).
  function openChannel(name, label, items) {
    const c = byName(name).pc.createDataChannel(label);
    c.onopen = () => { for (const d of items) c.send(typeof d === 'string' ? d : new Uint8Array(d.binary)); };
    return true;
  }

  window.sendOnlyPeers = { join, report, BARS, sendOnChannel, channelOpen, channelReceived, openChannel };
})();
