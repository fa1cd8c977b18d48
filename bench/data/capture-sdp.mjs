// Captures a real Chromium offer SDP (audio + video, ICE gathering complete) for the
// microbenchmarks: bench/data/chromium-offer.sdp. Needs tests/e2e's npm packages and Debian's
// Chromium.   node bench/data/capture-sdp.mjs   (run from the repository root)
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/e2e/package.json'));
const { chromium } = require('playwright-core');

// getUserMedia needs a secure page: http://localhost is one (about:blank is not).
const server = http.createServer((req, res) => res.end('<!doctype html><title>sdp</title>'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${server.address().port}/`);
  const sdp = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection();
    pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv', streams: [stream] });
    pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendrecv', streams: [stream] });
    const gathered = new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    await Promise.race([gathered, new Promise((r) => setTimeout(r, 10000))]);
    return pc.localDescription.sdp;
  });
  const out = path.join(here, 'chromium-offer.sdp');
  writeFileSync(out, sdp);
  console.log(`${out}: ${sdp.length} bytes`);
} finally {
  await browser.close();
  server.close();
}
