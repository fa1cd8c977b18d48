#include "browser/frame_loop.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <cmath>

namespace moim::browser::frame_loop {

namespace {
void (*g_frame)(double) = nullptr;
bool g_frame_asked = false;        // an animation frame is on its way
int g_timer = 0;                   // the pending timeout, 0 when none
double g_timer_at = INFINITY;      // and when it fires

EM_BOOL on_animation_frame(double now, void*) {
  g_frame_asked = false;
  if (g_frame) g_frame(now);
  return EM_FALSE;
}
void on_timer(void*) {
  g_timer = 0;
  g_timer_at = INFINITY;
  wake();
}
EM_BOOL on_resize(int, const EmscriptenUiEvent*, void*) {
  wake();
  return EM_FALSE;
}
}  // namespace

void start(void (*frame)(double)) {
  g_frame = frame;
  emscripten_set_resize_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, EM_FALSE, on_resize);
  frame(emscripten_get_now());
}

void wake() {
  if (g_frame_asked) return;
  g_frame_asked = true;
  emscripten_request_animation_frame(on_animation_frame, nullptr);
}

void wake_at(double at_ms) {
  const double now = emscripten_get_now();
  at_ms = std::min(at_ms, now + kMaxSleepMs);
  if (at_ms <= now + 1) return wake();
  if (g_frame_asked || at_ms >= g_timer_at) return;  // something comes sooner anyway
  if (g_timer) emscripten_clear_timeout(g_timer);
  g_timer_at = at_ms;
  g_timer = emscripten_set_timeout(on_timer, at_ms - now, nullptr);
}

}  // namespace moim::browser::frame_loop
