// Glue role: the test surface, window.app (docs/TESTING.md): state(), widgets(), texts() and metrics(),
// each read from C++ (Module.moimStateJson, moimWidgetsJson, moimTextsJson, moimMetricsJson; wasm/test_surface.cpp) and
// parsed. Always present, so tests and bench/client need no special build.
// Must not: compute, filter or keep anything: what the tests see is what C++ says (only before the
// runtime is up, or after a fatal error, does this say "loading" or "stopped" itself).
(function testSurface({ shared }) {
  const read = (name) => {
    const f = window.Module && window.Module[name];
    return f ? JSON.parse(f()) : undefined;
  };
  window.app = {
    state() {
      // After a fatal error the app is not running, whatever it last said.
      const fatal = shared.fatalError();  // page_loading.js
      if (fatal !== null) return { screen: 'stopped', connected: false, name: '', rooms: [], room: null, error: fatal };
      return read('moimStateJson') ?? { screen: 'loading', name: '', rooms: [], room: null, error: null };
    },
    widgets() {
      return read('moimWidgetsJson') ?? [];
    },
    // Every text the last frame drew, in drawing order (the UI's words, names, figures).
    texts() {
      return read('moimTextsJson') ?? [];
    },
    // Timings for bench/client (README "Benchmarks"): first frame, room list, join phases, frame costs.
    metrics() {
      return read('moimMetricsJson') ?? null;
    },
  };
})(glue);
