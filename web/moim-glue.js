'use strict';
// Moim's browser glue. It owns every JS object the C++ app uses (media streams, peer connections,
// video elements) in integer-handle maps; C++ holds only the handles. C++ calls in through embind
// (emscripten::val on window.MoimGlue); results come back through the Module.moim* functions that
// wasm/browser/bindings.cpp exports. No app logic here: decisions are made in C++.
//
// Lifetime rule (as in datachannel-wasm): a callback for a handle that was closed is dropped.
// No exception crosses into wasm or out of a browser callback: every call-in goes through callApp.
(function () {
  let nextHandle = 1;
  const streams = new Map();  // handle -> MediaStream
  const peers = new Map();    // handle -> { pc, chain, stream, remote, video, layout }
  const videos = new Map();   // handle -> { el, stream, sound, tapped, frame, converting, polling, ... }
  const mediaBox = () => document.getElementById('media-elements');
  const overlay = () => document.getElementById('text-overlay');

  function callApp(name, ...args) {
    try {
      const f = window.Module && window.Module[name];
      if (typeof f === 'function') f(...args);
    } catch (e) {
      console.error('moim: ' + name + ' threw', e);
    }
  }
  function guard(fn, fallback) {
    return function (...args) {
      try { return fn(...args); } catch (e) { console.error('moim glue:', e); return fallback; }
    };
  }
  const errorText = (e) => (e && (e.message || e.name)) || String(e);

  // ---- media devices -------------------------------------------------------------------------
  // `constraints`: MediaStreamConstraints as C++ built them (shared/media_plan.hpp), used untouched.
  function openMedia(request, constraints) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      callApp('moimOnMediaFailed', request, 'NotSupported', 'navigator.mediaDevices.getUserMedia is missing');
      return;
    }
    navigator.mediaDevices.getUserMedia(constraints).then((stream) => {
      const h = nextHandle++;
      streams.set(h, stream);
      callApp('moimOnMediaOpened', request, h, stream.getAudioTracks().length > 0, stream.getVideoTracks().length > 0);
    }, (e) => callApp('moimOnMediaFailed', request, (e && e.name) || 'Error', errorText(e)));
  }
  function closeMedia(h) {
    const s = streams.get(h);
    if (!s) return;
    streams.delete(h);
    s.getTracks().forEach((t) => t.stop());
  }
  function setTrackEnabled(h, kind, enabled) {
    const s = streams.get(h);
    if (!s) return;
    (kind === 'audio' ? s.getAudioTracks() : s.getVideoTracks()).forEach((t) => { t.enabled = enabled; });
  }

  // ---- video -> WebGL textures ---------------------------------------------------------------
  // A video handle shows one MediaStream: the newest video frame waits (I420 planes, RGBA pixels or
  // an ImageBitmap) for the frame loop to upload (takeFrame), and the sound plays through a hidden
  // <video> element.
  //
  // Where the browser has MediaStreamTrackProcessor (Chromium), the frames go straight from the
  // track to a worker, which copies each out (I420 planes, converted to RGB by the renderer's shader)
  // into one of two buffers per video; the buffers travel to the page and back, so nothing is
  // allocated per frame and the page only uploads. The element then gets the audio tracks only, and
  // draws no video at all.
  // Elsewhere (or if that fails), each frame the element presents is converted with
  // createImageBitmap(el) on the main thread, scaled down to its tile. That conversion was measured
  // at 2-7 ms of main thread per frame on 2 cores with a software GPU (a readback from the GPU
  // process): 42 ms per drawn frame with six tiles. Its time is counted in the frame's cost
  // (takeConvertMs).
  const FRAME_WORKER = `
    const taps = new Map();  // video handle -> { reader, held, free, busy, closed }
    onmessage = ({ data }) => {
      const t = taps.get(data.h);
      if (data.op === 'open') open(data.h, data.readable);
      else if (data.op === 'give') { if (t) { t.free.push(data.buffer); pump(t); } }
      else if (data.op === 'close' && t) {
        t.closed = true;
        taps.delete(data.h);
        if (t.held) t.held.close();
        t.reader.cancel().catch(() => {});
      }
    };
    async function open(h, readable) {
      const t = { h, reader: readable.getReader(), held: null, free: [null, null], busy: false, closed: false };
      taps.set(h, t);
      try {
        for (;;) {
          const { value, done } = await t.reader.read();
          if (done) return;
          if (t.closed) { value.close(); return; }
          if (t.held) t.held.close();  // the page has not taken the last one yet: keep the newest
          t.held = value;
          pump(t);
        }
      } catch (e) {
        if (!t.closed) postMessage({ h, error: String((e && e.message) || e) });
      }
    }
    async function pump(t) {
      if (t.busy || t.closed || !t.held || !t.free.length) return;
      const frame = t.held;
      t.held = null;
      t.busy = true;
      let buffer = t.free.pop();
      try {
        // I420 planes as they are (a copy); the renderer converts them to RGB. Other layouts are
        // converted to RGBA here, which in Chromium is far slower (about 50 ms a frame on 2 cores).
        const planar = frame.format === 'I420' || frame.format === 'I420A';
        const options = planar ? {} : { format: 'RGBA' };  // {}: the visible rectangle, tightly packed
        const size = frame.allocationSize(options);
        if (!buffer || buffer.byteLength !== size) buffer = new ArrayBuffer(size);
        const planes = await frame.copyTo(buffer, options);
        const { width, height } = frame.visibleRect;
        if (t.closed) return;
        const cs = frame.colorSpace || {};
        const matrix = (cs.matrix === 'bt709' ? 2 : 0) + (cs.fullRange ? 1 : 0);  // else BT.601
        postMessage({ h: t.h, width, height, buffer, matrix,
          planes: planar ? planes.slice(0, 3).map((p) => ({ offset: p.offset, stride: p.stride })) : null }, [buffer]);
      } catch (e) {
        t.free.push(null);
        if (!t.closed) postMessage({ h: t.h, error: String((e && e.message) || e) });
        return;
      } finally {
        frame.close();
        t.busy = false;
      }
      pump(t);
    }`;
  let frameWorker;  // undefined until first needed; null where there is none
  function frameTaps() {
    if (frameWorker !== undefined) return frameWorker;
    frameWorker = null;
    if (typeof MediaStreamTrackProcessor !== 'function' || typeof VideoFrame !== 'function' || typeof Worker !== 'function')
      return frameWorker;
    // ?video-frames=element takes the other browsers' way on Chromium too (the tests check both).
    if (new URLSearchParams(location.search).get('video-frames') === 'element') return frameWorker;
    try {
      const url = URL.createObjectURL(new Blob([FRAME_WORKER], { type: 'text/javascript' }));
      frameWorker = new Worker(url);
      URL.revokeObjectURL(url);
      frameWorker.onmessage = guard(({ data }) => onTappedFrame(data));
      frameWorker.onerror = (e) => console.warn('moim: video frame worker:', e.message);
    } catch (e) {
      console.warn('moim: no video frame worker; converting frames on the page', errorText(e));
      frameWorker = null;
    }
    return frameWorker;
  }
  function onTappedFrame({ h, width, height, buffer, planes, matrix, error }) {
    const v = videos.get(h);
    if (!v) return;  // closed meanwhile: its buffers go with it
    if (error) {
      console.warn('moim: video frames from the track stopped (' + error + '); converting them on the page');
      frameWorker.postMessage({ op: 'close', h });
      v.tapped = null;
      v.sound = null;  // the element plays the whole stream again, and syncTracks leaves it alone
      v.el.srcObject = v.stream;
      watchElementFrames(h, v);
      return;
    }
    let given = false;
    offerFrame(v, {
      width, height, data: new Uint8Array(buffer), planes, matrix,
      close() {  // after the upload (WebGL has copied the pixels): the buffer goes back to the worker
        if (given) return;
        given = true;
        if (videos.get(h) === v && frameWorker) frameWorker.postMessage({ op: 'give', h, buffer }, [buffer]);
      },
    });
  }
  // A new frame for the next upload; one not uploaded in time is closed (keep only the newest). The
  // app's frame loop runs on demand: it hears of each frame (and whether it is the video's first).
  function offerFrame(v, frame) {
    if (v.frame && v.frame.close) v.frame.close();
    v.frame = frame;
    callApp('moimOnVideoFrame', !v.shown);
  }
  // Tracks that reached the stream since: audio to the element, the first video track to the worker.
  function syncTracks(v, h) {
    if (!v.sound) return;  // the element plays the whole stream
    for (const t of v.stream.getAudioTracks()) if (!v.sound.getTracks().includes(t)) v.sound.addTrack(t);
    const track = v.stream.getVideoTracks()[0];
    if (track && !v.tapped) {
      v.tapped = track;
      const { readable } = new MediaStreamTrackProcessor({ track });
      frameWorker.postMessage({ op: 'open', h, readable }, [readable]);
    }
  }
  function watchElementFrames(h, v) {
    const el = v.el;
    if (!('requestVideoFrameCallback' in el)) {
      v.polling = true;  // no rVFC: upload the element itself every frame
      return;
    }
    const onFrame = () => {
      if (videos.get(h) !== v) return;
      if (!v.converting) {
        v.converting = true;
        const start = performance.now();
        createImageBitmap(el, fitOptions(v)).then((bmp) => {
          v.converting = false;
          if (videos.get(h) !== v) { bmp.close(); return; }
          offerFrame(v, bmp);
        }, () => { v.converting = false; });
        convertMs += performance.now() - start;
      }
      el.requestVideoFrameCallback(onFrame);
    };
    el.requestVideoFrameCallback(onFrame);
  }
  function createVideo(stream, muted) {
    const h = nextHandle++;
    const el = document.createElement('video');
    el.muted = muted;
    el.playsInline = true;
    el.autoplay = true;
    const v = { el, stream, sound: null, tapped: null, frame: null, shown: false, converting: false, polling: false, fitW: 0, fitH: 0 };
    videos.set(h, v);
    if (frameTaps()) {
      el.srcObject = v.sound = new MediaStream();
      syncTracks(v, h);
    } else {
      el.srcObject = stream;
      watchElementFrames(h, v);
    }
    mediaBox().appendChild(el);
    el.play().catch((e) => {
      // Autoplay with sound refused (no user gesture yet): play muted rather than not at all.
      console.warn('moim: play() refused, retrying muted', e);
      el.muted = true;
      el.play().catch(() => {});
    });
    return h;
  }
  // Frames converted on the page are no larger than the tile that shows them (device pixels; 0 = as
  // they come): a 640x360 frame drawn in a 400x225 tile costs more to convert and upload, for nothing.
  function fitVideo(h, w, hgt) {
    const v = videos.get(h);
    if (v) { v.fitW = Math.max(0, w | 0); v.fitH = Math.max(0, hgt | 0); }
  }
  // createImageBitmap options that scale the frame down to cover fitW x fitH, keeping its shape.
  function fitOptions(v) {
    const vw = v.el.videoWidth, vh = v.el.videoHeight;
    if (!v.fitW || !v.fitH || !vw || !vh) return undefined;
    const k = Math.max(v.fitW / vw, v.fitH / vh);
    if (k >= 0.9) return undefined;  // close to the natural size: not worth a resize pass
    return { resizeWidth: Math.max(1, Math.round(vw * k)), resizeHeight: Math.max(1, Math.round(vh * k)), resizeQuality: 'medium' };
  }
  // Main-thread milliseconds spent converting video frames since the last call.
  let convertMs = 0;
  function takeConvertMs() { const ms = convertMs; convertMs = 0; return ms; }
  function destroyVideo(h) {
    const v = videos.get(h);
    if (!v) return;
    videos.delete(h);
    if (v.tapped) frameWorker.postMessage({ op: 'close', h });
    if (v.frame && v.frame.close) v.frame.close();
    v.el.srcObject = null;
    v.el.remove();
  }
  // The newest frame not uploaded yet: pixels {width, height, data, planes, matrix} (I420 planes and
  // their YUV matrix, 0-3 as video_planes.hpp says; or RGBA when planes is null) or an ImageBitmap, which the
  // caller closes after the upload; or the element itself when frames cannot be tracked; null when
  // there is nothing new.
  function takeFrame(h) {
    const v = videos.get(h);
    if (!v) return null;
    if (v.polling) {
      if (!(v.el.videoWidth > 0)) return null;
      v.shown = true;
      return v.el;
    }
    const f = v.frame;
    v.frame = null;
    if (f) v.shown = true;
    return f;
  }

  // True when some video has a frame waiting for upload (the app then draws a frame).
  // True when a video that has shown nothing yet has its first frame waiting (the app draws it at
  // once; later frames as often as the page affords).
  function firstFramePending() {
    for (const v of videos.values()) if ((v.frame || v.polling) && !v.shown) return true;
    return false;
  }
  function framesPending() {
    for (const v of videos.values()) if (v.frame || v.polling) return true;
    return false;
  }

  // ---- peer connections ----------------------------------------------------------------------
  // `config`: the RTCConfiguration the app built ({iceServers, iceTransportPolicy}; see
  // wasm/browser/rtc_configuration.cpp). Nothing about ICE servers is decided here.
  // `layout`: [{kind, direction, send}] in m-line order (shared/media_plan.hpp): a line that sends
  // gets our track of its kind now, whichever side offers (an answerer's addTrack transceivers are
  // matched to the offer's m-lines when it is applied, so no track swapping is needed later).
  function createPeer(streamHandle, config, layout) {
    const h = nextHandle++;
    let pc;
    try {
      pc = new RTCPeerConnection(config);
    } catch (e) {
      // The app checks every server before handing it over, so this is not expected. Without the
      // servers the call still connects on one network; the policy (privacy) is kept.
      console.error('moim: RTCPeerConnection refused the ICE servers; using none', e);
      pc = new RTCPeerConnection({ iceServers: [], iceTransportPolicy: config && config.iceTransportPolicy });
    }
    const entry = { pc, chain: Promise.resolve(), stream: streams.get(streamHandle) || null, remote: null, video: 0,
      layout: Array.isArray(layout) ? layout : [] };
    peers.set(h, entry);
    for (const line of entry.layout) {
      const track = line.send && localTrack(entry, line.kind);
      if (track) pc.addTrack(track, entry.stream);
    }
    const alive = () => peers.get(h) === entry;
    pc.onicecandidate = (e) => {
      if (alive() && e.candidate && e.candidate.candidate)
        callApp('moimOnIceCandidate', h, e.candidate.candidate, e.candidate.sdpMid || '', e.candidate.sdpMLineIndex || 0);
    };
    pc.onconnectionstatechange = () => { if (alive()) callApp('moimOnConnectionState', h, pc.connectionState); };
    pc.ontrack = (e) => {
      if (!alive()) return;
      if (!entry.remote) entry.remote = e.streams[0] || new MediaStream();
      if (!entry.remote.getTracks().includes(e.track)) entry.remote.addTrack(e.track);
      if (entry.video && videos.has(entry.video)) syncTracks(videos.get(entry.video), entry.video);
      if (!entry.video) {
        entry.video = createVideo(entry.remote, false);
        callApp('moimOnRemoteVideo', h, entry.video);
      }
    };
    return h;
  }
  // Operations on one connection run strictly in order, as the C++ machine issued them.
  function enqueue(h, what, op) {
    const entry = peers.get(h);
    if (!entry) return;
    entry.chain = entry.chain.then(() => (peers.get(h) === entry ? op(entry) : undefined)).catch((e) => {
      if (peers.get(h) === entry) callApp('moimOnPeerError', h, what + ': ' + errorText(e));
    });
  }
  function localTrack(entry, kind) {
    if (!entry.stream) return null;
    return (kind === 'audio' ? entry.stream.getAudioTracks() : entry.stream.getVideoTracks())[0] || null;
  }
  // iceRestart: fresh ICE credentials on an existing connection (it failed or stays disconnected).
  function createOffer(h, iceRestart) {
    enqueue(h, iceRestart ? 'createOffer(iceRestart)' : 'createOffer', async (entry) => {
      const pc = entry.pc;
      // Every m-line of the layout: one that has no transceiver yet (nothing of ours to send on it)
      // is added with the layout's direction.
      for (const line of entry.layout) {
        if (!pc.getTransceivers().some((t) => t.receiver.track && t.receiver.track.kind === line.kind))
          pc.addTransceiver(line.kind, { direction: line.direction });
      }
      await pc.setLocalDescription(await pc.createOffer(iceRestart ? { iceRestart: true } : undefined));
      if (peers.get(h) === entry) callApp('moimOnLocalDescription', h, 'offer', pc.localDescription.sdp);
    });
  }
  function createAnswer(h) {
    enqueue(h, 'createAnswer', async (entry) => {
      const pc = entry.pc;
      await pc.setLocalDescription(await pc.createAnswer());
      if (peers.get(h) === entry) callApp('moimOnLocalDescription', h, 'answer', pc.localDescription.sdp);
    });
  }
  function setRemoteDescription(h, type, sdp) {
    enqueue(h, 'setRemoteDescription(' + type + ')', async (entry) => {
      const pc = entry.pc;
      await pc.setRemoteDescription({ type, sdp });
      if (type === 'offer') {
        // Answerer: a line of the layout that sends, whose track is not yet on the offered m-line of
        // its kind, gets it now, with the layout's direction.
        for (const t of pc.getTransceivers()) {
          const kind = t.receiver.track && t.receiver.track.kind;
          const line = kind && entry.layout.find((l) => l.kind === kind && l.send);
          const track = line && localTrack(entry, kind);
          if (track && !t.sender.track) {
            await t.sender.replaceTrack(track);
            if (t.sender.setStreams) t.sender.setStreams(entry.stream);
            t.direction = line.direction;
          }
        }
      }
      if (peers.get(h) === entry) callApp('moimOnRemoteDescriptionApplied', h);
    });
  }
  function rollback(h) {
    enqueue(h, 'rollback', (entry) => entry.pc.setLocalDescription({ type: 'rollback' }));
  }
  function addIceCandidate(h, candidate, sdpMid, sdpMLineIndex) {
    // Not through our queue: the machine sends candidates only after the remote description was
    // applied, and RTCPeerConnection orders its own operations, so waiting here would only add
    // a main-thread hop per candidate. A bad candidate is not fatal: log it and go on.
    const entry = peers.get(h);
    if (!entry) return;
    entry.pc.addIceCandidate({ candidate, sdpMid, sdpMLineIndex }).catch((e) => {
      if (peers.get(h) === entry) console.warn('moim: candidate refused', e);
    });
  }
  // ---- ICE configuration of a live connection (begin) ----
  // Newer ICE servers (fresh TURN credentials) for an existing connection: the next ICE restart
  // gathers with them. The rest of its configuration (certificates, bundle policy) stays as it is,
  // since changing that throws.
  function setPeerConfiguration(h, config) {
    const entry = peers.get(h);
    if (!entry) return;
    try {
      entry.pc.setConfiguration({ ...entry.pc.getConfiguration(), iceServers: config.iceServers,
        iceTransportPolicy: config.iceTransportPolicy });
    } catch (e) {
      console.error('moim: setConfiguration refused; the connection keeps its ICE servers', e);
    }
  }
  // What the connection holds now (for the test surface), or null for a closed handle.
  function peerConfiguration(h) {
    const entry = peers.get(h);
    return entry ? entry.pc.getConfiguration() : null;
  }
  // ---- ICE configuration of a live connection (end) ----
  function closePeer(h) {
    const entry = peers.get(h);
    if (!entry) return;
    peers.delete(h);
    if (entry.video) destroyVideo(entry.video);
    try { entry.pc.close(); } catch (e) { /* already closed */ }
  }
  function requestStats(h) {
    const entry = peers.get(h);
    if (!entry) return;
    entry.pc.getStats().then((report) => {
      let frames = 0, audioEnergy = 0, audioLevel = 0;
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') frames += s.framesDecoded || 0;
        if (s.kind === 'audio') { audioEnergy += s.totalAudioEnergy || 0; audioLevel = Math.max(audioLevel, s.audioLevel || 0); }
      });
      const track = entry.remote && entry.remote.getAudioTracks()[0];
      const audioLive = !!track && track.readyState === 'live' && !track.muted;
      // The selected candidate pair (how this peer is reached): the transport's, or where a browser
      // does not name it there, the nominated pair that succeeded. The app derives the route.
      let pair = null;
      report.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId) || pair;
      });
      if (!pair) {
        report.forEach((s) => {
          if (!pair && s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded'))) pair = s;
        });
      }
      const local = pair && report.get(pair.localCandidateId), remote = pair && report.get(pair.remoteCandidateId);
      const text = (v) => (typeof v === 'string' ? v : '');
      if (peers.get(h) === entry) {
        callApp('moimOnStats', h, frames, audioEnergy, audioLevel, audioLive, text(local && local.candidateType),
                text(remote && remote.candidateType), text(local && local.protocol), text(local && local.relayProtocol));
      }
    }, () => {});
  }

  // ---- text entry overlay ----------------------------------------------------------------------
  let overlayShown = false;
  function showTextInput(x, y, w, h, value, maxLength, fontPx, placeholder, password, readOnly) {
    const el = overlay();
    el.readOnly = !!readOnly;
    const type = password ? 'password' : 'text';
    if (el.type !== type) {
      el.type = type;
      el.autocomplete = password ? 'new-password' : 'off';
    }
    el.style.left = x + 'px';
    el.style.top = y + 'px';
    el.style.width = w + 'px';
    el.style.height = h + 'px';
    el.style.fontSize = fontPx + 'px';
    el.maxLength = maxLength;
    el.placeholder = placeholder;
    if (!overlayShown) {
      el.value = value;
      el.hidden = false;
      overlayShown = true;
      el.focus();
      if (readOnly) el.select();  // to be copied by hand: all of it selected
      else el.setSelectionRange(el.value.length, el.value.length);
    }
  }
  function hideTextInput() {
    if (!overlayShown) return;
    overlayShown = false;
    const el = overlay();
    el.hidden = true;
    el.blur();
  }
  function installOverlayListeners() {
    const el = overlay();
    el.addEventListener('input', () => callApp('moimOnTextInput', el.value));
    el.addEventListener('keydown', (e) => {
      if (e.isComposing || e.keyCode === 229) return;  // the IME owns Enter while composing
      if (e.key === 'Enter' || e.key === 'Escape' || e.key === 'Tab') {
        e.preventDefault();
        callApp('moimOnTextKey', e.key);
      }
    });
    el.addEventListener('blur', () => {
      if (!overlayShown) return;
      overlayShown = false;
      el.hidden = true;
      callApp('moimOnTextBlur');
    });
  }

  // ---- small services --------------------------------------------------------------------------
  function loadSetting(key) {
    try { return window.localStorage.getItem(key) || ''; } catch (e) { return ''; }
  }
  function saveSetting(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: not remembered */ }
  }
  function removeSetting(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing stored */ }
  }
  // Every setting whose key starts with `prefix` (C++ names it: the owner tokens' kOwnerTokenPrefix), as
  // {"<rest of the key>": value}.
  function settingsWithPrefix(prefix) {
    const out = {};
    if (typeof prefix !== 'string' || prefix === '') return '{}';
    try {
      const ls = window.localStorage;
      for (let i = 0; i < ls.length; i++) {
        const key = ls.key(i);
        if (key && key.startsWith(prefix)) out[key.slice(prefix.length)] = ls.getItem(key) || '';
      }
    } catch (e) { /* private mode */ }
    return JSON.stringify(out);
  }
  // This browser's id for the server's second-tab rule (join.client): random, kept in localStorage.
  function clientId() {
    let id = loadSetting('moim.client');
    if (!/^[0-9a-f]{32}$/.test(id)) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      saveSetting('moim.client', id);
    }
    return id;
  }
  function fetchFont(url) {
    fetch(url).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error('HTTP ' + r.status))))
      .then((buf) => callApp('moimOnFontLoaded', url, new Uint8Array(buf)),
            (e) => callApp('moimOnFontFailed', url, errorText(e)));
  }
  function socketUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }
  function hideLoading() {
    if (fatalError !== null) return;  // the reason stays on screen
    const el = document.getElementById('loading');
    if (el) el.classList.add('hidden');
  }
  // A fatal error (no WebGL2, the script or the wasm not loaded, an abort): the loading screen comes
  // back with the reason and without its spinner, since nothing is loading any more. The first
  // reason is kept: what fails after it is a consequence.
  let fatalError = null;
  function showFatal(text) {
    if (fatalError !== null) return;
    fatalError = String(text);
    console.error('moim: ' + fatalError);
    hideTextInput();
    const box = document.getElementById('loading');
    if (box) {
      box.classList.remove('hidden');
      box.classList.add('failed');
      box.setAttribute('role', 'alert');
    }
    const el = document.getElementById('loading-text');
    if (el) el.textContent = fatalError;
  }
  // moim.js (and so the wasm) never arrives: no Emscripten hook reports that.
  window.addEventListener('error', (e) => {
    const t = e.target;
    if (t && t.tagName === 'SCRIPT' && /\/moim\.[^/]*js$/.test(t.src || '')) {
      showFatal('Moim could not load its program (' + t.src.replace(/^.*\//, '') + '). Check the connection and reload the page.');
    }
  }, true);
  // Until the runtime is up, a promise nobody handles is the loader failing: Emscripten 3.1.6 does
  // not catch a fetch of the wasm that fails on the network (a 404 reaches its abort instead).
  let runtimeUp = false;
  window.addEventListener('unhandledrejection', (e) => {
    if (!runtimeUp) showFatal('Moim could not load: ' + errorText(e.reason) + '. Check the connection and reload the page.');
  });
  function mediaSupported() {
    return !!(window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  // ---- the page's URL: invite links, Back and Forward -------------------------------------------
  // C++ decides (shared/invite_route.hpp); this reads the fragment, writes history entries and
  // reports moves. Our entries carry history.state = {moim: 1, aboveLobby}: a room's entry pushed
  // above a lobby entry of ours says so, which a reload reads back.
  function historyAboveLobby() {
    const s = history.state;
    return !!(s && s.moim === 1 && s.aboveLobby === true);
  }
  function setUrl(push, hash, aboveLobby) {
    const url = location.pathname + location.search + hash;  // "" hash: no fragment (the lobby)
    const state = { moim: 1, aboveLobby: !!aboveLobby };
    if (push) history.pushState(state, '', url);
    else history.replaceState(state, '', url);
  }
  // Back / Forward fire popstate, and hashchange too when the fragment differs; an edited address
  // fires both as well. C++ takes the second report of one move as a no-op.
  // Bounded: a route is a few dozen bytes, and anything past C++'s limit is not one anyway.
  const currentHash = () => location.hash.slice(0, 1024);
  const reportUrl = () => callApp('moimOnUrlChanged', currentHash(), historyAboveLobby());
  window.addEventListener('popstate', reportUrl);
  window.addEventListener('hashchange', reportUrl);
  function copyText(request, text) {
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      callApp('moimOnClipboard', request, false, 'this page cannot reach the clipboard: it needs https:// or localhost');
      return;
    }
    navigator.clipboard.writeText(text).then(() => callApp('moimOnClipboard', request, true, ''),
      (e) => callApp('moimOnClipboard', request, false, errorText(e)));
  }

  window.MoimGlue = {
    openMedia: guard(openMedia), closeMedia: guard(closeMedia), setTrackEnabled: guard(setTrackEnabled),
    createVideoForStream: guard((s, muted) => (streams.has(s) ? createVideo(streams.get(s), muted) : 0), 0),
    destroyVideo: guard(destroyVideo), fitVideo: guard(fitVideo), takeConvertMs: guard(takeConvertMs, 0), takeFrame: guard(takeFrame, null), framesPending: guard(framesPending, false), firstFramePending: guard(firstFramePending, false),
    createPeer: guard(createPeer, 0), createOffer: guard(createOffer), createAnswer: guard(createAnswer),
    setRemoteDescription: guard(setRemoteDescription), rollback: guard(rollback),
    addIceCandidate: guard(addIceCandidate), closePeer: guard(closePeer), requestStats: guard(requestStats),
    setPeerConfiguration: guard(setPeerConfiguration), peerConfiguration: guard(peerConfiguration, null),
    showTextInput: guard(showTextInput), hideTextInput: guard(hideTextInput),
    loadSetting: guard(loadSetting, ''), saveSetting: guard(saveSetting), removeSetting: guard(removeSetting),
    settingsWithPrefix: guard(settingsWithPrefix, '{}'), fetchFont: guard(fetchFont),
    clientId: guard(clientId, ''), restartIce: guard((h) => createOffer(h, true)),
    socketUrl: guard(socketUrl, ''), hideLoading: guard(hideLoading), showFatal: guard(showFatal),
    mediaSupported: guard(mediaSupported, false),
    pageAddress: guard(() => location.origin + location.pathname, ''), locationHash: guard(currentHash, ''),
    historyAboveLobby: guard(historyAboveLobby, false), setUrl: guard(setUrl),
    copyText: guard((request, text) => {
      try { copyText(request, text); } catch (e) { callApp('moimOnClipboard', request, false, errorText(e)); }
    }),
  };

  // The test surface (docs/TESTING.md): always present, reads the C++ app's state.
  window.app = {
    state() {
      // After a fatal error the app is not running, whatever it last said.
      if (fatalError !== null) return { screen: 'stopped', connected: false, name: '', rooms: [], room: null, error: fatalError };
      const f = window.Module && window.Module.moimStateJson;
      return f ? JSON.parse(f()) : { screen: 'loading', name: '', rooms: [], room: null, error: null };
    },
    widgets() {
      const f = window.Module && window.Module.moimWidgetsJson;
      return f ? JSON.parse(f()) : [];
    },
    // Timings for bench/client (README "Benchmarks"): first frame, room list, join phases, frame costs.
    metrics() {
      const f = window.Module && window.Module.moimMetricsJson;
      return f ? JSON.parse(f()) : null;
    },
  };

  // ---- start-up: the wasm and the WebGL context, early ------------------------------------------
  // Both used to wait: the wasm's fetch for moim.js to arrive and run, the WebGL context (a
  // synchronous round trip to the GPU process, about 45 ms on two cores without a GPU) for main(),
  // after the wasm. Now the wasm is fetched and compiled from here, while moim.js loads, and handed
  // to Emscripten through Module.instantiateWasm; the context is made while the wasm downloads, and
  // main() gets this same one (getContext returns the existing context; main.cpp checks that it has
  // the attributes it asks for, which are spelled here once more).
  class NetworkError extends Error {}
  function compileWasm(url) {
    return fetch(url, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error('HTTP ' + r.status + ' for ' + url);
      const streaming = typeof WebAssembly.compileStreaming === 'function' &&
        (r.headers.get('content-type') || '').startsWith('application/wasm');
      return streaming ? WebAssembly.compileStreaming(r) : r.arrayBuffer().then((b) => WebAssembly.compile(b));
    }, (e) => { throw new NetworkError(errorText(e)); });
  }
  const wasmMeta = document.querySelector('meta[name="moim-wasm"]');  // cmake/site_assets.cmake names it
  const wasmModule = wasmMeta && typeof WebAssembly === 'object' ? compileWasm(wasmMeta.content) : null;
  if (wasmModule) wasmModule.catch(() => {});  // reported by instantiateWasm below
  function instantiateWasm(imports, receive) {
    wasmModule.then((module) => WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module)))
      .catch((e) => showFatal(e instanceof NetworkError
        ? 'Moim could not load: ' + errorText(e) + '. Check the connection and reload the page.'
        : 'Moim stopped: ' + errorText(e) + '. Reload the page to try again.'));
    return {};  // the exports arrive through receive
  }
  try {
    const canvas = document.getElementById('canvas');
    if (canvas) canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: true });
  } catch (e) { /* main() reports a missing WebGL2 */ }

  window.Module = {
    // The build names the wasm by its content hash and index.html says which (cmake/site_assets.cmake).
    locateFile: (path, prefix) => prefix + (wasmMeta && path.endsWith('.wasm') ? wasmMeta.content : path),
    instantiateWasm: wasmModule ? instantiateWasm : undefined,
    canvas: document.getElementById('canvas'),
    print: (t) => console.log(t),
    printErr: (t) => console.warn(t),
    onRuntimeInitialized: () => { runtimeUp = true; },
    // Emscripten's abort(): the wasm could not be fetched or compiled, or the app hit a fatal error.
    onAbort: (what) => showFatal('Moim stopped: ' + errorText(what) + '. Reload the page to try again.'),
    setStatus: (text) => {
      if (fatalError !== null) return;
      const el = document.getElementById('loading-text');
      if (el && text) el.textContent = text.replace(/\(\d+\/\d+\)/, '').trim() || 'Loading…';
    },
  };
  // A closed tab says goodbye (best effort): the app sends leave, so the others see it go at once
  // instead of after the server's resume grace window.
  window.addEventListener('pagehide', () => callApp('moimOnPageHide'));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', installOverlayListeners);
  else installOverlayListeners();
})();
