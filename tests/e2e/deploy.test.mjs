// The deployment files in deploy/: both systemd units pass `systemd-analyze verify` without a single
// warning, their sandboxing keeps the exposure score low, the commands they start exist where the
// units say and accept the flags given, and turnserver.conf.example is what scripts/turn.sh writes.
//
// systemd-analyze verify also checks that ExecStart's program exists and is executable. The units
// name the install location /opt/moim; the test verifies copies with that prefix replaced by this
// checkout (a temporary folder, nothing installed), so the check also proves that the paths below
// /opt/moim (build/native/server/moim-server, scripts/turn.sh) are where the build puts them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const deploy = path.join(repo, 'deploy');
const PREFIX = '/opt/moim';
const UNITS = ['moim.service', 'moim-turn.service'];

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000, ...opts });

// ExecStart= of a unit, continuation lines joined, split into words (the units use no quoting).
function execStart(text) {
  const joined = text.replace(/\\\n/g, ' ');
  const line = joined.split('\n').find((l) => l.startsWith('ExecStart='));
  return line.slice('ExecStart='.length).trim().split(/\s+/);
}

describe('deploy/: systemd units and the coturn template', () => {
  let dir;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'moim-deploy-'));
    for (const unit of UNITS) {
      const text = readFileSync(path.join(deploy, unit), 'utf8');
      assert.ok(text.includes(`${PREFIX}/`), `${unit} names ${PREFIX}`);
      writeFileSync(path.join(dir, unit), text.replaceAll(`${PREFIX}/`, `${repo}/`));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const unit of UNITS) {
    test(`systemd-analyze verify ${unit}: no error, no warning`, () => {
      const r = run('systemd-analyze', ['verify', '--man=no', path.join(dir, unit)]);
      assert.equal(r.error, undefined, `systemd-analyze could not run (apt-get install systemd): ${r.error}`);
      const output = (r.stdout + r.stderr).trim();
      assert.equal(r.status, 0, output);
      assert.equal(output, '', `systemd-analyze verify printed:\n${output}`);
    });

    test(`${unit} is sandboxed: systemd-analyze security exposure at most 2.0`, () => {
      const r = run('systemd-analyze', ['security', '--offline=yes', path.join(dir, unit)]);
      const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
      assert.ok(m, r.stdout + r.stderr);
      console.log(`[deploy] ${unit}: exposure ${m[1]}`);
      assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]}:\n${r.stdout.split('\n').filter((l) => l.includes('✗')).join('\n')}`);
    });
  }

  test('moim-turn.service starts scripts/turn.sh with arguments it accepts', () => {
    const argv = execStart(readFileSync(path.join(dir, 'moim-turn.service'), 'utf8'));
    assert.equal(argv[0], path.join(repo, 'scripts/turn.sh'));
    const secret = path.join(dir, 'turn-secret');
    writeFileSync(secret, 'a'.repeat(64), { mode: 0o600 });  // what LoadCredential= gives: owner-only
    const args = argv.slice(1).map((a) => a.replace('%d/turn-secret', secret).replace('%t/moim-turn', path.join(dir, 'run')));
    const r = run(argv[0], ['--check', ...args]);
    assert.equal(r.status, 0, `turn.sh --check ${args.join(' ')}:\n${r.stderr}`);
  });

  test("moim.service gives moim-server only flags it knows", () => {
    const argv = execStart(readFileSync(path.join(dir, 'moim.service'), 'utf8'));
    assert.equal(argv[0], path.join(repo, 'build/native/server/moim-server'));
    const help = run(argv[0], ['--help']);
    assert.equal(help.status, 0, help.stderr);
    const flags = argv.slice(1).filter((a) => a.startsWith('--'));
    const unknown = flags.filter((f) => !new RegExp(`(^|\\s)${f}(\\s|$)`, 'm').test(help.stdout));
    assert.deepEqual(unknown, [], `flags of deploy/moim.service missing from moim-server --help`);
  });

  test('turnserver.conf.example is scripts/turn.sh --print-example', () => {
    const r = run(path.join(repo, 'scripts/turn.sh'), ['--print-example']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path.join(deploy, 'turnserver.conf.example'), 'utf8'), r.stdout,
      'deploy/turnserver.conf.example differs from what scripts/turn.sh writes: regenerate it with\n' +
      '  scripts/turn.sh --print-example > deploy/turnserver.conf.example');
  });
});
