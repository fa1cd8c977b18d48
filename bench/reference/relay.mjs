// The reference page's server (bench/README.md, "Join, side by side"): serves index.html and room.js, and relays
// signaling between the people of a room over a minimal WebSocket (RFC 6455: text frames, ping,
// close; node's own http and crypto, no package). Bench equipment, not part of Moim.
//   node bench/reference/relay.mjs [--port N]   (or import { startRelay } from it)
// Messages (JSON): in {type:'join', room}, {type:'signal', to, data}; out {type:'joined', id, peers},
// {type:'peer-joined', id}, {type:'signal', from, data}, {type:'peer-left', id}, {type:'error', message}.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const kMaxMessage = 256 * 1024;  // an SDP offer is ~5 KB; anything far larger is not signaling
const files = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/room.js': ['room.js', 'text/javascript; charset=utf-8'],
};

// One WebSocket connection on `socket` (already upgraded): calls onText(string) per message,
// onClose() once. send(text) writes one unmasked text frame.
function webSocket(socket, onText, onClose) {
  let buffer = Buffer.alloc(0), parts = [], closed = false;
  const frame = (opcode, payload) => {
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, n])
      : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; })()]);
    return Buffer.concat([head, payload]);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    socket.end(frame(8, Buffer.alloc(0)));
    onClose();
  };
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2 && !closed) {
      const fin = buffer[0] & 0x80, opcode = buffer[0] & 0x0f, masked = buffer[1] & 0x80;
      let n = buffer[1] & 0x7f, at = 2;
      if (n === 126) { if (buffer.length < 4) return; n = buffer.readUInt16BE(2); at = 4; }
      else if (n === 127) { if (buffer.length < 10) return; n = Number(buffer.readBigUInt64BE(2)); at = 10; }
      if (!masked || n > kMaxMessage) return close();  // clients must mask; bounded
      if (buffer.length < at + 4 + n) return;
      const mask = buffer.subarray(at, at + 4), payload = Buffer.from(buffer.subarray(at + 4, at + 4 + n));
      for (let i = 0; i < n; i++) payload[i] ^= mask[i & 3];
      buffer = buffer.subarray(at + 4 + n);
      if (opcode === 8) return close();
      if (opcode === 9) { socket.write(frame(10, payload)); continue; }
      if (opcode === 10) continue;
      parts.push(payload);
      if (parts.reduce((a, p) => a + p.length, 0) > kMaxMessage) return close();
      if (fin) { const text = Buffer.concat(parts).toString('utf8'); parts = []; onText(text); }
    }
  });
  socket.on('close', () => { if (!closed) { closed = true; onClose(); } });
  socket.on('error', () => {});
  return { send: (text) => { if (!closed) socket.write(frame(1, Buffer.from(text, 'utf8'))); } };
}

export function startRelay({ port = 0, host = '127.0.0.1' } = {}) {
  const rooms = new Map();  // room name -> Map(id -> connection)
  const sockets = new Set();  // upgraded sockets: the http server no longer tracks them
  let nextId = 1;
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url, 'http://x').pathname];
    if (!file) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(path.join(here, file[0])));
  });
  server.on('upgrade', (req, socket) => {
    const key = req.headers['sec-websocket-key'];
    if (new URL(req.url, 'http://x').pathname !== '/ws' || !key) { socket.destroy(); return; }
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const id = nextId++;
    let room = null;
    const peersOf = () => rooms.get(room) ?? new Map();
    const ws = webSocket(socket, (text) => {
      let m;
      try { m = JSON.parse(text); } catch { ws.send(JSON.stringify({ type: 'error', message: 'not JSON' })); return; }
      if (m.type === 'join' && typeof m.room === 'string' && room === null) {
        room = m.room;
        if (!rooms.has(room)) rooms.set(room, new Map());
        const others = peersOf();
        ws.send(JSON.stringify({ type: 'joined', id, peers: [...others.keys()] }));
        for (const other of others.values()) other.send(JSON.stringify({ type: 'peer-joined', id }));
        others.set(id, ws);
      } else if (m.type === 'signal' && room !== null && peersOf().has(m.to)) {
        peersOf().get(m.to).send(JSON.stringify({ type: 'signal', from: id, data: m.data }));
      } else {
        ws.send(JSON.stringify({ type: 'error', message: `unexpected ${String(m.type).slice(0, 40)}` }));
      }
    }, () => {
      if (room === null) return;
      const others = peersOf();
      others.delete(id);
      for (const other of others.values()) other.send(JSON.stringify({ type: 'peer-left', id }));
      if (!others.size) rooms.delete(room);
    });
  });
  return new Promise((resolve) => server.listen(port, host, () => {
    const { port: p } = server.address();
    resolve({ url: `http://localhost:${p}/`, port: p, stop: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.closeAllConnections?.(); server.close(() => r()); }) });
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const relay = await startRelay({ port: i > 0 ? Number(process.argv[i + 1]) : 8090 });
  console.log(`reference page at ${relay.url}?room=NAME`);
}
