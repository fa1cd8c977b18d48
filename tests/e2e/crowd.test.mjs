// Many people behind one address arrive at once (an office NAT, everyone reloading after a server
// restart): the server's per-address request limit refuses some hellos with rate-limited. Each of
// those pages must try again by itself and reach the lobby, not wait forever. One server with a
// tight limit (1 request a second, bursts of 5), eight pages from 127.0.0.1.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { launchBrowser, openPerson, startServer } from './lib.mjs';

let server;
let browser;
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('eight pages from one address over a tight request limit all reach the lobby', async () => {
  server = await startServer({ args: ['--max-requests-per-address-per-second', '1'] });
  browser = await launchBrowser();
  const start = Date.now();
  const pages = await Promise.all(
    Array.from({ length: 8 }, (_, i) => openPerson(browser, server.url, `p${i}`)));
  const seconds = (Date.now() - start) / 1000;
  const refused = pages.filter((p) => p.consoleLines.some((l) => /rate-limited \(hello\)/.test(l))).length;
  console.log(`# eight pages in the lobby after ${seconds.toFixed(1)} s; ${refused} of them were refused first`);
  assert.ok(refused > 0, 'the limit was never hit: the test proves nothing');
});
