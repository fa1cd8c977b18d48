// Which GL textures hold video as three planes (Y, U, V of I420) instead of RGBA. A video texture
// registers its planes under its Y texture (the name the UI draws with); the renderer looks the
// name up to draw it with the YUV -> RGB program. Plain GL names: no JS, no ImGui.
#pragma once

namespace moim::video_planes {

// How YUV maps to RGB (VideoFrame.colorSpace): matrix and whether Y spans 0-255 or 16-235.
enum class Matrix : unsigned char { bt601_limited = 0, bt601_full = 1, bt709_limited = 2, bt709_full = 3 };

struct Chroma {
  unsigned u = 0, v = 0;
  Matrix matrix = Matrix::bt601_limited;
};

void set(unsigned y, Chroma chroma);
void forget(unsigned y);               // before the texture is deleted (GL may reuse the name)
const Chroma* find(unsigned y);        // nullptr: an ordinary RGBA texture

}  // namespace moim::video_planes
