// Entry point: a WebGL2 context on #canvas, Dear ImGui, and the app driven by requestAnimationFrame.
#include "app.hpp"
#include "browser/events.hpp"
#include "browser/glue.hpp"
#include "browser/input.hpp"
#include "ui/renderer.hpp"
#include "ui/theme.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

#include <cmath>
#include <cstdio>

namespace moim {
extern App* g_app;
}

namespace {

// Keeps the canvas backing store at CSS size x devicePixelRatio so text is sharp on every screen.
// Returns true when the size changed.
bool fit_canvas() {
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  const double dpr = emscripten_get_device_pixel_ratio();
  const int w = static_cast<int>(std::lround(css_w * dpr)), h = static_cast<int>(std::lround(css_h * dpr));
  int cur_w = 0, cur_h = 0;
  emscripten_get_canvas_element_size("#canvas", &cur_w, &cur_h);
  const bool changed = w != cur_w || h != cur_h;
  if (changed) emscripten_set_canvas_element_size("#canvas", w, h);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(css_w), static_cast<float>(css_h));
  io.DisplayFramebufferScale = ImVec2(static_cast<float>(dpr), static_cast<float>(dpr));
  return changed;
}

void frame() {
  if (fit_canvas()) moim::g_app->invalidate();
  moim::g_app->frame(emscripten_get_now());
}

}  // namespace

int main() {
  EmscriptenWebGLContextAttributes attrs;
  emscripten_webgl_init_context_attributes(&attrs);
  attrs.majorVersion = 2;
  attrs.minorVersion = 0;
  attrs.alpha = EM_FALSE;
  attrs.antialias = EM_FALSE;
  attrs.depth = EM_FALSE;
  attrs.stencil = EM_FALSE;
  const auto ctx = emscripten_webgl_create_context("#canvas", &attrs);
  if (ctx <= 0) {
    std::printf("moim: WebGL2 is not available (%d)\n", static_cast<int>(ctx));
    moim::browser::show_fatal(
        "Moim can't start: this browser has no WebGL2. Turn on hardware acceleration in the browser's settings, "
        "or use another browser.");
    return 1;
  }
  emscripten_webgl_make_context_current(ctx);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  moim::ui::apply_style();
  if (!moim::ui::renderer_init()) {
    moim::browser::show_fatal("Moim can't start: its WebGL2 shaders did not compile in this browser.");
    return 1;
  }
  moim::browser::install_input_handlers("#canvas");

  moim::g_app = new moim::App();
  moim::browser::set_listener([] { moim::g_app->pump(); });
  emscripten_set_main_loop(frame, 0, false);
  return 0;
}
