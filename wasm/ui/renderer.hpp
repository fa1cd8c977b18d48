// Draws Dear ImGui's draw lists with WebGL2. Our own instead of imgui_impl_opengl3 because that
// backend saves and restores GL state with ~15 glGet* calls per frame, and in Chromium each
// getParameter is a synchronous round trip to the GPU process: it cost more than everything else
// in a frame. The app owns all GL state, so there is nothing to save: state is set per frame.
#pragma once

struct ImDrawData;

namespace moim::ui {

bool renderer_init();
void renderer_rebuild_font_texture();  // after the font atlas changed
void renderer_draw(const ImDrawData* data, int framebuffer_w, int framebuffer_h);

}  // namespace moim::ui
