// Which characters outside the built-in Latin/Greek/Cyrillic ranges the UI has drawn, so the font
// atlas holds exactly those (a full Hangul atlas would be huge). The Hangul font file itself is
// fetched only when such a character first appears.
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
  bool wants_fallback_font() const { return !pending_.empty() || !committed_.empty(); }

 private:
  std::set<ImWchar> committed_;
  std::set<ImWchar> pending_;
};

bool in_base_ranges(unsigned codepoint);

}  // namespace moim::ui
