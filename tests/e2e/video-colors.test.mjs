// The colors of a remote video come out right. A send-only peer (send_only_peers.js) sends color bars
// of known colors over real WebRTC (VP8) to a real client, which draws them in its tile; the test
// reads the screenshot at the middle of each bar. Both of the client's ways of getting frames into
// textures are checked: I420 planes from the worker, converted to RGB by the renderer's shader
// (Chromium), and RGBA converted on the page (?video-frames=element: how other browsers run).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import {
  click, joinSendOnlyPeer, launchBrowser, openPerson, openSendOnlyPeers, saveReport, screenshot, startServer, typeInto,
  waitForState, widget,
} from './lib.mjs';

// What a bar may differ from its color, per channel, after VP8, chroma subsampling and scaling.
// A wrong YUV matrix or range is off by 20-60 on some bar; swapped planes by far more.
const TOLERANCE = 16;

let server, browser, peers;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  peers = await openSendOnlyPeers(browser, server.url);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

for (const [way, query, format] of [['I420 planes, shader', '', 'I420'], ['RGBA from the page', '?video-frames=element', 'RGBA']]) {
  test(`color bars from a peer are drawn in their colors (${way})`, async () => {
    const page = await openPerson(browser, server.url + query, `viewer-${format}`);
    try {
      await typeInto(page, 'name-input', `Viewer ${format}`);
      await click(page, 'create-room');
      await typeInto(page, 'room-name-input', `Colors ${format}`);
      await page.keyboard.press('Enter');
      const lobby = await waitForState(page, (s, n) => s.rooms.some((r) => r.name === n), `Colors ${format}`);
      const room = lobby.rooms.find((r) => r.name === `Colors ${format}`);
      await click(page, `join:${room.id}`);
      await waitForState(page, (s) => s.screen === 'call');

      const id = await joinSendOnlyPeer(peers, room.id, `Bars ${format}`, `Viewer ${format}`, 'bars');
      // Well past the first frames (the encoder starts at a low bitrate).
      const s = await waitForState(page, (s) => s.room.peers.length === 1 && s.room.peers[0].framesShown > 60, null, 30000);
      assert.equal(s.room.peers[0].videoFormat, format, 'frames reached the texture the way this test is about');
      const rect = await widget(page, `tile:${id}`);
      const png = PNG.sync.read(await page.screenshot());
      await screenshot(page, `video-colors-${format}.png`);

      const colors = await peers.evaluate(() => window.sendOnlyPeers.BARS);
      const measured = colors.map((c, i) => {
        // The middle of bar i (the remote tile is not mirrored; 16:9 video in a 16:9 tile: no crop).
        const cx = Math.round(rect.x + ((i + 0.5) * rect.w) / colors.length), cy = Math.round(rect.y + rect.h / 2);
        const sum = [0, 0, 0];
        for (let y = cy - 4; y <= cy + 4; y++) {
          for (let x = cx - 4; x <= cx + 4; x++) for (let k = 0; k < 3; k++) sum[k] += png.data[(y * png.width + x) * 4 + k];
        }
        return sum.map((v) => Math.round(v / 81));
      });
      saveReport(`video-colors-${format}.json`, { expected: colors, measured });
      for (const [i, c] of colors.entries()) {
        const want = hex(c);
        const off = Math.max(...want.map((v, k) => Math.abs(v - measured[i][k])));
        assert.ok(off <= TOLERANCE, `bar ${i} (${c}): drawn as rgb(${measured[i]}), ${off} off (at most ${TOLERANCE})`);
      }
    } catch (e) {
      console.log(page.consoleLines.slice(-30).join('\n'));
      console.log(peers.consoleLines.slice(-30).join('\n'));
      throw e;
    } finally {
      await page.context().close();
    }
  });
}
