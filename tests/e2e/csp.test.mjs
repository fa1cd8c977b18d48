// The app under the server's own headers: the Content-Security-Policy and the rest are on the page,
// and nothing the app does is refused by them (no 'securitypolicyviolation' event, no console
// report) through the lobby, a room and a two-person call with video.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { click, screenshot, typeInto, useServerAndBrowser, waitForState } from './lib.mjs';

const env = useServerAndBrowser();

// A person whose page records every CSP violation from its first script on.
async function person(name) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  const page = await context.newPage();
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`[${name}] ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`[${name}] PAGE ERROR ${e.message}`));
  page.response = await page.goto(env.server.url);
  await page.waitForFunction(() => window.app.state().connected === true, null, { timeout: 20000 });
  return page;
}

test('the app works under its Content-Security-Policy: lobby, room, call with video', async () => {
  const alice = await person('alice');
  const bob = await person('bob');
  const headers = alice.response.headers();
  assert.match(headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['referrer-policy'], 'no-referrer');

  await typeInto(alice, 'name-input', 'Alice');
  await alice.keyboard.press('Enter');
  await typeInto(bob, 'name-input', 'Bob');
  await bob.keyboard.press('Enter');
  await click(alice, 'create-room');
  await waitForState(alice, (s) => s.dialog === true);
  await typeInto(alice, 'room-name-input', 'Policy');
  await click(alice, 'create-confirm');
  const s = await waitForState(alice, (s) => s.dialog === false && s.rooms.some((r) => r.name === 'Policy'));
  const room = s.rooms.find((r) => r.name === 'Policy');
  await waitForState(bob, (s, id) => s.rooms.some((r) => r.id === id), room.id);
  await screenshot(bob, 'csp-lobby.png');
  for (const page of [alice, bob]) {
    await click(page, `join:${room.id}`);
    await waitForState(page, (s) => s.screen === 'call');
  }
  for (const page of [alice, bob]) {
    await waitForState(page, (s) => s.room && s.room.peers.length === 1 && s.room.peers.every(
      (p) => p.connection === 'connected' && p.framesDecoded > 0 && p.framesShown > 0), null, 30000);
  }
  await screenshot(alice, 'csp-call.png');
  for (const page of [alice, bob]) {
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    const reports = page.consoleLines.filter((l) => /Content Security Policy|PAGE ERROR/.test(l));
    assert.deepEqual(reports, []);
  }
});
