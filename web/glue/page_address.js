// Glue role: the page's address. Reads the URL (the invite link's fragment, the page's own address,
// the WebSocket's), writes history entries, and reports Back / Forward and edited addresses.
// Must not: parse a route or decide what a move means: C++ does (shared/invite_route.hpp). Our
// entries carry history.state = {moim: 1, aboveLobby}: a room's entry pushed above a lobby entry of
// ours says so, which a reload reads back.
(function pageAddress({ expose, callApp, guard }) {
  function historyAboveLobby() {
    const s = history.state;
    return !!(s && s.moim === 1 && s.aboveLobby === true);
  }
  function setUrl(push, hash, aboveLobby) {
    const url = location.pathname + location.search + hash;  // "" hash: no fragment (the lobby)
    const state = { moim: 1, aboveLobby: !!aboveLobby };
    if (push) history.pushState(state, '', url);
    else history.replaceState(state, '', url);
  }
  // Bounded: a route is a few dozen bytes, and anything past C++'s limit is not one anyway.
  const currentHash = () => location.hash.slice(0, 1024);
  // Back / Forward fire popstate, and hashchange too when the fragment differs; an edited address
  // fires both as well. C++ takes the second report of one move as a no-op.
  const reportUrl = guard(() => callApp('moimOnUrlChanged', currentHash(), historyAboveLobby()));
  window.addEventListener('popstate', reportUrl);
  window.addEventListener('hashchange', reportUrl);
  // The server's WebSocket is /ws on the page's own host, over TLS when the page is.
  function socketUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  expose('socketUrl', socketUrl, '');
  expose('pageAddress', () => location.origin + location.pathname, '');  // what a link's fragment is added to
  expose('locationHash', currentHash, '');
  expose('historyAboveLobby', historyAboveLobby, false);
  expose('setUrl', setUrl);
  // A flag of the page: ?name=value in its address ("" when absent). C++ reads and checks it.
  expose('pageFlag', (name) => (new URLSearchParams(location.search).get(name) || '').slice(0, 64), '');
})(glue);
