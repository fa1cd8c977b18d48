// The client bench's `sfu` part (issue 15): what a large room saves the sender. A 6-person call,
// the measured real page (Person 1, a browser of its own) and five send-only peers (one page of a
// second browser, tests/e2e/send_only_peers.js, each sending a 320x180 camera at 15 fps), once as a
// mesh room (the peers take the page's media back, so it sends a copy to each of the five) and once
// as a large room through Janus (the peers publish to it; the page publishes once and subscribes to
// the five). Side by side in one run: the page's uplink (bytesSent of every outbound-rtp, audio and
// video) and its browser's CPU, each over the same window; and Janus's own CPU (/proc/<pid>/stat)
// per stream it forwards in the large room.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { createLargeRoomByUi, startJanus } from '../../tests/e2e/large_rooms.mjs';
import {
  click, joinLargeRoomPublisher, joinSendOnlyPeer, openSendOnlyPeers, startServer, typeInto, waitForState,
} from '../../tests/e2e/lib.mjs';

const OTHERS = 5;
const SMALL = { width: 320, height: 180, fps: 15 };  // the peers' camera in both rooms: the same load to receive
const SETTLE_MS = 10000;  // bitrates ramp, the mesh's encodings are applied
const WINDOW_S = 15;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

// Janus's CPU seconds so far (user + system, all its threads).
const processCpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;  // utime, stime (fields 14, 15 of the line)
};

// The page's RTP counters over its open connections: bytes sent (all outbound-rtp), and per stream
// (by connection and id) bytes sent and received, to count the streams that moved in the window.
const rtpCounters = (page) => page.evaluate(async () => {
  const out = { sent: 0, outbound: {}, inbound: {} };
  let n = 0;
  for (const pc of window.__benchPeers ?? []) {
    n++;
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp') {
        out.sent += s.bytesSent || 0;
        out.outbound[`${n}/${s.id}`] = { kind: s.kind, bytes: s.bytesSent || 0, rid: s.rid ?? null,
          ...(s.kind === 'video' ? { size: `${s.frameWidth}x${s.frameHeight}@${s.framesPerSecond}`, limit: s.qualityLimitationReason } : {}) };
      }
      if (s.type === 'inbound-rtp') out.inbound[`${n}/${s.id}`] = { kind: s.kind, bytes: s.bytesReceived || 0 };
    });
  }
  return out;
});
// Streams whose bytes grew between two readings, by kind: "3 video, 1 audio".
const moved = (a, b) => {
  const kinds = {};
  for (const [id, x] of Object.entries(b)) if (x.bytes > (a[id]?.bytes ?? 0)) kinds[x.kind] = (kinds[x.kind] ?? 0) + 1;
  return kinds;
};

// One call in `mode` ('mesh' or 'sfu'): resolves to { uplink kbit/s, cpu % of a core, janusCpu, forwarded,
// streamsUp } over the window.
async function oneCall(mode, run, { server, janus, launchBrowser, openWatchedPerson, waitForVideo, browserCpuSeconds, frameFps, log }) {
  const measured = await launchBrowser({ fps: frameFps });
  const crowd = await launchBrowser({ args: ['--mute-audio'] });
  try {
    const page = await openWatchedPerson(measured, `sfu bench ${mode}`, server.url);
    await typeInto(page, 'name-input', 'Person 1');
    await page.keyboard.press('Enter');
    const name = `Sender ${mode} ${run}`;
    let room;
    if (mode === 'sfu') room = await createLargeRoomByUi(page, name, 8);
    else {
      await click(page, 'create-room');
      await typeInto(page, 'room-name-input', name);
      await page.keyboard.press('Enter');
      room = (await waitForState(page, (s, n) => s.rooms.some((r) => r.name === n), name)).rooms.find((r) => r.name === name);
    }
    if (room.mode !== mode) throw new Error(`room "${name}" is ${room.mode}, not ${mode}`);
    await click(page, `join:${room.id}`);
    await waitForState(page, (s) => s.screen === 'call', null, 30000);
    const peers = await openSendOnlyPeers(crowd, server.url);
    // One at a time, each once the page decodes the one before (a large room's feeds joined back to
    // back can stay unshown: tests/e2e/sfu-crowd.test.mjs).
    for (let k = 1; k <= OTHERS; k++) {
      const who = `Person ${k + 1}`;
      if (mode === 'sfu') await joinLargeRoomPublisher(peers, room.id, who, { video: SMALL });
      else await joinSendOnlyPeer(peers, room.id, who, 'Person 1', 'camera', { receive: true, video: SMALL });
      await waitForState(page, (s, n) => s.room?.peers.some((p) => p.name === n && p.framesDecoded > 0), who, 60000);
    }
    await waitForVideo(page, OTHERS);
    await page.waitForTimeout(SETTLE_MS);
    const before = await rtpCounters(page);
    const cpu0 = await browserCpuSeconds(measured), janus0 = mode === 'sfu' ? processCpuSeconds(janus.pid) : 0, t0 = Date.now();
    await page.waitForTimeout(WINDOW_S * 1000);
    const after = await rtpCounters(page);
    const cpuNow = await browserCpuSeconds(measured), janusNow = mode === 'sfu' ? processCpuSeconds(janus.pid) : 0;
    const seconds = (Date.now() - t0) / 1000;
    const up = moved(before.outbound, after.outbound), down = moved(before.inbound, after.inbound);
    const figures = {
      uplink: (after.sent - before.sent) * 8 / 1000 / seconds,
      cpu: (cpuNow - cpu0) / seconds * 100,
      janusCpu: mode === 'sfu' ? (janusNow - janus0) / seconds * 100 : null,
      // Only the page subscribes in the large room: what it receives is what Janus forwards.
      forwarded: (down.audio ?? 0) + (down.video ?? 0),
      streamsUp: up,
    };
    const report = await peers.evaluate(() => window.sendOnlyPeers.report());
    // What each outbound video stream was at the end, and what limited it (cpu, bandwidth, none).
    const videoUp = Object.entries(after.outbound).filter(([, x]) => x.kind === 'video').map(([id, x]) =>
      `${x.rid ?? 'copy'} ${x.size} ${Math.round((x.bytes - (before.outbound[id]?.bytes ?? 0)) * 8 / 1000 / seconds)} kbit/s (${x.limit})`);
    log(`sfu part, run ${run + 1}, ${mode}: uplink ${Math.round(figures.uplink)} kbit/s on ${JSON.stringify(up)} outbound streams, ` +
      `CPU ${Math.round(figures.cpu)} %, received ${JSON.stringify(down)}` +
      (mode === 'sfu' ? `, Janus ${figures.janusCpu.toFixed(1)} %` : '') +
      `; video up: ${videoUp.join(', ')}; peers ${report.map((r) => `${r.state} ${r.width}x${r.height}@${r.fps}`).join(', ')}`);
    return figures;
  } finally {
    await crowd.close();
    await measured.close();
  }
}

// Runs the part; `helpers` from run.mjs: { launchBrowser, openWatchedPerson, waitForVideo,
// browserCpuSeconds, frameFps, runs, add, metrics, median, round, log }. Its own Janus and server, stopped at the end (also on a
// failure).
export async function benchSfu(helpers) {
  const { runs, add, metrics, median, round, log } = helpers;
  const figures = { mesh: { uplink: [], cpu: [] }, sfu: { uplink: [], cpu: [], janus: [], perStream: [], forwarded: [] } };
  let problem = null;
  const janus = await startJanus({ rtpPorts: '40600-40699' });
  let server = null;
  try {
    server = await startServer({ args: [...janus.serverArgs, '--stun-port', '0', '--max-rooms-per-address-per-hour', '0',
      '--max-live-rooms-per-address', '0'] });
    for (let run = 0; run < runs; run++) {
      for (const mode of ['mesh', 'sfu']) {
        const f = await oneCall(mode, run, { ...helpers, server, janus });
        figures[mode].uplink.push(f.uplink);
        figures[mode].cpu.push(f.cpu);
        if (mode === 'sfu') {
          figures.sfu.janus.push(f.janusCpu);
          figures.sfu.forwarded.push(f.forwarded);
          if (f.forwarded > 0) figures.sfu.perStream.push(f.janusCpu / f.forwarded);
        }
      }
    }
  } catch (e) {
    problem = e.message.split('\n')[0];
    log('sfu part incomplete:', e.stack);
  } finally {
    await server?.stop();
    await janus.kill();
  }
  const call = `6-person call (the page + 5 send-only peers at ${SMALL.width}x${SMALL.height}@${SMALL.fps})`;
  const put = (id, label, unit, xs, note) => {
    if (xs.length) add(id, label, unit, xs, null, note);
    else metrics.push({ id, label, unit, median: null, min: null, max: null, runs: 0, target: null, note: `not measured: ${problem ?? 'no run'}` });
  };
  for (const [mode, how] of [['mesh', 'mesh room: a copy to each of 5'], ['sfu', 'large room through Janus: one publication']]) {
    put(`sfu.uplink.${mode}`, `${call}, ${how}: the page's uplink`, 'kbit/s', figures[mode].uplink,
      `bytesSent of every outbound-rtp (audio and video) over ${WINDOW_S} s`);
    put(`sfu.cpu.${mode}`, `${call}, ${how}: the page's browser CPU`, '% of a core', figures[mode].cpu,
      `Chromium's own per-process CPU of the measured page's browser over ${WINDOW_S} s; ${os.cpus().length} cores`);
  }
  for (const k of ['uplink', 'cpu']) {
    const [m, s] = [figures.mesh[k], figures.sfu[k]];
    const ratio = m.length && s.length ? median(s) / median(m) : null;
    metrics.push({ id: `sfu.${k}.ratio`, label: `${call}: the page's ${k}, large room / mesh`, unit: 'x',
      median: ratio === null ? null : round(ratio, 2), min: ratio === null ? null : round(ratio, 2), max: ratio === null ? null : round(ratio, 2),
      runs: Math.min(m.length, s.length), target: null, note: ratio === null ? `not measured: ${problem}` : 'medians of the same run' });
  }
  put('sfu.janus.cpu', `${call}, large room: Janus's CPU`, '% of a core', figures.sfu.janus,
    `/proc/<pid>/stat utime + stime over ${WINDOW_S} s`);
  put('sfu.janus.perStream', `${call}, large room: Janus's CPU per forwarded stream`, '% of a core', figures.sfu.perStream,
    `Janus's CPU / the streams it forwarded in the 6-person large room: those the page (its one subscriber) received ` +
    `bytes on (${[...new Set(figures.sfu.forwarded)].join(', ') || 'none'}: 5 cameras + 5 microphones)`);
}
