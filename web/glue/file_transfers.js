// Glue role: the bytes of file transfers (wasm/files/, shared/file_transfer.hpp decides everything
// else). The browser's file picker and drops on the page (picked File objects by handle); sending a
// picked file to a peer on its own data channel in chunks with back-pressure, hashing it (SHA-256,
// Web Crypto, per block of many chunks) as it goes; receiving a transfer's channel into Blob parts
// (merged into one Blob every few MiB, so the page's memory stays bounded: the Blob's bytes live in
// the browser process) and hashing what arrived in the same blocks; saving a received file under its
// name. Progress, the hash list's digest, the end and any break go back to C++ by transfer id.
// Must not: decide which transfers exist, to whom, whether one is accepted, done or failed, or what a
// message on the wire looks like (C++ hands over the end marker's text and checks the digests).
(function fileTransfers({ shared, expose, newHandle, callApp, guard, errorText }) {
  const picked = new Map();    // handle -> File
  const transfers = new Map(); // transfer id -> { pc, channel, aborted, parts, blob, bytes, digests, chain, ... }
  const received = new Map();  // transfer id -> Blob (arrived whole; C++ keeps or releases it)
  const MERGE_BYTES = 8 * 1024 * 1024;  // Blob parts merged at this size (memory bound on the receiving side)

  const sha256 = (bytes) => crypto.subtle.digest('SHA-256', bytes);
  // A report made while C++ is calling in (closing a connection, starting a transfer) goes once that
  // call has returned: C++ must not take events in the middle of changing its records.
  const later = (fn) => queueMicrotask(guard(fn));
  // The hash list's digest: SHA-256 over the blocks' SHA-256s, in order, as lower-case hex.
  async function listDigest(digests) {
    const all = new Uint8Array(digests.length * 32);
    digests.forEach((d, i) => all.set(new Uint8Array(d), i * 32));
    return [...new Uint8Array(await sha256(all))].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  // Progress at most every 100 ms per transfer (and always the last).
  function progress(id, t, bytes, force) {
    const now = performance.now();
    if (!force && now - (t.reportedAt || 0) < 100) return;
    t.reportedAt = now;
    callApp('moimOnFileProgress', id, bytes);
  }

  // ---- choosing files: the picker (from a click: it needs the person's gesture) and drops
  function pickFiles(request) {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.addEventListener('change', guard(() => {
      for (const file of input.files) {
        const h = newHandle();
        picked.set(h, file);
        callApp('moimOnFilePicked', request, h, file.name, file.size);
      }
    }));
    input.click();
  }
  function installDrop() {
    const canvas = document.getElementById('canvas');
    if (!canvas) return;
    canvas.addEventListener('dragover', guard((e) => {
      if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) e.preventDefault();
    }));
    canvas.addEventListener('drop', guard((e) => {
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      for (const file of e.dataTransfer.files) {
        const h = newHandle();
        picked.set(h, file);
        callApp('moimOnFilePicked', 0, h, file.name, file.size);  // request 0: dropped
      }
    }));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', guard(installDrop));
  else installDrop();

  // ---- sending: `spec` = {label, chunkBytes, blockBytes, highWater, lowWater, windowBytes} from C++.
  function sendFile(pcHandle, id, fileHandle, spec) {
    const pc = shared.peerConnection(pcHandle);  // peer_connections.js
    const file = picked.get(fileHandle);
    if (!pc || !file || transfers.has(id)) {
      later(() => callApp('moimOnFileBroke', id, !file));
      return;
    }
    const channel = pc.createDataChannel(spec.label, { ordered: true });
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = spec.lowWater;
    const t = { pc: pcHandle, channel, aborted: false, sending: true, allSent: false, digests: [], end: null };
    transfers.set(id, t);
    const alive = () => transfers.get(id) === t && !t.aborted;
    const broke = (read) => {
      if (!alive()) return;
      transfers.delete(id);
      try { channel.close(); } catch (e) { /* closed */ }
      callApp('moimOnFileBroke', id, read);
    };
    // Closed after the end marker went: the receiver has it all (it closes once it has); else broken.
    channel.onclose = guard(() => {
      if (!t.endSent) return broke(false);
      if (!t.allSent && alive()) {
        t.allSent = true;
        callApp('moimOnFileAllSent', id);
      }
    });
    // Flow control: the receiver says, in 8-byte big-endian counts on this channel, how many bytes its
    // page has taken; no more than spec.windowBytes go beyond that. Without it, a receiving page busy
    // drawing piles up thousands of queued messages, and its server link's replies wait behind them.
    let acked = 0, ackWaiter = null;
    channel.onmessage = guard((e) => {
      if (!(e.data instanceof ArrayBuffer) || e.data.byteLength !== 8) return;
      acked = Math.max(acked, Number(new DataView(e.data).getBigUint64(0)));
      if (ackWaiter) { const w = ackWaiter; ackWaiter = null; w(); }
    });
    const caughtUp = (sent) => new Promise((resolve) => {
      if (sent - acked <= spec.windowBytes || !alive()) return resolve();
      ackWaiter = () => resolve(caughtUp(sent));
      channel.addEventListener('close', () => resolve(), { once: true });
    });
    const drained = () => new Promise((resolve) => {
      if (channel.bufferedAmount <= spec.lowWater) return resolve();
      channel.addEventListener('bufferedamountlow', () => resolve(), { once: true });
      channel.addEventListener('close', () => resolve(), { once: true });
    });
    // The file is read, and hashed, in blocks of many chunks (spec.blockBytes, C++'s hash block), the
    // next block read while this one is sent: each await is a turn of the page's main thread, which
    // drawing video keeps busy, so turns are paid per block, not per chunk.
    const read = (offset) => file.slice(offset, offset + spec.blockBytes).arrayBuffer();
    channel.onopen = guard(async () => {
      let sent = 0;
      try {
        let next = read(0);
        for (let offset = 0; offset < file.size; offset += spec.blockBytes) {
          let block;
          try {
            block = await next;
          } catch (e) {
            console.warn('moim: reading the file failed', e);
            return broke(true);
          }
          if (offset + spec.blockBytes < file.size) next = read(offset + spec.blockBytes);
          next.catch(() => {});  // a failed read is reported when awaited
          const digest = sha256(block);
          for (let at = 0; at < block.byteLength; at += spec.chunkBytes) {
            if (channel.bufferedAmount > spec.highWater) await drained();
            if (sent - acked > spec.windowBytes) await caughtUp(sent);
            if (!alive() || channel.readyState !== 'open') return broke(false);
            const chunk = new Uint8Array(block, at, Math.min(spec.chunkBytes, block.byteLength - at));  // a view: no copy
            channel.send(chunk);
            sent += chunk.byteLength;
          }
          t.digests.push(await digest);
          progress(id, t, Math.max(0, sent - channel.bufferedAmount), false);
        }
        // Every chunk is out: C++ makes the end marker from the digest (endFile).
        if (alive()) callApp('moimOnFileHashed', id, sent, await listDigest(t.digests));
      } catch (e) {
        console.warn('moim: sending a file failed: ' + errorText(e));
        broke(false);
      }
    });
  }
  // The end marker's text (C++'s), after the last chunk; AllSent once the channel's buffer drained.
  function endFile(id, text) {
    const t = transfers.get(id);
    if (!t || !t.sending || t.aborted || t.channel.readyState !== 'open') return;
    t.channel.send(text);
    t.endSent = true;
    const wait = () => {
      if (transfers.get(id) !== t || t.aborted || t.allSent) return;
      if (t.channel.bufferedAmount > 0 && t.channel.readyState === 'open') return void setTimeout(wait, 50);
      t.allSent = true;
      callApp('moimOnFileAllSent', id);
    };
    wait();
  }

  // ---- receiving: the channel `label` that peer `pcHandle` opens carries transfer `id`, hashed in
  // blocks of exactly `blockBytes` (C++'s, as the sender's), whatever sizes its messages have; every
  // `ackBytes` taken, the count goes back to the sender (flow control, see sendFile).
  function expectFile(pcHandle, id, label, size, blockBytes, ackBytes) {
    if (transfers.has(id)) return;
    transfers.set(id, { pc: pcHandle, label, size, blockBytes, ackBytes, ackedAt: 0, channel: null, aborted: false, sending: false, parts: [],
      partBytes: 0, block: null, blockFill: 0, blob: new Blob([]), bytes: 0, digests: [], chain: Promise.resolve(),
      ended: false });
  }
  // Copies a message's bytes into the current block, closing each block as it fills.
  function takeBytes(t, buffer) {
    const bytes = new Uint8Array(buffer);
    for (let at = 0; at < bytes.length;) {
      if (!t.block) { t.block = new Uint8Array(t.blockBytes); t.blockFill = 0; }
      const n = Math.min(bytes.length - at, t.blockBytes - t.blockFill);
      t.block.set(bytes.subarray(at, at + n), t.blockFill);
      t.blockFill += n;
      at += n;
      if (t.blockFill === t.blockBytes) closeBlock(t);
    }
  }
  // The block so far is hashed (in order, after the blocks before it) and kept as a Blob part.
  function closeBlock(t) {
    if (!t.block || !t.blockFill) return;
    const block = t.blockFill === t.block.length ? t.block : t.block.slice(0, t.blockFill);
    t.block = null;
    t.blockFill = 0;
    t.parts.push(block);
    t.partBytes += block.byteLength;
    if (t.partBytes >= MERGE_BYTES) {
      t.blob = new Blob([t.blob, ...t.parts]);
      t.parts = [];
      t.partBytes = 0;
    }
    t.chain = t.chain.then(async () => { t.digests.push(await sha256(block)); });
    t.chain.catch(() => {});  // a failure is reported where the chain ends (the end marker)
  }
  // peer_connections.js: a channel the peer opened. Taken when a transfer expects it, else closed.
  shared.incomingChannel = (pcHandle, channel) => {
    let id = null;
    for (const [tid, t] of transfers) if (!t.sending && !t.channel && t.pc === pcHandle && t.label === channel.label) id = tid;
    if (id === null) {
      console.warn('moim: closed an unexpected data channel "' + channel.label + '"');
      try { channel.close(); } catch (e) { /* closed */ }
      return;
    }
    const t = transfers.get(id);
    t.channel = channel;
    channel.binaryType = 'arraybuffer';
    const alive = () => transfers.get(id) === t && !t.aborted;
    channel.onclose = guard(() => {
      if (alive() && !t.ended) {
        transfers.delete(id);
        callApp('moimOnFileBroke', id, false);
      }
    });
    channel.onmessage = guard((e) => {
      if (!alive() || t.ended) return;
      if (typeof e.data === 'string') {  // the end marker
        t.ended = true;
        const text = e.data;
        closeBlock(t);
        t.chain = t.chain.then(async () => {
          if (!alive()) return;
          const blob = new Blob([t.blob, ...t.parts]);
          t.parts = [];
          const digest = await listDigest(t.digests);
          if (!alive()) return;
          transfers.delete(id);
          received.set(id, blob);
          try { channel.close(); } catch (err) { /* closed */ }
          callApp('moimOnFileArrived', id, t.bytes, text, digest);
        }).catch(guard((err) => {
          console.warn('moim: receiving a file failed', err);
          if (transfers.get(id) !== t || t.aborted) return;
          transfers.delete(id);
          try { channel.close(); } catch (e2) { /* closed */ }
          callApp('moimOnFileBroke', id, false);
        }));
        return;
      }
      const buffer = e.data;
      t.bytes += buffer.byteLength;
      if (t.bytes > t.size) {  // more than offered: C++ fails it on the count
        t.ended = true;
        transfers.delete(id);
        try { channel.close(); } catch (err) { /* closed */ }
        callApp('moimOnFileArrived', id, t.bytes, '', '');
        return;
      }
      takeBytes(t, buffer);
      if (t.bytes - t.ackedAt >= t.ackBytes) {  // flow control: what this page has taken (see sendFile)
        t.ackedAt = t.bytes;
        const ack = new DataView(new ArrayBuffer(8));
        ack.setBigUint64(0, BigInt(t.bytes));
        try { channel.send(ack.buffer); } catch (err) { /* closing */ }
      }
      progress(id, t, t.bytes, false);
    });
  };

  // ---- ending
  function abortFile(id) {
    const t = transfers.get(id);
    received.delete(id);
    if (!t) return;
    t.aborted = true;
    transfers.delete(id);
    if (t.channel) try { t.channel.close(); } catch (e) { /* closed */ }
  }
  // peer_connections.js: the connection closed; its channels went with it, without close events.
  shared.peerClosed = (pcHandle) => {
    for (const [id, t] of [...transfers]) {
      if (t.pc !== pcHandle) continue;
      // A sender whose end marker went: the receiver has it all and closed the connection (a large
      // room's data link closes once its transfers are done), maybe before its own channel's close
      // reached us: all sent, as on that channel's close; the receiver's verdict follows.
      const allSent = t.endSent && !t.allSent && !t.aborted;
      if (allSent) t.allSent = true;
      abortFile(id);
      later(() => allSent ? callApp('moimOnFileAllSent', id) : callApp('moimOnFileBroke', id, false));
    }
  };
  function saveFile(id, name) {
    const blob = received.get(id);
    if (!blob) return false;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);  // the download has its own reference by then
    return true;
  }

  expose('pickFiles', pickFiles);
  expose('sendFile', sendFile);
  expose('endFile', endFile);
  expose('expectFile', expectFile);
  expose('abortFile', abortFile);
  expose('releasePicked', (h) => { picked.delete(h); });
  expose('releaseReceived', (id) => { received.delete(id); });
  expose('saveFile', saveFile, false);
})(glue);
