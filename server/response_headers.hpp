// Security headers every HTTP answer carries (http_session.cpp adds them), so that a public
// deployment needs no proxy to add them.
#pragma once

#include <string_view>

namespace moim::server {

// Content-Security-Policy: only what the page (index.html + moim-glue.js + the Emscripten output)
// needs, nothing else.
//   - script-src 'self' 'wasm-unsafe-eval': our own scripts only, no inline script and no eval;
//     compiling our wasm needs 'wasm-unsafe-eval'. (The client is linked with -sDYNAMIC_EXECUTION=0,
//     so embind builds its invokers without `new Function`.)
//   - worker-src blob:: the glue starts its video-frame worker from a Blob URL of its own source.
//   - connect-src 'self': the wasm and fonts are fetched; the WebSocket goes to /ws on the same host
//     ('self' covers ws:/wss: of the page's host in CSP Level 3 browsers).
//   - img-src 'self' data:: the favicon is a data: SVG.
//   - style-src 'self': moim.css (styles the glue sets through element.style are not inline CSS).
//   - media-src 'self' blob: mediastream:: video elements play MediaStreams.
//   - frame-ancestors 'none' (with X-Frame-Options DENY for older browsers): never framed, so no
//     clickjacking of the camera permission or the Leave button.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src blob:; connect-src 'self'; "
    "img-src 'self' data:; style-src 'self'; font-src 'self'; media-src 'self' blob: mediastream:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
inline constexpr std::string_view kReferrerPolicy = "no-referrer";
inline constexpr std::string_view kFrameOptions = "DENY";
// With TLS only (browsers ignore it over http). One year; no includeSubDomains: other services under
// the same domain may not speak https.
inline constexpr std::string_view kStrictTransportSecurity = "max-age=31536000";

}  // namespace moim::server
