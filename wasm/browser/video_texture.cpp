#include "browser/video_texture.hpp"

#include "browser/glue.hpp"

#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>

#include <utility>

// Uploads the video element's current frame into texture `tex` (an Emscripten GL name) when
// MoimGlue says a new frame was presented. Returns (width << 16 | height), or 0 when nothing new.
// Same size as last time (w x h): overwrite in place instead of reallocating the texture.
EM_JS(int, moim_upload_video_frame, (int video, unsigned tex, int w, int h), {
  const src = window.MoimGlue.takeFrame(video);
  if (!src) return 0;
  const sw = src.videoWidth || src.width, sh = src.videoHeight || src.height;
  try {
    GLctx.bindTexture(GLctx.TEXTURE_2D, GL.textures[tex]);
    if (sw === w && sh === h)
      GLctx.texSubImage2D(GLctx.TEXTURE_2D, 0, 0, 0, GLctx.RGBA, GLctx.UNSIGNED_BYTE, src);
    else
      GLctx.texImage2D(GLctx.TEXTURE_2D, 0, GLctx.RGBA, GLctx.RGBA, GLctx.UNSIGNED_BYTE, src);
  } catch (e) {
    return 0;
  } finally {
    if (src.close) src.close();
  }
  return ((sw & 0xffff) << 16) | (sh & 0xffff);
});

namespace moim::browser {

VideoTexture& VideoTexture::operator=(VideoTexture&& o) noexcept {
  if (this != &o) {
    reset();
    video_ = std::exchange(o.video_, 0);
    texture_ = std::exchange(o.texture_, 0);
    width_ = std::exchange(o.width_, 0);
    height_ = std::exchange(o.height_, 0);
    uploads_ = std::exchange(o.uploads_, 0);
    fit_w_ = std::exchange(o.fit_w_, 0);
    fit_h_ = std::exchange(o.fit_h_, 0);
  }
  return *this;
}

bool VideoTexture::update() {
  if (!video_) return false;
  if (!texture_) {
    glGenTextures(1, &texture_);
    glBindTexture(GL_TEXTURE_2D, texture_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  const int size = moim_upload_video_frame(video_, texture_, width_, height_);
  if (!size) return false;
  width_ = (size >> 16) & 0xffff;
  height_ = size & 0xffff;
  ++uploads_;
  return true;
}

void VideoTexture::fit(int w, int h) {
  if (!video_ || (w == fit_w_ && h == fit_h_)) return;
  fit_w_ = w;
  fit_h_ = h;
  fit_video(video_, w, h);
}

void VideoTexture::reset() {
  if (texture_) glDeleteTextures(1, &texture_);
  if (video_) destroy_video(video_);
  texture_ = 0;
  video_ = 0;
  width_ = height_ = 0;
  fit_w_ = fit_h_ = 0;
}

}  // namespace moim::browser
