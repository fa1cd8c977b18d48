// Glue role: media devices. Opens the camera and microphone, or a screen capture (getDisplayMedia),
// with the constraints C++ passes (shared/media_plan.hpp: which devices, the camera's size and frame
// rate, the screen's limits), holds each opened MediaStream under a handle, stops its tracks when C++
// closes it, and mutes tracks on C++'s word. A screen capture's track is marked as text-like content
// (contentHint "detail": the encoder keeps resolution over frame rate) and its end by the browser (its
// own "Stop sharing" bar) goes back to C++. It lists the cameras and microphones (enumerateDevices,
// again on every devicechange), switches one track of a held stream to another device (the peers'
// senders take the new track: peer_connections.js, replaceTrack, no renegotiation) and measures
// the microphone's level for the meter (an AnalyserNode).
// Must not: choose constraints or devices, retry with fewer devices, or word an error for the
// person: C++ does (app.cpp, shared/device_choice.hpp); the browser's error name and message go
// back as they are.
(function mediaDevices({ shared, expose, newHandle, callApp, guard, errorText }) {
  const streams = new Map();  // handle -> MediaStream
  const deviceOf = (track) => (track && track.getSettings && track.getSettings().deviceId) || '';

  // `constraints`: MediaStreamConstraints as C++ built them (wasm/browser/glue.cpp), used untouched.
  function openMedia(request, constraints) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      callApp('moimOnMediaFailed', request, 'NotSupported', 'navigator.mediaDevices.getUserMedia is missing');
      return;
    }
    navigator.mediaDevices.getUserMedia(constraints).then(guard((stream) => {
      const h = newHandle();
      streams.set(h, stream);
      const audio = stream.getAudioTracks()[0], video = stream.getVideoTracks()[0];
      callApp('moimOnMediaOpened', request, h, !!audio, !!video, deviceOf(video), deviceOf(audio));
      listDevices();  // labels and ids are there now that the person allowed the devices
    }), (e) => callApp('moimOnMediaFailed', request, (e && e.name) || 'Error', errorText(e)));
  }

  // ---- the devices there are: moimOnDevices('{"cameras":[{id,label}],"mics":[...]}') ------------
  function listDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
    navigator.mediaDevices.enumerateDevices().then(guard((all) => {
      const of = (kind) => all.filter((d) => d.kind === kind).map((d) => ({ id: d.deviceId, label: d.label }));
      callApp('moimOnDevices', JSON.stringify({ cameras: of('videoinput'), mics: of('audioinput') }));
    }), (e) => console.warn('moim: enumerateDevices failed', e));
  }
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener)
    navigator.mediaDevices.addEventListener('devicechange', guard(listDevices));

  // ---- one track of a held stream from another device ---------------------------------------------
  // `constraints`: getUserMedia's, for that one kind (C++ built them). Only the latest request of a
  // stream and kind is carried out; an earlier one's track is stopped. Answers:
  // moimOnTrackSwitched(request, kind, deviceId) or moimOnTrackSwitchFailed(request, kind, name, message).
  const switching = new Map();  // `${handle}:${kind}` -> the latest request
  function switchTrack(h, request, kind, constraints) {
    const key = h + ':' + kind;
    const failed = (name, message) => {
      if (switching.get(key) !== request) return;
      switching.delete(key);
      callApp('moimOnTrackSwitchFailed', request, kind, name, message);
    };
    const stream = streams.get(h);
    switching.set(key, request);
    if (!stream) { queueMicrotask(guard(() => failed('InvalidStateError', 'the stream is closed'))); return; }
    navigator.mediaDevices.getUserMedia(constraints).then(guard((fresh) => {
      const track = (kind === 'audio' ? fresh.getAudioTracks() : fresh.getVideoTracks())[0];
      if (!track || streams.get(h) !== stream || switching.get(key) !== request) {
        fresh.getTracks().forEach((t) => t.stop());
        if (!track) failed('NotFoundError', 'the device gave no track');
        else if (streams.get(h) !== stream) failed('InvalidStateError', 'the stream is closed');
        return;
      }
      switching.delete(key);
      const old = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] || null;
      if (old) { track.enabled = old.enabled; stream.removeTrack(old); }
      stream.addTrack(track);
      shared.replaceLocalTrack(stream, old, track);  // peer_connections.js: every sender of the old one
      if (old) old.stop();
      callApp('moimOnTrackSwitched', request, kind, deviceOf(track));
    }), (e) => failed((e && e.name) || 'Error', errorText(e)));
  }

  // ---- the microphone's level, 0..1 (the peak of the last ~20 ms), for the meter ------------------
  // An AudioContext only while a meter is on screen (with one left open from the lobby, the
  // speaking test's rings flickered in 2 runs of 2; closed on joining, 0 of 3); it may start
  // suspended before the person's first gesture (the autoplay policy): asked to resume at each
  // reading, it runs from the first click or key on. It reads a clone of the track.
  let audioContext = null;
  const meters = new Map();  // stream handle -> { track, clone, source, analyser, buf }
  function micLevel(h) {
    const stream = streams.get(h);
    const track = stream && stream.getAudioTracks()[0];
    if (!track || track.readyState !== 'live' || typeof AudioContext !== 'function') return 0;
    if (!audioContext) audioContext = new AudioContext();
    let m = meters.get(h);
    if (!m || m.track !== track) {  // new, or the microphone was switched
      if (m) dropMeter(m);
      const clone = track.clone();
      const source = audioContext.createMediaStreamSource(new MediaStream([clone]));
      const analyser = audioContext.createAnalyser();
      analyser.fftSize = 1024;
      source.connect(analyser);
      m = { track, clone, source, analyser, buf: new Float32Array(analyser.fftSize) };
      meters.set(h, m);
    }
    m.clone.enabled = track.enabled;  // muted: the meter shows silence
    if (audioContext.state === 'suspended') audioContext.resume().catch(() => {});
    m.analyser.getFloatTimeDomainData(m.buf);
    let peak = 0;
    for (let i = 0; i < m.buf.length; i++) peak = Math.max(peak, Math.abs(m.buf[i]));
    return Math.min(1, peak);
  }
  // No meter on screen any more (the call started, the panel closed): the analyser goes, and the
  // audio context sleeps (it would take the audio thread's time for nothing).
  function dropMeter(m) { m.source.disconnect(); m.clone.stop(); }
  function micLevelOff(h) {
    const m = meters.get(h);
    if (m) { dropMeter(m); meters.delete(h); }
    if (audioContext && meters.size === 0) { audioContext.close().catch(() => {}); audioContext = null; }
  }

  // From the person's click (getDisplayMedia needs the gesture). Answers: moimOnScreenOpened(request,
  // handle) or moimOnScreenFailed(request, name, message); later moimOnScreenEnded(handle) if the
  // browser ends the capture (not when C++ closes it).
  function openScreen(request, constraints) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) {
      queueMicrotask(guard(() => callApp('moimOnScreenFailed', request, 'NotSupportedError',
        'this browser cannot share a screen (navigator.mediaDevices.getDisplayMedia is missing)')));
      return;
    }
    navigator.mediaDevices.getDisplayMedia(constraints).then(guard((stream) => {
      const track = stream.getVideoTracks()[0];
      if (!track) {
        stream.getTracks().forEach((t) => t.stop());
        callApp('moimOnScreenFailed', request, 'NotFoundError', 'the capture has no video');
        return;
      }
      if ('contentHint' in track) track.contentHint = 'detail';
      const h = newHandle();
      streams.set(h, stream);
      track.addEventListener('ended', guard(() => { if (streams.get(h) === stream) callApp('moimOnScreenEnded', h); }));
      callApp('moimOnScreenOpened', request, h);
    }), (e) => callApp('moimOnScreenFailed', request, (e && e.name) || 'Error', errorText(e)));
  }
  function closeMedia(h) {
    const s = streams.get(h);
    if (!s) return;
    streams.delete(h);
    micLevelOff(h);
    s.getTracks().forEach((t) => t.stop());  // the camera light goes off
  }
  function setTrackEnabled(h, kind, enabled) {
    const s = streams.get(h);
    if (!s) return;
    (kind === 'audio' ? s.getAudioTracks() : s.getVideoTracks()).forEach((t) => { t.enabled = enabled; });
  }
  function mediaSupported() {
    return !!(window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  shared.localStream = (h) => streams.get(h) || null;  // for peer_connections.js and video_frames.js

  expose('openMedia', openMedia);
  expose('openScreen', openScreen);
  expose('closeMedia', closeMedia);
  expose('listDevices', listDevices);
  expose('switchTrack', switchTrack);
  expose('micLevel', micLevel, 0);
  expose('micLevelOff', micLevelOff);
  expose('setTrackEnabled', setTrackEnabled);
  expose('mediaSupported', mediaSupported, false);
})(glue);
