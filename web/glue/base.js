// Moim's browser glue, the base every other file of web/glue/ builds on. The build joins these
// files into one script, moim-glue.<hash>.js (cmake/site_assets.cmake: this file first, then the
// roles in the order it lists), inside one function: nothing here is a global but what a role
// file puts on window on purpose (MoimGlue, Module, app).
//
// The glue owns every JS object the C++ app uses (media streams, peer connections, video elements)
// in integer-handle maps; C++ holds only the handles. C++ calls in through embind (emscripten::val
// on window.MoimGlue, see wasm/browser/glue.cpp); results go back through the Module.moim*
// functions that wasm/browser/bindings.cpp exports.
//
// Rules for every glue file (each says at its top what it is and what it must not do):
//   - no app logic: C++ decides (which devices, which m-lines, which text, when); the glue applies
//     what it is given verbatim and reports what the browser says;
//   - a handle map holds browser objects only, keyed by an integer from newHandle(); a callback that
//     arrives for a closed handle is dropped;
//   - no exception crosses into wasm or out of a browser callback: calls from C++ come through
//     expose() (guarded), browser callbacks are wrapped in guard(), calls into C++ go through
//     callApp().
//
// This file: the handle counter, callApp, guard, expose, and `shared`, where one role offers
// functions to another (never to C++). Must not: know any role's objects.
const glue = (() => {
  let nextHandle = 1;
  const api = {};  // window.MoimGlue
  window.MoimGlue = api;

  // Into C++: Module.<name>(...args) when the runtime has it; whatever it throws stays here.
  function callApp(name, ...args) {
    try {
      const f = window.Module && window.Module[name];
      if (typeof f === 'function') f(...args);
    } catch (e) {
      console.error('moim: ' + name + ' threw', e);
    }
  }
  // `fn`, with an exception logged and `fallback` returned instead.
  function guard(fn, fallback) {
    return function (...args) {
      try { return fn(...args); } catch (e) { console.error('moim glue:', e); return fallback; }
    };
  }
  // Offers `fn` to C++ as MoimGlue[name], guarded; `fallback` is what C++ gets if it throws (C++
  // reads results with a fixed type: 0, '', false or null, as glue.cpp expects).
  function expose(name, fn, fallback) {
    if (Object.prototype.hasOwnProperty.call(api, name)) console.error('moim glue: ' + name + ' offered twice');
    else api[name] = guard(fn, fallback);
  }
  return {
    newHandle: () => nextHandle++,  // one counter for every map: a handle never names two objects
    callApp,
    guard,
    expose,
    errorText: (e) => (e && (e.message || e.name)) || String(e),
    // Between roles, looked up when called (so the roles' order does not matter): each entry says
    // which file sets it.
    shared: {},
  };
})();
