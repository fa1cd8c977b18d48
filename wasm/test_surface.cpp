// window.app.state() / widgets() / texts() / metrics() (see docs/TESTING.md): read-only JSON views of the running app.
// Always compiled in: end-to-end tests drive the real UI and read results only through these.
#include "app.hpp"

#include <emscripten/bind.h>

namespace moim {
App* g_app = nullptr;  // set by main(); lives for the page's lifetime
}

namespace {
std::string state_json() { return moim::g_app ? moim::g_app->state_json() : "{\"screen\":\"loading\"}"; }
std::string widgets_json() { return moim::g_app ? moim::g_app->widgets_json() : "[]"; }
std::string metrics_json() { return moim::g_app ? moim::g_app->metrics_json() : "{}"; }
std::string texts_json() { return moim::g_app ? moim::g_app->texts_json() : "[]"; }
}  // namespace

EMSCRIPTEN_BINDINGS(moim_test_surface) {
  emscripten::function("moimStateJson", &state_json);
  emscripten::function("moimWidgetsJson", &widgets_json);
  emscripten::function("moimMetricsJson", &metrics_json);
  emscripten::function("moimTextsJson", &texts_json);
}
