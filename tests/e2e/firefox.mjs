// Firefox for the end-to-end tests: Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi
// (no geckodriver), with a fake camera and microphone.
//
// Headless Firefox has no WebGL2 on a machine without a GPU, so Moim would stop at "no WebGL2": the
// browser runs headed on its own Xvfb server, where Mesa's software renderer (llvmpipe) gives it
// WebGL2. Xvfb picks a free display itself (-displayfd) so parallel runs never collide; it is killed
// when the browser closes, and on exit or SIGINT/SIGTERM/SIGHUP if a test failed before that.
//
// Pages come back wrapped in the subset of Playwright's Page that lib.mjs uses (evaluate,
// waitForFunction, mouse, keyboard, screenshot, close, context), so state(), waitForState(), widget(), click(),
// typeInto(), screenshot() and tilePixels() work on both engines.
import { spawn } from 'node:child_process';
import puppeteer from 'puppeteer-core';

export const firefoxPath = process.env.MOIM_FIREFOX ?? '/usr/bin/firefox-esr';

export const firefoxPrefs = {
  'media.navigator.streams.fake': true,            // a generated camera picture and a tone
  'media.navigator.permission.disabled': true,     // no camera/microphone prompt
  'media.autoplay.default': 0,                     // remote audio plays without a click
  'media.autoplay.blocking_policy': 0,
};

const running = new Set();  // Xvfb servers not yet stopped, for the exit handlers
// SIGTERM: Xvfb removes its lock file and socket on its own, after this process is gone.
const killAll = () => { for (const p of running) try { p.kill('SIGTERM'); } catch { /* gone */ } };
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => { killAll(); process.kill(process.pid, signal); });
}

// Starts Xvfb on a display it chooses; resolves to {display: ':N', stop()}.
export async function startXvfb({ width = 1400, height = 1000 } = {}) {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp',
    '-noreset'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let log = '', out = '';
  proc.stderr.on('data', (d) => { log += d; });
  const display = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Xvfb did not report a display within 10 s:\n' + log)), 10000);
    proc.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) { clearTimeout(timer); resolve(':' + out.trim()); }
    });
    proc.once('error', (e) => { clearTimeout(timer); reject(new Error(`Xvfb could not start (${e.message}); scripts/setup.sh --for-tests installs it`)); });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code}):\n${log}`)); });
  }).catch((e) => { proc.kill('SIGKILL'); throw e; });
  return {
    display,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
    }),
  };
}

// Firefox ESR with the fake devices. headless: false (default) runs it on a fresh Xvfb, with WebGL2;
// headless: true has no WebGL2 here. `prefs` are added to firefoxPrefs.
export async function launchFirefox({ headless = false, prefs = {} } = {}) {
  const xvfb = headless ? null : await startXvfb();
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: firefoxPath,
      headless,
      defaultViewport: null,
      args: ['--width=1280', '--height=900'],
      extraPrefsFirefox: { ...firefoxPrefs, ...prefs },
      env: { ...process.env, ...(xvfb ? { DISPLAY: xvfb.display } : {}), MOZ_CRASHREPORTER_DISABLE: '1' },
      // The test's own exit handlers end Xvfb; puppeteer's would leave it running.
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      timeout: 30000,
    });
  } catch (e) {
    await xvfb?.stop();
    throw e;
  }
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try { await close(); } finally { await xvfb?.stop(); }
  };
  browser.display = xvfb?.display ?? null;
  return browser;
}

// A person in Firefox: a separate browser context (own storage), the app open, the page wrapped for
// lib.mjs. Waits for the server's welcome unless `waitConnected` is false.
export async function openFirefoxPerson(browser, url, label, { waitConnected = true, viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.createBrowserContext();
  const raw = await context.newPage();
  await raw.setViewport(viewport);
  const page = wrapPage(raw);
  page.consoleLines = [];
  raw.on('console', (m) => page.consoleLines.push(`[${label}] ${m.text()}`));
  raw.on('pageerror', (e) => page.consoleLines.push(`[${label}] PAGE ERROR ${e.message}`));
  await raw.goto(url);
  if (waitConnected) await page.waitForFunction(() => window.app.state().connected === true, null, { timeout: 20000 });
  return page;
}

// The Playwright-shaped page over a puppeteer page. waitForFunction polls from Node: puppeteer's
// own builds the predicate in the page with `new Function`, which Moim's Content-Security-Policy
// (rightly) refuses.
export function wrapPage(raw) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // "Control+A" as Playwright spells it: modifiers down, the key, modifiers up.
  const press = async (combo) => {
    const keys = combo.split('+');
    const key = keys.pop();
    for (const k of keys) await raw.keyboard.down(k);
    await raw.keyboard.press(key);
    for (const k of keys.reverse()) await raw.keyboard.up(k);
  };
  return {
    raw,
    evaluate: (fn, arg) => raw.evaluate(fn, arg),
    async waitForFunction(fn, arg, { timeout = 30000, polling = 50 } = {}) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const value = await raw.evaluate(fn, arg);
        if (value) return { jsonValue: async () => value };
        if (Date.now() > deadline) {
          const error = new Error(`waitForFunction: Timeout ${timeout}ms exceeded waiting for ${fn}`);
          error.name = 'TimeoutError';
          throw error;
        }
        await sleep(typeof polling === 'number' ? polling : 50);
      }
    },
    mouse: raw.mouse,
    keyboard: {
      press,
      type: (text) => raw.keyboard.type(text),
      insertText: (text) => raw.keyboard.sendCharacter(text),
      down: (k) => raw.keyboard.down(k),
      up: (k) => raw.keyboard.up(k),
    },
    async screenshot(options = {}) { return Buffer.from(await raw.screenshot(options)); },
    setViewportSize: (size) => raw.setViewport(size),
    close: () => raw.close(),
    context: () => raw.browserContext(),
    isClosed: () => raw.isClosed(),
  };
}
