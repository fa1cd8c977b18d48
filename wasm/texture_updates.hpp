// Which GL textures got new pixels since the renderer last drew: a video texture notes each frame
// it uploads; the renderer redraws where those textures are shown (ui/frame_damage.hpp). Plain GL
// names: no JS, no ImGui.
#pragma once

namespace moim::texture_updates {

void note(unsigned texture);          // its pixels changed
bool contains(unsigned texture);      // changed since the last clear()
void clear();                         // after a draw

}  // namespace moim::texture_updates
