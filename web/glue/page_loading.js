// Glue role: the page's start and end. Fetching and compiling the wasm while moim.js loads, the
// WebGL context made early, window.Module (Emscripten's hooks), the fonts C++ asks for, the
// loading screen (hidden when C++ says so; on a fatal error it comes back with the reason and
// without its spinner), and the goodbye when the page goes away.
// Must not: decide what the app shows or when it starts; C++ says when the UI is ready (hideLoading)
// and what is fatal once it runs (showFatal); only failures no C++ can see are reported from here,
// in the catalog's words (page_language.js's pageText).
(function pageLoading({ shared, expose, callApp, guard, errorText }) {
  // ---- the loading screen ------------------------------------------------------------------------
  // A fatal error (no WebGL2, the script or the wasm not loaded, an abort): the loading screen comes
  // back with the reason and without its spinner, since nothing is loading any more. The first
  // reason is kept: what fails after it is a consequence.
  let fatalError = null;
  function showFatal(text) {
    if (fatalError !== null) return;
    fatalError = String(text);
    console.error('moim: ' + fatalError);
    if (shared.hideTextInput) shared.hideTextInput();  // text_overlay.js
    const box = document.getElementById('loading');
    if (box) {
      box.classList.remove('hidden');
      box.classList.add('failed');
      box.setAttribute('role', 'alert');
    }
    const el = document.getElementById('loading-text');
    if (el) el.textContent = fatalError;
  }
  function hideLoading() {
    if (fatalError !== null) return;  // the reason stays on screen
    const el = document.getElementById('loading');
    if (el) el.classList.add('hidden');
  }
  shared.fatalError = () => fatalError;  // for test_surface.js: null while nothing is fatal

  // moim.js (and so the wasm) never arrives: no Emscripten hook reports that.
  window.addEventListener('error', guard((e) => {
    const t = e.target;
    if (t && t.tagName === 'SCRIPT' && /\/moim\.[^/]*js$/.test(t.src || '')) {
      showFatal(shared.pageText('programNotLoaded', t.src.replace(/^.*\//, '')));
    }
  }), true);
  // Until the runtime is up, a promise nobody handles is the loader failing: Emscripten 3.1.6 does
  // not catch a fetch of the wasm that fails on the network (a 404 reaches its abort instead).
  let runtimeUp = false;
  window.addEventListener('unhandledrejection', guard((e) => {
    if (!runtimeUp) showFatal(shared.pageText('couldNotLoad', errorText(e.reason)));
  }));

  // ---- the wasm and the WebGL context, early --------------------------------------------------------
  // Both used to wait: the wasm's fetch for moim.js to arrive and run, the WebGL context (a
  // synchronous round trip to the GPU process, about 45 ms on two cores without a GPU) for main(),
  // after the wasm. Now the wasm is fetched and compiled from here, while moim.js loads, and handed
  // to Emscripten through Module.instantiateWasm; the context is made while the wasm downloads, and
  // main() gets this same one (getContext returns the existing context; main.cpp checks that it has
  // the attributes it asks for, which are spelled here once more).
  class NetworkError extends Error {}
  function compileWasm(url) {
    return fetch(url, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error('HTTP ' + r.status + ' for ' + url);
      const streaming = typeof WebAssembly.compileStreaming === 'function' &&
        (r.headers.get('content-type') || '').startsWith('application/wasm');
      return streaming ? WebAssembly.compileStreaming(r) : r.arrayBuffer().then((b) => WebAssembly.compile(b));
    }, (e) => { throw new NetworkError(errorText(e)); });
  }
  const wasmMeta = document.querySelector('meta[name="moim-wasm"]');  // cmake/site_assets.cmake names it
  const wasmModule = wasmMeta && typeof WebAssembly === 'object' ? compileWasm(wasmMeta.content) : null;
  if (wasmModule) wasmModule.catch(() => {});  // reported by instantiateWasm below
  function instantiateWasm(imports, receive) {
    wasmModule.then((module) => WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module)))
      .catch((e) => showFatal(shared.pageText(e instanceof NetworkError ? 'couldNotLoad' : 'stopped', errorText(e))));
    return {};  // the exports arrive through receive
  }
  try {
    const canvas = document.getElementById('canvas');
    if (canvas) {
      // Its drawing buffer at the size main.cpp's fit_canvas() wants (CSS size x devicePixelRatio,
      // rounded), made now while the wasm compiles: otherwise the first frame resizes it, a new buffer.
      const box = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(box.width * dpr);
      canvas.height = Math.round(box.height * dpr);
      canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: true });
    }
  } catch (e) { /* main() reports a missing WebGL2 */ }

  window.Module = {
    // The build names the wasm by its content hash and index.html says which (cmake/site_assets.cmake).
    locateFile: (path, prefix) => prefix + (wasmMeta && path.endsWith('.wasm') ? wasmMeta.content : path),
    instantiateWasm: wasmModule ? instantiateWasm : undefined,
    canvas: document.getElementById('canvas'),
    print: (t) => console.log(t),
    printErr: (t) => console.warn(t),
    onRuntimeInitialized: () => { runtimeUp = true; },
    // Emscripten's abort(): the wasm could not be fetched or compiled, or the app hit a fatal error.
    onAbort: (what) => showFatal(shared.pageText('stopped', errorText(what))),
    // No setStatus: with one, Emscripten 3.1.6 starts main() from a timer once the wasm is ready (to
    // show "Running..." first); without, main() runs at once. The page says it is loading until the first frame.
  };

  // ---- fonts C++ asks for (the Hangul subset, when Korean text first appears) -----------------------
  function fetchFont(url) {
    fetch(url).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error('HTTP ' + r.status))))
      .then((buf) => callApp('moimOnFontLoaded', url, new Uint8Array(buf)),
            (e) => callApp('moimOnFontFailed', url, errorText(e)));
  }

  // ---- the end ---------------------------------------------------------------------------------------
  // A closed tab says goodbye (best effort): the app sends leave, so the others see it go at once
  // instead of after the server's resume grace window.
  window.addEventListener('pagehide', () => callApp('moimOnPageHide'));

  expose('hideLoading', hideLoading);
  expose('showFatal', showFatal);
  expose('fetchFont', fetchFont);
})(glue);
