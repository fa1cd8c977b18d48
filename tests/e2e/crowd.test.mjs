// Many people behind one address arrive at once (an office NAT, everyone reloading after a server
// restart): the server's per-address request limit refuses some hellos with rate-limited. Each of
// those pages must try again by itself and reach the lobby, not wait forever. One server with a
// tight limit (1 request a second, bursts of 5); while eight pages from 127.0.0.1 load, another
// page of the same address keeps the budget spent (a hello on a new socket every 250 ms) until one
// of the eight has been refused (at least 4 s, at most 30 s: a loaded machine loads pages slowly),
// so some of the eight are refused for sure.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { launchBrowser, startServer } from './lib.mjs';

let server;
let browser;
after(async () => {
  await browser?.close();
  await server?.stop();
});

// Waits until the page's app says it is connected (welcomed); the app may not exist yet.
async function connected(page, timeout) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const ok = await page.evaluate(() => window.app?.state().connected === true).catch(() => false);
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

test('eight pages from one address over a tight request limit all reach the lobby', async () => {
  server = await startServer({ args: ['--max-requests-per-address-per-second', '1'] });
  browser = await launchBrowser();
  // The spender: a page of the server's origin (a 404 page: no app) opening sockets that say hello.
  const spender = await (await browser.newContext()).newPage();
  await spender.goto(`${server.url}spend`);
  const spent = spender.evaluate(() => new Promise((resolve) => {
    const url = location.origin.replace(/^http/, 'ws') + '/ws';
    const sockets = [];
    const open = () => {
      const ws = new WebSocket(url);
      ws.onopen = () => ws.send('{"type":"hello","version":3}');
      sockets.push(ws);
    };
    for (let i = 0; i < 5; ++i) open();
    const timer = setInterval(open, 250);
    window.stopSpending = () => { clearInterval(timer); for (const ws of sockets) ws.close(); resolve(sockets.length); };
  }));
  const refusedOnce = (ps) => ps.some((p) => p.consoleLines.some((l) => /rate-limited \(hello\)/.test(l)));
  const start = Date.now();
  const pages = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
    const page = await (await browser.newContext()).newPage();
    page.consoleLines = [];
    page.on('console', (m) => page.consoleLines.push(`[p${i}] ${m.text()}`));
    await page.goto(server.url);
    return page;
  }));
  for (const stopAt = Date.now() + 30000; Date.now() < stopAt && (Date.now() - start < 4000 || !refusedOnce(pages));)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await spender.evaluate(() => window.stopSpending());
  const all = await Promise.all(pages.map((page) => connected(page, 45000)));
  const seconds = (Date.now() - start) / 1000;
  const refused = pages.filter((p) => p.consoleLines.some((l) => /rate-limited \(hello\)/.test(l))).length;
  console.log(`# the spender opened ${await spent} sockets; eight pages in the lobby after ${seconds.toFixed(1)} s; ` +
              `${refused} of them were refused first`);
  assert.deepEqual(all, Array(8).fill(true), 'every page reaches the lobby');
  assert.ok(refused > 0, 'the limit was never hit: the test proves nothing');
});
