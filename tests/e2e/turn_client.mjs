// A small TURN client over UDP for tests: STUN message encoding (RFC 8489) and the TURN methods
// (RFC 8656) the tests need: Allocate with the long-term credential mechanism (401 with REALM and
// NONCE, then USERNAME, REALM, NONCE, MESSAGE-INTEGRITY and FINGERPRINT), CreatePermission, Refresh,
// Send and Data indications, and a plain Binding. Also the TURN REST credentials moim-server issues.
// Every response is checked: transaction id, FINGERPRINT, and MESSAGE-INTEGRITY when it carries one.
import crypto from 'node:crypto';
import dgram from 'node:dgram';

const MAGIC = 0x2112a442;
export const Method = { Binding: 0x001, Allocate: 0x003, Refresh: 0x004, Send: 0x006, Data: 0x007, CreatePermission: 0x008 };
const Class = { request: 0x000, indication: 0x010, success: 0x100, error: 0x110 };
export const Attr = {
  MAPPED_ADDRESS: 0x0001, USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009,
  LIFETIME: 0x000d, XOR_PEER_ADDRESS: 0x0012, DATA: 0x0013, REALM: 0x0014, NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019, XOR_MAPPED_ADDRESS: 0x0020,
  SOFTWARE: 0x8022, FINGERPRINT: 0x8028,
};

// The TURN REST scheme (coturn's use-auth-secret): username "<expiry unix time>:<peer id>",
// password base64(HMAC-SHA1(secret, username)). nowMs is there for tests that need a fixed clock.
export function restCredentials(secret, peerId, ttlSeconds, nowMs = Date.now()) {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${peerId}`;
  const credential = crypto.createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

// The long-term credential key (RFC 8489 9.2.2): MD5(username ":" realm ":" password).
export const longTermKey = (username, realm, password) =>
  crypto.createHash('md5').update(`${username}:${realm}:${password}`).digest();

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {  // zlib.crc32 is missing from Debian's Node 18
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const typeOf = (method, cls) => (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | cls;
const methodOf = (type) => (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
const classOf = (type) => type & 0x0110;

function encodeXorAddress({ address, port }, txId) {
  const v6 = address.includes(':');
  const out = Buffer.alloc(v6 ? 20 : 8);
  out[1] = v6 ? 0x02 : 0x01;
  out.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  const raw = v6 ? ipv6Bytes(address) : Buffer.from(address.split('.').map(Number));
  const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), txId]);
  for (let i = 0; i < raw.length; ++i) out[4 + i] = raw[i] ^ mask[i];
  return out;
}
function decodeXorAddress(value, txId) {
  const family = value[1];
  const port = value.readUInt16BE(2) ^ (MAGIC >>> 16);
  const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), txId]);
  const n = family === 0x01 ? 4 : 16;
  const raw = Buffer.alloc(n);
  for (let i = 0; i < n; ++i) raw[i] = value[4 + i] ^ mask[i];
  const address = n === 4 ? [...raw].join('.') : [...Array(8).keys()].map((i) => raw.readUInt16BE(2 * i).toString(16)).join(':');
  return { family: n === 4 ? 'IPv4' : 'IPv6', address, port };
}
function ipv6Bytes(text) {
  const [head, tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = text.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 2 * i));
  return out;
}

// Encodes a message (attrs: [type, Buffer or (txId) => Buffer]). With key, appends MESSAGE-INTEGRITY; with fingerprint, FINGERPRINT last.
export function encode({ method, cls = Class.request, txId = crypto.randomBytes(12), attrs = [], key = null, fingerprint = true }) {
  const parts = [];
  for (const [type, given] of attrs) {
    const value = typeof given === 'function' ? given(txId) : given;  // XOR addresses depend on txId
    const head = Buffer.alloc(4);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(value.length, 2);
    parts.push(head, value, Buffer.alloc((4 - (value.length % 4)) % 4));
  }
  let body = Buffer.concat(parts);
  const header = (extra) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(typeOf(method, cls), 0);
    h.writeUInt16BE(body.length + extra, 2);
    h.writeUInt32BE(MAGIC, 4);
    txId.copy(h, 8);
    return h;
  };
  if (key) {  // the HMAC covers the header with a length that already counts MESSAGE-INTEGRITY
    const mac = crypto.createHmac('sha1', key).update(Buffer.concat([header(24), body])).digest();
    body = Buffer.concat([body, Buffer.from([0x00, 0x08, 0x00, 0x14]), mac]);
  }
  if (fingerprint) {
    const crc = (crc32(Buffer.concat([header(8), body])) ^ 0x5354554e) >>> 0;
    const fp = Buffer.from([0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0]);
    fp.writeUInt32BE(crc, 4);
    body = Buffer.concat([body, fp]);
  }
  return { bytes: Buffer.concat([header(0), body]), txId };
}

// Decodes a STUN message; throws on anything malformed. integrity(key) checks MESSAGE-INTEGRITY.
export function decode(buf) {
  if (buf.length < 20 || (buf[0] & 0xc0) !== 0) throw new Error('not a STUN message');
  const type = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  if (buf.readUInt32BE(4) !== MAGIC || length + 20 !== buf.length || length % 4) throw new Error('bad STUN header');
  const txId = buf.subarray(8, 20);
  const attrs = [];
  let off = 20;
  let miOffset = -1;
  let fpOk = null;
  while (off < buf.length) {
    if (off + 4 > buf.length) throw new Error('truncated attribute');
    const at = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    if (off + 4 + len > buf.length) throw new Error('attribute past the end');
    const value = buf.subarray(off + 4, off + 4 + len);
    if (at === Attr.MESSAGE_INTEGRITY) miOffset = off;
    if (at === Attr.FINGERPRINT) {
      const copy = Buffer.from(buf.subarray(0, off));
      copy.writeUInt16BE(off + 8 - 20, 2);
      fpOk = value.readUInt32BE(0) === ((crc32(copy) ^ 0x5354554e) >>> 0) && off + 8 === buf.length;
    }
    attrs.push({ type: at, value });
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  const get = (t) => attrs.find((a) => a.type === t)?.value;
  const errorValue = get(Attr.ERROR_CODE);
  const addr = (t) => (get(t) ? decodeXorAddress(get(t), txId) : null);
  return {
    method: methodOf(type), cls: classOf(type), txId, attrs,
    isSuccess: classOf(type) === Class.success, isError: classOf(type) === Class.error,
    errorCode: errorValue ? (errorValue[2] & 0x07) * 100 + errorValue[3] : null,
    reason: errorValue ? errorValue.subarray(4).toString('utf8') : null,
    realm: get(Attr.REALM)?.toString('utf8') ?? null,
    nonce: get(Attr.NONCE)?.toString('utf8') ?? null,
    lifetime: get(Attr.LIFETIME)?.readUInt32BE(0) ?? null,
    relayed: addr(Attr.XOR_RELAYED_ADDRESS),
    mapped: addr(Attr.XOR_MAPPED_ADDRESS),
    peer: addr(Attr.XOR_PEER_ADDRESS),
    data: get(Attr.DATA) ?? null,
    fingerprintOk: fpOk,
    hasIntegrity: miOffset >= 0,
    integrity(key) {
      if (miOffset < 0) return false;
      const copy = Buffer.from(buf.subarray(0, miOffset));
      copy.writeUInt16BE(miOffset + 24 - 20, 2);
      const mac = crypto.createHmac('sha1', key).update(copy).digest();
      return crypto.timingSafeEqual(mac, buf.subarray(miOffset + 4, miOffset + 24));
    },
  };
}

const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

// One UDP socket = one 5-tuple = at most one allocation on the server.
export class TurnClient {
  constructor({ host, port, log = () => {} }) {
    this.server = { host, port };
    this.log = log;
    this.pending = new Map();  // txId hex -> { resolve, reject }
    this.dataHandlers = new Set();
    this.auth = null;          // { username, realm, nonce, key } once a 401 told us realm and nonce
  }

  async open() {
    this.socket = dgram.createSocket(this.server.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('message', (msg) => this.#onMessage(msg));
    await new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(0, this.server.host.includes(':') ? '::' : '0.0.0.0', () => { this.socket.off('error', reject); resolve(); });
    });
    return this;
  }

  close() {
    for (const { reject } of this.pending.values()) reject(new Error('closed'));
    this.pending.clear();
    try { this.socket?.close(); } catch { /* already closed */ }
  }

  onData(handler) { this.dataHandlers.add(handler); }

  #onMessage(msg) {
    let m;
    try { m = decode(msg); } catch (e) { this.log(`ignored a datagram: ${e.message}`); return; }
    if (m.cls === Class.indication && m.method === Method.Data) {
      for (const h of this.dataHandlers) h({ peer: m.peer, data: m.data });
      return;
    }
    const waiter = this.pending.get(m.txId.toString('hex'));
    if (!waiter) return;
    this.pending.delete(m.txId.toString('hex'));
    waiter.resolve(m);
  }

  // Sends a request, retransmitting after 250, 500, 1000 ... ms (RFC 8489 6.2.1, shortened for
  // loopback), and resolves with the response; rejects after timeoutMs.
  request(message, { timeoutMs = 4000 } = {}) {
    const { bytes, txId } = encode(message);
    const id = txId.toString('hex');
    return new Promise((resolve, reject) => {
      let delay = 250;
      let timer;
      const send = () => {
        this.socket.send(bytes, this.server.port, this.server.host);
        timer = setTimeout(send, delay);
        delay *= 2;
      };
      const deadline = setTimeout(() => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`no answer from ${this.server.host}:${this.server.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (m) => { clearTimeout(timer); clearTimeout(deadline); resolve(m); },
        reject: (e) => { clearTimeout(timer); clearTimeout(deadline); reject(e); },
      });
      send();
    });
  }

  binding(opts) { return this.request({ method: Method.Binding }, opts); }

  // An authenticated request: attrs plus USERNAME, REALM, NONCE and MESSAGE-INTEGRITY. A 438 (stale
  // nonce) is retried once with the new nonce, as RFC 8489 9.2.5 says.
  async #authed(method, attrs) {
    for (let attempt = 0; ; ++attempt) {
      const { username, realm, nonce, key } = this.auth;
      const m = await this.request({
        method,
        attrs: [...attrs, [Attr.USERNAME, Buffer.from(username)], [Attr.REALM, Buffer.from(realm)], [Attr.NONCE, Buffer.from(nonce)]],
        key,
      });
      if (m.isError && m.errorCode === 438 && m.nonce && attempt === 0) { this.auth.nonce = m.nonce; continue; }
      return m;
    }
  }

  // Allocate a UDP relay with the long-term credential mechanism. Returns
  // { ok, relayed, mapped, lifetime, errorCode, reason, challenge, response }:
  // challenge is the first (unauthenticated) answer, response the last one.
  async allocate({ username, credential }) {
    const transport = [Attr.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])];
    const challenge = await this.request({ method: Method.Allocate, attrs: [transport] });
    if (!challenge.isError || challenge.errorCode !== 401 || !challenge.realm || !challenge.nonce) {
      throw new Error(`expected 401 with REALM and NONCE to an unauthenticated Allocate, got ${describe(challenge)}`);
    }
    this.auth = { username, realm: challenge.realm, nonce: challenge.nonce, key: longTermKey(username, challenge.realm, credential) };
    const response = await this.#authed(Method.Allocate, [transport]);
    return {
      ok: response.isSuccess, relayed: response.relayed, mapped: response.mapped, lifetime: response.lifetime,
      errorCode: response.errorCode, reason: response.reason, challenge, response,
    };
  }

  async createPermission(peerAddress) {
    return this.#authed(Method.CreatePermission, [[Attr.XOR_PEER_ADDRESS, (txId) => encodeXorAddress({ address: peerAddress, port: 0 }, txId)]]);
  }

  // Refresh with lifetime 0 deletes the allocation.
  async refresh(lifetime) { return this.#authed(Method.Refresh, [[Attr.LIFETIME, u32(lifetime)]]); }

  // A Send indication: relays data from our relayed address to peer (which needs a permission).
  send(peer, data) {
    const { bytes } = encode({
      method: Method.Send, cls: Class.indication,
      attrs: [[Attr.XOR_PEER_ADDRESS, (txId) => encodeXorAddress(peer, txId)], [Attr.DATA, Buffer.from(data)]],
    });
    this.socket.send(bytes, this.server.port, this.server.host);
  }
}

export function describe(m) {
  const name = { [Class.success]: 'success', [Class.error]: 'error', [Class.indication]: 'indication', [Class.request]: 'request' }[m.cls];
  return `${name} (method ${m.method})${m.errorCode ? ` ${m.errorCode} ${m.reason}` : ''}`;
}
