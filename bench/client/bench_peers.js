// Bench peers: the other people of the "UI CPU per frame" call (bench/client/run.mjs, part d).
// Runs in one page of its own browser, at the server's origin. Each bench peer is a real protocol
// client (own WebSocket, hello, join, pings) and a real WebRTC sender: it offers its fake camera and
// microphone, send-only, to the one measured person and to nobody else. So the measured page decodes
// and draws live video from every other tile, while this machine does not also run the rest of a
// six-person mesh (30 encoders and decoders, which on 2 cores starve the page being measured).
// Loaded with page.addScriptTag; driven through window.benchPeers from the bench script.
(() => {
  const peers = [];
  let camera = null;  // one fake camera + microphone, shared by every bench peer's connection

  function send(p, msg) {
    if (p.ws.readyState === WebSocket.OPEN) p.ws.send(JSON.stringify(msg));
  }
  function fail(p, why) {
    p.problem ??= why;
    console.error(`bench peer ${p.name}: ${why}`);
    p.rejectJoined?.(new Error(`${p.name}: ${why}`));
  }

  // Offers to `target` (the measured person); candidates before the answer wait in `early`.
  async function offer(p, target) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    p.pc = pc;
    p.target = target;
    for (const track of camera.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [camera] });
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) send(p, { type: 'signal', to: target, kind: 'candidate', candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => { if (pc.connectionState === 'failed') fail(p, 'connection to the measured person failed'); };
    await pc.setLocalDescription(await pc.createOffer());
    send(p, { type: 'signal', to: target, kind: 'offer', sdp: pc.localDescription.sdp });
  }

  async function onSignal(p, m) {
    if (!p.pc || m.from !== p.target) return;  // only the measured person negotiates with bench peers
    if (m.kind === 'answer') {
      await p.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      for (const c of p.early.splice(0)) await p.pc.addIceCandidate(c);
    } else if (m.kind === 'candidate') {
      if (p.pc.remoteDescription) await p.pc.addIceCandidate(m.candidate);
      else p.early.push(m.candidate);
    } else {
      fail(p, `unexpected ${m.kind} from the measured person`);
    }
  }

  // Resolves once joined and the offer to the member named `targetName` is sent.
  async function join(url, room, name, targetName) {
    camera ??= await navigator.mediaDevices.getUserMedia({
      audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },
    });
    const p = { name, ws: new WebSocket(url), pc: null, target: null, early: [], problem: null };
    peers.push(p);
    const joined = new Promise((resolve, reject) => { p.resolveJoined = resolve; p.rejectJoined = reject; });
    p.ws.onopen = () => send(p, { type: 'hello', version: 2 });
    p.ws.onclose = (e) => fail(p, `socket closed (${e.code})`);
    p.ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'welcome') send(p, { type: 'join', room, name, client: `bench-${name}` });
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

  // What each bench peer sends: [{name, state, width, height, fps, problem}].
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

  window.benchPeers = { join, report };
})();
