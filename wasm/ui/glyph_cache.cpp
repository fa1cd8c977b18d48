#include "ui/glyph_cache.hpp"

namespace moim::ui {

bool in_base_ranges(unsigned cp) {
  return (cp >= 0x20 && cp < 0x7F) || cp < 0x20 || cp == 0xB7 || cp == 0xD7 || cp == 0x2026 ||  // · × …
         cp == 0xBAA8 || cp == 0xC784;  // the embedded brand letters 모임
}

bool in_embedded_font(unsigned cp) {
  // Keep in step with the --unicodes of the UI font subset in wasm/CMakeLists.txt.
  return cp < 0x180 || (cp >= 0x370 && cp < 0x500) || (cp >= 0x2000 && cp < 0x2070) || cp == 0x20AC ||
         cp == 0x2122 || (cp >= 0x2190 && cp <= 0x2193) || cp == 0x2212 || cp == 0x25CF;
}

bool GlyphCache::pending_needs_fallback() const {
  for (ImWchar w : pending_)
    if (!in_embedded_font(w)) return true;
  return false;
}

void GlyphCache::note(std::string_view s) {
  // Input is valid UTF-8 (the protocol and the text overlay guarantee it); stop at anything odd.
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    unsigned cp;
    std::size_t len;
    if (c < 0x80) { cp = c; len = 1; }
    else if ((c >> 5) == 0x6) { cp = c & 0x1F; len = 2; }
    else if ((c >> 4) == 0xE) { cp = c & 0x0F; len = 3; }
    else if ((c >> 3) == 0x1E) { cp = c & 0x07; len = 4; }
    else return;
    if (i + len > s.size()) return;
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp > 0xFFFF || in_base_ranges(cp)) continue;  // ImWchar is 16-bit in this build
    const auto w = static_cast<ImWchar>(cp);
    if (!committed_.count(w)) pending_.insert(w);
  }
}

std::vector<ImWchar> GlyphCache::commit() {
  committed_.insert(pending_.begin(), pending_.end());
  pending_.clear();
  return committed_ranges();
}

std::vector<ImWchar> GlyphCache::committed_ranges() const {
  std::vector<ImWchar> ranges;
  for (ImWchar w : committed_) {
    if (!ranges.empty() && ranges.back() + 1 == w) {
      ranges.back() = w;
    } else {
      ranges.push_back(w);
      ranges.push_back(w);
    }
  }
  return ranges;
}

}  // namespace moim::ui
