// Glue role: media devices. Opens the camera and microphone with the constraints C++ passes
// (shared/media_plan.hpp: which devices, the camera's size and frame rate), holds each opened
// MediaStream under a handle, stops its tracks when C++ closes it, and mutes tracks on C++'s word.
// Must not: choose constraints, retry with fewer devices, or word an error for the person: C++ does
// all three (app.cpp); the browser's error name and message go back as they are.
(function mediaDevices({ shared, expose, newHandle, callApp, guard, errorText }) {
  const streams = new Map();  // handle -> MediaStream

  // `constraints`: MediaStreamConstraints as C++ built them (wasm/browser/glue.cpp), used untouched.
  function openMedia(request, constraints) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      callApp('moimOnMediaFailed', request, 'NotSupported', 'navigator.mediaDevices.getUserMedia is missing');
      return;
    }
    navigator.mediaDevices.getUserMedia(constraints).then(guard((stream) => {
      const h = newHandle();
      streams.set(h, stream);
      callApp('moimOnMediaOpened', request, h, stream.getAudioTracks().length > 0, stream.getVideoTracks().length > 0);
    }), (e) => callApp('moimOnMediaFailed', request, (e && e.name) || 'Error', errorText(e)));
  }
  function closeMedia(h) {
    const s = streams.get(h);
    if (!s) return;
    streams.delete(h);
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
  expose('closeMedia', closeMedia);
  expose('setTrackEnabled', setTrackEnabled);
  expose('mediaSupported', mediaSupported, false);
})(glue);
