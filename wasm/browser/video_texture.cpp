#include "browser/video_texture.hpp"

#include "browser/glue.hpp"
#include "texture_updates.hpp"
#include "video_planes.hpp"

#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>

#include <utility>

// Uploads the video's newest frame when MoimGlue has one: I420 planes copied out by the glue's
// worker go into textures y, u, v (single-channel; the renderer converts them to RGB), anything
// else (RGBA pixels, an ImageBitmap, the element itself) into y as RGBA. Textures are Emscripten GL
// names. `shape` is what the last upload returned: when the new frame has the same layout, the
// textures are overwritten in place instead of reallocated.
// Returns (planar << 30 | matrix << 28 | width << 14 | height), or 0 when there was nothing new.
EM_JS(int, moim_upload_video_frame, (int video, unsigned y, unsigned u, unsigned v, int shape), {
  const src = window.MoimGlue.takeFrame(video);
  if (!src) return 0;
  const gl = GLctx;
  const sw = src.videoWidth || src.width, sh = src.videoHeight || src.height;
  if (!(sw > 0 && sw < 16384 && sh > 0 && sh < 16384)) { if (src.close) src.close(); return 0; }
  const planar = src.planes ? 1 : 0;
  const next = (planar << 30) | (planar ? (src.matrix & 3) << 28 : 0) | (sw << 14) | sh;
  const same = next === shape;
  try {
    if (planar) {
      const cw = (sw + 1) >> 1, ch = (sh + 1) >> 1;
      const sizes = [[y, sw, sh], [u, cw, ch], [v, cw, ch]];
      for (let i = 0; i < 3; i++) {
        const [tex, pw, ph] = sizes[i], plane = src.planes[i];
        gl.bindTexture(gl.TEXTURE_2D, GL.textures[tex]);
        gl.pixelStorei(gl.UNPACK_ROW_LENGTH, plane.stride);
        const bytes = src.data.subarray(plane.offset, plane.offset + plane.stride * (ph - 1) + pw);
        if (same) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, pw, ph, gl.RED, gl.UNSIGNED_BYTE, bytes);
        else gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, pw, ph, 0, gl.RED, gl.UNSIGNED_BYTE, bytes);
      }
      gl.pixelStorei(gl.UNPACK_ROW_LENGTH, 0);
    } else {
      gl.bindTexture(gl.TEXTURE_2D, GL.textures[y]);
      if (src.data) {  // RGBA pixels
        if (same) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, sw, sh, gl.RGBA, gl.UNSIGNED_BYTE, src.data);
        else gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, sw, sh, 0, gl.RGBA, gl.UNSIGNED_BYTE, src.data);
      } else if (same) {
        gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, gl.RGBA, gl.UNSIGNED_BYTE, src);
      } else {
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, src);
      }
    }
  } catch (e) {
    gl.pixelStorei(gl.UNPACK_ROW_LENGTH, 0);
    return 0;
  } finally {
    if (src.close) src.close();
  }
  return next;
});

namespace {
unsigned new_video_texture() {
  GLuint t = 0;
  glGenTextures(1, &t);
  glBindTexture(GL_TEXTURE_2D, t);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  return t;
}
}  // namespace

namespace moim::browser {

VideoTexture& VideoTexture::operator=(VideoTexture&& o) noexcept {
  if (this != &o) {
    reset();
    video_ = std::exchange(o.video_, 0);
    texture_ = std::exchange(o.texture_, 0);
    chroma_u_ = std::exchange(o.chroma_u_, 0);
    chroma_v_ = std::exchange(o.chroma_v_, 0);
    shape_ = std::exchange(o.shape_, 0);
    uploads_ = std::exchange(o.uploads_, 0);
    fit_w_ = std::exchange(o.fit_w_, 0);
    fit_h_ = std::exchange(o.fit_h_, 0);
    drawn_ = std::exchange(o.drawn_, true);
  }
  return *this;
}

bool VideoTexture::update() {
  if (!video_) return false;
  if (!texture_) {
    texture_ = new_video_texture();
    chroma_u_ = new_video_texture();
    chroma_v_ = new_video_texture();
  }
  const int shape = moim_upload_video_frame(video_, texture_, chroma_u_, chroma_v_, shape_);
  if (!shape) return false;
  if (shape != shape_) {
    if (shape >> 30) video_planes::set(texture_, {chroma_u_, chroma_v_, static_cast<video_planes::Matrix>((shape >> 28) & 3)});
    else video_planes::forget(texture_);
    shape_ = shape;
  }
  texture_updates::note(texture_);  // the renderer redraws where it is shown
  ++uploads_;
  return true;
}

void VideoTexture::fit(int w, int h) {
  if (!video_ || (w == fit_w_ && h == fit_h_)) return;
  fit_w_ = w;
  fit_h_ = h;
  fit_video(video_, w, h);
}

void VideoTexture::set_drawn(bool drawn) {
  if (!video_ || drawn == drawn_) return;
  drawn_ = drawn;
  set_video_drawn(video_, drawn);
}

void VideoTexture::reset() {
  if (texture_) {
    video_planes::forget(texture_);
    const GLuint names[3] = {texture_, chroma_u_, chroma_v_};
    glDeleteTextures(3, names);
  }
  if (video_) destroy_video(video_);
  texture_ = chroma_u_ = chroma_v_ = 0;
  video_ = 0;
  shape_ = 0;
  fit_w_ = fit_h_ = 0;
  drawn_ = true;
}

}  // namespace moim::browser
