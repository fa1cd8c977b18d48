// Issue 15, item 8: moim-server killed (SIGKILL) in the middle of a large room's call and started
// again. The media never passed through moim-server: it goes on through Janus meanwhile, and the
// restarted server claims its Janus session back and takes each participant's handles over from the
// store, so nobody's media starts over: no `media-state` "reset", no new peer connection, frames
// decoding all along; the pages resume as in the mesh (same ids, nobody away). The room is locked,
// as mesh rooms can be. A newcomer after the restart (a wrong password first) is seen by everyone:
// the server carries on with the claimed session's handles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLargeRoomByUi, endAfterTests, namedPerson, startJanus } from './large_rooms.mjs';
import { joinWithPassword, launchBrowser, saveReport, screenshot, startServer, state, waitForState } from './lib.mjs';

const servers = [];
const pages = [];
let browser;
let janus;
endAfterTests(() => ({ pages, browser, servers, janus }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A page whose `media-state` messages are kept (page.mediaStates), to see that none said "reset".
async function person(url, label, name) {
  browser ??= await launchBrowser();
  const record = (page, direction, text) => {
    if (direction !== 'received' || !text.includes('"media-state"')) return;
    try {
      (page.mediaStates ??= []).push(JSON.parse(text).state);
    } catch { /* not JSON: the app reports it */ }
  };
  const page = await namedPerson(browser, url, label, name, { frames: record, recordPeerConnections: true });
  page.mediaStates ??= [];
  pages.push(page);
  return page;
}

const seesEveryone = (s, names) => s.room && s.room.peers.length === names.length &&
  names.every((n) => s.room.peers.some((p) => p.name === n && p.connection === 'connected' && p.framesDecoded > 0));
// framesDecoded of each other person, by name.
const frames = async (page) => Object.fromEntries((await state(page)).room.peers.map((p) => [p.name, p.framesDecoded]));
const connections = (page) => page.evaluate(() => ({
  made: window.__pcs.length,
  open: window.__pcs.filter((pc) => pc.connectionState !== 'closed').length,
}));

test('moim-server killed mid-call in a large room: media goes on through Janus, nothing starts over, a newcomer after the restart is seen', async (t) => {
  janus = await startJanus();
  const args = [...janus.serverArgs, '--stun-port', '0'];
  const server = await startServer({ args });
  servers.push(server);
  const everyone = [['Ana', await person(server.url, 'ana', 'Ana')], ['Bo', await person(server.url, 'bo', 'Bo')],
    ['Cy', await person(server.url, 'cy', 'Cy')]];
  // A locked room, as in the mesh: joined through the password prompt.
  const room = await createLargeRoomByUi(everyone[0][1], 'Town hall', 10, 'hunter2');
  assert.equal(room.mode, 'sfu');
  assert.equal(room.locked, true);
  for (const [, page] of everyone) {
    await waitForState(page, (s, id) => s.rooms.some((r) => r.id === id), room.id);
    await joinWithPassword(page, room.id, 'hunter2');
    await waitForState(page, (s) => s.screen === 'call');
  }
  const names = everyone.map(([n]) => n);
  await Promise.all(everyone.map(([name, page]) =>
    waitForState(page, (s, others) => seesEveryone(s, others), names.filter((n) => n !== name), 40000)));
  const ids = await Promise.all(everyone.map(async ([, page]) => (await state(page)).room.self.id));
  const before = await Promise.all(everyone.map(([, page]) => connections(page)));
  for (const [i, c] of before.entries()) assert.equal(c.open, 2, `${names[i]} holds two connections`);
  const statesBefore = everyone.map(([, page]) => page.mediaStates.length);

  try {
    await server.kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = await Promise.all(everyone.map(([, page]) => frames(page)));
    await sleep(3000);
    // During the outage: still in the call, and every tile's frames still decoding (through Janus).
    const during = await Promise.all(everyone.map(([, page]) => frames(page)));
    for (const [i, [name]] of everyone.entries()) {
      for (const [other, n] of Object.entries(during[i])) {
        assert.ok(n > atKill[i][other], `${name} kept decoding ${other}'s video during the outage (${atKill[i][other]} -> ${n})`);
      }
      assert.equal((await state(everyone[i][1])).screen, 'call');
    }
    t.diagnostic(`during the outage (3 s): frames decoded by Ana ${JSON.stringify(atKill[0])} -> ${JSON.stringify(during[0])}`);

    const restarted = await startServer({ dataDir: server.dataDir, port: server.port, args });
    servers.push(restarted);
    const restartedAt = Date.now();
    await Promise.all(everyone.map(([, page], i) => waitForState(page, (s, self) => s.connected && !s.reconnecting && s.room &&
      s.room.self.id === self && s.room.peers.length === 2 && s.room.peers.every((q) => !q.away), ids[i], 15000)));
    t.diagnostic(`all three back ${Date.now() - restartedAt} ms after the restart (${restartedAt - killedAt} ms outage before it)`);
    const back = await Promise.all(everyone.map(([, page]) => frames(page)));
    await sleep(2000);
    const later = await Promise.all(everyone.map(([, page]) => frames(page)));
    for (const [i, [name, page]] of everyone.entries()) {
      for (const [other, n] of Object.entries(later[i])) assert.ok(n > back[i][other], `${name} decodes ${other} after the restart`);
      const heard = page.mediaStates.slice(statesBefore[i]);
      assert.ok(!heard.includes('reset'), `${name}'s media did not start over (media-state since the kill: ${JSON.stringify(heard)})`);
      assert.deepEqual(await connections(page), before[i], `${name} made no new connection and still holds two`);
    }
    assert.match(restarted.log(), /reclaimed/, 'the restarted server claimed its Janus session back');

    // A newcomer: everyone sees Dee, Dee sees everyone (the claimed handles take the new feed).
    const dee = await person(restarted.url, 'dee', 'Dee');
    await waitForState(dee, (s, id) => s.rooms.some((r) => r.id === id), room.id);
    await joinWithPassword(dee, room.id, 'wrong');
    await waitForState(dee, (s) => s.error === 'Wrong password.');
    await joinWithPassword(dee, room.id, 'hunter2');
    await waitForState(dee, (s, others) => seesEveryone(s, others), names, 40000);
    await Promise.all(everyone.map(([name, page]) =>
      waitForState(page, (s, others) => seesEveryone(s, others), [...names, 'Dee'].filter((n) => n !== name), 40000)));
    for (const [i, [name, page]] of everyone.entries()) {
      assert.equal((await connections(page)).open, 2, `${name} still holds two connections with four in the room`);
      assert.ok(!page.mediaStates.slice(statesBefore[i]).includes('reset'), `${name} never heard reset`);
    }
    await screenshot(everyone[0][1], 'sfu-server-restarted.png');
  } catch (e) {
    saveReport('sfu-restart-failure.json', {
      mediaStates: Object.fromEntries(everyone.map(([name, page]) => [name, page.mediaStates])),
      logs: servers.map((s) => s.log().split('\n').slice(-80)),
      console: Object.fromEntries(everyone.map(([name, page]) => [name, page.consoleLines.slice(-40)])),
    });
    throw e;
  }
});
