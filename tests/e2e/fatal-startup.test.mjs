// A fatal error at start is said plainly and nothing pretends to go on loading: the loading screen
// shows the reason in place of its spinner, and state() says "stopped" with that reason.
// - no WebGL2: headless Firefox (firefox.mjs), with WebGL2 also turned off by pref so the case does
//   not depend on what Mesa offers headless browsers on this machine;
// - the wasm unreachable (a network error, which Emscripten 3.1.6 leaves as an unhandled rejection) or
//   missing (404: Emscripten's abort), and the program script unreachable (no Emscripten hook sees
//   that): Chromium with those requests failed by the test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import { launchFirefox, openFirefoxPerson } from './firefox.mjs';
import { launchBrowser, screenshot, startServer, waitForState } from './lib.mjs';

let server, chromium, firefox;
before(async () => {
  server = await startServer();
  [chromium, firefox] = await Promise.all([launchBrowser(), launchFirefox({ headless: true, prefs: { 'webgl.enable-webgl2': false } })]);
});
after(async () => {
  await Promise.allSettled([chromium?.close(), firefox?.close()]);
  await server?.stop();
});

// What the person sees of the loading screen, from the page's layout.
const loadingScreen = (page) => page.evaluate(() => {
  const shown = (el) => {
    if (!el) return false;
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden' && cs.opacity !== '0';
  };
  const box = document.getElementById('loading');
  return {
    shown: shown(box), spinner: shown(box.querySelector('.spinner')), role: box.getAttribute('role'),
    text: document.getElementById('loading-text').textContent, textShown: shown(document.getElementById('loading-text')),
  };
});

// Pixels of the spinner's blue arc (#4f8cff) in a screenshot: a spinning wheel says "still loading".
function spinnerPixels(png) {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const d = Math.abs(png.data[i] - 0x4f) + Math.abs(png.data[i + 1] - 0x8c) + Math.abs(png.data[i + 2] - 0xff);
    if (d < 60) n++;
  }
  return n;
}

async function expectStopped(page, reason, shot) {
  const s = await waitForState(page, (s) => s.screen === 'stopped', null, 30000);
  assert.match(s.error, reason);
  assert.equal(s.connected, false);
  const seen = await loadingScreen(page);
  assert.deepEqual({ shown: seen.shown, spinner: seen.spinner, textShown: seen.textShown, role: seen.role },
    { shown: true, spinner: false, textShown: true, role: 'alert' }, JSON.stringify(seen));
  assert.equal(seen.text, s.error, 'the screen says what state() says');
  await screenshot(page, shot);
  const blue = spinnerPixels(PNG.sync.read(await page.screenshot()));
  assert.equal(blue, 0, `no spinner is drawn (${blue} pixels of its blue)`);
  return s;
}

test('no WebGL2 (headless Firefox): the reason, no spinner', async () => {
  const page = await openFirefoxPerson(firefox, server.url, 'firefox-headless', { waitConnected: false });
  try {
    const s = await expectStopped(page, /no WebGL2/, 'fatal-no-webgl2.png');
    assert.match(s.error, /another browser/);
  } catch (e) {
    console.log(page.consoleLines.join('\n'));
    throw e;
  } finally {
    await page.context().close();
  }
});

const WASM = /\/moim\.[0-9a-f]{8}\.wasm$/, SCRIPT = /\/moim\.[0-9a-f]{8}\.js$/;
for (const [what, pattern, answer, reason, shot] of [
  // The network fails the wasm's fetch: Emscripten 3.1.6 leaves that promise unhandled.
  ['the wasm is unreachable', WASM, 'connectionfailed', /^Moim could not load: .+\. Check the connection and reload the page\.$/, 'fatal-wasm-unreachable.png'],
  // The server answers 404: Emscripten's own abort().
  ['the wasm is missing', WASM, 404, /^Moim stopped: .+\. Reload the page to try again\.$/, 'fatal-wasm-missing.png'],
  ['the program script is unreachable', SCRIPT, 'connectionfailed', /^Moim could not load its program \(moim\.[0-9a-f]{8}\.js\)/, 'fatal-script-unreachable.png'],
]) {
  test(`${what} (Chromium): the reason, no spinner`, async () => {
    const context = await chromium.newContext({ viewport: { width: 1280, height: 800 } });
    const failed = [];
    await context.route(pattern, (route) => {
      failed.push(route.request().url());
      return typeof answer === 'number' ? route.fulfill({ status: answer, body: 'not here' }) : route.abort(answer);
    });
    const page = await context.newPage();
    const lines = [];
    page.on('console', (m) => lines.push(m.text()));
    try {
      await page.goto(server.url);
      await expectStopped(page, reason, shot);
      assert.ok(failed.length > 0, `the test failed a request matching ${pattern}`);
    } catch (e) {
      console.log(lines.join('\n'));
      throw e;
    } finally {
      await context.close();
    }
  });
}
