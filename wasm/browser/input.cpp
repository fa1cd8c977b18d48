#include "browser/input.hpp"

#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <deque>
#include <string_view>
#include <utility>

namespace moim::browser {

namespace {
struct MouseEvent {
  enum Kind { Move, Down, Up, Wheel, Leave, TouchScroll } kind;
  float x = 0, y = 0;
  int button = 0;
  float wheel_x = 0, wheel_y = 0;  // Wheel: ImGui wheel units; TouchScroll: CSS pixels the finger moved
};
std::deque<MouseEvent> g_events;
bool g_escape = false;
std::vector<moim::shortcuts::KeyPress> g_keys;  // bounded: kMaxKeys
constexpr std::size_t kMaxKeys = 16;
void (*g_input_listener)(bool) = nullptr;
void notify(bool button) {
  if (g_input_listener) g_input_listener(button);
}

int imgui_button(unsigned short dom_button) {
  switch (dom_button) {
    case 0: return 0;  // left
    case 2: return 1;  // right
    case 1: return 2;  // middle
    default: return -1;
  }
}

EM_BOOL on_mouse(int type, const EmscriptenMouseEvent* e, void*) {
  MouseEvent ev{MouseEvent::Move, static_cast<float>(e->targetX), static_cast<float>(e->targetY)};
  if (type == EMSCRIPTEN_EVENT_MOUSEDOWN) ev.kind = MouseEvent::Down;
  else if (type == EMSCRIPTEN_EVENT_MOUSEUP) ev.kind = MouseEvent::Up;
  else if (type == EMSCRIPTEN_EVENT_MOUSELEAVE) ev.kind = MouseEvent::Leave;
  ev.button = imgui_button(e->button);
  g_events.push_back(ev);
  notify(ev.kind == MouseEvent::Down || ev.kind == MouseEvent::Up);
  return EM_FALSE;  // let the browser move focus (blurs the text overlay on outside clicks)
}

EM_BOOL on_wheel(int, const EmscriptenWheelEvent* e, void*) {
  MouseEvent ev{MouseEvent::Wheel, static_cast<float>(e->mouse.targetX), static_cast<float>(e->mouse.targetY)};
  const float unit = e->deltaMode == DOM_DELTA_PIXEL ? 100.0f : (e->deltaMode == DOM_DELTA_LINE ? 3.0f : 1.0f);
  ev.wheel_x = static_cast<float>(-e->deltaX) / unit;
  ev.wheel_y = static_cast<float>(-e->deltaY) / unit;
  g_events.push_back(ev);
  notify(false);
  return EM_TRUE;
}

// One finger dragged on the canvas scrolls what is under it, following the finger. A tap is left to
// the browser, which turns it into mouse events (so the callbacks never prevent the default).
struct Touch {
  long id = -1;
  float x = 0, y = 0;   // where it was at the last event
  float travelled = 0;  // since it went down: beyond kTouchSlop it is a drag, not a tap
};
Touch g_touch;
constexpr float kTouchSlop = 8;

EM_BOOL on_touch(int type, const EmscriptenTouchEvent* e, void*) {
  if (type == EMSCRIPTEN_EVENT_TOUCHSTART) {
    if (e->numTouches == 1) {
      const EmscriptenTouchPoint& t = e->touches[0];
      g_touch = {t.identifier, static_cast<float>(t.targetX), static_cast<float>(t.targetY), 0};
    } else {
      g_touch = {};  // a second finger: a pinch, not ours
    }
    return EM_FALSE;
  }
  if (type != EMSCRIPTEN_EVENT_TOUCHMOVE) {
    g_touch = {};  // end, cancel
    return EM_FALSE;
  }
  for (int i = 0; i < e->numTouches; ++i) {
    const EmscriptenTouchPoint& t = e->touches[i];
    if (t.identifier != g_touch.id || !t.isChanged) continue;
    const float x = static_cast<float>(t.targetX), y = static_cast<float>(t.targetY);
    const float dy = y - g_touch.y;
    g_touch.travelled += std::abs(dy) + std::abs(x - g_touch.x);
    g_touch.x = x, g_touch.y = y;
    if (g_touch.travelled > kTouchSlop && dy != 0) {
      MouseEvent ev{MouseEvent::TouchScroll, x, y};
      ev.wheel_y = dy;
      g_events.push_back(ev);
      notify(false);
    }
  }
  return EM_TRUE;
}

// ImGui scrolls the window under the pointer by wheel * step; this is that step (ImGui 1.86,
// UpdateMouseWheel), so a finger's pixels become the wheel units that move the list as far.
float wheel_step_under(ImVec2 pos) {
  const ImGuiContext* g = ImGui::GetCurrentContext();
  if (!g) return 0;
  const ImGuiWindow* window = nullptr;
  for (int i = g->Windows.Size - 1; i >= 0 && !window; --i) {  // front to back
    const ImGuiWindow* w = g->Windows[i];
    if (w->WasActive && !w->Hidden && w->OuterRectClipped.Contains(pos)) window = w;
  }
  while (window && (window->Flags & ImGuiWindowFlags_ChildWindow) && window->ScrollMax.y == 0.0f)
    window = window->ParentWindow;
  if (!window) return 0;
  return std::floor(std::min(5 * window->CalcFontSize(), window->InnerRect.GetHeight() * 0.67f));
}

EM_BOOL on_key(int, const EmscriptenKeyboardEvent* e, void*) {
  if (std::string_view(e->key) == "Escape") g_escape = true;
  if (g_keys.size() >= kMaxKeys) g_keys.erase(g_keys.begin());
  g_keys.push_back({e->key, e->code, e->ctrlKey != 0, e->altKey != 0, e->metaKey != 0, e->shiftKey != 0, e->repeat != 0});
  notify(false);
  return EM_FALSE;
}
}  // namespace

void install_input_handlers(const char* canvas) {
  emscripten_set_mousedown_callback(canvas, nullptr, EM_TRUE, on_mouse);
  // Moves and releases are tracked on the whole document so drags that leave the canvas end cleanly.
  emscripten_set_mouseup_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, nullptr, EM_TRUE, on_mouse);
  emscripten_set_mousemove_callback(canvas, nullptr, EM_TRUE, on_mouse);
  emscripten_set_mouseleave_callback(canvas, nullptr, EM_TRUE, on_mouse);
  emscripten_set_wheel_callback(canvas, nullptr, EM_TRUE, on_wheel);
  emscripten_set_keydown_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, nullptr, EM_TRUE, on_key);
  emscripten_set_touchstart_callback(canvas, nullptr, EM_TRUE, on_touch);
  emscripten_set_touchmove_callback(canvas, nullptr, EM_TRUE, on_touch);
  emscripten_set_touchend_callback(canvas, nullptr, EM_TRUE, on_touch);
  emscripten_set_touchcancel_callback(canvas, nullptr, EM_TRUE, on_touch);
}

void feed_imgui_input() {
  ImGuiIO& io = ImGui::GetIO();
  io.MouseWheel = io.MouseWheelH = 0;
  while (!g_events.empty()) {
    const MouseEvent ev = g_events.front();
    if ((ev.kind == MouseEvent::Down || ev.kind == MouseEvent::Up) && ev.button >= 0) {
      const bool down = ev.kind == MouseEvent::Down;
      if (io.MouseDown[ev.button] != down) {
        io.MousePos = ImVec2(ev.x, ev.y);
        io.MouseDown[ev.button] = down;
        g_events.pop_front();
        break;  // one button transition per frame
      }
    } else if (ev.kind == MouseEvent::Wheel) {
      io.MouseWheel += ev.wheel_y;
      io.MouseWheelH += ev.wheel_x;
    } else if (ev.kind == MouseEvent::TouchScroll) {
      io.MousePos = ImVec2(ev.x, ev.y);
      if (const float step = wheel_step_under(io.MousePos); step > 0) io.MouseWheel += ev.wheel_y / step;
    } else if (ev.kind == MouseEvent::Leave) {
      io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    } else if (ev.kind == MouseEvent::Move) {
      io.MousePos = ImVec2(ev.x, ev.y);
    }
    g_events.pop_front();
  }
}

bool input_pending() { return !g_events.empty() || g_escape || !g_keys.empty(); }

std::vector<shortcuts::KeyPress> take_key_presses() { return std::exchange(g_keys, {}); }
void set_input_listener(void (*listener)(bool)) { g_input_listener = listener; }

bool take_escape_pressed() {
  const bool e = g_escape;
  g_escape = false;
  return e;
}

}  // namespace moim::browser
