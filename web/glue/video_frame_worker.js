// Glue role: the video frame worker, the only glue code that runs off the page. video_frames.js
// starts it from this function's source (a Blob URL: the Content-Security-Policy's worker-src
// blob:) where the browser has MediaStreamTrackProcessor. Per video handle it reads frames from the
// track, keeps only the newest, and copies it into one of two buffers that travel to the page and
// back, so nothing is allocated per frame.
// Must not: use anything outside workerMain (its source is all the worker gets), or decide what is
// shown: it only copies frames out.
(function videoFrameWorker({ shared }) {
  // Messages in: {op: 'open', h, readable} | {op: 'give', h, buffer} | {op: 'close', h} |
  // {op: 'pause', h} | {op: 'resume', h} (a video not drawn: its frames are read and dropped, the
  // newest kept uncopied, and copied out at once when it is drawn again).
  // Messages out: {h, width, height, buffer, matrix, planes} (planes null: RGBA) | {h, error}.
  function workerMain() {
    'use strict';
    const taps = new Map();  // video handle -> { reader, held, free, busy, closed, paused }
    self.onmessage = ({ data }) => {
      const t = taps.get(data.h);
      if (data.op === 'open') open(data.h, data.readable);
      else if (data.op === 'give') { if (t) { t.free.push(data.buffer); pump(t); } }
      else if (data.op === 'pause') { if (t) t.paused = true; }
      else if (data.op === 'resume') { if (t) { t.paused = false; pump(t); } }
      else if (data.op === 'close' && t) {
        t.closed = true;
        taps.delete(data.h);
        if (t.held) t.held.close();
        t.reader.cancel().catch(() => {});
      }
    };
    async function open(h, readable) {
      const t = { h, reader: readable.getReader(), held: null, free: [null, null], busy: false, closed: false, paused: false };
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
        if (!t.closed) self.postMessage({ h, error: String((e && e.message) || e) });
      }
    }
    async function pump(t) {
      if (t.busy || t.closed || t.paused || !t.held || !t.free.length) return;
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
        self.postMessage({ h: t.h, width, height, buffer, matrix,
          planes: planar ? planes.slice(0, 3).map((p) => ({ offset: p.offset, stride: p.stride })) : null }, [buffer]);
      } catch (e) {
        t.free.push(null);
        if (!t.closed) self.postMessage({ h: t.h, error: String((e && e.message) || e) });
        return;
      } finally {
        frame.close();
        t.busy = false;
      }
      pump(t);
    }
  }
  shared.frameWorkerSource = '(' + workerMain.toString() + ')();\n';  // for video_frames.js
})(glue);
