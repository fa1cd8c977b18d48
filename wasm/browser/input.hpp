// Mouse, wheel and a few keys from the canvas into Dear ImGui (1.86 has no input queue of its own).
// A press and release that land within one frame are spread over two frames, so fast clicks
// (and Playwright's) are never lost.
#pragma once

#include "shortcuts.hpp"

#include <vector>

namespace moim::browser {

void install_input_handlers(const char* canvas_selector);
// Feeds queued input into ImGui's IO; call once before ImGui::NewFrame().
void feed_imgui_input();
// True when input is queued for ImGui.
bool input_pending();
// Called after every input event (the frame loop runs on demand: browser/frame_loop.hpp). `button`:
// a mouse button went down or up; the app then runs a frame at once instead of at the next
// animation frame, so a click takes effect within its own event, not two frames later (which on a
// loaded machine without a GPU was hundreds of milliseconds).
void set_input_listener(void (*listener)(bool button));
// Keys pressed on the canvas since the last call (the text overlay has its own).
bool take_escape_pressed();
// Every key pressed on the page since the last call (the overlay's too: the app knows when a field
// has the keyboard), at most the last 16: for the call's shortcuts (shared/shortcuts.hpp).
std::vector<shortcuts::KeyPress> take_key_presses();

}  // namespace moim::browser
