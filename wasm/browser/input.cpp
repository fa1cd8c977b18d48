#include "browser/input.hpp"

#include <emscripten/html5.h>
#include <imgui.h>

#include <cfloat>
#include <deque>
#include <string_view>

namespace moim::browser {

namespace {
struct MouseEvent {
  enum Kind { Move, Down, Up, Wheel, Leave } kind;
  float x = 0, y = 0;
  int button = 0;
  float wheel_x = 0, wheel_y = 0;
};
std::deque<MouseEvent> g_events;
bool g_escape = false;

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
  return EM_FALSE;  // let the browser move focus (blurs the text overlay on outside clicks)
}

EM_BOOL on_wheel(int, const EmscriptenWheelEvent* e, void*) {
  MouseEvent ev{MouseEvent::Wheel, static_cast<float>(e->mouse.targetX), static_cast<float>(e->mouse.targetY)};
  const float unit = e->deltaMode == DOM_DELTA_PIXEL ? 100.0f : (e->deltaMode == DOM_DELTA_LINE ? 3.0f : 1.0f);
  ev.wheel_x = static_cast<float>(-e->deltaX) / unit;
  ev.wheel_y = static_cast<float>(-e->deltaY) / unit;
  g_events.push_back(ev);
  return EM_TRUE;
}

EM_BOOL on_key(int, const EmscriptenKeyboardEvent* e, void*) {
  if (std::string_view(e->key) == "Escape") g_escape = true;
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
    } else if (ev.kind == MouseEvent::Leave) {
      io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    } else if (ev.kind == MouseEvent::Move) {
      io.MousePos = ImVec2(ev.x, ev.y);
    }
    g_events.pop_front();
  }
}

bool input_pending() { return !g_events.empty() || g_escape; }

bool take_escape_pressed() {
  const bool e = g_escape;
  g_escape = false;
  return e;
}

}  // namespace moim::browser
