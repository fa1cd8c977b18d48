// Which characters beyond printable ASCII the UI has drawn, so the font atlas holds exactly those:
// a small atlas builds fast at start-up, and a full Hangul atlas would be huge. Latin, Greek and
// Cyrillic letters come from the embedded UI font; the Hangul font file is fetched only when a
// character it alone has first appears.
#pragma once

#include <imgui.h>

#include <set>
#include <string_view>
#include <vector>

namespace moim::ui {

class GlyphCache {
 public:
  void note(std::string_view utf8);
  // True when characters were noted that the current atlas lacks.
  bool has_new() const { return !pending_.empty(); }
  // Moves pending characters into the atlas set; returns ImGui ranges for all of them.
  std::vector<ImWchar> commit();
  std::vector<ImWchar> committed_ranges() const;  // without taking the pending ones
  // True when a pending character is not in the embedded UI font (it needs the fetched one).
  bool pending_needs_fallback() const;

 private:
  std::set<ImWchar> committed_;
  std::set<ImWchar> pending_;
};

bool in_base_ranges(unsigned codepoint);     // always in the atlas
bool in_embedded_font(unsigned codepoint);   // in the embedded UI font's subset

}  // namespace moim::ui
