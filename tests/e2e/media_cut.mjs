// Cuts the media path of one test's browser, and of nothing else on this machine: that Chromium
// runs in a cgroup of its own (a wrapper executable moves itself there, then execs Chromium, so
// every process Chromium starts is in it too), and iptables/ip6tables rules in OUTPUT that match
// the cgroup drop its UDP, and its TCP to any port but the signaling server's. The WebSocket stays
// up, every packet between the browsers is dropped, and browsers and servers of other tests running
// meanwhile are untouched (rules on the loopback interface would cut them too).
// Needs root, cgroup v2 (mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified) and iptables with the
// cgroup match; `cgroupBrowser` throws with the reason when one is missing.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs } from './lib.mjs';

function cgroup2Root() {
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, where, type] = line.split(' ');
    if (type === 'cgroup2') return where;
  }
  throw new Error('no cgroup v2 hierarchy is mounted');
}

// A Chromium whose processes all live in a fresh cgroup. `cut(port)` / `restore()` add and remove
// the rules (restore is idempotent); `close()` restores, closes the browser and removes the cgroup.
export async function cgroupBrowser(label) {
  const root = cgroup2Root();
  const name = `moim-e2e-${label}-${process.pid}-${Date.now()}`;
  const dir = path.join(root, name);
  mkdirSync(dir);
  const wrapper = path.join(mkdtempSync(path.join(tmpdir(), 'moim-cg-')), 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\necho $$ > '${dir}/cgroup.procs' || exit 1\nexec /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: wrapper, headless: true, args: [...chromiumArgs, '--use-fake-ui-for-media-stream'] });
  } catch (e) {
    rmdirSync(dir);
    throw e;
  }
  const rules = (port) => ['iptables', 'ip6tables'].flatMap((tool) => [
    [tool, '-p', 'udp'],
    [tool, '-p', 'tcp', '-m', 'multiport', '!', '--dports', String(port)],
  ]);
  const run = (op, [tool, ...rule]) =>
    execFileSync(tool, ['-w', op, 'OUTPUT', '-m', 'cgroup', '--path', name, ...rule, '-j', 'DROP'], { stdio: 'pipe' });
  let added = [];
  const restore = () => {
    for (const rule of added) {
      try { run('-D', rule); } catch (e) { console.error(`could not remove ${rule.join(' ')}: ${e.stderr || e.message}`); }
    }
    added = [];
  };
  return {
    browser,
    cut(port) {
      try {
        for (const rule of rules(port)) { run('-I', rule); added.push(rule); }
      } catch (e) {
        restore();
        throw new Error(`cannot add an iptables rule: ${String(e.stderr || e.message).trim().split('\n')[0]}`);
      }
    },
    restore,
    async close() {
      restore();
      await browser.close().catch(() => {});
      // The cgroup can go once its processes have exited.
      for (let i = 0; i < 50 && existsSync(dir); i++) {
        try { rmdirSync(dir); } catch { await new Promise((r) => setTimeout(r, 100)); }
      }
    },
  };
}
