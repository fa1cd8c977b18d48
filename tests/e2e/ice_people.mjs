// People for the ICE tests (ice.test.mjs, unreachable.test.mjs): pages opened like lib.mjs's
// openPerson, optionally with `ice` messages added to what the real server sends on their signaling
// socket (Playwright's routeWebSocket: the app and the server are unchanged). It stands in for the
// server's own ICE configuration while testing the client's path from the message to
// RTCPeerConnection (docs/PROTOCOL.md, "ice").
import { click, openPerson, typeInto, waitForState } from './lib.mjs';

// `ice`: {servers, policy, expires} sent just before each joined / resumed; null = nothing added.
// page.sendIce(ice) sends one more on the open socket (as the server does before credentials expire).
export async function openPersonWithIce(browser, url, label, ice) {
  if (!ice) return openPerson(browser, url, label);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`[${label}] ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`[${label}] PAGE ERROR ${e.message}`));
  let socket = null;
  const message = (body) => JSON.stringify({ type: 'ice', ...body });
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    socket = ws;
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      let type = null;
      try { type = JSON.parse(m).type; } catch { /* not ours to judge: the client does */ }
      if (type === 'joined' || type === 'resumed') ws.send(message(ice));
      ws.send(m);
    });
  });
  page.sendIce = (body) => {
    if (!socket) throw new Error('no signaling socket yet');
    socket.send(message(body));
  };
  await page.goto(url);
  await page.waitForFunction(() => window.app.state().connected === true, null, { timeout: 20000 });
  return page;
}

// The people (pages) name themselves, the first creates `room`, all join it. Returns their peer ids.
export async function joinCall(people, names, room) {
  for (const [i, p] of people.entries()) {
    await typeInto(p, 'name-input', names[i]);
    await p.keyboard.press('Enter');
  }
  await click(people[0], 'create-room');
  await typeInto(people[0], 'room-name-input', room);
  await click(people[0], 'create-confirm');
  const s = await waitForState(people[0], (s, name) => s.rooms.some((r) => r.name === name), room);
  const id = s.rooms.find((r) => r.name === room).id;
  for (const p of people) {
    await waitForState(p, (s, id) => s.rooms.some((r) => r.id === id), id);
    await click(p, `join:${id}`);
    await waitForState(p, (s) => s.screen === 'call');
  }
  return Promise.all(people.map(async (p) => (await waitForState(p, (s) => s.room && s.room.self)).room.self.id));
}

// Records, every 200 ms until stop(), when each peer's connection and health changed on `page`:
// [{t: ms since start, peer, connection, health}].
export function watchPeers(page) {
  const start = Date.now();
  const seen = new Map(), log = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const s = await page.evaluate(() => window.app.state()).catch(() => null);
      for (const q of (s && s.room && s.room.peers) || []) {
        const key = `${q.connection}/${q.health}`;
        if (seen.get(q.id) !== key) {
          seen.set(q.id, key);
          log.push({ t: Date.now() - start, peer: q.id, connection: q.connection, health: q.health });
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { log, start, async stop() { stopped = true; await loop; return log; } };
}
