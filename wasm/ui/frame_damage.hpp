// What changed on screen between the last drawn frame and this one, from Dear ImGui's draw lists:
// the rectangles the renderer has to redraw (the canvas keeps its pixels between frames). Software
// GL (SwiftShader; Chromium without a GPU) pays for every pixel drawn, and a frame where one badge
// or one video tile changed used to redraw all of the canvas.
//
// Each frame is a sequence of triangles (their vertices, texture and clip rectangle). Against the
// last frame, the common beginning and the common end are unchanged; what lies between, in the
// old frame and in the new, is redrawn, and so is every triangle showing a texture that got new
// pixels (a video frame). Everything else on screen is made of the same triangles, drawn in the
// same order, as before: its pixels are still right.
#pragma once

#include <vector>

struct ImDrawData;

namespace moim::ui::frame_damage {

// Framebuffer pixels, GL's way round (y from the bottom), half-open.
struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return x1 <= x0 || y1 <= y0; }
  long area() const { return empty() ? 0 : static_cast<long>(x1 - x0) * (y1 - y0); }
  Rect cut(const Rect& o) const;
  Rect join(const Rect& o) const;  // the smallest rectangle holding both
};

// Display coordinates -> framebuffer pixels, GL's way round, grown to whole pixels (the damage and
// the renderer's scissor round alike).
Rect to_pixels(float x0, float y0, float x1, float y1, const ImDrawData* d, int fb_h);

// Compares this frame with the last one given (and keeps it for the next call). Returns the
// rectangles to redraw: none when nothing changed, the whole framebuffer when most did.
// `texture_changed(name)`: whether that GL texture got new pixels since the last frame.
std::vector<Rect> diff(const ImDrawData* d, int fb_w, int fb_h, bool (*texture_changed)(unsigned));
// The next diff returns the whole framebuffer (the font texture was rebuilt: same triangles,
// other glyphs).
void forget();

}  // namespace moim::ui::frame_damage
