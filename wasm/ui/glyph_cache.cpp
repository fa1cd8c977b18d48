#include "ui/glyph_cache.hpp"

#include "ui_text.hpp"
#include "utf8.hpp"

#include <algorithm>

namespace moim::ui {

namespace {
std::vector<ImWchar> to_ranges(const std::set<ImWchar>& chars) {
  std::vector<ImWchar> ranges;
  for (ImWchar w : chars) {
    if (!ranges.empty() && ranges.back() + 1 == w) {
      ranges.back() = w;
    } else {
      ranges.push_back(w);
      ranges.push_back(w);
    }
  }
  return ranges;
}

bool in_catalog(const std::vector<char32_t>& sorted, unsigned cp) {
  return std::binary_search(sorted.begin(), sorted.end(), static_cast<char32_t>(cp));
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

std::string glyphs_missing(const ImFont* font, const std::vector<std::string>& texts) {
  std::set<unsigned> missing;
  if (!font) return {};
  for (const std::string& t : texts)
    utf8::for_each_codepoint(t, [&](unsigned cp) {
      if (cp >= 0x20 && cp <= 0xFFFF && !font->FindGlyphNoFallback(static_cast<ImWchar>(cp))) missing.insert(cp);
    });
  std::string out;
  for (const unsigned cp : missing) append_utf8(out, cp);
  return out;
}

bool in_base_ranges(unsigned cp) {
  return (cp >= 0x20 && cp < 0x7F) || cp < 0x20 || cp == 0xB7 || cp == 0xD7 || cp == 0x2026;  // · × …
}

bool in_embedded_font(unsigned cp) {
  // The Latin UI font: keep in step with the --unicodes of its subset in wasm/CMakeLists.txt.
  if (cp < 0x180 || (cp >= 0x370 && cp < 0x500) || (cp >= 0x2000 && cp < 0x2070) || cp == 0x20AC || cp == 0x2122 ||
      (cp >= 0x2190 && cp <= 0x2193) || cp == 0x2212 || cp == 0x25CF)
    return true;
  // The Hangul subset holds every Hangul letter of both catalogs (cut from their sources at build
  // time; tests/unit/ui_text_test.cpp checks they are written there as text).
  return in_catalog(ui_text::characters(ui_text::Lang::Ko), cp) || in_catalog(ui_text::characters(ui_text::Lang::En), cp);
}

void GlyphCache::set_ui_characters(const std::vector<char32_t>& chars) {
  ui_.clear();
  for (const char32_t c : chars)
    if (c <= 0xFFFF && !in_base_ranges(c)) ui_.insert(static_cast<ImWchar>(c));  // ImWchar is 16-bit in this build
  for (ImWchar w : ui_) pending_.erase(w);
}

std::vector<ImWchar> GlyphCache::ui_ranges() const { return to_ranges(ui_); }

bool GlyphCache::pending_needs_fallback() const {
  for (ImWchar w : pending_)
    if (!in_embedded_font(w)) return true;
  return false;
}

void GlyphCache::note(std::string_view s) {
  utf8::for_each_codepoint(s, [&](unsigned cp) {
    if (cp > 0xFFFF || in_base_ranges(cp)) return;  // ImWchar is 16-bit in this build
    const auto w = static_cast<ImWchar>(cp);
    if (!ui_.count(w) && !committed_.count(w)) pending_.insert(w);
  });
}

std::vector<ImWchar> GlyphCache::commit() {
  committed_.insert(pending_.begin(), pending_.end());
  pending_.clear();
  return committed_ranges();
}

std::vector<ImWchar> GlyphCache::committed_ranges() const { return to_ranges(committed_); }

}  // namespace moim::ui
