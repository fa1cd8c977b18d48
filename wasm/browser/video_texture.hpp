// WebGL textures that mirror one video (MoimGlue's video handle), uploaded only when a new frame came:
// RGBA, or I420 planes that the renderer converts (video_planes).
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
  // The size it is drawn at, in device pixels: frames converted on the page come no larger.
  void fit(int w, int h);
  // Whether it is drawn this frame (glue.hpp set_video_drawn); told to the glue only when it changes.
  void set_drawn(bool drawn);

  Handle video() const { return video_; }
  unsigned texture() const { return texture_; }
  bool has_frame() const { return shape_ != 0; }
  bool drawn() const { return drawn_; }
  bool planar() const { return (shape_ >> 30) != 0; }  // I420 planes, converted by the renderer
  int width() const { return (shape_ >> 14) & 0x3fff; }
  int height() const { return shape_ & 0x3fff; }
  unsigned frames_uploaded() const { return uploads_; }

 private:
  Handle video_ = 0;
  unsigned texture_ = 0;               // RGBA, or the Y plane of I420 (then in video_planes)
  unsigned chroma_u_ = 0, chroma_v_ = 0;  // U and V planes of I420
  int shape_ = 0;  // planar << 30 | matrix << 28 | width << 14 | height of the last frame
  unsigned uploads_ = 0;
  int fit_w_ = 0, fit_h_ = 0;
  bool drawn_ = true;
};

}  // namespace moim::browser
