// Entry point: a WebGL2 context on #canvas, Dear ImGui, and the app driven by animation frames on
// demand (browser/frame_loop.hpp).
#include "app.hpp"
#include "browser/events.hpp"
#include "browser/frame_loop.hpp"
#include "browser/glue.hpp"
#include "browser/input.hpp"
#include "language.hpp"
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

// One frame; then the frame loop is told when the next is needed: right after a drawn frame (the
// pacer measures how long it held the page from the next one's time), else when the app says.
void frame(double now_ms) {
  if (fit_canvas()) moim::g_app->invalidate();
  if (moim::g_app->frame(now_ms)) moim::browser::frame_loop::wake();
  else moim::browser::frame_loop::wake_at(moim::g_app->next_frame_at());
}

}  // namespace

int main() {
  // The page's language first: a fatal error below is said in it too.
  const moim::ui_text::Lang lang = moim::initial_language();
  moim::use_language(lang, false);
  EmscriptenWebGLContextAttributes attrs;
  emscripten_webgl_init_context_attributes(&attrs);
  attrs.majorVersion = 2;
  attrs.minorVersion = 0;
  attrs.alpha = EM_FALSE;
  attrs.antialias = EM_FALSE;
  attrs.depth = EM_FALSE;
  attrs.stencil = EM_FALSE;
  // WebGL2 itself is all the renderer uses. Emscripten would otherwise enable every extension the
  // browser offers, one getExtension() each: about 30 ms of start-up on two cores without a GPU.
  attrs.enableExtensionsByDefault = EM_FALSE;
  // The renderer redraws only what changed (ui/renderer.cpp): the canvas keeps its pixels.
  attrs.preserveDrawingBuffer = EM_TRUE;
  const auto ctx = emscripten_webgl_create_context("#canvas", &attrs);
  if (ctx <= 0) {
    std::printf("moim: WebGL2 is not available (%d)\n", static_cast<int>(ctx));
    moim::browser::show_fatal(std::string(moim::ui_text::text(lang, moim::ui_text::Id::NoWebGl2)));
    return 1;
  }
  emscripten_webgl_make_context_current(ctx);
  // The glue (web/glue/page_loading.js) made the context early (while the wasm downloaded) with
  // these same attributes: a context that exists is returned as it is, so say so if they ever part.
  EmscriptenWebGLContextAttributes got;
  if (emscripten_webgl_get_context_attributes(ctx, &got) == EMSCRIPTEN_RESULT_SUCCESS &&
      (got.alpha != attrs.alpha || got.antialias != attrs.antialias || got.depth != attrs.depth ||
       got.stencil != attrs.stencil || got.preserveDrawingBuffer != attrs.preserveDrawingBuffer)) {
    std::printf("moim: the WebGL context's attributes differ from main.cpp's (see web/glue/page_loading.js)\n");
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  moim::ui::apply_style();
  if (!moim::ui::renderer_init()) {
    moim::browser::show_fatal(std::string(moim::ui_text::text(lang, moim::ui_text::Id::ShadersFailed)));
    return 1;
  }
  moim::browser::install_input_handlers("#canvas");

  moim::g_app = new moim::App();
  moim::browser::set_listener([] {
    moim::g_app->pump();
    moim::browser::frame_loop::wake_at(moim::g_app->next_frame_at());
  });
  moim::browser::set_input_listener([](bool button) {
    if (button) frame(emscripten_get_now());  // a click acts within its own event
    else moim::browser::frame_loop::wake();
  });
  moim::browser::set_video_frame_listener([](moim::browser::VideoFrames waiting) {
    moim::browser::frame_loop::wake_at(waiting == moim::browser::VideoFrames::FirstWaiting ? 0 : moim::g_app->next_frame_at(waiting));
  });
  moim::browser::frame_loop::start(frame);  // the first frame now, not at the next animation frame
  return 0;
}
