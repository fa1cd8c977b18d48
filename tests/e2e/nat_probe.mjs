// Network probes run inside the test namespaces (`ip netns exec NS node nat_probe.mjs ...`) to show
// what the NATs of netns.mjs really do. One JSON line on stdout per result.
//
//   echo --address IP... --udp PORT... --tcp PORT
//                                  on the public side: answers every UDP datagram and every TCP
//                                  connection to each IP with the source address and port it saw;
//                                  prints {"ready":true} once listening
//   mapping --udp HOST:PORT... [--tcp HOST:PORT]...
//                                  from a home: ONE UDP socket asks each echo address in turn, then
//                                  each TCP address is asked on its own connection; prints
//                                  {"localPort", "udp":[{to, address, port}|{to, error}], "tcp":[...]}
//   punch --echo HOST:PORT [--seconds S]
//                                  UDP hole punching as ICE does it with a STUN server: learns its
//                                  mapping from the echo, prints {"mapped":"IP:PORT"}, reads the other
//                                  side's mapping as one line on stdin, then sends to it every 100 ms
//                                  for S seconds (default 3); prints {"received", "from"}
//   allocate --server HOST:PORT [--username U --credential C]
//                                  a TURN Allocate over UDP (RFC 8656), answering the server's 401
//                                  challenge with the long-term credential when one is given; prints
//                                  {"result":"allocated","relayed":"IP:PORT"} or
//                                  {"result":"error","code":401,"reason":"...","step":"challenge"|"authenticated"}
import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import readline from 'node:readline';

const [command, ...rest] = process.argv.slice(2);
const opts = {};
for (let i = 0; i < rest.length; i += 2) (opts[rest[i].replace(/^--/, '')] ??= []).push(rest[i + 1]);
const hostPort = (s) => { const i = s.lastIndexOf(':'); return [s.slice(0, i), Number(s.slice(i + 1))]; };
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const fail = (msg) => { process.stderr.write(`nat_probe: ${msg}\n`); process.exit(2); };

// Sends `payload` to `to` until an answer arrives from exactly that address (or `ms` pass).
function ask(socket, to, payload, ms = 2000) {
  const [host, port] = hostPort(to);
  return new Promise((resolve) => {
    const onMessage = (msg, rinfo) => {
      if (rinfo.address !== host || rinfo.port !== port) return;
      done({ to, ...JSON.parse(msg) });
    };
    const timer = setInterval(() => socket.send(payload, port, host), 200);
    const deadline = setTimeout(() => done({ to, error: 'no answer' }), ms);
    const done = (r) => { clearInterval(timer); clearTimeout(deadline); socket.off('message', onMessage); resolve(r); };
    socket.on('message', onMessage);
    socket.send(payload, port, host);
  });
}

const bound = (socket) => new Promise((resolve) => socket.bind(0, () => resolve(socket.address().port)));

if (command === 'echo') {
  // A socket per address: an answer must come from the address that was asked.
  const udpPorts = (opts.udp ?? fail('echo needs --udp')).map(Number);
  const tcpPort = Number(opts.tcp?.[0] ?? fail('echo needs --tcp'));
  await Promise.all((opts.address ?? fail('echo needs --address')).flatMap((address) => {
    const tcp = net.createServer((c) => c.end(JSON.stringify({ address: c.remoteAddress, port: c.remotePort })));
    return [new Promise((r) => tcp.listen(tcpPort, address, r)), ...udpPorts.map((port) => {
      const udp = dgram.createSocket('udp4');
      udp.on('message', (_msg, rinfo) => udp.send(JSON.stringify({ address: rinfo.address, port: rinfo.port }), rinfo.port, rinfo.address));
      return new Promise((r) => udp.bind(port, address, r));
    })];
  }));
  out({ ready: true });
} else if (command === 'mapping') {
  const socket = dgram.createSocket('udp4');
  const localPort = await bound(socket);
  const udp = [];
  for (const to of opts.udp ?? []) udp.push(await ask(socket, to, 'where am I'));
  socket.close();
  const tcp = [];
  for (const to of opts.tcp ?? []) {
    const [host, port] = hostPort(to);
    tcp.push(await new Promise((resolve) => {
      let data = '', localTcpPort = null;
      const c = net.connect({ host, port, timeout: 3000 }, () => { localTcpPort = c.localPort; });
      c.on('data', (d) => { data += d; });
      c.on('end', () => resolve({ to, localPort: localTcpPort, ...JSON.parse(data) }));
      c.on('timeout', () => { c.destroy(); resolve({ to, error: 'timeout' }); });
      c.on('error', (e) => resolve({ to, error: e.code ?? e.message }));
    }));
  }
  out({ localPort, udp, tcp });
} else if (command === 'punch') {
  const socket = dgram.createSocket('udp4');
  const localPort = await bound(socket);
  const seen = await ask(socket, opts.echo?.[0] ?? fail('punch needs --echo'), 'where am I');
  if (seen.error) fail(`echo ${seen.to}: ${seen.error}`);
  out({ localPort, mapped: `${seen.address}:${seen.port}` });
  const line = await new Promise((resolve) => readline.createInterface({ input: process.stdin }).once('line', resolve));
  const [host, port] = hostPort(line.trim());
  const from = new Set();
  let received = 0;
  socket.on('message', (msg, rinfo) => {
    if (String(msg).startsWith('punch')) { received++; from.add(`${rinfo.address}:${rinfo.port}`); }
  });
  const timer = setInterval(() => socket.send('punch', port, host), 100);
  await new Promise((r) => setTimeout(r, 1000 * Number(opts.seconds?.[0] ?? 3)));
  clearInterval(timer);
  out({ received, from: [...from] });
  process.exit(0);
} else if (command === 'allocate') {
  const [host, port] = hostPort(opts.server?.[0] ?? fail('allocate needs --server'));
  const socket = dgram.createSocket('udp4');
  await bound(socket);
  const COOKIE = 0x2112a442;
  const attr = (type, value) => {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(value.length, 2);
    return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  };
  // A STUN message; with `key`, MESSAGE-INTEGRITY over everything before it (its length included).
  const message = (type, attrs, key) => {
    const head = Buffer.alloc(20);
    head.writeUInt16BE(type, 0);
    head.writeUInt32BE(COOKIE, 4);
    randomBytes(12).copy(head, 8);
    let body = Buffer.concat(attrs);
    if (key) {
      head.writeUInt16BE(body.length + 24, 2);
      body = Buffer.concat([body, attr(0x0008, createHmac('sha1', key).update(Buffer.concat([head, body])).digest())]);
    }
    head.writeUInt16BE(body.length, 2);
    return Buffer.concat([head, body]);
  };
  const parse = (buf) => {
    const attrs = new Map();
    for (let at = 20; at + 4 <= 20 + buf.readUInt16BE(2);) {
      const type = buf.readUInt16BE(at), len = buf.readUInt16BE(at + 2);
      attrs.set(type, buf.subarray(at + 4, at + 4 + len));
      at += 4 + len + ((4 - (len % 4)) % 4);
    }
    return { type: buf.readUInt16BE(0), id: buf.subarray(8, 20), attrs };
  };
  const exchange = (request) => new Promise((resolve) => {
    const onMessage = (msg) => {
      const m = parse(msg);
      if (!m.id.equals(request.subarray(8, 20))) return;
      clearInterval(timer); clearTimeout(deadline); socket.off('message', onMessage); resolve(m);
    };
    socket.on('message', onMessage);
    const send = () => socket.send(request, port, host);
    const timer = setInterval(send, 500);
    const deadline = setTimeout(() => { clearInterval(timer); socket.off('message', onMessage); resolve(null); }, 5000);
    send();
  });
  const transport = attr(0x0019, Buffer.from([17, 0, 0, 0]));   // REQUESTED-TRANSPORT: UDP
  const report = (step, m) => {
    if (!m) return out({ result: 'error', step, code: null, reason: 'no answer' });
    if (m.type === 0x0103) {
      const x = m.attrs.get(0x0016);   // XOR-RELAYED-ADDRESS
      const p = x.readUInt16BE(2) ^ (COOKIE >>> 16);
      const a = (x.readUInt32BE(4) ^ COOKIE) >>> 0;
      return out({ result: 'allocated', step, relayed: `${[24, 16, 8, 0].map((b) => (a >>> b) & 255).join('.')}:${p}` });
    }
    const e = m.attrs.get(0x0009);     // ERROR-CODE
    return out({ result: 'error', step, code: e ? (e[2] & 7) * 100 + e[3] : null, reason: e ? String(e.subarray(4)) : '' });
  };
  const challenge = await exchange(message(0x0003, [transport]));
  if (!challenge || challenge.type !== 0x0113 || !opts.username) {
    report('challenge', challenge);
  } else {
    const realm = challenge.attrs.get(0x0014), nonce = challenge.attrs.get(0x0015);
    const username = opts.username[0], credential = opts.credential?.[0] ?? '';
    const key = createHash('md5').update(`${username}:${realm}:${credential}`).digest();
    report('authenticated', await exchange(message(0x0003,
      [transport, attr(0x0006, Buffer.from(username)), attr(0x0014, realm), attr(0x0015, nonce)], key)));
  }
  process.exit(0);
} else {
  fail(`unknown command ${command ?? '(none)'}: echo | mapping | punch | allocate`);
}
