// People in a call for the ICE tests (ice.test.mjs, unreachable.test.mjs): join one room, and
// watch how each peer's connection and health change.
import { click, typeInto, waitForState } from './lib.mjs';

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
