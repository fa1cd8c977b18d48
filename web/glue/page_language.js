// Glue role: the page's language. The browser's preference for C++ (navigator.language), and the
// page's own words (its title, the loading screen, the fatal errors of page_loading.js) in the
// language C++ chose: the document's lang attribute and shared.pageText(key, ...args). Until C++
// has said which (setPageLanguage, from wasm/language.cpp), the one it will choose: the person's
// stored choice, else Korean for a browser preferring "ko" or "ko-*", English otherwise
// (ui_text::language_from_tag).
// Must not: hold a word of its own (they are the catalog's, shared/ui_text_*.cpp, put in
// page_text.js at build time) or choose differently from C++ once it has said.
(function pageLanguage({ shared, expose }) {
  const { setting, words } = shared.pageWords;  // page_text.js, joined before this file
  const known = (tag) => Object.prototype.hasOwnProperty.call(words, tag);
  function preferredLanguage() {
    return String(navigator.language || '');
  }
  function guess() {
    let stored = '';
    try { stored = window.localStorage.getItem(setting) || ''; } catch (e) { /* private mode */ }
    if (known(stored)) return stored;
    return /^ko(?:$|[-_])/i.test(preferredLanguage()) ? 'ko' : 'en';
  }
  let lang = guess();
  // `key`'s words with {0}, {1}... filled in.
  function pageText(key, ...args) {
    const text = (words[lang] && words[lang][key]) || words.en[key] || '';
    return text.replace(/\{(\d)\}/g, (m, n) => (Number(n) < args.length ? String(args[Number(n)]) : m));
  }
  function show() {
    document.documentElement.lang = lang;
    document.title = pageText('appName');
    const title = document.querySelector('#loading .loading-title');
    if (title) title.textContent = pageText('appName');
    const canvas = document.getElementById('canvas');
    if (canvas) canvas.setAttribute('aria-label', pageText('appName'));
    const el = document.getElementById('loading-text');
    const fatal = shared.fatalError && shared.fatalError() !== null;  // page_loading.js
    if (el && !fatal) el.textContent = pageText('loading');  // a fatal reason stays as it was said
  }
  function setPageLanguage(tag) {
    if (!known(tag) || tag === lang) return;
    lang = tag;
    show();
  }
  shared.pageText = pageText;
  show();

  expose('preferredLanguage', preferredLanguage, '');
  expose('setPageLanguage', setPageLanguage);
})(glue);
