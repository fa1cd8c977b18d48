// Glue role: storage. Settings in localStorage under the keys C++ names (the display name, the
// owner tokens under kOwnerTokenPrefix), and this browser's client id.
// Must not: name a key of its own but "moim.client" (the client id, made here because it needs the
// browser's random source), or read meaning into a value: C++ checks what it loads. Where storage
// is refused (private mode), nothing is remembered and nothing throws.
(function storage({ expose }) {
  function loadSetting(key) {
    try { return window.localStorage.getItem(key) || ''; } catch (e) { return ''; }
  }
  function saveSetting(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: not remembered */ }
  }
  function removeSetting(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing stored */ }
  }
  // Every setting whose key starts with `prefix`, as JSON {"<rest of the key>": value}.
  function settingsWithPrefix(prefix) {
    const out = {};
    if (typeof prefix !== 'string' || prefix === '') return '{}';
    try {
      const ls = window.localStorage;
      for (let i = 0; i < ls.length; i++) {
        const key = ls.key(i);
        if (key && key.startsWith(prefix)) out[key.slice(prefix.length)] = ls.getItem(key) || '';
      }
    } catch (e) { /* private mode */ }
    return JSON.stringify(out);
  }
  // This browser's id for the server's second-tab rule (join.client): random, kept in localStorage.
  function clientId() {
    let id = loadSetting('moim.client');
    if (!/^[0-9a-f]{32}$/.test(id)) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      saveSetting('moim.client', id);
    }
    return id;
  }

  expose('loadSetting', loadSetting, '');
  expose('saveSetting', saveSetting);
  expose('removeSetting', removeSetting);
  expose('settingsWithPrefix', settingsWithPrefix, '{}');
  expose('clientId', clientId, '');
})(glue);
