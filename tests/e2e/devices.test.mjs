// Before joining and in a call: which camera and microphone (issue 14, item 2). Chromium's fake
// devices are several here (device-count=3: three cameras; its microphones are "Default" and two
// more). The lobby's pre-join card lists them; the chosen ones are the ones the call sends (read off
// the RTCRtpSenders' tracks, not from the app's own state); microphone and camera turned off before
// joining start the call that way; the level meter moves with the fake microphone's beeps; in the
// call a switch replaces the track without renegotiation (the SDP stays the same) and the others
// keep decoding; the choice is remembered across a reload. (The second fake camera, fake_device_1,
// gives Y16 depth frames, which no encoder sends: the tests send from the first and the third.) Unplugging cannot be done to a fake
// device: the second test hides one from enumerateDevices and fires devicechange, which is what
// the browser does when one goes; everything after that (the switch to another, real device, the
// notice) is the app's real path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import {
  click, createRoomByUi, enterNames, openPerson, screenshot, state, tilePixels, useServerAndBrowser, waitForState,
  widget,
} from './lib.mjs';

const pages = [];
const env = useServerAndBrowser({ pages, browserArgs: ['--use-fake-device-for-media-stream=device-count=3'] });

const peerOf = (s, id) => s.room.peers.find((p) => p.id === id);
const listed = (s) => s.devices.cameras.length === 3 && s.devices.mics.length >= 2 && s.devices.camera !== null;
// The device ids of the tracks the page's first connection sends: {audio, video} (null: none).
const sentDevices = (page) => page.evaluate(() => {
  const out = { audio: null, video: null };
  for (const sender of window.__pcs[0].getSenders()) {
    if (sender.track && sender.track.readyState === 'live') out[sender.track.kind] = sender.track.getSettings().deviceId;
  }
  return out;
});
// Pixels of `rect` in the meter's green (ui/theme.hpp kSuccess), in one screenshot.
async function greenPixels(page, rect) {
  const png = PNG.sync.read(await page.screenshot());
  const dpr = png.width / (await page.evaluate(() => window.innerWidth));
  let green = 0;
  for (let y = Math.ceil(rect.y * dpr); y < Math.floor((rect.y + rect.h) * dpr); y++) {
    for (let x = Math.ceil(rect.x * dpr); x < Math.floor((rect.x + rect.w) * dpr); x++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs(png.data[i] - 70) < 30 && Math.abs(png.data[i + 1] - 200) < 30 && Math.abs(png.data[i + 2] - 120) < 30) green++;
    }
  }
  return green;
}
async function choose(page, kind, index) {
  await click(page, `${kind}-select`);
  await click(page, `${kind}-option:${index}`);
}
async function join(page, room) {
  await waitForState(page, (s, id) => s.rooms.some((r) => r.id === id), room);
  await click(page, `join:${room}`);
  await waitForState(page, (s) => s.screen === 'call');
}

test('before joining: devices listed and chosen, mic and camera off, a live level meter; the call sends the chosen ones, switches without renegotiation, and the choice is remembered', async () => {
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => openPerson(env.browser, env.server.url, n, { recordPeerConnections: true })));
  pages.push(alice, bob);
  await enterNames([[alice, 'Alice'], [bob, 'Bob']]);

  // The pre-join card lists every device, and the one in use is the browser's default.
  let s = await waitForState(alice, listed, null, 15000);
  const cameras = s.devices.cameras.map((d) => d.id), mics = s.devices.mics.map((d) => d.id);
  assert.deepEqual(s.devices.cameras.map((d) => d.label), ['fake_device_0', 'fake_device_1', 'fake_device_2']);
  assert.ok(s.devices.mics.some((d) => d.label === 'Fake Audio Input 1'), JSON.stringify(s.devices.mics));
  assert.equal(s.devices.camera, cameras[0]);

  // The level meter moves with the fake microphone's beeps: its state, and green segments on screen.
  s = await waitForState(alice, (s) => s.devices.level > 0.05, null, 10000);
  const meter = await widget(alice, 'mic-meter');
  let green = 0;
  for (let i = 0; i < 40 && green === 0; i++) {
    green = await greenPixels(alice, meter);
    if (green === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(green > 20, `the meter lights up: ${green} green pixels in ${JSON.stringify(meter)}`);

  // Choose the third camera and the second microphone: the preview follows, still a live picture.
  const mic = mics.findIndex((id, i) => i > 0 && id !== 'default' && id !== s.devices.mic);
  await choose(alice, 'camera', 2);
  s = await waitForState(alice, (s, id) => s.devices.cameraInUse === id && s.devices.camera === id, cameras[2]);
  await choose(alice, 'mic', mic);
  s = await waitForState(alice, (s, id) => s.devices.micInUse === id && s.devices.mic === id, mics[mic]);
  const preview = await widget(alice, 'preview');
  await waitForState(alice, () => true);
  const px = await tilePixels(alice, preview);
  assert.ok(px.differing > 0.5, `the preview shows the chosen camera: ${JSON.stringify(px)}`);
  await screenshot(alice, 'devices-prejoin.png');

  // Microphone and camera off before joining: the card says so, and the call starts that way.
  await click(alice, 'prejoin-mic');
  await click(alice, 'prejoin-camera');
  s = await waitForState(alice, (s) => s.devices.micOn === false && s.devices.cameraOn === false);
  await screenshot(alice, 'devices-prejoin-off.png');
  const room = await createRoomByUi(alice, 'Devices room');
  await join(alice, room);
  await join(bob, room);
  s = await waitForState(alice, (s) => s.room.peers.length === 1 && s.room.peers[0].connection === 'connected', null, 30000);
  assert.equal(s.room.self.mic, false);
  assert.equal(s.room.self.camera, false);
  const aliceId = s.room.self.id;
  s = await waitForState(bob, (s, id) => { const p = s.room && peerOf(s, id); return !!p && p.mic === false && p.camera === false; }, aliceId);

  // The call sends exactly the chosen devices (the senders' tracks, as the browser reports them).
  assert.deepEqual(await sentDevices(alice), { audio: mics[mic], video: cameras[2] });

  // Camera on in the call: Bob decodes Alice's frames.
  await click(alice, 'toggle-camera');
  s = await waitForState(bob, (s, id) => { const p = peerOf(s, id); return p.camera === true && p.framesDecoded > 10; }, aliceId, 20000);

  // Switch the camera in the call from the devices panel: the sender's track changes, the SDP does
  // not (no renegotiation), Bob keeps decoding.
  const sdpBefore = await alice.evaluate(() => window.__pcs[0].localDescription.sdp);
  await click(alice, 'devices-toggle');
  await choose(alice, 'camera', 0);
  s = await waitForState(alice, (s, id) => s.devices.cameraInUse === id && !s.devices.switching, cameras[0]);
  assert.equal(s.devicesOpen, true);
  assert.equal((await sentDevices(alice)).video, cameras[0]);
  const decoded = peerOf(await state(bob), aliceId).framesDecoded;
  await waitForState(bob, (s, [id, n]) => peerOf(s, id).framesDecoded > n + 20, [aliceId, decoded], 20000);
  assert.equal(await alice.evaluate(() => window.__pcs[0].localDescription.sdp), sdpBefore, 'replaceTrack: no new offer');
  await screenshot(alice, 'devices-in-call.png');

  // Remembered: after leaving and a reload, the page asks for the chosen camera and microphone again.
  await click(alice, 'leave');
  await waitForState(alice, (s) => s.screen === 'lobby');
  await alice.reload();
  await alice.waitForFunction(() => window.app.state().connected === true, null, { timeout: 20000 });
  s = await waitForState(alice, (s, [cam, m]) => listed(s) && s.devices.cameraInUse === cam && s.devices.micInUse === m,
    [cameras[0], mics[mic]], 15000);
  assert.equal(s.devices.camera, cameras[0]);
});

test('a camera unplugged in a call: the next one is used, with a notice; one plugged in: a notice, no switch', async () => {
  const [carol, dave] = await Promise.all(['carol', 'dave'].map((n) => openPerson(env.browser, env.server.url, n, { recordPeerConnections: true })));
  pages.push(carol, dave);
  // enumerateDevices without the devices in window.__unplugged, as the browser lists them once one is gone.
  await carol.evaluate(() => {
    const devices = navigator.mediaDevices;
    const original = devices.enumerateDevices.bind(devices);
    window.__unplugged = new Set();
    devices.enumerateDevices = async () => (await original()).filter((d) => !window.__unplugged.has(d.deviceId));
  });
  await enterNames([[carol, 'Carol'], [dave, 'Dave']]);
  let s = await waitForState(carol, listed, null, 15000);
  const cameras = s.devices.cameras.map((d) => d.id);
  // The third camera (the second, fake_device_1, gives Y16 depth frames no encoder sends).
  await choose(carol, 'camera', 2);
  await waitForState(carol, (s, id) => s.devices.cameraInUse === id, cameras[2]);
  const room = await createRoomByUi(carol, 'Unplug room');
  await join(carol, room);
  await join(dave, room);
  s = await waitForState(carol, (s) => s.room.peers.length === 1 && s.room.peers[0].connection === 'connected', null, 30000);
  const carolId = s.room.self.id;
  await waitForState(dave, (s, id) => { const p = s.room && peerOf(s, id); return !!p && p.framesDecoded > 10; }, carolId, 20000);
  assert.equal((await sentDevices(carol)).video, cameras[2]);

  await carol.evaluate((id) => { window.__unplugged.add(id); navigator.mediaDevices.dispatchEvent(new Event('devicechange')); }, cameras[2]);
  s = await waitForState(carol, (s, id) => s.devices.cameraInUse === id && !s.devices.switching, cameras[0], 15000);
  assert.match(s.error, /Camera “fake_device_2” was disconnected; now using “fake_device_0”/);
  assert.equal(s.devices.cameras.length, 2);
  assert.equal((await sentDevices(carol)).video, cameras[0]);
  const decoded = peerOf(await state(dave), carolId).framesDecoded;
  await waitForState(dave, (s, [id, n]) => peerOf(s, id).framesDecoded > n + 20, [carolId, decoded], 20000);
  await screenshot(carol, 'devices-unplugged.png');

  // Back: a notice, and the camera in use stays.
  await carol.evaluate(() => { window.__unplugged.clear(); navigator.mediaDevices.dispatchEvent(new Event('devicechange')); });
  s = await waitForState(carol, (s) => s.devices.cameras.length === 3, null, 10000);
  assert.match(s.error, /Camera “fake_device_2” was connected; choose it under Devices/);
  assert.equal(s.devices.cameraInUse, cameras[0]);
});
