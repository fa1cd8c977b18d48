// Glue role: video frames. A video handle shows one MediaStream: its newest video frame waits (I420
// planes, RGBA pixels or an ImageBitmap) for C++'s frame loop to upload it into a WebGL texture
// (takeFrame, wasm/browser/video_texture.cpp), and its sound plays through a hidden <video> element.
// Must not: decide when to draw or what a tile shows: it tells C++ that a frame came
// (moimOnVideoFrame) and hands it over when asked.
//
// Where the browser has MediaStreamTrackProcessor (Chromium), the frames go straight from the
// track to a worker (video_frame_worker.js), which copies each out into one of two buffers per
// video; the page only uploads. The element then gets the audio tracks only, and draws no video.
// Elsewhere (or if that fails), each frame the element presents is converted with
// createImageBitmap(el) on the main thread, scaled down to its tile. That conversion was measured
// at 2-7 ms of main thread per frame on 2 cores with a software GPU (a readback from the GPU
// process): 42 ms per drawn frame with six tiles. Its time is counted in the frame's cost
// (takeConvertMs).
(function videoFrames({ shared, expose, newHandle, callApp, guard, errorText }) {
  // handle -> { el: <video>, stream, sound: the element's MediaStream (audio only) while the worker
  // takes the frames, tapped: the video track the worker reads, frame: the newest one not uploaded,
  // and the bookkeeping of how frames arrive (shown, converting, polling, fitW, fitH, hidden: not
  // drawn, so its frames are dropped as they come) }
  const videos = new Map();
  const mediaBox = () => document.getElementById('media-elements');

  let frameWorker;  // undefined until first needed; null where there is none
  function frameTaps() {
    if (frameWorker !== undefined) return frameWorker;
    frameWorker = null;
    if (typeof MediaStreamTrackProcessor !== 'function' || typeof VideoFrame !== 'function' || typeof Worker !== 'function')
      return frameWorker;
    // ?video-frames=element takes the other browsers' way on Chromium too (the tests check both).
    if (new URLSearchParams(location.search).get('video-frames') === 'element') return frameWorker;
    try {
      const url = URL.createObjectURL(new Blob([shared.frameWorkerSource], { type: 'text/javascript' }));
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
  // app's frame loop runs on demand: it hears of each frame, and whether some video's first frame
  // waits, in one call (it needs to ask nothing back).
  function offerFrame(v, frame) {
    if (v.hidden) {  // not drawn (C++'s setVideoDrawn): no upload, no redraw
      if (frame.close) frame.close();
      return;
    }
    if (v.frame && v.frame.close) v.frame.close();
    v.frame = frame;
    callApp('moimOnVideoFrame', firstFramePending());
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
      if (v.hidden) frameWorker.postMessage({ op: 'pause', h });
    }
  }
  function watchElementFrames(h, v) {
    const el = v.el;
    if (!('requestVideoFrameCallback' in el)) {
      v.polling = true;  // no rVFC: upload the element itself every frame
      return;
    }
    const onFrame = guard(() => {
      if (videos.get(h) !== v) return;
      if (!v.converting && !v.hidden) {
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
    });
    el.requestVideoFrameCallback(onFrame);
  }
  // Videos whose sound the browser refused to play (autoplay without a gesture): they play muted
  // until the person clicks "Click to turn on sound" (resumeSound). C++ hears when the set becomes
  // empty or not (moimOnSoundBlocked).
  const soundBlocked = new Set();
  let reportedBlocked = false;
  function reportSound() {
    const blocked = soundBlocked.size > 0;
    if (blocked === reportedBlocked) return;
    reportedBlocked = blocked;
    callApp('moimOnSoundBlocked', blocked);
  }
  // From the person's click: every blocked video plays with sound again.
  function resumeSound() {
    for (const h of [...soundBlocked]) {
      const v = videos.get(h);
      if (!v) { soundBlocked.delete(h); continue; }
      v.el.muted = false;
      v.el.play().then(guard(() => {
        soundBlocked.delete(h);
        reportSound();
      }), guard((e) => {
        console.warn('moim: play() with sound refused again', e);
        v.el.muted = true;
        v.el.play().catch(() => {});
      }));
    }
    queueMicrotask(guard(reportSound));
  }
  function createVideo(stream, muted) {
    const h = newHandle();
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
    el.play().catch(guard((e) => {
      if (videos.get(h) !== v || el.muted || !e || e.name !== 'NotAllowedError') return;  // only the autoplay policy's refusal
      // Autoplay with sound refused (no user gesture yet): play muted rather than not at all, and
      // say so (C++ shows "Click to turn on sound").
      console.warn('moim: play() with sound refused; playing muted until a click', e);
      el.muted = true;
      soundBlocked.add(h);
      reportSound();
      el.play().catch(() => {});
    }));
    return h;
  }
  // Tracks added to a video's stream after it was made (a remote peer's second track).
  function videoTracksChanged(h) {
    const v = videos.get(h);
    if (v) syncTracks(v, h);
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
  // C++ says whether the video is drawn at all (a tile showing initials, or off screen, is not): a
  // video that is not drawn takes no frames, so it costs no conversion, upload or redraw (the worker
  // keeps its newest frame uncopied and sends it as soon as the video is drawn again).
  function setVideoDrawn(h, drawn) {
    const v = videos.get(h);
    if (!v) return;
    v.hidden = !drawn;
    if (v.tapped && frameWorker) frameWorker.postMessage({ op: drawn ? 'resume' : 'pause', h });
    if (v.hidden && v.frame) {
      if (v.frame.close) v.frame.close();
      v.frame = null;
    }
  }
  // Main-thread milliseconds spent converting video frames since the last call.
  let convertMs = 0;
  function takeConvertMs() { const ms = convertMs; convertMs = 0; return ms; }
  function destroyVideo(h) {
    const v = videos.get(h);
    if (!v) return;
    videos.delete(h);
    if (soundBlocked.delete(h)) queueMicrotask(guard(reportSound));  // not in the middle of C++'s call
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
    if (!v || v.hidden) return null;
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
  // True when some video has a frame waiting for upload.
  function framesPending() {
    for (const v of videos.values()) if (!v.hidden && (v.frame || v.polling)) return true;
    return false;
  }
  // True when a video that has shown nothing yet has its first frame waiting (the app draws it at
  // once; later frames as often as the page affords). A polled video (no rVFC) has one only once
  // the element has a size: one that never gets one (no camera) must not ask for every frame.
  function firstFramePending() {
    for (const v of videos.values()) if (!v.hidden && (v.frame || (v.polling && v.el.videoWidth > 0)) && !v.shown) return true;
    return false;
  }

  // For peer_connections.js: a remote peer's stream gets a video handle, which closing the peer
  // destroys.
  shared.createVideo = createVideo;
  shared.videoTracksChanged = videoTracksChanged;
  shared.destroyVideo = destroyVideo;

  expose('createVideoForStream', (s, muted) => {
    const stream = shared.localStream(s);  // media_devices.js
    return stream ? createVideo(stream, muted) : 0;
  }, 0);
  expose('destroyVideo', destroyVideo);
  expose('resumeSound', resumeSound);
  expose('fitVideo', fitVideo);
  expose('setVideoDrawn', setVideoDrawn);
  expose('takeConvertMs', takeConvertMs, 0);
  expose('takeFrame', takeFrame, null);
  // 0: no frame waits for upload; 1: some; 2: among them a video's first (the app draws it at once).
  expose('videoFramesWaiting', () => (firstFramePending() ? 2 : framesPending() ? 1 : 0), 0);
})(glue);
