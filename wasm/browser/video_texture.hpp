// A WebGL texture that mirrors one HTMLVideoElement, uploaded only when a new frame was presented.
#pragma once

#include "browser/events.hpp"

namespace moim::browser {

class VideoTexture {
 public:
  VideoTexture() = default;
  explicit VideoTexture(Handle video) : video_(video) {}
  VideoTexture(VideoTexture&& o) noexcept { *this = std::move(o); }
  VideoTexture& operator=(VideoTexture&& o) noexcept;
  VideoTexture(const VideoTexture&) = delete;
  VideoTexture& operator=(const VideoTexture&) = delete;
  ~VideoTexture() { reset(); }

  // Uploads the latest frame if there is a new one; returns true when it did.
  bool update();
  void reset();  // destroys the texture and the video element
  // The size it is drawn at, in device pixels: later frames are uploaded no larger than that.
  void fit(int w, int h);

  Handle video() const { return video_; }
  unsigned texture() const { return texture_; }
  bool has_frame() const { return width_ > 0; }
  int width() const { return width_; }
  int height() const { return height_; }
  unsigned frames_uploaded() const { return uploads_; }

 private:
  Handle video_ = 0;
  unsigned texture_ = 0;
  int width_ = 0, height_ = 0;
  unsigned uploads_ = 0;
  int fit_w_ = 0, fit_h_ = 0;
};

}  // namespace moim::browser
