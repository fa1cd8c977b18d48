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
} else {
  fail(`unknown command ${command ?? '(none)'}: echo | mapping | punch`);
}
