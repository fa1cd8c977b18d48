#include "ui/frame_damage.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace moim::ui::frame_damage {

Rect Rect::cut(const Rect& o) const { return {std::max(x0, o.x0), std::max(y0, o.y0), std::min(x1, o.x1), std::min(y1, o.y1)}; }
Rect Rect::join(const Rect& o) const {
  if (empty()) return o;
  if (o.empty()) return *this;
  return {std::min(x0, o.x0), std::min(y0, o.y0), std::max(x1, o.x1), std::max(y1, o.y1)};
}

namespace {

struct Triangle {
  std::uint64_t key;  // its vertices, texture and clip rectangle
  Rect rect;          // the pixels it can touch
  unsigned texture;
};
struct Frame {
  float head[8] = {};  // framebuffer size, display position, size and scale
  std::vector<Triangle> triangles;
  bool valid = false;
};
Frame g_last, g_this;

std::uint64_t mix(std::uint64_t h, const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i + 4 <= n; i += 4) {
    std::uint32_t w;
    std::memcpy(&w, b + i, 4);
    h = (h ^ w) * 0x100000001b3ULL;
  }
  return h;
}

// False when the frame cannot be described (a user callback draws what we cannot see).
bool describe(const ImDrawData* d, int fb_w, int fb_h, Frame& f) {
  const float head[8] = {static_cast<float>(fb_w), static_cast<float>(fb_h), d->DisplayPos.x, d->DisplayPos.y,
                         d->DisplaySize.x, d->DisplaySize.y, d->FramebufferScale.x, d->FramebufferScale.y};
  std::memcpy(f.head, head, sizeof head);
  f.triangles.clear();
  for (int n = 0; n < d->CmdListsCount; ++n) {
    const ImDrawList* list = d->CmdLists[n];
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) return false;
      const auto texture = static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(cmd.GetTexID()));
      std::uint64_t cmd_key = mix(0xcbf29ce484222325ULL, &cmd.ClipRect, sizeof cmd.ClipRect);
      cmd_key = mix(cmd_key, &texture, sizeof texture);
      for (unsigned i = 0; i + 3 <= cmd.ElemCount; i += 3) {
        std::uint64_t key = cmd_key;
        float x0 = FLT_MAX, y0 = FLT_MAX, x1 = -FLT_MAX, y1 = -FLT_MAX;
        for (unsigned k = 0; k < 3; ++k) {
          const ImDrawVert& v = list->VtxBuffer[static_cast<int>(cmd.VtxOffset + list->IdxBuffer[static_cast<int>(cmd.IdxOffset + i + k)])];
          key = mix(key, &v, sizeof v);
          x0 = std::min(x0, v.pos.x), y0 = std::min(y0, v.pos.y), x1 = std::max(x1, v.pos.x), y1 = std::max(y1, v.pos.y);
        }
        // A pixel more on each side (rasterization rounds), and never outside the clip rectangle.
        x0 = std::max(x0 - 1, cmd.ClipRect.x), y0 = std::max(y0 - 1, cmd.ClipRect.y);
        x1 = std::min(x1 + 1, cmd.ClipRect.z), y1 = std::min(y1 + 1, cmd.ClipRect.w);
        f.triangles.push_back({key, x1 > x0 && y1 > y0 ? to_pixels(x0, y0, x1, y1, d, fb_h) : Rect{}, texture});
      }
    }
  }
  return true;
}

}  // namespace

Rect to_pixels(float x0, float y0, float x1, float y1, const ImDrawData* d, int fb_h) {
  const ImVec2 off = d->DisplayPos, scale = d->FramebufferScale;
  return {static_cast<int>(std::floor((x0 - off.x) * scale.x)), fb_h - static_cast<int>(std::ceil((y1 - off.y) * scale.y)),
          static_cast<int>(std::ceil((x1 - off.x) * scale.x)), fb_h - static_cast<int>(std::floor((y0 - off.y) * scale.y))};
}

void forget() { g_last.valid = false; }

std::vector<Rect> diff(const ImDrawData* d, int fb_w, int fb_h, bool (*texture_changed)(unsigned)) {
  const Rect screen{0, 0, fb_w, fb_h};
  const bool described = describe(d, fb_w, fb_h, g_this);
  const bool comparable = described && g_last.valid && std::memcmp(g_last.head, g_this.head, sizeof g_this.head) == 0;
  std::swap(g_last, g_this);
  g_last.valid = described;
  if (!comparable) return {screen};

  const std::vector<Triangle>& was = g_this.triangles;  // swapped: g_this holds the last frame now
  const std::vector<Triangle>& now = g_last.triangles;
  std::size_t head = 0;
  while (head < was.size() && head < now.size() && was[head].key == now[head].key) ++head;
  std::size_t tail = 0;
  while (tail < was.size() - head && tail < now.size() - head && was[was.size() - 1 - tail].key == now[now.size() - 1 - tail].key)
    ++tail;
  Rect changed;
  for (std::size_t i = head; i < was.size() - tail; ++i) changed = changed.join(was[i].rect);
  for (std::size_t i = head; i < now.size() - tail; ++i) changed = changed.join(now[i].rect);

  std::vector<Rect> out;
  if (!changed.cut(screen).empty()) out.push_back(changed.cut(screen));
  // Triangles showing new pixels of a texture, one rectangle per run of them (a video tile).
  Rect run;
  unsigned run_texture = 0;
  for (const Triangle& t : now) {
    if (t.texture != run_texture || !texture_changed(t.texture)) {
      if (!run.cut(screen).empty()) out.push_back(run.cut(screen));
      run = {};
      run_texture = 0;
    }
    if (texture_changed(t.texture)) {
      run = run.join(t.rect);
      run_texture = t.texture;
    }
  }
  if (!run.cut(screen).empty()) out.push_back(run.cut(screen));

  long area = 0;
  for (const Rect& r : out) area += r.area();
  if (area * 10 > screen.area() * 7) return {screen};  // most of it anyway: one pass
  return out;
}

}  // namespace moim::ui::frame_damage
