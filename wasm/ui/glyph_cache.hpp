// Which characters beyond printable ASCII the atlas holds, so it holds exactly those: a small atlas
// builds fast at start-up, and a full Hangul atlas would be huge. Two kinds:
//  - the UI's own words in the current language (shared/ui_text.hpp's characters()): always in the
//    atlas, from the first frame (Latin from the embedded UI font, Hangul from the embedded Hangul
//    subset cut from the catalog);
//  - anything else drawn (names, chat, room names): noted as drawn and added at the next frame;
//    Latin, Greek and Cyrillic letters and the catalogs' Hangul come from the embedded fonts, other
//    Hangul from the Hangul font file, fetched only when such a character first appears.
#pragma once

#include <imgui.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace moim::ui {

class GlyphCache {
 public:
  // The current language's words: their characters are in the atlas from now on (the app rebuilds it).
  void set_ui_characters(const std::vector<char32_t>& chars);
  // ImGui ranges of those characters (for ui::build_fonts).
  std::vector<ImWchar> ui_ranges() const;
  void note(std::string_view utf8);
  // True when characters were noted that the current atlas lacks.
  bool has_new() const { return !pending_.empty(); }
  // Moves pending characters into the atlas set; returns ImGui ranges for all of them.
  std::vector<ImWchar> commit();
  std::vector<ImWchar> committed_ranges() const;  // without taking the pending ones
  // True when a pending character is in neither embedded font (it needs the fetched one).
  bool pending_needs_fallback() const;

 private:
  std::set<ImWchar> ui_;
  std::set<ImWchar> committed_;
  std::set<ImWchar> pending_;
};

// The characters of `texts` that `font` has no glyph for (drawn as ImGui's fallback), each once, as
// UTF-8: for the test surface, which reads it right after a frame ("" when everything was drawn).
std::string glyphs_missing(const ImFont* font, const std::vector<std::string>& texts);

bool in_base_ranges(unsigned codepoint);     // always in the atlas, whatever the language
bool in_embedded_font(unsigned codepoint);   // in the embedded Latin UI font or the embedded Hangul subset

}  // namespace moim::ui
