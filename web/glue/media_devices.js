// Glue role: media devices. Opens the camera and microphone, or a screen capture (getDisplayMedia),
// with the constraints C++ passes (shared/media_plan.hpp: which devices, the camera's size and frame
// rate, the screen's limits), holds each opened MediaStream under a handle, stops its tracks when C++
// closes it, and mutes tracks on C++'s word. A screen capture's track is marked as text-like content
// (contentHint "detail": the encoder keeps resolution over frame rate) and its end by the browser (its
// own "Stop sharing" bar) goes back to C++.
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
  expose('setTrackEnabled', setTrackEnabled);
  expose('mediaSupported', mediaSupported, false);
})(glue);
