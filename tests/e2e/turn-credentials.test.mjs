// Real coturn, started by scripts/turn.sh on 127.0.0.1 with a random port and a fresh secret, and a
// TURN client written here (turn_client.mjs): credentials of the TURN REST scheme moim-server issues
// allocate a relay; expired, forged and malformed ones are refused; the relay carries data only to
// the peers --allow-peer lets through; one credential's allocations are bounded. Also scripts/turn.sh's
// refusals of bad arguments and secret files. No browser.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TurnClient, describe as describeMessage, longTermKey, restCredentials } from './turn_client.mjs';
import { startTurn, turnScript } from './turn_server.mjs';

describe('coturn with TURN REST credentials (scripts/turn.sh on loopback)', () => {
  let turn;
  const clients = [];
  const client = async () => { const c = await new TurnClient({ host: turn.host, port: turn.port }).open(); clients.push(c); return c; };

  before(async () => { turn = await startTurn({ allowPeers: ['127.0.0.1'] }); });
  after(async () => {
    for (const c of clients) c.close();
    await turn?.stop();
  });

  test('coturn read every line of the configuration', () => {
    assert.doesNotMatch(turn.log(), /Bad configuration format|ERROR:|Wrong address format/, turn.log());
    assert.match(turn.log(), /White listing: 127\.0\.0\.1\n/);
    assert.equal((turn.log().match(/Black listing: /g) ?? []).length, 18, 'every denied range was read');
  });

  test('the secret is only in the configuration file, mode 0600, in a 0700 folder', () => {
    const conf = path.join(turn.stateDir, 'turnserver.conf');
    assert.equal(statSync(conf).mode & 0o777, 0o600);
    assert.equal(statSync(turn.stateDir).mode & 0o777, 0o700);
    assert.match(readFileSync(conf, 'utf8'), new RegExp(`^static-auth-secret=${turn.secret}$`, 'm'));
    const cmdline = readFileSync(`/proc/${turn.pid}/cmdline`, 'utf8').split('\0');
    assert.equal(path.basename(cmdline[0]), 'turnserver', 'turn.sh replaced itself with turnserver');
    assert.ok(!cmdline.join(' ').includes(turn.secret), `secret on the command line: ${cmdline.join(' ')}`);
  });

  test('a fresh REST credential allocates a relay', async () => {
    const creds = restCredentials(turn.secret, '42', 3600);
    assert.match(creds.username, /^\d{10}:42$/);
    const c = await client();
    const result = await c.allocate(creds);
    assert.equal(result.challenge.realm, 'moim-test');
    assert.ok(result.ok, `Allocate refused: ${describeMessage(result.response)}`);
    const [min, max] = turn.relayPorts.split('-').map(Number);
    assert.equal(result.relayed.address, '127.0.0.1');
    assert.ok(result.relayed.port >= min && result.relayed.port <= max, `relay port ${result.relayed.port} outside ${turn.relayPorts}`);
    assert.equal(result.mapped.address, '127.0.0.1');
    assert.ok(result.lifetime > 0 && result.lifetime <= 3600, `lifetime ${result.lifetime}`);
    // coturn signed its answer with the key our client derived: both sides agree on the credential.
    assert.ok(result.response.integrity(longTermKey(creds.username, 'moim-test', creds.credential)), 'MESSAGE-INTEGRITY of the answer');
    assert.ok(!result.response.integrity(longTermKey(creds.username, 'moim-test', 'x')), 'integrity check can fail');
    assert.equal(result.response.fingerprintOk, true, 'FINGERPRINT of the answer');
    assert.equal((await c.refresh(0)).isSuccess, true, 'deallocation');
  });

  test('the relay carries data to an allowed peer and refuses private, loopback and multicast peers', async () => {
    const c = await client();
    const result = await c.allocate(restCredentials(turn.secret, '7', 600));
    assert.ok(result.ok, describeMessage(result.response));

    const peer = dgram.createSocket('udp4');
    await new Promise((resolve) => peer.bind(0, '127.0.0.1', resolve));
    try {
      const perm = await c.createPermission('127.0.0.1');
      assert.ok(perm.isSuccess, `permission for the allowed 127.0.0.1: ${describeMessage(perm)}`);
      const atPeer = new Promise((resolve) => peer.once('message', (msg, from) => resolve({ msg, from })));
      c.send({ address: '127.0.0.1', port: peer.address().port }, 'hello peer');
      const got = await atPeer;
      assert.equal(got.msg.toString(), 'hello peer');
      assert.deepEqual({ address: got.from.address, port: got.from.port }, { address: result.relayed.address, port: result.relayed.port },
        'the peer sees the relayed address, not the client');
      const back = new Promise((resolve) => c.onData(resolve));
      peer.send('hello client', got.from.port, got.from.address);
      const data = await back;
      assert.equal(data.data.toString(), 'hello client');
      assert.equal(data.peer.port, peer.address().port);
    } finally {
      peer.close();
    }

    for (const denied of ['10.1.2.3', '172.16.0.1', '192.168.1.10', '100.64.0.1', '169.254.1.1', '127.0.0.2', '0.0.0.1',
      '198.18.0.1', '203.0.113.5', '224.0.0.1', '240.0.0.1']) {
      const m = await c.createPermission(denied);
      assert.equal(m.errorCode, 403, `permission for ${denied}: ${describeMessage(m)}`);
    }
    // The private and reserved ones were refused by turn.sh's denied-peer-ip list (coturn logs the range).
    for (const [ip, range] of [['10.1.2.3', '10.0.0.0-10.255.255.255'], ['127.0.0.2', '127.0.0.0-127.255.255.255'],
      ['100.64.0.1', '100.64.0.0-100.127.255.255'], ['203.0.113.5', '203.0.113.0-203.0.113.255']]) {
      // coturn logs after it answers: the line may arrive a moment after the 403.
      const line = `A peer IP ${ip} denied in the range: ${range}`;
      for (const until = Date.now() + 5000; !turn.log().includes(line) && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
      assert.ok(turn.log().includes(line), `${ip} denied by ${range}`);
    }
    assert.ok((await c.createPermission('8.8.8.8')).isSuccess, 'a public address is allowed');
    await c.refresh(0);
  });

  test('an expired username is refused, even with the right HMAC', async () => {
    const creds = restCredentials(turn.secret, '42', -60);
    const result = await (await client()).allocate(creds);
    assert.equal(result.ok, false);
    assert.equal(result.errorCode, 401, describeMessage(result.response));
    assert.equal(result.relayed, null);
  });

  test('forged credentials are refused', async () => {
    const good = restCredentials(turn.secret, '42', 3600);
    const attempts = {
      'HMAC with another secret': restCredentials(crypto.randomBytes(32).toString('hex'), '42', 3600),
      'HMAC of another username': { username: good.username.replace(':42', ':43'), credential: good.credential },
      'a later expiry than the HMAC covers': { username: good.username.replace(/^\d+/, (t) => String(Number(t) + 86400)), credential: good.credential },
      'a username without expiry': { username: '42', credential: crypto.createHmac('sha1', turn.secret).update('42').digest('base64') },
      'the secret itself as password': { username: good.username, credential: turn.secret },
    };
    for (const [what, creds] of Object.entries(attempts)) {
      const result = await (await client()).allocate(creds);
      assert.equal(result.ok, false, `${what}: allocated`);
      assert.equal(result.errorCode, 401, `${what}: ${describeMessage(result.response)}`);
    }
  });

  test('one credential holds at most 32 allocations at once (user-quota)', async () => {
    const creds = restCredentials(turn.secret, '99', 600);
    const held = [];
    for (let i = 0; i < 32; ++i) {
      const c = await client();
      const result = await c.allocate(creds);
      assert.ok(result.ok, `allocation ${i + 1}: ${describeMessage(result.response)}`);
      held.push(c);
    }
    const extra = await (await client()).allocate(creds);
    assert.equal(extra.errorCode, 486, `allocation 33: ${describeMessage(extra.response)}`);
    const other = await (await client()).allocate(restCredentials(turn.secret, '100', 600));
    assert.ok(other.ok, `another participant is not affected: ${describeMessage(other.response)}`);
    for (const c of held) assert.ok((await c.refresh(0)).isSuccess);
  });

  test('coturn logged no error (a database race once refused the first allocation with 401)', () => {
    const expected = /check_stun_auth: Cannot find credentials of user|A peer IP \S+ denied in the range/;  // the refusals above
    const errors = turn.log().split('\n').filter((l) => /ERROR/.test(l) && !expected.test(l));
    assert.deepEqual(errors, []);
  });
});

describe('scripts/turn.sh refuses bad input and starts nothing', () => {
  let dir;
  let secretFile;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'moim-turn-args-'));
    secretFile = path.join(dir, 'secret');
    writeFileSync(secretFile, crypto.randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args) => spawnSync(turnScript, args, { encoding: 'utf8', timeout: 10000 });
  const refuses = (args, message, why) => {
    const state = path.join(dir, 'state-' + crypto.randomBytes(4).toString('hex'));
    const r = run(args.map((a) => (a === 'STATE' ? state : a)));
    assert.equal(r.status, 2, `${why}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, why);
    assert.ok(!existsSync(state), `${why}: state folder created`);
  };

  test('bad arguments', () => {
    const base = ['--secret-file', secretFile, '--state-dir', 'STATE'];
    refuses(['--state-dir', 'STATE'], /--secret-file is required/, 'no secret file');
    refuses(['--secret-file', secretFile], /--state-dir is required/, 'no state dir');
    refuses([...base, '--port', '0'], /--port needs a port number from 1 to 65535, got '0'/, 'port 0');
    refuses([...base, '--port', '70000'], /--port needs a port number/, 'port too big');
    refuses([...base, '--port'], /--port needs a value/, 'missing value');
    refuses([...base, '--relay-ports', '50000'], /--relay-ports needs MIN-MAX/, 'range without dash');
    refuses([...base, '--relay-ports', '50010-50000'], /1024 <= MIN <= MAX <= 65535/, 'reversed range');
    refuses([...base, '--relay-ports', '80-90'], /1024 <= MIN/, 'privileged relay ports');
    refuses([...base, '--port', '49170'], /port 49170 lies inside --relay-ports 49160-49200/, 'listening port in the relay range');
    refuses([...base, '--allow-peer', '10.0.0.1/8'], /--allow-peer '10\.0\.0\.1\/8' is not an address or CIDR range.*host bits set/, 'CIDR with host bits');
    refuses([...base, '--allow-peer', 'example.org'], /--allow-peer 'example\.org' is not/, 'a name as peer');
    refuses([...base, '--listen-ip', '300.1.1.1'], /--listen-ip '300\.1\.1\.1' is not an IPv4 or IPv6 address/, 'bad listen ip');
    refuses([...base, '--external-ip', '127.0.0.1'], /--external-ip '127\.0\.0\.1' must be the host's public unicast address/, 'loopback as external ip');
    refuses([...base, '--realm', 'a b'], /--realm needs/, 'realm with a space');
    refuses([...base, '--cert', secretFile], /--cert and --key go together/, 'cert without key');
    refuses([...base, '--bogus'], /unknown option '--bogus'/, 'unknown option');
  });

  test('secret files that are missing, empty, readable by others, short or not one line', () => {
    const file = (name, content, mode = 0o600) => {
      const p = path.join(dir, name);
      writeFileSync(p, content, { mode });
      chmodSync(p, mode);
      return p;
    };
    const args = (f) => ['--secret-file', f, '--state-dir', 'STATE'];
    refuses(args(path.join(dir, 'nope')), /--secret-file '.*nope' does not exist/, 'missing');
    refuses(args(file('empty', '')), /is empty/, 'empty');
    refuses(args(file('blank', '\n \n')), /is empty/, 'only whitespace');
    refuses(args(file('world', 'x'.repeat(32), 0o644)), /is readable by others \(mode 644\): chmod 600/, 'world-readable');
    refuses(args(file('group', 'x'.repeat(32), 0o640)), /is readable by others \(mode 640\)/, 'group-readable');
    refuses(args(file('short', 'abc123')), /too short \(6 characters, at least 16\)/, 'short');
    refuses(args(file('two-lines', 'x'.repeat(20) + '\n' + 'y'.repeat(20))), /only visible ASCII characters/, 'two lines');
    refuses(args(file('hash', 'x'.repeat(20) + '#')), /only visible ASCII characters/, 'a # would start a comment');
    refuses(args(dir), /is not a regular file/, 'a folder');
  });
});
