// Send-only peers: lightweight other people for a call with one real client in it. They run in one
// page of their own browser, at the server's origin (tests/e2e/lib.mjs openSendOnlyPeers). Each is a
// real protocol client (own WebSocket, hello, join, pings) and a real WebRTC sender: it offers video
// and sound, send-only, to one person (the real client) and connects to nobody else.
// Used by the bench (bench/client/run.mjs: five of them, so the measured page decodes and draws live
// video from every other tile, without this machine also running the rest of a six-person mesh) and
// by the end-to-end tests (color bars of known colors, to check the colors the client draws).
// With `{channel: true}` a peer also opens the client's data channel ("moim", negotiated, id 0) and
// can write anything on it (sendOnChannel) or open other channels (openChannel): a hostile peer for
// the end-to-end tests (hostile-peer.test.mjs). With `{receive: true}` its lines are sendrecv, so
// the real client sends its camera back (the bench's mesh, bench/client/sfu.mjs); nothing is shown.
// Large rooms (joinLargeRoom): a peer publishes to the media server through moim-server
// (`media-signal` link publish: its offer, candidates trickled, the answer applied) and never
// subscribes (subscription offers are left unanswered); `media-failed` or `media-state` reset make
// it publish again on a new connection. Its video is small (320x180 at 15 fps, one layer) so eleven
// of them fit on this machine (sfu-crowd.test.mjs, the bench's sfu part).
// Driven through window.sendOnlyPeers.
(() => {
  const peers = [];
  let camera = null;  // one fake camera + microphone, shared by every peer that sends it
  const small = {};   // fake camera + microphone by size ("320x180@15"), shared: large-room and `video` peers
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
    const media = p.source === 'bars' ? colorBars() : p.media ?? camera;
    for (const track of media.getTracks()) pc.addTransceiver(track, { direction: p.receive ? 'sendrecv' : 'sendonly', streams: [media] });
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

  // The fake camera and microphone at {width, height, fps}, one stream per size.
  async function smallCamera({ width, height, fps }) {
    const key = `${width}x${height}@${fps}`;
    small[key] ??= navigator.mediaDevices.getUserMedia({
      audio: true, video: { width: { exact: width }, height: { exact: height }, frameRate: { ideal: fps, max: fps } },
    });
    return small[key];
  }

  // A protocol client for `p`: hello, join `room` as `name`, pings; `onJoined(m)` with `joined`,
  // `onMessage(m)` with everything after it but `error`s, which fail the peer unless `onError(m)` says
  // it took them.
  function connect(p, url, room, onJoined, onMessage, onError = () => false) {
    p.ws = new WebSocket(url);
    const joined = new Promise((resolve, reject) => { p.resolveJoined = resolve; p.rejectJoined = reject; });
    p.ws.onopen = () => send(p, { type: 'hello', version: 3 });
    p.ws.onclose = (e) => fail(p, `socket closed (${e.code})`);
    p.ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'welcome') send(p, { type: 'join', room, name: p.name, client: `send-only-${p.name}` });
      else if (m.type === 'joined') onJoined(m);
      else if (m.type === 'error') { if (!onError(m)) fail(p, `server error ${m.code}: ${m.message ?? ''}`); }
      else onMessage(m);
    };
    p.ping = setInterval(() => send(p, { type: 'ping' }), 2000);
    return joined;
  }

  // Resolves to its peer id once joined and the offer to the member named `targetName` is sent.
  // source: 'camera' (the fake camera and microphone, as the client asks for them) or 'bars' (BARS).
  // `video`: {width, height, fps} of a camera of that size instead of the client's 640x360 at 24.
  // `receive`: take the real client's media too (sendrecv lines).
  async function join(url, room, name, targetName, source = 'camera', { channel = false, receive = false, video = null } = {}) {
    if (source === 'camera' && !video) {
      camera ??= await navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },
      });
    }
    const p = { name, source, targetName, ws: null, pc: null, target: null, early: [], problem: null,
      withChannel: channel, channel: null, received: [], receive, media: video ? await smallCamera(video) : null };
    peers.push(p);
    return connect(p, url, room, (m) => {
      const target = m.peers.find((q) => q.name === targetName);
      if (!target) return fail(p, `no ${targetName} in the room`);
      offer(p, target.id).then(() => p.resolveJoined(m.self.id), (err) => fail(p, `offer: ${err}`));
    }, (m) => {
      if (m.type === 'signal') onSignal(p, m).catch((err) => fail(p, `${m.kind}: ${err}`));
    });
  }

  // ---- large rooms: a publication to the media server ----------------------------------------
  // A new publish connection: audio and video, send-only, one layer; its offer and candidates go as
  // media-signal (link publish). The connection it replaces is closed first.
  async function publish(p) {
    p.pc?.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    p.pc = pc;
    p.early = [];
    p.publications++;
    for (const track of p.media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [p.media] });
    pc.onicecandidate = (e) => {
      if (p.pc !== pc) return;
      // null: the end of candidates ("" on the wire)
      send(p, { type: 'media-signal', link: 'publish', kind: 'candidate', candidate: e.candidate?.candidate ? e.candidate.toJSON() : { candidate: '' } });
    };
    pc.onconnectionstatechange = () => { if (p.pc === pc && pc.connectionState === 'failed') fail(p, 'publish connection failed'); };
    await pc.setLocalDescription(await pc.createOffer());
    send(p, { type: 'media-signal', link: 'publish', kind: 'offer', sdp: pc.localDescription.sdp });
  }
  async function onMediaSignal(p, m) {
    if (m.link === 'subscribe') { p.offersIgnored++; return; }  // never subscribes
    if (m.link !== 'publish' || !p.pc) return;
    if (m.kind === 'answer') {
      if (p.pc.signalingState !== 'have-local-offer') return;  // an answer to an offer replaced meanwhile
      await p.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      for (const c of p.early.splice(0)) await p.pc.addIceCandidate(c);
    } else if (m.kind === 'candidate') {  // Janus puts its candidates in its SDP; taken anyway
      if (p.pc.remoteDescription) await p.pc.addIceCandidate(m.candidate);
      else p.early.push(m.candidate);
    }
  }
  // A send-only publisher in large room `room`; resolves to its peer id once joined and its first
  // publish offer is sent. `video`: its camera's {width, height, fps}.
  async function joinLargeRoom(url, room, name, { video = { width: 320, height: 180, fps: 15 } } = {}) {
    const p = { name, source: 'camera', large: true, ws: null, pc: null, early: [], problem: null, received: [],
      media: await smallCamera(video), publications: 0, restarts: 0, offersIgnored: 0 };
    peers.push(p);
    const again = (why) => {
      p.restarts++;
      console.warn(`send-only peer ${name}: ${why}: publishing again`);
      publish(p).catch((err) => fail(p, `publish: ${err}`));
    };
    return connect(p, url, room, (m) => {
      publish(p).then(() => p.resolveJoined(m.self.id), (err) => fail(p, `publish: ${err}`));
    }, (m) => {
      if (m.type === 'media-signal') onMediaSignal(p, m).catch((err) => fail(p, `media-signal ${m.link} ${m.kind}: ${err}`));
      else if (m.type === 'media-state' && m.state === 'reset') again('media reset');
    }, (m) => {
      if (m.code !== 'media-failed') return false;
      again('media-failed');
      return true;
    });
  }

  // What each peer sends: [{name, state, width, height, fps, problem}].
  async function report() {
    const out = [];
    for (const p of peers) {
      const r = { name: p.name, state: p.pc?.connectionState ?? 'none', problem: p.problem };
      if (p.large) Object.assign(r, { publications: p.publications, restarts: p.restarts, offersIgnored: p.offersIgnored });
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

  window.sendOnlyPeers = { join, joinLargeRoom, report, BARS, sendOnChannel, channelOpen, channelReceived, openChannel };
})();
