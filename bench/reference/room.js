'use strict';
// A minimal video room in plain JS (bench/README.md, "Join, side by side"): the camera and microphone are opened
// on load and shown in a preview, as Moim's lobby does; Join connects to everyone already in the
// room (?room=NAME). The newcomer offers, as in Moim; candidates trickle through the relay
// (relay.mjs). Every remote stream plays in a DOM <video>.
// window.ref: what the bench reads. click: the Join click's event time; expected: how many people
// were in the room; frames: {peer id: time its first video frame was presented} (performance.now()).
(function () {
  const room = new URLSearchParams(location.search).get('room') || 'default';
  const ref = window.ref = { click: null, joined: null, expected: null, frames: {}, connected: false, error: null, phases: {} };
  // phases: {peer id: {name: time}} (offer/answer sent and applied, ICE connected): where a join's time goes.
  const mark = (id, name) => { (ref.phases[id] ??= {})[name] ??= performance.now(); };
  const button = document.getElementById('join');
  const status = document.getElementById('status');
  const tiles = document.getElementById('tiles');
  const peers = new Map();  // peer id -> { pc, video }
  const socket = new WebSocket(`ws://${location.host}/ws`);
  const send = (m) => socket.send(JSON.stringify(m));
  const fail = (e) => { ref.error = String((e && e.message) || e); status.textContent = ref.error; };

  const media = navigator.mediaDevices.getUserMedia({
    audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },  // as Moim asks
  }).then((stream) => { document.getElementById('self').srcObject = stream; return stream; });
  media.catch(fail);

  socket.onopen = () => { ref.connected = true; button.disabled = false; status.textContent = `Room ${room}`; };
  socket.onclose = () => { ref.connected = false; button.disabled = true; status.textContent = 'Disconnected'; };
  button.onclick = async (e) => {
    ref.click = e.timeStamp;
    button.disabled = true;
    try { await media; } catch { /* joins without sending */ }
    send({ type: 'join', room });
  };

  function connect(id, offer) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const peer = { pc, video: null };
    peers.set(id, peer);
    media.then((stream) => stream.getTracks().forEach((t) => pc.addTrack(t, stream)), () => {}).then(async () => {
      if (!offer) return;
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: 'signal', to: id, data: { description: pc.localDescription } });
      mark(id, 'offerSent');
    }).catch(fail);
    pc.onconnectionstatechange = () => { if (pc.connectionState === 'connected') mark(id, 'connected'); };
    pc.onicecandidate = (e) => { if (e.candidate) send({ type: 'signal', to: id, data: { candidate: e.candidate } }); };
    pc.ontrack = (e) => {
      if (peer.video) return;
      const video = peer.video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      video.srcObject = e.streams[0];
      video.requestVideoFrameCallback((now) => { ref.frames[id] ??= now; });
      tiles.appendChild(video);
    };
    return peer;
  }
  async function onSignal(from, data) {
    const peer = peers.get(from) || connect(from, false);
    if (data.description) {
      await peer.pc.setRemoteDescription(data.description);
      mark(from, data.description.type + 'Applied');
      if (data.description.type === 'offer') {
        await media.catch(() => {});  // our tracks are on before we answer
        await peer.pc.setLocalDescription(await peer.pc.createAnswer());
        send({ type: 'signal', to: from, data: { description: peer.pc.localDescription } });
      }
    } else if (data.candidate) {
      await peer.pc.addIceCandidate(data.candidate);
    }
  }
  socket.onmessage = ({ data }) => {
    const m = JSON.parse(data);
    if (m.type === 'joined') {
      ref.joined = performance.now();
      ref.expected = m.peers.length;
      for (const id of m.peers) connect(id, true);
    } else if (m.type === 'peer-joined') {
      connect(m.id, false);
    } else if (m.type === 'signal') {
      onSignal(m.from, m.data).catch(fail);
    } else if (m.type === 'peer-left') {
      const peer = peers.get(m.id);
      if (peer) { peer.pc.close(); if (peer.video) peer.video.remove(); peers.delete(m.id); }
    } else if (m.type === 'error') {
      fail(m.message);
    }
  };
})();
