// Owner tokens in localStorage ("moim.owner.<room id>") are dropped once the server's room list
// says their room is gone: at page load, and at a welcome in the middle of a call (read again from
// storage, where another tab may have saved them). One page, a real server.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { click, launchBrowser, openPerson, startServer, typeInto, waitForState } from './lib.mjs';

let server;
let browser;
after(async () => {
  await browser?.close();
  await server?.stop();
});

const ownerKeys = (page) => page.evaluate(() =>
  Object.keys(localStorage).filter((k) => k.startsWith('moim.owner.')).sort());
const plant = (page, entries) => page.evaluate((e) => {
  for (const [k, v] of Object.entries(e)) localStorage.setItem(k, v);
}, entries);

test('owner tokens of rooms that no longer exist leave localStorage; the creator keeps its own', async () => {
  server = await startServer();
  browser = await launchBrowser();
  const page = await openPerson(browser, server.url, 'owner');
  await typeInto(page, 'name-input', 'Owner');
  await page.keyboard.press('Enter');
  await click(page, 'create-room');
  await waitForState(page, (s) => s.dialog === true);
  await typeInto(page, 'room-name-input', 'Mine');
  await page.keyboard.press('Enter');
  let s = await waitForState(page, (s) => s.dialog === false && s.rooms.some((r) => r.name === 'Mine' && r.owned));
  const mine = s.rooms.find((r) => r.name === 'Mine').id;
  const mineKey = `moim.owner.${mine}`;
  assert.deepEqual(await ownerKeys(page), [mineKey]);

  // A room deleted elsewhere while this browser was away, and entries no room id can name.
  await plant(page, {
    'moim.owner.999': '0c1f5e9a7b3d42e8a1c6f0d9b2e4a7c3', 'moim.owner.007': 'x', 'moim.owner.abc': 'x',
  });
  await page.reload();
  s = await waitForState(page, (s) => s.connected === true && s.rooms.length > 0);
  assert.deepEqual(await ownerKeys(page), [mineKey], 'only the token of a room that exists is left after a load');
  assert.equal(s.rooms.find((r) => r.id === mine).owned, true);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), mineKey).then((t) => /^[0-9a-f]{32}$/.test(t)), true);

  // In a call, the server restarts; meanwhile a token for a gone room lands in storage (as another
  // tab of this browser would save it). The welcome on reconnecting drops it; the call goes on.
  await click(page, `join:${mine}`);
  await waitForState(page, (s) => s.screen === 'call');
  const { port, dataDir } = server;
  await server.kill('SIGKILL');
  await waitForState(page, (s) => s.reconnecting === true);
  await plant(page, { 'moim.owner.998': 'ffffffffffffffffffffffffffffffff' });
  server = await startServer({ port, dataDir });
  s = await waitForState(page, (s) => s.screen === 'call' && s.connected === true && s.reconnecting === false, null, 20000);
  await page.waitForFunction(() => localStorage.getItem('moim.owner.998') === null, null, { timeout: 5000 })
    .catch(() => {});
  assert.deepEqual(await ownerKeys(page), [mineKey], 'a welcome in a call drops tokens another tab saved');
  assert.equal(s.rooms.find((r) => r.id === mine).owned, true);
});
